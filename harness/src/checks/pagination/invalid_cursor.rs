//! A cursor the server never issued is answered with -32602.

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::pagination::terminates::capability_of;
use crate::checks::pagination::walk::LIST_METHODS;

/// A cursor no server issues.
const GARBAGE_CURSOR: &str = "mcp-harness-invalid-cursor-%%%-not-issued";

/// Invalid cursors are rejected.
pub(crate) const INVALID_CURSOR: Check = Check {
    meta: CheckMeta {
        id: CheckId("pagination.invalid-cursor"),
        title: "a list request with a cursor the server never issued is answered with error -32602",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["pagination.invalid-cursor"],
        applies: Applicability::ALWAYS,
        tags: &["pagination", "errors", "negative"],
    },
    run: check_fn!(invalid_cursor),
};

async fn invalid_cursor(cx: &mut CheckContext) -> Conclusion {
    let Some((method, _)) = LIST_METHODS.iter().copied().find(|(m, _)| cx.profile().has(capability_of(m))) else {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server advertises none of tools, resources, prompts"));
    };
    let expected = format!("`{method}` with cursor {GARBAGE_CURSOR:?} answered with a JSON-RPC error, code -32602");
    let params = serde_json::json!({"cursor": GARBAGE_CURSOR});
    let reply = cx.session()?.request(method, Some(params)).await.map_err(|e| Outcome::from_session(e, &expected))?;
    match reply.error_code() {
        Some(-32602) => Ok(Outcome::pass_with(format!("{method}: -32602"))),
        _ => Ok(Outcome::violated(expected, format!("answered {}", reply.brief()))),
    }
}
