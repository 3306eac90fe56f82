//! The Postgres [`Store`]: `tokio-postgres` over a `deadpool-postgres` pool, behind the
//! resilience guard ([`Backend`]: retry, circuit breaker, bulkhead).
//!
//! * **Schema**: idempotent migrations run at start inside one transaction holding an
//!   advisory lock (`CREATE … IF NOT EXISTS`, versions recorded in `mcp_schema_version`),
//!   so several servers may start against one database at once.
//! * **Queries**: parameterised only; `data_query` goes through [`sql::select`], which
//!   builds SQL text from fixed fragments and `$n` placeholders.
//! * **Writes** run in a transaction that also increments the single-row
//!   `mcp_generation` counter, and are acknowledged only after `COMMIT` returned.
//!   Cache keys include that generation, so a committed write invalidates every cached
//!   read in every process sharing the database (see [`crate::cache`]).
//! * **Retries** (transient errors only): reads always; writes only when the failure
//!   happened before `COMMIT` was sent (the transaction was rolled back). A connection
//!   lost *during* `COMMIT` leaves the outcome unknown: `create` is still retried because
//!   it is idempotent (the id is chosen before the first attempt and the insert is
//!   `ON CONFLICT (id) DO NOTHING`); `update` and `delete` fail with
//!   [`StoreError::OutcomeUnknown`] rather than risk applying twice.

use std::{collections::BTreeMap, fmt, io, sync::Arc, time::Duration};

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime, Transaction};
use serde_json::Value;
use tokio_postgres::{NoTls, Row, error::SqlState};

use super::{
    BackendHealth, Query, QueryResult, Record, Store, StoreError, now_ms,
    query::is_identifier,
    sql::{self, COLUMNS},
};
use crate::{
    error::StartupError,
    resilience::{Backend, BreakerConfig, Bulkhead, CallError, Classify, RetryPolicy},
};

/// Schema migrations, applied in order; each runs once (recorded in `mcp_schema_version`).
const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    "CREATE TABLE IF NOT EXISTS mcp_records (
         id text PRIMARY KEY,
         collection text NOT NULL,
         data jsonb NOT NULL,
         version bigint NOT NULL,
         created_at_ms bigint NOT NULL,
         updated_at_ms bigint NOT NULL);
     CREATE INDEX IF NOT EXISTS mcp_records_collection ON mcp_records (collection, id);
     CREATE TABLE IF NOT EXISTS mcp_generation (
         id boolean PRIMARY KEY DEFAULT true CHECK (id),
         value bigint NOT NULL);
     INSERT INTO mcp_generation (id, value) VALUES (true, 0) ON CONFLICT (id) DO NOTHING;",
)];

/// Arbitrary constant serialising concurrent migrations (`pg_advisory_xact_lock`).
const MIGRATION_LOCK: i64 = 0x006d_6370_5f72_6566;

/// Attempts of the start-up migration while the database is still coming up.
const STARTUP_ATTEMPTS: u32 = 10;

/// Settings of the Postgres store.
#[derive(Debug, Clone)]
pub(crate) struct PostgresConfig {
    /// libpq-style URL or key/value connection string.
    pub url: String,
    /// Pool size, also the bulkhead capacity.
    pub pool_size: usize,
    /// Bound of each statement group, pool wait and connect.
    pub timeout: Duration,
    /// Longest wait for a bulkhead slot.
    pub bulkhead_wait: Duration,
    /// Circuit breaker tuning.
    pub breaker: BreakerConfig,
    /// Retry policy for transient errors.
    pub retry: RetryPolicy,
}

/// Records in the `mcp_records` table.
pub(crate) struct PostgresStore {
    pool: Pool,
    backend: Arc<Backend>,
    timeout: Duration,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore").field("pool", &self.pool.status()).finish_non_exhaustive()
    }
}

