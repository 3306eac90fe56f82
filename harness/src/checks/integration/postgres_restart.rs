//! Postgres restarted mid-run while the target is being written to: calls retry or fail cleanly, writing works
//! again afterwards, and every write the target acknowledged is in the database.

use std::time::{Duration, Instant};

use serde_json::json;

use super::INTEGRATION;
use super::data_tools::{Call, call, fresh_collection, record_id, require_data_tools};
use super::faults::{fault_error, judged, require_container};
use super::store_probe::StoreProbe;
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::services::Service;
use crate::session::Session;

/// Writes before the restart begins.
const WARM_UP: Duration = Duration::from_millis(500);
/// How long Postgres stays down.
const DOWN_FOR: Duration = Duration::from_secs(2);
/// Longest time after Postgres is back for a write to succeed again.
const RECOVERY_LIMIT: Duration = Duration::from_secs(30);
/// A call may take this long during the restart (the target's own retries included) before it counts as hung.
const CALL_LIMIT: Duration = Duration::from_secs(30);
/// Successful writes wanted after the recovery.
const WRITES_AFTER: usize = 5;

/// Acknowledged writes survive a Postgres restart; failures are clean.
pub(crate) const ACKNOWLEDGED_WRITES_KEPT: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.postgres-restart.acknowledged-writes-kept"),
        title: "across a Postgres restart, writes succeed or fail cleanly (no hang, no crash), succeed again afterwards, \
                and every acknowledged write is in Postgres",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.resilience.clean-failures", "integration.store.acknowledged-writes"],
        applies: INTEGRATION,
        tags: &["integration", "postgres", "fault-injection", "resilience"],
    },
    run: check_fn!(acknowledged_writes_kept),
};

/// What the writer saw.
#[derive(Debug, Default)]
struct Writes {
    acknowledged: Vec<String>,
    acknowledged_while_down: usize,
    failed_cleanly: usize,
    retries: u64,
    after_recovery: usize,
    first_success_after: Option<Duration>,
}

async fn acknowledged_writes_kept(cx: &mut CheckContext) -> Conclusion {
    let env = cx.env.clone();
    let services = env.services.running()?;
    require_container(services, Service::Postgres)?;
    let url = services.url(Service::Postgres).map(str::to_owned).ok_or_else(|| Outcome::error("no Postgres URL"))?;
    require_data_tools(cx).await?;
    let collection = fresh_collection();
    let session = cx.session()?;

    // The restart runs beside the writer; the writer stops once the restart is over and writes succeed again.
    let (restart_done_tx, restart_done_rx) = tokio::sync::watch::channel(None::<Instant>);
    let (down_tx, down_rx) = tokio::sync::watch::channel(false);
    let restart = async {
        tokio::time::sleep(WARM_UP).await;
        let stopped = services.stop(Service::Postgres).await;
        let _ = down_tx.send(true);
        tokio::time::sleep(DOWN_FOR).await;
        let started = services.start_again(Service::Postgres).await;
        let _ = down_tx.send(false);
        let _ = restart_done_tx.send(Some(Instant::now()));
        stopped.and(started)
    };
    let writer = write_through(session, &collection, down_rx, restart_done_rx);
    let (restarted, writes) = tokio::join!(restart, writer);
    restarted.map_err(fault_error)?;
    let writes = writes?;

    let probe = StoreProbe::connect(&url).await?;
    let present = probe.present(&writes.acknowledged).await;
    probe.close();
    let present = present?;
    let missing: Vec<&String> = writes.acknowledged.iter().filter(|id| !present.contains(*id)).collect();
    let summary = format!(
        "{} writes acknowledged ({} while Postgres was down), {} failed cleanly, {} retries reported in _meta, first \
         success {} ms after Postgres was back; rows verified in Postgres: {}/{}",
        writes.acknowledged.len(),
        writes.acknowledged_while_down,
        writes.failed_cleanly,
        writes.retries,
        writes.first_success_after.map_or(0, |d| d.as_millis()),
        present.len(),
        writes.acknowledged.len(),
    );
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).map(|s| s.as_str()).collect();
        return Ok(Outcome::violated(
            "every write the target acknowledged is a row in Postgres after the restart",
            format!("{} acknowledged writes are missing (e.g. {}); {summary}", missing.len(), shown.join(", ")),
        ));
    }
    if writes.after_recovery < WRITES_AFTER {
        return Ok(Outcome::violated(
            format!("writes succeed again within {RECOVERY_LIMIT:?} after Postgres is back"),
            format!("only {} succeeded; {summary}", writes.after_recovery),
        ));
    }
    Ok(Outcome::pass_with(summary))
}

/// Creates records one after the other until the restart is over and [`WRITES_AFTER`] writes succeeded after it
/// (or [`RECOVERY_LIMIT`] passed).
async fn write_through(
    session: &mut Session,
    collection: &str,
    down: tokio::sync::watch::Receiver<bool>,
    restart_done: tokio::sync::watch::Receiver<Option<Instant>>,
) -> Result<Writes, Outcome> {
    let mut writes = Writes::default();
    let mut n = 0;
    loop {
        let back_at = *restart_done.borrow();
        if let Some(back_at) = back_at
            && (writes.after_recovery >= WRITES_AFTER || back_at.elapsed() > RECOVERY_LIMIT)
        {
            return Ok(writes);
        }
        n += 1;
        let was_down = *down.borrow();
        let expected = "while Postgres restarts, create_data answers (a result or a clean error) within 30 s";
        let args = json!({"collection": collection, "data": {"n": n}});
        let created = judged(call(session, "create_data", args, CALL_LIMIT).await, "Postgres restarting", expected)?;
        match &created {
            Call::Ok { value, .. } => match record_id(value) {
                Some(id) => {
                    writes.acknowledged.push(id.to_owned());
                    if was_down || *down.borrow() {
                        writes.acknowledged_while_down += 1;
                    }
                    if let Some(back_at) = back_at {
                        writes.after_recovery += 1;
                        writes.first_success_after.get_or_insert(back_at.elapsed());
                    }
                }
                None => {
                    return Err(Outcome::violated("create_data answers the new record (with its id)", created.brief()));
                }
            },
            Call::ToolError { .. } | Call::RpcError(_) => {
                writes.failed_cleanly += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        writes.retries += created.retries().unwrap_or(0);
    }
}
