//! A JSON array of requests (on revisions without batching) is answered: processed or rejected, never ignored.

use serde_json::Value;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::jsonrpc::raw::{RawAnswer, request_and_judge};
use crate::protocol::{Era, Revision};

/// Batches are answered.
///
/// 2025-06-18 removed batching from MCP, but no revision tells a server how to treat an array it gets anyway:
/// rejecting it (-32600, an HTTP 4xx) and processing it are both allowed, so neither is judged. What every revision
/// keeps is JSON-RPC's reply to every request, so a server that drops the array without a word fails (a server that
/// stops answering altogether is "could not test"). 2025-03-26's "MUST support receiving JSON-RPC batches" is not
/// checked yet.
pub(crate) const BATCH_ANSWERED: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.batch-answered"),
        title: "a JSON array of two requests is answered (processed, or rejected with an error or an HTTP error status), not ignored",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.reply-required", "transport.http.rejected-4xx", "jsonrpc.invalid-request"],
        applies: Applicability { since: Revision::V2025_06_18, ..Applicability::ALWAYS },
        tags: &["jsonrpc", "negative", "batch"],
    },
    run: check_fn!(batch_answered),
};

async fn batch_answered(cx: &mut CheckContext) -> Conclusion {
    let timeout = cx.timeout();
    let mut s = cx.fresh_session().await?;
    let expected = "an answer: the batch processed (an array of responses), or rejected (an error response or an HTTP error status)";
    let requests: Vec<Value> = (1..=2)
        .map(|n| {
            let id = format!("mcp-harness-batch-{n}");
            if s.revision().era() == Era::Stateless {
                crate::message::request(id, "server/discover", Some(s.stateless_params(None)))
            } else {
                crate::message::request(id, "ping", None)
            }
        })
        .collect();
    let batch = Value::Array(requests.clone());
    let outcome = request_and_judge(
        &mut s,
        &batch.to_string(),
        requests.first(),
        timeout,
        "a batch of two requests",
        expected,
        |a| judge(a, expected),
    )
    .await;
    s.close().await;
    Ok(outcome)
}

fn judge(answer: &RawAnswer, expected: &str) -> Outcome {
    let responses = |v: &Value| v.as_array().map_or(0, |a| a.iter().filter(|r| r.get("id").is_some()).count());
    match answer {
        RawAnswer::Message(v @ Value::Array(_), _) if responses(v) == 2 => {
            Outcome::pass_with(format!("processed as a batch: {}", answer.describe()))
        }
        RawAnswer::Message(Value::Array(_), _) => {
            Outcome::violated(expected, format!("an array without a response to each request: {}", answer.describe()))
        }
        RawAnswer::Message(v, _) if v.get("error").is_some() => {
            Outcome::pass_with(format!("rejected: {}", answer.describe()))
        }
        RawAnswer::Message(v, _) if v.get("result").is_some() => {
            Outcome::pass_with(format!("answered: {}", answer.describe()))
        }
        RawAnswer::Status(s, _) if *s >= 400 => Outcome::pass_with(format!("rejected with HTTP {s}")),
        RawAnswer::Accepted(s) => {
            Outcome::violated(expected, format!("HTTP {s} with an empty body: neither request was answered"))
        }
        other => Outcome::violated(expected, other.describe()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::Status;

    fn status(answer: RawAnswer) -> Status {
        judge(&answer, "x").status
    }

    #[test]
    fn a_rejection_or_processing_passes() {
        let processed =
            json!([{"jsonrpc": "2.0", "id": "a", "result": {}}, {"jsonrpc": "2.0", "id": "b", "result": {}}]);
        let rejected = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "no batches"}});
        assert_eq!(status(RawAnswer::Message(processed, None)), Status::Passed);
        assert_eq!(status(RawAnswer::Message(rejected, None)), Status::Passed);
        assert_eq!(status(RawAnswer::Status(400, String::new())), Status::Passed);
    }

    #[test]
    fn silence_or_a_half_answered_array_fails() {
        let half = json!([{"jsonrpc": "2.0", "id": "a", "result": {}}]);
        assert_eq!(status(RawAnswer::Accepted(202)), Status::Failed);
        assert_eq!(status(RawAnswer::Message(half, None)), Status::Failed);
        assert_eq!(status(RawAnswer::Closed("eof".into())), Status::Failed);
    }
}
