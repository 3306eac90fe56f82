//! The tool-result cache: an in-process LRU (L1) in front of an optional Redis cache (L2).
//!
//! [`TieredCache`] is what tools use (cache-aside: look up, else compute or read the
//! store, then fill both levels). [`Cache`] is the seam for a level: [`LruCache`]
//! (in-process, LRU with TTL) and [`RedisCache`] (`--redis-url` / `REDIS_URL`). Keys come
//! from [`cache_key`]: SHA-256 over the tool name, the canonical (key-sorted) JSON of its
//! arguments and a scope, so argument order never splits entries.
//!
//! # Why no read is ever stale
//!
//! Results that depend on stored data (`get_data`, `data_query`) are keyed with the
//! store's **generation** as the scope, a counter that every write increments *inside the
//! same transaction* (Postgres: `mcp_generation`, updated in the write's transaction and
//! acknowledged only after `COMMIT`; in memory: incremented after the change and before
//! the reply). A read first fetches the current generation `g` from the store, then looks
//! up `key(args, g)`:
//!
//! * Every entry under `g` was computed by a reader that read `g` *before* reading the
//!   data, so it reflects at least every write committed before `g` existed.
//! * A write acknowledged before our read began has already moved the generation past any
//!   value under which older data could have been cached, so our lookup cannot meet it.
//! * The race of classic cache-aside (a slow reader putting old data after a writer's
//!   delete) is harmless: that reader's key carries the old generation, which no later
//!   reader asks for.
//!
//! No invalidation message has to reach Redis, so an unreachable Redis during a write, a
//! second server process sharing the database, or a Redis restart cannot leave a stale
//! entry behind; superseded entries just age out by TTL (and LRU eviction in L1). The
//! cost is one small read of the generation per cached lookup and invalidation of every
//! store-backed entry on any write; when the store is unreachable, store-backed reads fail
//! rather than risk serving stale data. Results that depend only on their arguments
//! (`cpu_intensive_analysis`) use an empty scope and never go stale.
//!
//! Redis failures never reach the client: [`RedisCache`] turns them into misses, counted
//! and reported through its circuit breaker.

mod key;
mod lru;
mod redis;
mod tiered;

use std::time::Duration;

use serde_json::Value;

pub(crate) use self::redis::{RedisCache, RedisConfig, connect_lazily};
pub(crate) use key::cache_key;
pub(crate) use lru::LruCache;
pub(crate) use tiered::{CacheLevel, TieredCache};

use crate::store::BackendHealth;

/// One cache level: a key/value store of tool results with per-entry time to live.
///
/// Implementations never fail: an unavailable backend behaves as a miss.
#[async_trait::async_trait]
pub(crate) trait Cache: Send + Sync {
    /// Returns the live entry for `key`, refreshing its recency.
    async fn get(&self, key: &str) -> Option<Value>;
    /// Stores `value` under `key` for `ttl`.
    async fn put(&self, key: &str, value: Value, ttl: Duration);
    /// Reports whether the backend is reachable and how full it is.
    async fn health(&self) -> BackendHealth;
}
