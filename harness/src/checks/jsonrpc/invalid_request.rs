//! A message that is not a valid JSON-RPC request is answered with -32600.

use serde_json::{json, Value};

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{send_and_read, RawAnswer};
use crate::protocol::Era;
use crate::session::Session;

/// Invalid requests get the JSON-RPC "invalid request" error.
pub(crate) const INVALID_REQUEST: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.invalid-request"),
        title: "a request with \"jsonrpc\": \"1.0\" or without a method is answered with error -32600 (id echoed or null)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.reply-required", "jsonrpc.invalid-request", "jsonrpc.error-id"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "errors", "negative"],
    },
    run: check_fn!(invalid_request),
};

/// The two malformed requests: a wrong `jsonrpc` version and a missing `method`.
fn probes(s: &Session) -> [(&'static str, Value); 2] {
    let (method, params) = if s.revision().era() == Era::Stateless {
        ("server/discover", Some(s.stateless_params(None)))
    } else {
        ("ping", None)
    };
    let mut wrong_version = json!({"jsonrpc": "1.0", "id": "mcp-harness-invalid-1", "method": method});
    let mut no_method = json!({"jsonrpc": "2.0", "id": "mcp-harness-invalid-2", "params": {}});
    if let Some(p) = params {
        wrong_version["params"] = p.clone();
        no_method["params"] = p;
    }
    [("\"jsonrpc\": \"1.0\"", wrong_version), ("no `method`", no_method)]
}

async fn invalid_request(cx: &mut CheckContext) -> Conclusion {
    let stdio = cx.is_stdio();
    let timeout = cx.timeout();
    let mut s = cx.fresh_session().await?;
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for (label, msg) in probes(&s) {
        let answer = match send_and_read(&mut s, &msg.to_string(), Some(&msg), timeout).await {
            Ok(a) => a,
            Err(o) => {
                s.close().await;
                return Ok(o);
            }
        };
        match judge(&answer, &msg["id"], stdio) {
            Ok(note) => seen.push(format!("{label}: {note}")),
            Err(p) => problems.push(format!("{label}: {p}")),
        }
    }
    s.close().await;
    if problems.is_empty() {
        Ok(Outcome::pass_with(seen.join("; ")))
    } else {
        let expected = if stdio {
            "an error response with code -32600 and the request's id (or null)"
        } else {
            "an HTTP 4xx, or an error response with code -32600 and the request's id (or null)"
        };
        Ok(Outcome::violated(expected, problems.join("\n")))
    }
}

/// `Ok(note)` when the answer rejects the request correctly, `Err(problem)` otherwise.
fn judge(answer: &RawAnswer, sent_id: &Value, stdio: bool) -> Result<String, String> {
    match answer {
        RawAnswer::Message(v, status) => {
            let code = v.pointer("/error/code").and_then(Value::as_i64);
            let id_ok = matches!(v.get("id"), None | Some(Value::Null)) || v.get("id") == Some(sent_id);
            let http_rejected = status.is_some_and(|s| (400..500).contains(&s));
            match (code, id_ok) {
                (Some(-32600), true) => Ok(format!("error -32600{}", status.map(|s| format!(", HTTP {s}")).unwrap_or_default())),
                (Some(-32600), false) => Err(format!("error -32600 with another id: {}", answer.describe())),
                // Over HTTP the transport's rule is a 4xx; the body MAY carry any JSON-RPC error.
                (Some(_), _) if !stdio && http_rejected => Ok(format!("rejected: {}", answer.describe())),
                _ => Err(format!("answered {}", answer.describe())),
            }
        }
        RawAnswer::Status(s, _) if !stdio && (400..500).contains(s) => Ok(format!("HTTP {s}")),
        other => Err(other.describe()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_be_echoed_null_or_absent() {
        let id = json!("x");
        let ok = RawAnswer::Message(json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"m"}}), None);
        assert!(judge(&ok, &id, true).is_ok());
        let absent = RawAnswer::Message(json!({"jsonrpc":"2.0","error":{"code":-32600,"message":"m"}}), None);
        assert!(judge(&absent, &id, true).is_ok());
        let other = RawAnswer::Message(json!({"jsonrpc":"2.0","id":"y","error":{"code":-32600,"message":"m"}}), None);
        assert!(judge(&other, &id, true).is_err());
        let result = RawAnswer::Message(json!({"jsonrpc":"2.0","id":"x","result":{}}), None);
        assert!(judge(&result, &id, true).is_err());
        let silence = RawAnswer::Unanswered { follow_up: "ping", after: std::time::Duration::from_millis(3) };
        assert!(judge(&silence, &id, true).is_err());
        assert!(judge(&RawAnswer::Status(400, String::new()), &id, false).is_ok());
    }
}
