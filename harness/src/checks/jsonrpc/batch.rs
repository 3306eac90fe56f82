//! JSON-RPC batches (removed in 2025-06-18) are rejected, not processed.

use serde_json::{json, Value};

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SpecRef, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{send_and_read, RawAnswer};
use crate::protocol::{Era, Revision};

/// Batches are rejected.
pub(crate) const BATCH_REJECTED: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.batch-rejected"),
        title: "a JSON array of two requests is rejected (error -32600 or an HTTP 4xx), not processed as a batch",
        suite: Suite::Conformance,
        level: Level::Should,
        spec: &[
            SpecRef {
                anchor: "https://www.jsonrpc.org/specification#error_object",
                quote: "-32600 | Invalid Request | The JSON sent is not a valid Request object.",
            },
            SpecRef {
                anchor: "basic/transports#sending-messages-to-the-server",
                quote: "The body of the POST request MUST be a single JSON-RPC request, notification, or response.",
            },
        ],
        covers: &["jsonrpc.invalid-request"],
        applies: Applicability { since: Revision::V2025_06_18, ..Applicability::ALWAYS },
        tags: &["jsonrpc", "negative", "batch"],
    },
    run: check_fn!(batch_rejected),
};

async fn batch_rejected(cx: &mut CheckContext) -> Conclusion {
    let stdio = cx.is_stdio();
    let timeout = cx.timeout();
    let expected = if stdio {
        "one error response with code -32600 (batches are not part of this revision)"
    } else {
        "an HTTP 4xx, or one error response with code -32600 (batches are not part of this revision)"
    };
    let mut s = cx.fresh_session().await?;
    let requests: Vec<Value> = (1..=2)
        .map(|n| {
            let id = format!("mcp-harness-batch-{n}");
            if s.revision().era() == Era::Stateless {
                json!({"jsonrpc": "2.0", "id": id, "method": "server/discover", "params": s.stateless_params(None)})
            } else {
                json!({"jsonrpc": "2.0", "id": id, "method": "ping"})
            }
        })
        .collect();
    let batch = Value::Array(requests.clone());
    let answer = send_and_read(&mut s, &batch.to_string(), requests.first(), timeout).await;
    s.close().await;
    let answer = answer?;
    Ok(match &answer {
        RawAnswer::Message(Value::Array(_), _) => Outcome::violated(expected, format!("processed as a batch: {}", answer.describe())),
        RawAnswer::Message(v, status) => {
            let code = v.pointer("/error/code").and_then(Value::as_i64);
            let http_rejected = status.is_some_and(|s| (400..500).contains(&s));
            match code {
                Some(-32600) => Outcome::pass_with(answer.describe()),
                Some(_) if !stdio && http_rejected => Outcome::pass_with(answer.describe()),
                Some(_) => Outcome::violated(expected, format!("an error with another code: {}", answer.describe())),
                None => Outcome::violated(expected, format!("a request of the batch was processed: {}", answer.describe())),
            }
        }
        RawAnswer::Status(code, _) if !stdio && (400..500).contains(code) => Outcome::pass_with(format!("HTTP {code}")),
        other => Outcome::violated(expected, other.describe()),
    })
}
