//! Scenario `tools-call-with-logging`: `test_tool_with_logging` sends log messages while it runs.

use std::time::Duration;

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{result_of, scenario, verdict};
use crate::check::{
    Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::protocol::Revision;

/// How long the scenario keeps listening after the call returned.
const GRACE: Duration = Duration::from_millis(200);

/// `tools-call-with-logging` (removed in 2026-07-28, where logging is per request).
pub(crate) const WITH_LOGGING: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-with-logging"),
        title: "official fixture `test_tool_with_logging`, after logging/setLevel debug, sends at least three log notifications",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["logging.message-notification", "logging.capability"],
        applies: scenario(Revision::V2025_06_18, Some(Revision::V2026_07_28), Capability::Tools),
        tags: &[TAG, "tools", "logging"],
    },
    run: check_fn!(with_logging),
};

async fn with_logging(cx: &mut CheckContext) -> Conclusion {
    if !cx.profile().has(Capability::Logging) {
        return Ok(Outcome::skip(SkipReason::CapabilityNotAdvertised, "server does not advertise `logging`"));
    }
    let expected = "after logging/setLevel \"debug\", tools/call `test_tool_with_logging` is accompanied (within 200 ms of its \
                    response) by at least 3 notifications/message (the fixture logs started, processing, completed)";
    // A session of its own: the log level is session state the run's shared session should not carry on.
    let mut s = cx.fresh_session().await?;
    let outcome = run(&mut s, expected).await;
    s.close().await;
    Ok(outcome.unwrap_or_else(|o| o))
}

async fn run(s: &mut crate::session::Session, expected: &str) -> Result<Outcome, Outcome> {
    result_of(s, "logging/setLevel", json!({"level": "debug"}), expected).await?;
    // Over HTTP, servers may send the log messages on the session's standalone stream rather than on the POST's
    // (they need not relate to the request); the official suite's client listens there too.
    if let Some(http) = s.connection().http() {
        http.open_get_stream().await?;
    }
    s.take_notifications();
    let result =
        result_of(s, "tools/call", json!({"name": "test_tool_with_logging", "arguments": {}}), expected).await?;
    let logs: Vec<Value> = s
        .collect_notifications(GRACE, |seen| log_messages(seen).len() >= 3)
        .await
        .into_iter()
        .filter(|n| n.get("method").and_then(Value::as_str) == Some("notifications/message"))
        .filter_map(|n| n.get("params").cloned())
        .collect();
    let problems = match logs.len() {
        0 => vec!["No log notifications received".to_owned()],
        n if n < 3 => vec![format!("Expected at least 3 log messages, got {n}")],
        _ => Vec::new(),
    };
    let evidence = json!({"logs": logs, "result": result});
    Ok(verdict(expected, &problems, format!("{} log messages", logs.len()), &evidence))
}

/// The `notifications/message` among `seen`.
fn log_messages(seen: &[Value]) -> Vec<&Value> {
    seen.iter().filter(|n| n.get("method").and_then(Value::as_str) == Some("notifications/message")).collect()
}
