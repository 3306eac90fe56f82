//! Notifications get no response.

use std::time::Duration;

use serde_json::json;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SpecRef, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{send_and_read, RawAnswer};
use crate::checks::tools::call::harmless;

/// A notification no server knows.
const UNKNOWN_NOTIFICATION: &str = "notifications/mcp-harness-unknown";

/// How long to listen for a (wrong) response to the notification, at most.
const LISTEN: Duration = Duration::from_millis(1500);

/// The receiver of a notification sends no response.
pub(crate) const NOTIFICATION_NO_RESPONSE: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.notification-no-response"),
        title: "a notification (even an unknown one) gets no response, and the server keeps answering requests",
        suite: Suite::Conformance,
        level: Level::Must,
        spec: &[SpecRef { anchor: "basic#notifications", quote: "The receiver MUST NOT send a response." }],
        covers: &["jsonrpc.notification-no-response"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "negative"],
    },
    run: check_fn!(notification_no_response),
};

async fn notification_no_response(cx: &mut CheckContext) -> Conclusion {
    let expected = format!("no response to `{UNKNOWN_NOTIFICATION}`; later requests still answered");
    let wait = cx.timeout().min(LISTEN);
    let mut s = cx.fresh_session().await?;
    if cx.is_stdio() {
        let outcome = stdio_no_response(&mut s, &expected).await;
        s.close().await;
        return Ok(outcome);
    }
    let msg = json!({"jsonrpc": "2.0", "method": UNKNOWN_NOTIFICATION, "params": {}});
    let answer = send_and_read(&mut s, &msg.to_string(), Some(&msg), wait).await;
    let outcome = match answer {
        Err(o) => o,
        Ok(RawAnswer::Message(v, status)) => {
            Outcome::violated(&expected, format!("the notification was answered: {}", RawAnswer::Message(v, status).describe()))
        }
        Ok(RawAnswer::Closed(why)) => Outcome::violated(&expected, format!("the server closed the connection: {why}")),
        Ok(first @ (RawAnswer::Silence | RawAnswer::Status(..))) => {
            let (method, params) = harmless(&s);
            match s.request(method, params).await {
                Ok(_) => Outcome::pass_with(match first {
                    RawAnswer::Status(code, _) => format!("HTTP {code} without a JSON-RPC body; `{method}` answered afterwards"),
                    _ => format!("no response; `{method}` answered afterwards"),
                }),
                Err(e) if e.is_timeout() => Outcome::violated(&expected, format!("after the notification, `{method}` got no answer: {e}")),
                Err(e) => Outcome::from(e),
            }
        }
    };
    s.close().await;
    Ok(outcome)
}

/// On stdio, where replies come back in order on one stream: the notification, then a harmless request at once;
/// a reply to the notification arrives before (or shortly after) the request's response. No fixed long wait.
async fn stdio_no_response(s: &mut crate::session::Session, expected: &str) -> Outcome {
    if let Err(e) = s.notify(UNKNOWN_NOTIFICATION, Some(json!({}))).await {
        return Outcome::from(e);
    }
    let (method, params) = harmless(s);
    match s.request(method, params).await {
        Ok(_) => {}
        Err(e) if e.is_timeout() => {
            return Outcome::violated(expected, format!("after the notification, `{method}` got no answer: {e}"));
        }
        Err(e) => return Outcome::from(e),
    }
    // Late replies to the notification still count.
    let _ = s.collect_notifications(STDIO_LINGER, |_| false).await;
    let answers: Vec<String> = s
        .stray()
        .filter(|l| l.starts_with("response to another id") || l.starts_with("unexpected response"))
        .cloned()
        .collect();
    if answers.is_empty() {
        Outcome::pass_with(format!("no response; `{method}` answered afterwards"))
    } else {
        Outcome::violated(expected, format!("the notification was answered: {}", answers.join("; ")))
    }
}

/// How long to keep listening on stdio after the follow-up request was answered.
const STDIO_LINGER: Duration = Duration::from_millis(250);