/// A failed attempt, classified for the resilience layer.
#[derive(Debug, thiserror::Error)]
enum PgError {
    #[error("failed to get a connection: {0}")]
    Pool(#[source] PoolError),
    #[error("{source}")]
    Db {
        #[source]
        source: tokio_postgres::Error,
        committing: bool,
    },
    #[error("timed out after {after:?}")]
    Timeout { after: Duration, committing: bool },
    #[error("unexpected row: {0}")]
    Decode(String),
    /// An application outcome (not found is not an error; conflicts are).
    #[error("{0}")]
    App(StoreError),
}

impl From<tokio_postgres::Error> for PgError {
    fn from(source: tokio_postgres::Error) -> Self {
        Self::Db { source, committing: false }
    }
}

/// Whether `error` means the connection or server is gone (rather than the statement bad).
fn is_connection_error(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    if let Some(code) = error.code() {
        let code = code.code();
        return code.starts_with("08") // connection exception
            || code.starts_with("57P") // admin/crash shutdown, cannot connect now
            || code == SqlState::TOO_MANY_CONNECTIONS.code();
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::NotConnected
                    | io::ErrorKind::TimedOut
            );
        }
        source = cause.source();
    }
    false
}

fn is_serialization_error(error: &tokio_postgres::Error) -> bool {
    error
        .code()
        .is_some_and(|code| *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED)
}

impl PgError {
    /// Whether the failure may have happened after `COMMIT` was sent.
    fn committing(&self) -> bool {
        matches!(self, Self::Db { committing: true, .. } | Self::Timeout { committing: true, .. })
    }

    fn mark_committing(self) -> Self {
        match self {
            Self::Db { source, .. } => Self::Db { source, committing: true },
            Self::Timeout { after, .. } => Self::Timeout { after, committing: true },
            other => other,
        }
    }

    /// Transient, whatever the phase.
    fn is_retryable_kind(&self) -> bool {
        match self {
            Self::Pool(PoolError::Timeout(_)) => true,
            Self::Pool(PoolError::Backend(error)) => is_connection_error(error),
            Self::Db { source, .. } => is_connection_error(source) || is_serialization_error(source),
            Self::Timeout { .. } => true,
            Self::Pool(_) | Self::Decode(_) | Self::App(_) => false,
        }
    }
}

impl Classify for PgError {
    fn is_backend_failure(&self) -> bool {
        match self {
            Self::Pool(PoolError::Backend(error)) => is_connection_error(error),
            Self::Pool(PoolError::Timeout(_) | PoolError::Closed) => true,
            Self::Db { source, .. } => is_connection_error(source),
            Self::Timeout { .. } => true,
            Self::Pool(_) | Self::Decode(_) | Self::App(_) => false,
        }
    }

    fn is_transient(&self) -> bool {
        self.is_retryable_kind() && !self.committing()
    }
}

/// A committed-or-not-sent failure of `create` is safe to retry: see the module docs.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
struct IdempotentWrite(PgError);

impl Classify for IdempotentWrite {
    fn is_backend_failure(&self) -> bool {
        self.0.is_backend_failure()
    }

    fn is_transient(&self) -> bool {
        self.0.is_retryable_kind()
    }
}

impl From<CallError<PgError>> for StoreError {
    fn from(error: CallError<PgError>) -> Self {
        match error {
            CallError::BreakerOpen { .. } | CallError::Busy { .. } => Self::Unavailable(error.to_string()),
            CallError::Backend(PgError::App(error)) => error,
            CallError::Backend(error) if error.committing() => Self::OutcomeUnknown(error.to_string()),
            CallError::Backend(error) if error.is_backend_failure() => Self::Unavailable(error.to_string()),
            CallError::Backend(error) => Self::Rejected(error.to_string()),
        }
    }
}

impl From<CallError<IdempotentWrite>> for StoreError {
    fn from(error: CallError<IdempotentWrite>) -> Self {
        match error {
            CallError::BreakerOpen { backend, state } => CallError::<PgError>::BreakerOpen { backend, state }.into(),
            CallError::Busy { backend } => CallError::<PgError>::Busy { backend }.into(),
            CallError::Backend(IdempotentWrite(error)) => CallError::Backend(error).into(),
        }
    }
}

/// Runs `future` with a time bound; a timeout is a transient backend failure.
async fn within<T>(limit: Duration, future: impl Future<Output = Result<T, PgError>>) -> Result<T, PgError> {
    tokio::time::timeout(limit, future).await.unwrap_or(Err(PgError::Timeout { after: limit, committing: false }))
}

