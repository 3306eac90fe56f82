//! Scenario `tools-call-with-progress`: `test_tool_with_progress` reports progress for the request's token.

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{result_of, scenario, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Suite};
use crate::check_fn;
use crate::protocol::Revision;

/// The progress token the check sends.
const TOKEN: &str = "mcp-harness-official-progress-1";

/// `tools-call-with-progress`.
pub(crate) const WITH_PROGRESS: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-with-progress"),
        title: "official fixture `test_tool_with_progress` sends at least three non-decreasing progress notifications for the request's token",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["progress.increasing", "progress.active-token"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Tools),
        tags: &[TAG, "tools", "progress"],
    },
    run: check_fn!(with_progress),
};

async fn with_progress(cx: &mut CheckContext) -> Conclusion {
    let expected = format!(
        "tools/call `test_tool_with_progress` with _meta.progressToken {TOKEN:?}: before the response, at least 3 \
         notifications/progress for that token, the first three non-decreasing (the fixture sends 0, 50, 100 of 100)"
    );
    let session = cx.session()?;
    session.take_notifications();
    let params = json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": TOKEN}});
    let result = result_of(session, "tools/call", params, &expected).await?;
    let progress: Vec<Value> = session
        .take_notifications()
        .into_iter()
        .filter(|n| n.get("method").and_then(Value::as_str) == Some("notifications/progress"))
        .filter_map(|n| n.get("params").cloned())
        .filter(|p| p.get("progressToken").and_then(Value::as_str) == Some(TOKEN))
        .collect();
    let problems = progress_problems(&progress);
    let values: Vec<String> =
        progress.iter().map(|p| p.get("progress").map_or_else(|| "?".to_owned(), Value::to_string)).collect();
    let evidence = json!({"progressNotifications": progress, "result": result});
    Ok(verdict(&expected, &problems, format!("progress {}", values.join(", ")), &evidence))
}

/// The official assertions on the notifications for the token.
fn progress_problems(progress: &[Value]) -> Vec<String> {
    match progress.len() {
        0 => return vec!["No progress notifications received".to_owned()],
        n if n < 3 => {
            return vec![format!("Expected at least 3 progress notifications, got {n}")];
        }
        _ => {}
    }
    let value = |i: usize| progress[i].get("progress").and_then(Value::as_f64);
    match (value(0), value(1), value(2)) {
        (Some(a), Some(b), Some(c)) if a <= b && b <= c => Vec::new(),
        _ => vec!["Progress values should be increasing".to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_non_decreasing_notifications_are_needed() {
        let p = |v: f64| json!({"progressToken": TOKEN, "progress": v, "total": 100});
        assert!(progress_problems(&[p(0.0), p(50.0), p(100.0)]).is_empty());
        assert_eq!(progress_problems(&[]), vec!["No progress notifications received"]);
        assert_eq!(progress_problems(&[p(0.0), p(50.0)]), vec!["Expected at least 3 progress notifications, got 2"]);
        assert_eq!(progress_problems(&[p(50.0), p(0.0), p(100.0)]), vec!["Progress values should be increasing"]);
    }
}
