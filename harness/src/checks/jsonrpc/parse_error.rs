//! Invalid JSON is answered with -32700 and a null id (stdio), or rejected with an HTTP 4xx (Streamable HTTP).

use serde_json::Value;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SpecRef, Suite};
use crate::check_fn;
use crate::checks::rules;
use crate::checks::evidence::brief;
use crate::session::{Inbound, SessionError};

/// A truncated request: not valid JSON.
const INVALID_JSON: &str = r#"{"jsonrpc": "2.0", "id": 77, "method": "tools/list", "params": {"#;

/// Parse errors are reported, not ignored.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.parse-error"),
        title: "invalid JSON is answered with error -32700 and id null (stdio) or an HTTP 4xx (Streamable HTTP)",
        suite: Suite::Conformance,
        level: Level::Must,
        spec: &[
            rules::JSONRPC_MUST_REPLY,
            SpecRef {
                anchor: "https://www.jsonrpc.org/specification#response_object",
                quote: "If there was an error in detecting the id in the Request object (e.g. Parse error/Invalid Request), it MUST be Null.",
            },
            SpecRef {
                anchor: "basic/transports#sending-messages-to-the-server",
                quote: "If the server cannot accept the input, it MUST return an HTTP error status code (e.g., 400 Bad Request). \
                        The HTTP response body MAY comprise a JSON-RPC error response that has no id.",
            },
        ],
        covers: &["jsonrpc.parse-error"],
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
        "an HTTP 4xx status; a JSON-RPC error body, if any, without an id"
    };
    let mut s = cx.fresh_session().await?;
    let timeout = cx.timeout();
    let sent = s.connection().send_raw(INVALID_JSON).await;
    let outcome = match sent {
        Err(e) => Outcome::from(e),
        Ok(()) => judge_first_reply(&mut s, stdio, expected, timeout).await,
    };
    s.close().await;
    Ok(outcome)
}

async fn judge_first_reply(s: &mut crate::session::Session, stdio: bool, expected: &str, timeout: std::time::Duration) -> Outcome {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let item = match s.connection().recv(left).await {
            Ok(item) => item,
            Err(e) if e.is_timeout() => {
                return Outcome::violated(expected, format!("no reply within {timeout:?}"));
            }
            Err(SessionError::Wire(w)) if w.is_closed() => {
                return Outcome::violated(expected, format!("the server closed the connection instead: {w}"));
            }
            Err(e) => return Outcome::from(e),
        };
        match item {
            Inbound::Message(v, status) if v.get("method").is_none() => return judge_message(&v, status, stdio, expected),
            Inbound::Message(..) | Inbound::NotJson(_) | Inbound::Oversized(_) | Inbound::StreamError(_) => continue,
            Inbound::HttpStatus { status, body } => {
                return if (400..500).contains(&status) {
                    Outcome::pass_with(format!("HTTP {status}"))
                } else {
                    Outcome::violated(expected, format!("HTTP {status} (body {body:?})"))
                };
            }
            #[allow(unreachable_patterns)]
            _ => continue,
        }
    }
}

fn judge_message(v: &Value, status: Option<u16>, stdio: bool, expected: &str) -> Outcome {
    let code = v.pointer("/error/code").and_then(Value::as_i64);
    let id_null = matches!(v.get("id"), None | Some(Value::Null));
    if stdio {
        return match (code, v.get("id")) {
            (Some(-32700), Some(Value::Null)) => Outcome::pass(),
            _ => Outcome::violated(expected, format!("answered {}", brief(v))),
        };
    }
    match status {
        Some(s) if (400..500).contains(&s) && id_null => Outcome::pass_with(format!("HTTP {s}, error {code:?}")),
        Some(s) if (400..500).contains(&s) => Outcome::violated(expected, format!("HTTP {s} but the error carries an id: {}", brief(v))),
        other => Outcome::violated(expected, format!("HTTP {} with {}", other.map_or("?".to_owned(), |s| s.to_string()), brief(v))),
    }
}
