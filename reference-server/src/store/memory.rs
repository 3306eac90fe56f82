//! The default, embedded in-memory [`Store`].

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

use serde_json::Value;

use super::{BackendHealth, Query, QueryResult, Record, Store, StoreError, now_ms};

/// Records in a `HashMap` behind a lock; ids are `rec-<n>`.
#[derive(Debug, Default)]
pub(crate) struct MemoryStore {
    records: RwLock<HashMap<String, Record>>,
    next_id: AtomicU64,
    generation: AtomicU64,
}

impl MemoryStore {
    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn create(&self, collection: &str, data: BTreeMap<String, Value>) -> Result<Record, StoreError> {
        if !super::query::is_identifier(collection) {
            return Err(StoreError::Invalid(format!("invalid collection name {collection:?}")));
        }
        let id = format!("rec-{}", self.next_id.fetch_add(1, Ordering::AcqRel) + 1);
        let now = now_ms();
        let record = Record {
            id: id.clone(),
            collection: collection.to_owned(),
            data,
            version: 1,
            created_at_ms: now,
            updated_at_ms: now,
        };
        self.records.write().unwrap_or_else(|e| e.into_inner()).insert(id, record.clone());
        self.bump();
        Ok(record)
    }

    async fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        Ok(self.records.read().unwrap_or_else(|e| e.into_inner()).get(id).cloned())
    }

    async fn update(
        &self,
        id: &str,
        patch: BTreeMap<String, Value>,
        expected_version: Option<u64>,
    ) -> Result<Option<Record>, StoreError> {
        let mut records = self.records.write().unwrap_or_else(|e| e.into_inner());
        let Some(record) = records.get_mut(id) else {
            return Ok(None);
        };
        if let Some(expected) = expected_version
            && expected != record.version
        {
            return Err(StoreError::Conflict { expected, found: record.version });
        }
        for (key, value) in patch {
            if value.is_null() {
                record.data.remove(&key);
            } else {
                record.data.insert(key, value);
            }
        }
        record.version += 1;
        record.updated_at_ms = now_ms();
        let updated = record.clone();
        drop(records);
        self.bump();
        Ok(Some(updated))
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let removed = self.records.write().unwrap_or_else(|e| e.into_inner()).remove(id).is_some();
        if removed {
            self.bump();
        }
        Ok(removed)
    }

    async fn query(&self, query: &Query) -> Result<QueryResult, StoreError> {
        query.validate()?;
        let records = self.records.read().unwrap_or_else(|e| e.into_inner());
        let mut rows: Vec<Record> = records.values().filter(|r| query.matches(r)).cloned().collect();
        drop(records);
        rows.sort_by(|a, b| query.order(a, b));
        let truncated = rows.len() > query.max_rows;
        rows.truncate(query.max_rows);
        Ok(QueryResult { rows, truncated })
    }

    async fn generation(&self) -> Result<u64, StoreError> {
        Ok(self.generation.load(Ordering::Acquire))
    }

    async fn health(&self) -> BackendHealth {
        let count = self.records.read().unwrap_or_else(|e| e.into_inner()).len();
        BackendHealth::in_process("memory", format!("{count} records"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::{Filter, SortOrder, query::FilterOp};

    fn data(value: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(value).unwrap()
    }

    #[tokio::test]
    async fn crud_round_trip() {
        let store = MemoryStore::default();
        let created = store.create("items", data(json!({"name": "a", "qty": 1}))).await.unwrap();
        assert_eq!(store.get(&created.id).await.unwrap().unwrap(), created);
        let updated = store.update(&created.id, data(json!({"qty": 2, "name": null})), Some(1)).await.unwrap().unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(updated.data, data(json!({"qty": 2})));
        assert!(matches!(
            store.update(&created.id, BTreeMap::new(), Some(1)).await,
            Err(StoreError::Conflict { expected: 1, found: 2 })
        ));
        assert!(store.delete(&created.id).await.unwrap());
        assert!(!store.delete(&created.id).await.unwrap());
        assert!(store.get(&created.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn query_filters_sorts_and_limits() {
        let store = MemoryStore::default();
        for qty in [5, 1, 3, 9] {
            store.create("items", data(json!({"qty": qty}))).await.unwrap();
        }
        store.create("other", data(json!({"qty": 100}))).await.unwrap();
        let result = store
            .query(&Query {
                collection: Some("items".into()),
                filters: vec![Filter { field: "qty".into(), op: FilterOp::Ge, value: json!(3) }],
                order_by: Some("qty".into()),
                order: SortOrder::Desc,
                max_rows: 2,
            })
            .await
            .unwrap();
        let qtys: Vec<_> = result.rows.iter().map(|r| r.data["qty"].clone()).collect();
        assert_eq!(qtys, vec![json!(9), json!(5)]);
        assert!(result.truncated);
    }

    #[tokio::test]
    async fn generation_changes_on_writes_only() {
        let store = MemoryStore::default();
        let g0 = store.generation().await.unwrap();
        let rec = store.create("c", BTreeMap::new()).await.unwrap();
        let g1 = store.generation().await.unwrap();
        store.get(&rec.id).await.unwrap();
        assert_ne!(g0, g1);
        assert_eq!(g1, store.generation().await.unwrap());
    }
}
