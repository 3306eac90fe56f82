//! Every request is answered with a JSON object or an SSE stream (judged over the whole run).

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Suite, Transports,
};
use crate::check_fn;
use crate::checks::observed;
use crate::session::ViolationKind;

/// Requests are answered with `application/json` or `text/event-stream`.
pub(crate) const RESPONSE_CONTENT_TYPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.response-content-type"),
        title: "every POSTed request of the run is answered with Content-Type application/json or text/event-stream",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.request-content-type"],
        applies: Applicability { transports: Transports::Http, needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["http", "transport", "wire"],
    },
    run: check_fn!(response_content_type),
};

async fn response_content_type(cx: &mut CheckContext) -> Conclusion {
    let expected = "requests answered with application/json or text/event-stream";
    observed::judge(cx, &[ViolationKind::HttpContentType], expected, |s| {
        format!("{} requests answered with JSON or SSE", s.responses_ok)
    })
    .await
}
