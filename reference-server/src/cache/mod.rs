//! The tool-result cache.
//!
//! [`Cache`] is the seam for backends: [`LruCache`] (in-process LRU with TTL) is
//! the default; a Redis implementation stores the same keys with `SET … PX ttl`.
//! Keys come from [`cache_key`]: SHA-256 over the tool name and the canonical
//! (key-sorted) JSON of its arguments, so argument order never splits entries.

mod key;
mod lru;

use std::time::Duration;

use serde_json::Value;

pub(crate) use key::cache_key;
pub(crate) use lru::LruCache;

use crate::store::BackendHealth;

/// A key/value cache of tool results with per-entry time to live.
#[async_trait::async_trait]
pub(crate) trait Cache: Send + Sync {
    /// Returns the live entry for `key`, refreshing its recency.
    async fn get(&self, key: &str) -> Option<Value>;
    /// Stores `value` under `key` for `ttl`.
    async fn put(&self, key: &str, value: Value, ttl: Duration);
    /// Reports whether the backend is reachable and how full it is.
    async fn health(&self) -> BackendHealth;
}
