//! Every response carries the id of the request it answers (judged over the whole run).

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Suite};
use crate::check_fn;
use crate::checks::observed;
use crate::session::ViolationKind;

/// Responses carry their request's id.
pub(crate) const RESPONSE_ID: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.response-id"),
        title: "every response to the harness's requests during the run carries the id of the request it answers",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.response-id", "jsonrpc.error-id"],
        applies: Applicability { needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["jsonrpc", "wire"],
    },
    run: check_fn!(response_id),
};

async fn response_id(cx: &mut CheckContext) -> Conclusion {
    observed::judge(cx, &[ViolationKind::ResponseIdMismatch], "each response carries its request's id", |s| {
        format!("{} responses to the harness's requests all carried their request's id", s.responses_ok)
    })
    .await
}