/// Commits `tx`; any failure here leaves the outcome unknown.
async fn commit(limit: Duration, tx: Transaction<'_>) -> Result<(), PgError> {
    within(limit, async { Ok(tx.commit().await?) }).await.map_err(PgError::mark_committing)
}

fn record(row: &Row) -> Result<Record, PgError> {
    let data = match row.try_get::<_, Value>("data")? {
        Value::Object(map) => map.into_iter().collect(),
        other => return Err(PgError::Decode(format!("data is not an object: {other}"))),
    };
    let unsigned = |column: &str| -> Result<u64, PgError> {
        let value: i64 = row.try_get(column)?;
        u64::try_from(value).map_err(|_| PgError::Decode(format!("negative {column}")))
    };
    Ok(Record {
        id: row.try_get("id")?,
        collection: row.try_get("collection")?,
        data,
        version: unsigned("version")?,
        created_at_ms: unsigned("created_at_ms")?,
        updated_at_ms: unsigned("updated_at_ms")?,
    })
}

fn millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

impl PostgresStore {
    /// Builds the pool and applies migrations, waiting (bounded) for the database to come up.
    pub(crate) async fn connect(config: &PostgresConfig) -> Result<Self, StartupError> {
        let mut pg_config: tokio_postgres::Config =
            config.url.parse().map_err(|error| StartupError::Config(format!("invalid database URL: {error}")))?;
        if pg_config.get_connect_timeout().is_none() {
            pg_config.connect_timeout(config.timeout);
        }
        pg_config.keepalives(true);
        if pg_config.get_application_name().is_none() {
            pg_config.application_name("mcp-reference-server");
        }
        let target = describe(&pg_config);
        let manager = Manager::from_config(pg_config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(config.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(config.timeout))
            .create_timeout(Some(config.timeout))
            .recycle_timeout(Some(config.timeout))
            .build()
            .map_err(|error| StartupError::Config(format!("failed to build the pool: {error}")))?;
        let store = Self {
            pool,
            backend: Arc::new(Backend::new(
                "store",
                "postgres",
                config.breaker,
                Bulkhead::new(config.pool_size, config.bulkhead_wait),
                config.retry,
            )),
            timeout: config.timeout,
        };
        let startup = RetryPolicy {
            max_attempts: STARTUP_ATTEMPTS,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        let mut attempt = 0;
        loop {
            match store.migrate().await {
                Ok(version) => {
                    tracing::info!(%target, schema_version = version, "using the Postgres store");
                    return Ok(store);
                }
                Err(error) if error.is_transient() && startup.allows_retry(attempt) => {
                    tracing::warn!(%target, %error, "database not ready; retrying");
                    let delay = startup.backoff(attempt, &mut rand::rng());
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(error) => {
                    return Err(StartupError::Backend(format!(
                        "failed to migrate the Postgres schema at {target}: {error}"
                    )));
                }
            }
        }
    }

    /// The resilience guard, for metrics.
    pub(crate) fn backend(&self) -> Arc<Backend> {
        self.backend.clone()
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, PgError> {
        self.pool.get().await.map_err(PgError::Pool)
    }

    async fn migrate(&self) -> Result<i32, PgError> {
        let mut client = self.client().await?;
        let tx = within(self.timeout, async { Ok(client.transaction().await?) }).await?;
        let applied = within(self.timeout * 4, async {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS mcp_schema_version (
                     version integer PRIMARY KEY,
                     applied_at timestamptz NOT NULL DEFAULT now())",
            )
            .await?;
            let current: i32 =
                tx.query_one("SELECT COALESCE(MAX(version), 0) FROM mcp_schema_version", &[]).await?.try_get(0)?;
            let mut latest = current;
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
                tx.batch_execute(sql).await?;
                tx.execute("INSERT INTO mcp_schema_version (version) VALUES ($1)", &[version]).await?;
                tracing::info!(version, "applied schema migration");
                latest = *version;
            }
            Ok(latest)
        })
        .await?;
        commit(self.timeout, tx).await?;
        Ok(applied)
    }

    async fn bump_generation(&self, tx: &Transaction<'_>) -> Result<(), PgError> {
        tx.execute("UPDATE mcp_generation SET value = value + 1 WHERE id", &[]).await?;
        Ok(())
    }

    async fn try_create(&self, id: &str, collection: &str, data: &Value, now: i64) -> Result<Record, PgError> {
        let mut client = self.client().await?;
        let tx = within(self.timeout, async { Ok(client.transaction().await?) }).await?;
        let record = within(self.timeout, async {
            let inserted = tx
                .query_opt(
                    &format!(
                        "INSERT INTO mcp_records ({COLUMNS}) VALUES ($1, $2, $3, 1, $4, $4) \
                         ON CONFLICT (id) DO NOTHING RETURNING {COLUMNS}"
                    ),
                    &[&id, &collection, data, &now],
                )
                .await?;
            match inserted {
                Some(row) => {
                    self.bump_generation(&tx).await?;
                    record(&row)
                }
                // An earlier attempt committed before its acknowledgement was lost: the
                // random id makes this row ours, and its generation bump is already done.
                None => {
                    record(&tx.query_one(&format!("SELECT {COLUMNS} FROM mcp_records WHERE id = $1"), &[&id]).await?)
                }
            }
        })
        .await?;
        commit(self.timeout, tx).await?;
        Ok(record)
    }

    async fn try_get(&self, id: &str) -> Result<Option<Record>, PgError> {
        let client = self.client().await?;
        within(self.timeout, async {
            client
                .query_opt(&format!("SELECT {COLUMNS} FROM mcp_records WHERE id = $1"), &[&id])
                .await?
                .as_ref()
                .map(record)
                .transpose()
        })
        .await
    }

    async fn try_update(
        &self,
        id: &str,
        set: &Value,
        remove: &[String],
        expected_version: Option<u64>,
        now: i64,
    ) -> Result<Option<Record>, PgError> {
        let mut client = self.client().await?;
        let tx = within(self.timeout, async { Ok(client.transaction().await?) }).await?;
        let updated = within(self.timeout, async {
            let Some(current) =
                tx.query_opt("SELECT version FROM mcp_records WHERE id = $1 FOR UPDATE", &[&id]).await?
            else {
                return Ok(None);
            };
            let found = u64::try_from(current.try_get::<_, i64>(0)?).unwrap_or_default();
            if let Some(expected) = expected_version
                && expected != found
            {
                return Err(PgError::App(StoreError::Conflict { expected, found }));
            }
            let row = tx
                .query_one(
                    &format!(
                        "UPDATE mcp_records SET data = (data || $2::jsonb) - $3::text[], \
                         version = version + 1, updated_at_ms = $4 WHERE id = $1 RETURNING {COLUMNS}"
                    ),
                    &[&id, set, &remove, &now],
                )
                .await?;
            self.bump_generation(&tx).await?;
            record(&row).map(Some)
        })
        .await?;
        if updated.is_some() {
            commit(self.timeout, tx).await?;
        }
        Ok(updated)
    }

    async fn try_delete(&self, id: &str) -> Result<bool, PgError> {
        let mut client = self.client().await?;
        let tx = within(self.timeout, async { Ok(client.transaction().await?) }).await?;
        let deleted = within(self.timeout, async {
            let rows = tx.execute("DELETE FROM mcp_records WHERE id = $1", &[&id]).await?;
            if rows > 0 {
                self.bump_generation(&tx).await?;
            }
            Ok(rows > 0)
        })
        .await?;
        if deleted {
            commit(self.timeout, tx).await?;
        }
        Ok(deleted)
    }

    async fn try_query(&self, statement: &sql::Statement) -> Result<Vec<Record>, PgError> {
        let client = self.client().await?;
        within(self.timeout, async {
            client.query(&statement.text, &statement.sql_params()).await?.iter().map(record).collect()
        })
        .await
    }

    async fn try_generation(&self) -> Result<u64, PgError> {
        let client = self.client().await?;
        within(self.timeout, async {
            let value: i64 = client.query_one("SELECT value FROM mcp_generation WHERE id", &[]).await?.try_get(0)?;
            Ok(u64::try_from(value).unwrap_or_default())
        })
        .await
    }

    async fn try_ping(&self) -> Result<(), PgError> {
        let client = self.client().await?;
        within(self.timeout, async {
            client.simple_query("SELECT 1").await?;
            Ok(())
        })
        .await
    }
}

/// `host:port/dbname` of a connection config, without credentials.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or("(default)"))
}

#[async_trait::async_trait]
impl Store for PostgresStore {
    async fn create(&self, collection: &str, data: BTreeMap<String, Value>) -> Result<Record, StoreError> {
        if !is_identifier(collection) {
            return Err(StoreError::Invalid(format!("invalid collection name {collection:?}")));
        }
        // Chosen once, before the first attempt: retries re-insert the same id.
        let id = format!("rec-{:032x}", rand::random::<u128>());
        let data = Value::Object(data.into_iter().collect());
        let now = millis(now_ms());
        Ok(self
            .backend
            .call(|| async { self.try_create(&id, collection, &data, now).await.map_err(IdempotentWrite) })
            .await?)
    }

