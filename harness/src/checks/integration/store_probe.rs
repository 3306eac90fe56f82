//! Reading what a target stored, directly from Postgres (not through the target): the table `mcp_records`
//! (`id`, `collection`, `data jsonb`, `version`, …) that the bundled reference server migrates to.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;
use tokio_postgres::NoTls;

use crate::check::Outcome;

/// Bound of connecting and of each query.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection of the harness's own to the target's database.
pub(crate) struct StoreProbe {
    client: tokio_postgres::Client,
    connection: tokio::task::JoinHandle<()>,
}

/// One stored row, as Postgres has it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredRow {
    /// The `data` column.
    pub data: Value,
    /// The `version` column.
    pub version: i64,
}

impl StoreProbe {
    /// Connects to `url`. Failing to connect is "could not test" (the harness provided this database).
    pub(crate) async fn connect(url: &str) -> Result<StoreProbe, Outcome> {
        let connecting = tokio_postgres::connect(url, NoTls);
        let (client, connection) = match tokio::time::timeout(PROBE_TIMEOUT, connecting).await {
            Ok(Ok(pair)) => pair,
            Ok(Err(e)) => {
                return Err(Outcome::error(format!("the harness could not connect to Postgres to verify rows: {e}")));
            }
            Err(_) => {
                return Err(Outcome::error(format!(
                    "the harness could not connect to Postgres within {PROBE_TIMEOUT:?}"
                )));
            }
        };
        let connection = tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(StoreProbe { client, connection })
    }

    /// The row of record `id`; `None` when there is none (or no `mcp_records` table at all).
    pub(crate) async fn row(&self, id: &str) -> Result<Option<StoredRow>, Outcome> {
        match bounded(self.client.query_opt("SELECT data, version FROM mcp_records WHERE id = $1", &[&id])).await? {
            Ok(Some(row)) => Ok(Some(StoredRow { data: row.get(0), version: row.get(1) })),
            Ok(None) => Ok(None),
            Err(e) if is_undefined_table(&e) => Ok(None),
            Err(e) => Err(Outcome::error(format!("verifying record {id} in Postgres failed: {e}"))),
        }
    }

    /// Which of `ids` have a row.
    pub(crate) async fn present(&self, ids: &[String]) -> Result<HashSet<String>, Outcome> {
        match bounded(self.client.query("SELECT id FROM mcp_records WHERE id = ANY($1)", &[&ids])).await? {
            Ok(rows) => Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect()),
            Err(e) if is_undefined_table(&e) => Ok(HashSet::new()),
            Err(e) => Err(Outcome::error(format!("verifying {} records in Postgres failed: {e}", ids.len()))),
        }
    }

    /// Closes the connection.
    pub(crate) fn close(self) {
        drop(self.client);
        self.connection.abort();
    }
}

async fn bounded<T>(query: impl Future<Output = T>) -> Result<T, Outcome> {
    tokio::time::timeout(PROBE_TIMEOUT, query)
        .await
        .map_err(|_| Outcome::error(format!("a verification query did not finish within {PROBE_TIMEOUT:?}")))
}

fn is_undefined_table(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE)
}
