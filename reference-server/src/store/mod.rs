//! The data store behind the CRUD and query tools.
//!
//! [`Store`] is the seam for backends: the in-memory [`MemoryStore`] is the
//! default; a Postgres implementation maps [`Query`] onto a prepared statement
//! whose filters are bound parameters (field names are validated identifiers),
//! so no SQL is ever built from caller strings.

mod memory;
mod query;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) use memory::MemoryStore;
pub(crate) use query::{Filter, Query, SortOrder};

/// One stored record: a JSON object in a named collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record {
    /// Server-assigned identifier.
    pub id: String,
    /// Collection (table) the record belongs to.
    pub collection: String,
    /// The record's fields.
    pub data: BTreeMap<String, Value>,
    /// Incremented on every update, starting at 1.
    pub version: u64,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// Last update time, milliseconds since the Unix epoch.
    pub updated_at_ms: u64,
}

/// The rows a [`Query`] matched, at most `max_rows` of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryResult {
    /// Matching records in the requested order.
    pub rows: Vec<Record>,
    /// Whether more records matched than were returned.
    pub truncated: bool,
}

/// Health of a backend, as reported by the `health` tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BackendHealth {
    /// Backend kind, e.g. `memory`.
    pub backend: String,
    /// Whether the backend answered.
    pub healthy: bool,
    /// Human-readable detail.
    pub detail: String,
}

/// A failure inside a store backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum StoreError {
    /// The request is invalid for this store (bad field name, bad filter value).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The record was changed concurrently (optimistic locking).
    #[error("version conflict: expected {expected}, found {found}")]
    Conflict {
        /// Version the caller expected.
        expected: u64,
        /// Version currently stored.
        found: u64,
    },
    /// The backend is unavailable.
    #[error("backend unavailable: {0}")]
    #[allow(dead_code)]
    Unavailable(String),
}

/// A record store; implementations must be safe to share between tasks.
#[async_trait::async_trait]
pub(crate) trait Store: Send + Sync {
    /// Inserts a new record and returns it with its assigned id.
    async fn create(
        &self,
        collection: &str,
        data: BTreeMap<String, Value>,
    ) -> Result<Record, StoreError>;
    /// Fetches one record.
    async fn get(&self, id: &str) -> Result<Option<Record>, StoreError>;
    /// Merges `patch` into a record (a `null` value removes a field); `None` if absent.
    async fn update(
        &self,
        id: &str,
        patch: BTreeMap<String, Value>,
        expected_version: Option<u64>,
    ) -> Result<Option<Record>, StoreError>;
    /// Deletes a record; `false` if it did not exist.
    async fn delete(&self, id: &str) -> Result<bool, StoreError>;
    /// Runs a parameterised query.
    async fn query(&self, query: &Query) -> Result<QueryResult, StoreError>;
    /// A counter that changes on every write; result-cache keys include it.
    async fn generation(&self) -> u64;
    /// Reports whether the backend is reachable.
    async fn health(&self) -> BackendHealth;
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}
