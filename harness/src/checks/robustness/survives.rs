//! The target answers every valid request: no crash, no dropped connection, no 5xx instead of a response
//! (judged over the whole run).

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Suite};
use crate::check_fn;
use crate::checks::observed;
use crate::session::ViolationKind;

/// The target survives valid requests.
pub(crate) const SURVIVES_VALID_REQUESTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("robustness.survives-valid-requests"),
        title: "the server answers every valid request of the run: it never exits, drops the connection or fails with an HTTP 5xx instead",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.reply-required", "jsonrpc.messages"],
        applies: Applicability { needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["robustness", "wire"],
    },
    run: check_fn!(survives),
};

async fn survives(cx: &mut CheckContext) -> Conclusion {
    let kinds = [
        ViolationKind::Exited,
        ViolationKind::ConnectionDropped,
        ViolationKind::SseEndedWithoutResponse,
        ViolationKind::HttpStatus,
    ];
    observed::judge(cx, &kinds, "a response to every valid request", |s| {
        format!("{} valid requests answered; the target never went away while one was unanswered", s.responses_ok)
    })
    .await
}
