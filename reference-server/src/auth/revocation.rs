//! The denylist of revoked tokens, consulted on every authorized request.
//!
//! Entries are the tokens' revocation keys ([`Principal::revocation_key`](super::token::Principal)) and live until
//! the token's own `exp`, after which the token is refused anyway. With `--redis-url` the list is in Redis
//! (`mcp-ref:v1:revoked:<key>`, expiring at `exp`), shared by every server process using that Redis; otherwise
//! it is in memory.
//!
//! When Redis cannot be asked, the request is refused (503), never let through: a revoked token must not work
//! again because a cache is down.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use redis::aio::ConnectionManager;

use crate::{
    cache::{RedisConfig, connect_lazily},
    error::StartupError,
};

/// Namespace of the denylist's Redis keys.
const PREFIX: &str = "mcp-ref:v1:revoked:";

/// The denylist could not be consulted or updated.
#[derive(Debug, thiserror::Error)]
#[error("the revocation list is unavailable: {0}")]
pub(crate) struct Unavailable(String);

/// Where revoked tokens are remembered.
pub(crate) enum Denylist {
    /// In this process: revocation key → `exp`.
    Memory(Mutex<HashMap<String, u64>>),
    /// In Redis.
    Redis { connection: ConnectionManager, timeout: Duration },
}

impl Denylist {
    /// An in-memory list.
    pub(crate) fn memory() -> Self {
        Self::Memory(Mutex::default())
    }

    /// A list in the Redis of `config` (connected lazily: the server starts while Redis is down).
    pub(crate) fn redis(config: &RedisConfig) -> Result<Self, StartupError> {
        let (connection, target) = connect_lazily(config)?;
        tracing::info!(%target, "revoked tokens are kept in Redis");
        Ok(Self::Redis { connection, timeout: config.timeout })
    }

    /// Which store holds the list, for logs.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Memory(_) => "memory",
            Self::Redis { .. } => "redis",
        }
    }

    /// Remembers `key` as revoked until `expires_at` (seconds since the epoch).
    pub(crate) async fn revoke(&self, key: &str, expires_at: u64) -> Result<(), Unavailable> {
        let now = now_secs();
        if expires_at <= now {
            return Ok(()); // Already refused as expired.
        }
        match self {
            Self::Memory(entries) => {
                let mut entries = entries.lock().unwrap_or_else(|e| e.into_inner());
                entries.retain(|_, exp| *exp > now);
                entries.insert(key.to_owned(), expires_at);
                Ok(())
            }
            Self::Redis { connection, timeout } => {
                let mut connection = connection.clone();
                let mut command = redis::cmd("SET");
                command.arg(format!("{PREFIX}{key}")).arg(1).arg("EXAT").arg(expires_at);
                bounded(*timeout, command.query_async::<()>(&mut connection)).await
            }
        }
    }

    /// Whether `key` is revoked.
    pub(crate) async fn is_revoked(&self, key: &str) -> Result<bool, Unavailable> {
        match self {
            Self::Memory(entries) => {
                let entries = entries.lock().unwrap_or_else(|e| e.into_inner());
                Ok(entries.get(key).is_some_and(|exp| *exp > now_secs()))
            }
            Self::Redis { connection, timeout } => {
                let mut connection = connection.clone();
                let mut command = redis::cmd("EXISTS");
                command.arg(format!("{PREFIX}{key}"));
                bounded(*timeout, command.query_async::<u32>(&mut connection)).await.map(|count| count > 0)
            }
        }
    }
}

async fn bounded<T>(timeout: Duration, command: impl Future<Output = redis::RedisResult<T>>) -> Result<T, Unavailable> {
    match tokio::time::timeout(timeout, command).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Unavailable(error.to_string())),
        Err(_) => Err(Unavailable(format!("Redis did not answer within {timeout:?}"))),
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_list_remembers_until_expiry() {
        let list = Denylist::memory();
        let later = now_secs() + 60;
        assert!(!list.is_revoked("a").await.unwrap());
        list.revoke("a", later).await.unwrap();
        list.revoke("old", now_secs() - 1).await.unwrap();
        assert!(list.is_revoked("a").await.unwrap());
        assert!(!list.is_revoked("old").await.unwrap(), "expired tokens need no entry");
        assert!(!list.is_revoked("b").await.unwrap());
    }
}
