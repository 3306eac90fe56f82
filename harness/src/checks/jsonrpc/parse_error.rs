//! Invalid JSON is answered with -32700 and a null id (either transport), or refused with an HTTP 4xx (Streamable
//! HTTP).

use serde_json::Value;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{RawAnswer, request_and_judge};

/// A truncated request: not valid JSON.
const INVALID_JSON: &str = r#"{"jsonrpc": "2.0", "id": 77, "method": "tools/list", "params": {"#;

/// Parse errors are reported, not ignored.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.parse-error"),
        title: "invalid JSON is answered with error -32700 and id null (or, over Streamable HTTP, refused with a 4xx)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &[
            "jsonrpc.reply-required",
            "jsonrpc.error-id-null",
            "transport.http.rejected-4xx",
            "jsonrpc.parse-error",
        ],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "errors", "negative"],
    },
    run: check_fn!(parse_error),
};

async fn parse_error(cx: &mut CheckContext) -> Conclusion {
    let stdio = cx.is_stdio();
    let expected = if stdio {
        "a response with error code -32700 and id null"
    } else {
        "a response with error code -32700 and id null, or an HTTP 4xx status (a JSON-RPC error body, if any, without an id)"
    };
    let mut s = cx.fresh_session().await?;
    let timeout = cx.timeout();
    let outcome =
        request_and_judge(&mut s, INVALID_JSON, None, timeout, "invalid JSON", expected, |a| judge(a, stdio, expected))
            .await;
    s.close().await;
    Ok(outcome)
}

/// Judges the answer to invalid JSON. JSON-RPC's rule is a reply: an error response with -32700 and a null id, on
/// either transport (over HTTP in any status). Streamable HTTP also lets a server refuse input it cannot accept with
/// an HTTP 4xx, whose body MAY be a JSON-RPC error without an id: that passes too.
fn judge(answer: &RawAnswer, stdio: bool, expected: &str) -> Outcome {
    match answer {
        RawAnswer::Message(v, status) => {
            let code = v.pointer("/error/code").and_then(Value::as_i64);
            let id_null = matches!(v.get("id"), Some(Value::Null));
            let id_absent = v.get("id").is_none();
            let http_refused = status.is_some_and(|s| s >= 400);
            match (code, id_null) {
                (Some(-32700), true) => Outcome::pass_with(answer.describe()),
                _ if !stdio && http_refused && (id_null || id_absent) => Outcome::pass_with(answer.describe()),
                // The error response to a message whose id could not be read MUST carry a null id.
                _ if !id_null => Outcome::violated(
                    expected,
                    format!("the error carries an id although none could be read: {}", answer.describe()),
                ),
                // Answered, with a null id, but not with -32700: the error table's code carries no keyword.
                _ => Outcome::violated(expected, format!("answered {}", answer.describe()))
                    .breaking("jsonrpc.parse-error", crate::check::Level::Should),
            }
        }
        RawAnswer::Status(s, _) if !stdio && *s >= 400 => Outcome::pass_with(format!("HTTP {s}")),
        other => Outcome::violated(expected, other.describe()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::Status;

    fn status(answer: RawAnswer, stdio: bool) -> Status {
        judge(&answer, stdio, "x").status
    }

    #[test]
    fn a_parse_error_reply_passes_on_both_transports_whatever_the_http_status() {
        let reply = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}});
        assert_eq!(status(RawAnswer::Message(reply.clone(), None), true), Status::Passed);
        assert_eq!(status(RawAnswer::Message(reply.clone(), Some(200)), false), Status::Passed);
        assert_eq!(status(RawAnswer::Message(reply, Some(400)), false), Status::Passed);
    }

    #[test]
    fn a_4xx_passes_over_http_only_and_wrong_ids_or_codes_fail() {
        assert_eq!(status(RawAnswer::Status(400, String::new()), false), Status::Passed);
        let wrong_id = json!({"jsonrpc": "2.0", "id": 0, "error": {"code": -32700, "message": "m"}});
        assert_eq!(status(RawAnswer::Message(wrong_id.clone(), None), true), Status::Failed);
        assert_eq!(status(RawAnswer::Message(wrong_id, Some(400)), false), Status::Failed);
        let wrong_code = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "m"}});
        let o = judge(&RawAnswer::Message(wrong_code, Some(200)), false, "x");
        assert_eq!(o.broken.map(|b| b.level), Some(crate::check::Level::Should), "another code is a warning");
        let silence = RawAnswer::Unanswered { follow_up: "ping", after: std::time::Duration::from_millis(2) };
        assert_eq!(status(silence, true), Status::Failed);
        assert_eq!(status(RawAnswer::Accepted(202), false), Status::Failed);
    }
}
