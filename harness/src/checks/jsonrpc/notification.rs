//! Notifications get no response.

use serde_json::json;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{RawAnswer, send_and_read};
use crate::checks::tools::call::harmless;

/// A notification no server knows.
const UNKNOWN_NOTIFICATION: &str = "notifications/mcp-harness-unknown";

/// The receiver of a notification sends no response.
pub(crate) const NOTIFICATION_NO_RESPONSE: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.notification-no-response"),
        title: "a notification (even an unknown one) gets no response, and the server keeps answering requests",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.notification-no-response", "jsonrpc.reply-required"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "negative"],
    },
    run: check_fn!(notification_no_response),
};

async fn notification_no_response(cx: &mut CheckContext) -> Conclusion {
    let expected = format!("no response to `{UNKNOWN_NOTIFICATION}`; later requests still answered");
    let mut s = cx.fresh_session().await?;
    let msg = crate::message::notification(UNKNOWN_NOTIFICATION, Some(json!({})));
    let answer = send_and_read(&mut s, &msg.to_string(), Some(&msg), cx.timeout()).await;
    let outcome = match answer {
        Err(o) => o,
        Ok(answer @ RawAnswer::Message(..)) => {
            Outcome::violated(&expected, format!("the notification was answered: {}", answer.describe()))
        }
        Ok(RawAnswer::Closed(why)) => Outcome::violated(&expected, format!("the server closed the connection: {why}")),
        // On stdio: no reply, and the follow-up request sent right after it was answered.
        Ok(answer @ RawAnswer::Unanswered { .. }) => Outcome::pass_with(answer.describe()),
        // Over HTTP the POST's reply is final; the server must still answer requests afterwards.
        Ok(first @ (RawAnswer::Accepted(_) | RawAnswer::Status(..))) => {
            let (method, params) = harmless(&s);
            match s.request(method, params).await {
                Ok(_) => Outcome::pass_with(format!("{}; `{method}` answered afterwards", first.describe())),
                Err(e) => Outcome::from_session(e, &expected),
            }
        }
    };
    s.close().await;
    Ok(outcome)
}
