//! The data store behind the CRUD and query tools.
//!
//! [`Store`] is the seam for backends: the in-memory [`MemoryStore`] is the
//! default; [`PostgresStore`] (selected by `--database-url` / `DATABASE_URL`)
//! maps [`Query`] onto SQL built only from fixed fragments and `$n` placeholders
//! ([`sql`]), so no caller string ever reaches SQL text.

mod memory;
mod postgres;
mod query;
pub(crate) mod sql;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::resilience::{Backend, BreakerState};

pub(crate) use memory::MemoryStore;
pub(crate) use postgres::{PostgresConfig, PostgresStore};
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

/// Overall status of one backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum HealthStatus {
    /// Answering normally.
    Ok,
    /// Answering, but recently failing or probing after an outage.
    Degraded,
    /// Not answering; its circuit breaker is open.
    Down,
}

/// Health of a backend, as reported by the `health` tool and `/healthz`.
///
/// In-process backends have no breaker (`breaker: null`) and no errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BackendHealth {
    /// Backend kind: `memory`, `postgres`, `lru`, `lru+redis`.
    pub kind: String,
    /// Whether the backend answers.
    pub status: HealthStatus,
    /// Circuit breaker state (`closed`, `half_open`, `open`); `null` for in-process backends.
    pub breaker: Option<BreakerState>,
    /// The most recent backend failure, if any.
    pub last_error: Option<String>,
    /// Retries after transient errors since start.
    pub retries: u64,
    /// Backend failures since start.
    pub errors: u64,
    /// Circuit breaker state changes since start.
    pub breaker_transitions: u64,
    /// Calls refused by the open breaker or a full bulkhead since start.
    pub rejected: u64,
    /// Calls to the backend in flight now.
    pub in_flight: u64,
    /// Human-readable detail (entries, pool use, probe result).
    pub detail: String,
}

impl BackendHealth {
    /// Health of an in-process backend, which is always up.
    pub(crate) fn in_process(kind: &str, detail: String) -> Self {
        Self {
            kind: kind.into(),
            status: HealthStatus::Ok,
            breaker: None,
            last_error: None,
            retries: 0,
            errors: 0,
            breaker_transitions: 0,
            rejected: 0,
            in_flight: 0,
            detail,
        }
    }

    /// Health of a guarded backend from its counters and the outcome of a probe.
    pub(crate) fn guarded(kind: &str, backend: &Backend, probe: Result<String, String>) -> Self {
        let stats = backend.stats();
        let status = match (&probe, stats.breaker) {
            (Ok(_), BreakerState::Closed) => HealthStatus::Ok,
            (_, BreakerState::Open) => HealthStatus::Down,
            _ => HealthStatus::Degraded,
        };
        Self {
            kind: kind.into(),
            status,
            breaker: Some(stats.breaker),
            last_error: stats.last_error,
            retries: stats.retries,
            errors: stats.errors,
            breaker_transitions: stats.breaker_transitions,
            rejected: stats.rejected,
            in_flight: stats.in_flight,
            detail: probe.unwrap_or_else(|e| e),
        }
    }
}

/// `ok` when every backend is ok, `down` when the store is down, else `degraded`.
pub(crate) fn overall_status(store: &BackendHealth, cache: &BackendHealth) -> &'static str {
    match (store.status, cache.status) {
        (HealthStatus::Ok, HealthStatus::Ok) => "ok",
        (HealthStatus::Down, _) => "down",
        _ => "degraded",
    }
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
    /// The backend is unavailable (unreachable, breaker open, bulkhead full); nothing was written.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The connection failed while committing: the write may or may not have happened.
    #[error("store connection lost while committing; the write may or may not have been applied: {0}")]
    OutcomeUnknown(String),
    /// The backend rejected the request (e.g. a constraint violation).
    #[error("store rejected the request: {0}")]
    Rejected(String),
}

/// A record store; implementations must be safe to share between tasks.
#[async_trait::async_trait]
pub(crate) trait Store: Send + Sync {
    /// Inserts a new record and returns it with its assigned id.
    async fn create(&self, collection: &str, data: BTreeMap<String, Value>) -> Result<Record, StoreError>;
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
    /// A counter that changes with every committed write; result-cache keys include it.
    ///
    /// It must change after the write becomes visible and before the write is acknowledged
    /// (Postgres: in the same transaction), so that a reader that reads generation `g` and
    /// then the data sees every write acknowledged before it read `g`.
    async fn generation(&self) -> Result<u64, StoreError>;
    /// Reports whether the backend is reachable.
    async fn health(&self) -> BackendHealth;
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}
