//! Data written by one instance of the target is there after that instance stops and a new one starts.

use serde_json::json;

use super::INTEGRATION;
use super::cache::{create, field_n};
use super::data_tools::{call, require_data_tools};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::target::LaunchedTarget;

/// Records survive a restart of the target.
pub(crate) const DATA_SURVIVES: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.restart.data-survives"),
        title: "a record written before the target restarts is read back, unchanged, after the restart",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.store.durable"],
        applies: INTEGRATION,
        tags: &["integration", "postgres", "restart"],
    },
    run: check_fn!(data_survives),
};

async fn data_survives(cx: &mut CheckContext) -> Conclusion {
    cx.services()?;
    require_data_tools(cx).await?;
    let timeout = cx.timeout();

    let before = cx.launch_instance().await?;
    let written = write_then_stop(cx, before, timeout).await?;

    let after = cx.launch_instance().await?;
    let read = read_then_stop(cx, after, &written, timeout).await?;
    match field_n(&read) {
        Some(4242) => Ok(Outcome::pass_with(format!(
            "record {written} written by one instance (stopped afterwards) was read back by a new instance: {}",
            read.brief()
        ))),
        _ => Ok(Outcome::violated(
            format!("after the restart, get_data {written} answers the record with n = 4242"),
            read.brief(),
        )),
    }
}

async fn write_then_stop(
    cx: &CheckContext,
    instance: LaunchedTarget,
    timeout: std::time::Duration,
) -> Result<String, Outcome> {
    let outcome = async {
        let mut session = cx.session_on(&instance).await.map_err(Outcome::from)?;
        let id = create(&mut session, json!({"n": 4242}), timeout).await;
        session.close().await;
        id
    }
    .await;
    instance.shutdown().await;
    outcome
}

async fn read_then_stop(
    cx: &CheckContext,
    instance: LaunchedTarget,
    id: &str,
    timeout: std::time::Duration,
) -> Result<super::data_tools::Call, Outcome> {
    let outcome = async {
        let mut session = cx.session_on(&instance).await.map_err(Outcome::from)?;
        let read = call(&mut session, "get_data", json!({"id": id}), timeout).await.map_err(Outcome::from);
        if read.is_ok() {
            let _ = call(&mut session, "delete_data", json!({"id": id}), timeout).await;
        }
        session.close().await;
        read
    }
    .await;
    instance.shutdown().await;
    outcome
}
