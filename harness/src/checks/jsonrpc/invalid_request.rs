//! A message that is not a valid JSON-RPC request is answered with -32600.

use serde_json::Value;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{RawAnswer, send_and_read};
use crate::message::Broken;
use crate::protocol::Era;
use crate::session::Session;

/// Invalid requests get the JSON-RPC "invalid request" error.
pub(crate) const INVALID_REQUEST: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.invalid-request"),
        title: "a request with \"jsonrpc\": \"1.0\" or a non-string method is answered (a MUST) with error -32600 (id echoed or null)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.reply-required", "jsonrpc.invalid-request", "jsonrpc.error-id"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "errors", "negative"],
    },
    run: check_fn!(invalid_request),
};

/// The two malformed requests: a wrong `jsonrpc` version, and JSON-RPC's own example of an invalid request object
/// (`"method"` not a string). Both carry a readable id.
fn probes(s: &Session) -> [(&'static str, Value); 2] {
    let (method, params) = if s.revision().era() == Era::Stateless {
        ("server/discover", Some(s.stateless_params(None)))
    } else {
        ("ping", None)
    };
    let mut wrong_version = Broken::request("mcp-harness-invalid-1", method).jsonrpc("1.0");
    let mut method_not_a_string = Broken::request("mcp-harness-invalid-2", "x").set("method", 1);
    if let Some(p) = params {
        wrong_version = wrong_version.params(p.clone());
        method_not_a_string = method_not_a_string.params(p);
    }
    [("\"jsonrpc\": \"1.0\"", wrong_version.build()), ("\"method\": 1", method_not_a_string.build())]
}

/// How one answer measures up.
enum Grade {
    /// Rejected as JSON-RPC asks.
    Rejected(String),
    /// Answered, but not with -32600 (the error table's code, which carries no keyword).
    OtherAnswer(String),
    /// Not answered (or answered with another request's id): JSON-RPC's reply duty is broken.
    Unanswered(String),
}

async fn invalid_request(cx: &mut CheckContext) -> Conclusion {
    let stdio = cx.is_stdio();
    let timeout = cx.timeout();
    let mut s = cx.fresh_session().await?;
    let (mut seen, mut warnings, mut failures) = (Vec::new(), Vec::new(), Vec::new());
    for (label, msg) in probes(&s) {
        let answer = match send_and_read(&mut s, &msg.to_string(), Some(&msg), timeout).await {
            Ok(a) => a,
            Err(o) => {
                s.close().await;
                return Ok(o);
            }
        };
        match judge(&answer, &msg["id"], stdio) {
            Grade::Rejected(note) => seen.push(format!("{label}: {note}")),
            Grade::OtherAnswer(p) => warnings.push(format!("{label}: {p}")),
            Grade::Unanswered(p) => failures.push(format!("{label}: {p}")),
        }
    }
    s.close().await;
    let expected = if stdio {
        "an error response with code -32600 and the request's id (or null)"
    } else {
        "an HTTP 4xx, or an error response with code -32600 and the request's id (or null)"
    };
    if !failures.is_empty() {
        failures.extend(warnings);
        return Ok(Outcome::violated(expected, failures.join("\n")));
    }
    if !warnings.is_empty() {
        return Ok(Outcome::violated(expected, warnings.join("\n")).breaking("jsonrpc.invalid-request", Level::Should));
    }
    Ok(Outcome::pass_with(seen.join("; ")))
}

fn judge(answer: &RawAnswer, sent_id: &Value, stdio: bool) -> Grade {
    match answer {
        RawAnswer::Message(v, status) => {
            let code = v.pointer("/error/code").and_then(Value::as_i64);
            let id = v.get("id");
            let id_ok = matches!(id, None | Some(Value::Null)) || id == Some(sent_id);
            let http_rejected = status.is_some_and(|s| s >= 400);
            if !id_ok {
                return Grade::Unanswered(format!("answered with another id: {}", answer.describe()));
            }
            match code {
                Some(-32600) => Grade::Rejected(format!(
                    "error -32600{}",
                    status.map(|s| format!(", HTTP {s}")).unwrap_or_default()
                )),
                // Over HTTP the transport's refusal is an error status; the body MAY carry any JSON-RPC error.
                Some(_) if !stdio && http_rejected => Grade::Rejected(format!("refused: {}", answer.describe())),
                _ => Grade::OtherAnswer(format!("answered {}", answer.describe())),
            }
        }
        RawAnswer::Status(s, _) if !stdio && *s >= 400 => Grade::Rejected(format!("HTTP {s}")),
        other => Grade::Unanswered(other.describe()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn grade(answer: RawAnswer, stdio: bool) -> &'static str {
        match judge(&answer, &json!("x"), stdio) {
            Grade::Rejected(_) => "rejected",
            Grade::OtherAnswer(_) => "other",
            Grade::Unanswered(_) => "unanswered",
        }
    }

    #[test]
    fn ids_may_be_echoed_null_or_absent_and_another_code_is_a_warning() {
        let ok = RawAnswer::Message(json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"m"}}), None);
        assert_eq!(grade(ok, true), "rejected");
        let absent = RawAnswer::Message(json!({"jsonrpc":"2.0","error":{"code":-32600,"message":"m"}}), None);
        assert_eq!(grade(absent, true), "rejected");
        let other = RawAnswer::Message(json!({"jsonrpc":"2.0","id":"y","error":{"code":-32600,"message":"m"}}), None);
        assert_eq!(grade(other, true), "unanswered");
        let result = RawAnswer::Message(json!({"jsonrpc":"2.0","id":"x","result":{}}), None);
        assert_eq!(grade(result, true), "other");
        let code = RawAnswer::Message(json!({"jsonrpc":"2.0","id":"x","error":{"code":-32602,"message":"m"}}), None);
        assert_eq!(grade(code, true), "other");
        let silence = RawAnswer::Unanswered { follow_up: "ping", after: std::time::Duration::from_millis(3) };
        assert_eq!(grade(silence, true), "unanswered");
        assert_eq!(grade(RawAnswer::Status(400, String::new()), false), "rejected");
    }
}
