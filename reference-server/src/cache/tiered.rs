//! [`TieredCache`]: the in-process LRU (L1) in front of an optional Redis cache (L2).

use std::{sync::Arc, time::Duration};

use serde_json::Value;

use super::{Cache, LruCache};
use crate::{metrics::Metrics, store::BackendHealth};

/// Where a lookup was answered, reported per call as `_meta["io.mcp-harness/cache"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CacheLevel {
    /// The in-process LRU.
    L1,
    /// The Redis cache.
    L2,
    /// Neither: the result was computed or read from the store.
    Miss,
}

impl CacheLevel {
    /// `l1`, `l2` or `miss`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::L1 => "l1",
            Self::L2 => "l2",
            Self::Miss => "miss",
        }
    }
}

/// Cache-aside over two levels: read L1, then L2 (promoting hits into L1); fill both.
pub(crate) struct TieredCache {
    l1: LruCache,
    l2: Option<Arc<dyn Cache>>,
    metrics: Arc<Metrics>,
}

impl TieredCache {
    /// L1 of `capacity` entries, optionally in front of `l2`.
    pub(crate) fn new(capacity: usize, l2: Option<Arc<dyn Cache>>, metrics: Arc<Metrics>) -> Self {
        Self { l1: LruCache::new(capacity), l2, metrics }
    }

    /// Looks `key` up in L1 then L2; counts hits and misses per level.
    pub(crate) async fn lookup(&self, key: &str, ttl: Duration) -> (Option<Value>, CacheLevel) {
        if let Some(value) = self.l1.get(key).await {
            self.metrics.cache_lookup(CacheLevel::L1, true);
            return (Some(value), CacheLevel::L1);
        }
        self.metrics.cache_lookup(CacheLevel::L1, false);
        let Some(l2) = &self.l2 else {
            return (None, CacheLevel::Miss);
        };
        match l2.get(key).await {
            Some(value) => {
                self.metrics.cache_lookup(CacheLevel::L2, true);
                self.l1.put(key, value.clone(), ttl).await;
                (Some(value), CacheLevel::L2)
            }
            None => {
                self.metrics.cache_lookup(CacheLevel::L2, false);
                (None, CacheLevel::Miss)
            }
        }
    }

    /// Stores `value` in every level.
    pub(crate) async fn fill(&self, key: &str, value: Value, ttl: Duration) {
        if let Some(l2) = &self.l2 {
            l2.put(key, value.clone(), ttl).await;
        }
        self.l1.put(key, value, ttl).await;
    }

    /// Health of the outermost external level, or of L1 when there is none.
    pub(crate) async fn health(&self) -> BackendHealth {
        let l1 = self.l1.health().await;
        match &self.l2 {
            None => l1,
            Some(l2) => {
                let mut health = l2.health().await;
                health.kind = format!("{}+{}", l1.kind, health.kind);
                health.detail = format!("L1 {}; L2 {}", l1.detail, health.detail);
                health
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TTL: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn l2_hits_are_promoted_to_l1() {
        let l2: Arc<dyn Cache> = Arc::new(LruCache::new(8));
        l2.put("k", json!(1), TTL).await;
        let metrics = Arc::new(Metrics::default());
        let cache = TieredCache::new(8, Some(l2), metrics.clone());
        assert_eq!(cache.lookup("k", TTL).await, (Some(json!(1)), CacheLevel::L2));
        assert_eq!(cache.lookup("k", TTL).await, (Some(json!(1)), CacheLevel::L1));
        assert_eq!(cache.lookup("other", TTL).await, (None, CacheLevel::Miss));
        cache.fill("other", json!(2), TTL).await;
        assert_eq!(cache.lookup("other", TTL).await, (Some(json!(2)), CacheLevel::L1));
        let text = metrics.render(Duration::ZERO, 0);
        assert!(text.contains("mcp_cache_hits_total{level=\"l1\"} 2"), "{text}");
        assert!(text.contains("mcp_cache_hits_total{level=\"l2\"} 1"), "{text}");
        assert!(text.contains("mcp_cache_misses_total{level=\"l2\"} 1"), "{text}");
    }
}