    async fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        Ok(self.backend.call(|| self.try_get(id)).await?)
    }

    async fn update(
        &self,
        id: &str,
        patch: BTreeMap<String, Value>,
        expected_version: Option<u64>,
    ) -> Result<Option<Record>, StoreError> {
        let (remove, set): (Vec<_>, Vec<_>) = patch.into_iter().partition(|(_, v)| v.is_null());
        let set = Value::Object(set.into_iter().collect());
        let remove: Vec<String> = remove.into_iter().map(|(k, _)| k).collect();
        let now = millis(now_ms());
        Ok(self.backend.call(|| self.try_update(id, &set, &remove, expected_version, now)).await?)
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.backend.call(|| self.try_delete(id)).await?)
    }

    async fn query(&self, query: &Query) -> Result<QueryResult, StoreError> {
        query.validate()?;
        if let Some(collection) = &query.collection
            && !is_identifier(collection)
        {
            return Ok(QueryResult { rows: Vec::new(), truncated: false });
        }
        let statement = sql::select(query);
        let mut rows = self.backend.call(|| self.try_query(&statement)).await?;
        let truncated = rows.len() > query.max_rows;
        rows.truncate(query.max_rows);
        Ok(QueryResult { rows, truncated })
    }

    async fn generation(&self) -> Result<u64, StoreError> {
        Ok(self.backend.call(|| self.try_generation()).await?)
    }

    async fn health(&self) -> BackendHealth {
        let probe = self.backend.call_with(RetryPolicy::NONE, || self.try_ping()).await;
        let status = self.pool.status();
        let pool = format!(
            "pool {} of {} connections, {} idle, {} waiting",
            status.size, status.max_size, status.available, status.waiting
        );
        BackendHealth::guarded(
            "postgres",
            &self.backend,
            probe.map(|()| pool.clone()).map_err(|error| format!("{}; {pool}", StoreError::from(error))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_idempotent_ddl() {
        for (_, sql) in MIGRATIONS {
            for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                assert!(
                    statement.contains("IF NOT EXISTS") || statement.contains("ON CONFLICT"),
                    "not idempotent: {statement}"
                );
            }
        }
        let versions: Vec<_> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn commit_phase_failures_are_not_retried_except_idempotent_creates() {
        let timeout = |committing| PgError::Timeout { after: Duration::from_secs(1), committing };
        assert!(timeout(false).is_transient());
        assert!(!timeout(true).is_transient());
        assert!(IdempotentWrite(timeout(true)).is_transient());
        assert!(timeout(true).is_backend_failure());
        let conflict = PgError::App(StoreError::Conflict { expected: 1, found: 2 });
        assert!(!conflict.is_transient() && !conflict.is_backend_failure());
        assert!(matches!(StoreError::from(CallError::Backend(timeout(true))), StoreError::OutcomeUnknown(_)));
    }

    #[test]
    fn describes_targets_without_credentials() {
        let config: tokio_postgres::Config = "postgres://user:secret@db.example:6543/app".parse().unwrap();
        assert_eq!(describe(&config), "db.example:6543/app");
    }
}
