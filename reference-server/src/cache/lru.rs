//! In-process LRU cache with per-entry time to live.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Mutex,
    time::{Duration, Instant},
};

use serde_json::Value;

use super::Cache;
use crate::store::BackendHealth;

/// A bounded LRU map: recency is a monotonically increasing tick, and the
/// `order` index finds the least recently used entry in `O(log n)`.
#[derive(Debug)]
pub(crate) struct LruCache {
    state: Mutex<State>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<String, Entry>,
    order: BTreeMap<u64, String>,
    tick: u64,
}

#[derive(Debug)]
struct Entry {
    value: Value,
    expires: Instant,
    tick: u64,
}

impl LruCache {
    /// A cache holding at most `capacity` entries (0 disables caching).
    pub(crate) fn new(capacity: usize) -> Self {
        Self { state: Mutex::new(State::default()), capacity }
    }

    fn get_at(&self, key: &str, now: Instant) -> Option<Value> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        let entry = state.entries.get_mut(key)?;
        if entry.expires <= now {
            let tick = entry.tick;
            state.entries.remove(key);
            state.order.remove(&tick);
            return None;
        }
        state.order.remove(&entry.tick);
        state.tick += 1;
        entry.tick = state.tick;
        state.order.insert(entry.tick, key.to_owned());
        Some(entry.value.clone())
    }

    fn put_at(&self, key: &str, value: Value, ttl: Duration, now: Instant) {
        if self.capacity == 0 {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        if let Some(old) = state.entries.remove(key) {
            state.order.remove(&old.tick);
        }
        while state.entries.len() >= self.capacity {
            let Some((_, oldest)) = state.order.pop_first() else {
                break;
            };
            state.entries.remove(&oldest);
        }
        state.tick += 1;
        state.order.insert(state.tick, key.to_owned());
        state.entries.insert(key.to_owned(), Entry { value, expires: now + ttl, tick: state.tick });
    }

    fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).entries.len()
    }
}

#[async_trait::async_trait]
impl Cache for LruCache {
    async fn get(&self, key: &str) -> Option<Value> {
        self.get_at(key, Instant::now())
    }

    async fn put(&self, key: &str, value: Value, ttl: Duration) {
        self.put_at(key, value, ttl, Instant::now());
    }

    async fn health(&self) -> BackendHealth {
        BackendHealth::in_process("lru", format!("{} of {} entries", self.len(), self.capacity))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TTL: Duration = Duration::from_secs(60);

    #[test]
    fn evicts_least_recently_used() {
        let cache = LruCache::new(2);
        let now = Instant::now();
        cache.put_at("a", json!(1), TTL, now);
        cache.put_at("b", json!(2), TTL, now);
        assert_eq!(cache.get_at("a", now), Some(json!(1))); // "b" is now the LRU entry
        cache.put_at("c", json!(3), TTL, now);
        assert_eq!(cache.get_at("b", now), None);
        assert_eq!(cache.get_at("a", now), Some(json!(1)));
        assert_eq!(cache.get_at("c", now), Some(json!(3)));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn expires_entries_after_ttl() {
        let cache = LruCache::new(4);
        let now = Instant::now();
        cache.put_at("a", json!(1), Duration::from_secs(1), now);
        assert_eq!(cache.get_at("a", now + Duration::from_millis(999)), Some(json!(1)));
        assert_eq!(cache.get_at("a", now + Duration::from_secs(1)), None);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn overwrite_keeps_one_entry() {
        let cache = LruCache::new(1);
        let now = Instant::now();
        cache.put_at("a", json!(1), TTL, now);
        cache.put_at("a", json!(2), TTL, now);
        assert_eq!(cache.get_at("a", now), Some(json!(2)));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn zero_capacity_disables_caching() {
        let cache = LruCache::new(0);
        cache.put_at("a", json!(1), TTL, Instant::now());
        assert_eq!(cache.get_at("a", Instant::now()), None);
    }
}
