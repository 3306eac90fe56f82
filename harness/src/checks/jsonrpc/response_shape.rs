//! Every message is a JSON-RPC message, and every response has exactly one of `result` and `error` (judged over
//! the whole run).

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Suite};
use crate::check_fn;
use crate::checks::observed;
use crate::session::ViolationKind;

/// Responses are well-formed, and nothing else but messages is sent.
pub(crate) const RESPONSE_SHAPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.response-shape"),
        title: "every response during the run has exactly one of result and error, and everything the server sends is a JSON-RPC message",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.result-or-error", "jsonrpc.messages", "jsonrpc.result-field"],
        applies: Applicability { needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["jsonrpc", "wire"],
    },
    run: check_fn!(response_shape),
};

async fn response_shape(cx: &mut CheckContext) -> Conclusion {
    let kinds = [ViolationKind::MalformedResponse, ViolationKind::MalformedMessage];
    observed::judge(cx, &kinds, "well-formed JSON-RPC responses and messages only", |s| {
        format!("{} responses to the harness's requests were all well-formed", s.responses_ok)
    })
    .await
}
