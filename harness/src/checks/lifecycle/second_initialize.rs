//! A second `initialize` on an initialized session is answered.

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::evidence::initialize_params;
use crate::checks::jsonrpc::raw::{RawAnswer, request_and_judge};

/// Every request gets a reply, a repeated handshake included.
///
/// The spec has no sentence telling a server what to do with a second `initialize`: refusing it (an error, or an
/// HTTP 4xx) and answering it again are both allowed, so neither is judged. What MCP does require is JSON-RPC's
/// reply to every request, so the check fails only a server that leaves the request unanswered while it keeps
/// answering others (a server that stops answering altogether is "could not test").
pub(crate) const SECOND_ANSWERED: Check = Check {
    meta: CheckMeta {
        id: CheckId("lifecycle.initialize.second-answered"),
        title: "a second initialize on an initialized session is answered (with a result, an error or an HTTP 4xx)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &[
            "jsonrpc.messages",
            "jsonrpc.reply-required",
            "transport.http.rejected-4xx",
            "lifecycle.initialize-first",
        ],
        applies: Applicability { eras: Eras::Stateful, ..Applicability::ALWAYS },
        tags: &["lifecycle", "handshake", "negative"],
    },
    run: check_fn!(second_answered),
};

async fn second_answered(cx: &mut CheckContext) -> Conclusion {
    let expected = "a response (result or error) to the second initialize, or over HTTP an HTTP error status";
    let params = initialize_params(cx, cx.revision().as_str());
    let request = crate::message::request("mcp-harness-second-initialize", "initialize", Some(params));
    let wait = cx.timeout();
    let mut s = cx.fresh_session().await?;
    let outcome =
        request_and_judge(&mut s, &request.to_string(), Some(&request), wait, "the second initialize", expected, |a| {
            judge(a, expected)
        })
        .await;
    s.close().await;
    Ok(outcome)
}

fn judge(answer: &RawAnswer, expected: &str) -> Outcome {
    match answer {
        RawAnswer::Message(v, status) if v.get("result").is_some() || v.get("error").is_some() => {
            let how = if v.get("error").is_some() { "refused with an error" } else { "answered with a result" };
            let http = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
            Outcome::pass_with(format!("{how}{http}: {}", answer.describe()))
        }
        RawAnswer::Status(s, _) if *s >= 400 => Outcome::pass_with(format!("refused with HTTP {s}")),
        RawAnswer::Accepted(s) => {
            Outcome::violated(expected, format!("HTTP {s} with an empty body: the request was not answered"))
        }
        other => Outcome::violated(expected, other.describe()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_result_an_error_or_an_http_error_status_are_all_answers() {
        let result = RawAnswer::Message(json!({"jsonrpc": "2.0", "id": "x", "result": {}}), None);
        let error = RawAnswer::Message(
            json!({"jsonrpc": "2.0", "id": "x", "error": {"code": -32600, "message": "again"}}),
            None,
        );
        for answer in [result, error, RawAnswer::Status(400, String::new()), RawAnswer::Status(409, String::new())] {
            assert_eq!(judge(&answer, "x").status, crate::check::Status::Passed, "{answer:?}");
        }
    }

    #[test]
    fn an_empty_2xx_or_a_closed_connection_is_no_answer() {
        for answer in [RawAnswer::Accepted(202), RawAnswer::Closed("eof".into()), RawAnswer::Status(200, "text".into())]
        {
            assert_eq!(judge(&answer, "x").status, crate::check::Status::Failed, "{answer:?}");
        }
    }
}
