//! The Redis second-level cache, behind the in-process LRU (see [`super::TieredCache`]).
//!
//! Entries are JSON text under `mcp-ref:v1:<key>`, written with `SET … PX <ttl>`; keys
//! are [`cache_key`](super::cache_key)s, which for store-backed results include the store
//! generation (the staleness argument is in the [module docs](super)).
//!
//! Redis is optional: every call goes through a [`Backend`] guard with **no retries** (a
//! miss costs one store read, less than waiting to retry a cache), a short timeout, a
//! circuit breaker and a bulkhead. Any failure is counted, reported by `health`, and turns
//! into a miss; it never reaches the client. The connection is a lazily connecting,
//! auto-reconnecting [`ConnectionManager`], so the server starts and serves while Redis is
//! down and picks Redis up again when it returns (via the breaker's half-open probe).

use std::{sync::Arc, time::Duration};

use ::redis::{
    AsyncCommands as _,
    aio::{ConnectionManager, ConnectionManagerConfig},
};
use serde_json::Value;

use super::Cache;
use crate::{
    error::StartupError,
    resilience::{Backend, BreakerConfig, Bulkhead, Classify, RetryPolicy},
    store::BackendHealth,
};

/// Namespace of every key this server writes; bump `v1` when the value format changes.
const PREFIX: &str = "mcp-ref:v1:";

/// Settings of the Redis cache.
#[derive(Debug, Clone)]
pub(crate) struct RedisConfig {
    /// `redis://host:port[/db]` URL.
    pub url: String,
    /// Bound of each command and of connecting.
    pub timeout: Duration,
    /// Bulkhead capacity (concurrent commands).
    pub max_concurrency: usize,
    /// Longest wait for a bulkhead slot.
    pub bulkhead_wait: Duration,
    /// Circuit breaker tuning.
    pub breaker: BreakerConfig,
}

/// A lazily connecting, auto-reconnecting connection to the Redis of `config`, and its `host:port/db` for logs;
/// fails only on an invalid URL.
pub(crate) fn connect_lazily(config: &RedisConfig) -> Result<(ConnectionManager, String), StartupError> {
    let client = redis::Client::open(config.url.as_str())
        .map_err(|error| StartupError::Config(format!("invalid Redis URL: {error}")))?;
    let info = client.get_connection_info();
    let target = format!("{}/{}", info.addr(), info.redis_settings().db());
    let manager_config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(config.timeout))
        .set_response_timeout(Some(config.timeout))
        .set_number_of_retries(1)
        .set_max_delay(config.timeout);
    let connection = ConnectionManager::new_lazy_with_config(client, manager_config)
        .map_err(|error| StartupError::Config(format!("invalid Redis settings: {error}")))?;
    Ok((connection, target))
}

/// A failed Redis command.
#[derive(Debug, thiserror::Error)]
enum RedisFailure {
    #[error("{0}")]
    Redis(#[from] redis::RedisError),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
}

impl Classify for RedisFailure {
    fn is_backend_failure(&self) -> bool {
        true
    }

    fn is_transient(&self) -> bool {
        false
    }
}

/// A Redis-backed [`Cache`] whose failures degrade to misses.
pub(crate) struct RedisCache {
    connection: ConnectionManager,
    backend: Arc<Backend>,
    timeout: Duration,
    target: String,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache").field("target", &self.target).finish_non_exhaustive()
    }
}

impl RedisCache {
    /// Prepares a lazily connecting client; fails only on an invalid URL.
    pub(crate) fn new(config: &RedisConfig) -> Result<Self, StartupError> {
        let (connection, target) = connect_lazily(config)?;
        tracing::info!(%target, "using the Redis second-level cache");
        Ok(Self {
            connection,
            backend: Arc::new(Backend::new(
                "cache",
                "redis",
                config.breaker,
                Bulkhead::new(config.max_concurrency, config.bulkhead_wait),
                RetryPolicy::NONE,
            )),
            timeout: config.timeout,
            target,
        })
    }

    /// The resilience guard, for metrics and health.
    pub(crate) fn backend(&self) -> Arc<Backend> {
        self.backend.clone()
    }

    async fn bounded<T>(&self, command: impl Future<Output = redis::RedisResult<T>>) -> Result<T, RedisFailure> {
        match tokio::time::timeout(self.timeout, command).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(RedisFailure::Timeout(self.timeout)),
        }
    }

    async fn try_get(&self, key: &str) -> Result<Option<String>, RedisFailure> {
        let mut connection = self.connection.clone();
        self.bounded(connection.get(format!("{PREFIX}{key}"))).await
    }

    async fn try_put(&self, key: &str, value: &str, ttl: Duration) -> Result<(), RedisFailure> {
        let mut connection = self.connection.clone();
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.bounded(
            redis::cmd("SET")
                .arg(format!("{PREFIX}{key}"))
                .arg(value)
                .arg("PX")
                .arg(millis)
                .query_async::<()>(&mut connection),
        )
        .await
    }

    async fn try_ping(&self) -> Result<(), RedisFailure> {
        let mut connection = self.connection.clone();
        self.bounded(redis::cmd("PING").query_async::<()>(&mut connection)).await
    }
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Option<Value> {
        let text = self.backend.call(|| self.try_get(key)).await.ok()??;
        match serde_json::from_str(&text) {
            Ok(value) => Some(value),
            Err(error) => {
                tracing::warn!(%error, "ignoring an undecodable Redis cache entry");
                None
            }
        }
    }

    async fn put(&self, key: &str, value: Value, ttl: Duration) {
        let text = value.to_string();
        if let Err(error) = self.backend.call(|| self.try_put(key, &text, ttl)).await {
            tracing::debug!(%error, "Redis cache write skipped");
        }
    }

    async fn health(&self) -> BackendHealth {
        let probe = self.backend.call_with(RetryPolicy::NONE, || self.try_ping()).await;
        BackendHealth::guarded(
            "redis",
            &self.backend,
            probe.map(|()| format!("{} reachable", self.target)).map_err(|error| format!("{}: {error}", self.target)),
        )
    }
}
