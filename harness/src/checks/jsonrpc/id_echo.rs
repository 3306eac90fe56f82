//! Responses carry the request's id exactly: same value, same type.

use serde_json::{Value, json};

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{RawAnswer, send_and_read};
use crate::protocol::Era;

/// Ids are echoed exactly.
pub(crate) const ID_ECHO: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.id-echo"),
        title: "a string id and a large integer id are echoed exactly, with the same JSON type",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.response-id", "jsonrpc.request-id"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc"],
    },
    run: check_fn!(id_echo),
};

/// The ids sent: a string with characters beyond ASCII and the largest integer every JSON parser keeps exactly.
fn ids() -> [Value; 2] {
    [json!("mcp-harness-id-échappé-1"), json!(9_007_199_254_740_991_i64)]
}

async fn id_echo(cx: &mut CheckContext) -> Conclusion {
    let timeout = cx.timeout();
    let s = cx.session()?;
    let stateless = s.revision().era() == Era::Stateless;
    let mut problems = Vec::new();
    for id in ids() {
        let msg = if stateless {
            crate::message::request(id.clone(), "server/discover", Some(s.stateless_params(None)))
        } else {
            crate::message::request(id.clone(), "ping", None)
        };
        let answer = send_and_read(s, &msg.to_string(), Some(&msg), timeout).await?;
        match &answer {
            RawAnswer::Message(v, _) if v.get("id") == Some(&id) => {}
            RawAnswer::Message(v, _) => problems.push(format!(
                "sent id {id}, got id {}: {}",
                v.get("id").map_or_else(|| "(none)".to_owned(), Value::to_string),
                answer.describe()
            )),
            other @ RawAnswer::Unanswered { .. } => problems.push(format!("sent id {id}: {}", other.describe())),
            other => problems.push(format!("sent id {id}: {}", other.describe())),
        }
    }
    if problems.is_empty() {
        Ok(Outcome::pass())
    } else {
        Ok(Outcome::violated(
            "each response carries exactly the id sent (same value and JSON type)",
            problems.join("\n"),
        ))
    }
}
