//! An unknown method is answered with -32601.

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;

/// A method nobody implements.
const UNKNOWN_METHOD: &str = "mcp-harness/no-such-method";

/// Unknown methods get the JSON-RPC "method not found" error.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.unknown-method"),
        title: "a request for an unknown method is answered with error -32601",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.method-not-found"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "errors"],
    },
    run: check_fn!(unknown_method),
};

async fn unknown_method(cx: &mut CheckContext) -> Conclusion {
    let expected = format!("`{UNKNOWN_METHOD}` answered with a JSON-RPC error, code -32601");
    let reply = cx.session()?.request(UNKNOWN_METHOD, Some(serde_json::json!({}))).await.map_err(|e| Outcome::from_session(e, &expected))?;
    match reply.error_code() {
        Some(-32601) => Ok(Outcome::pass()),
        _ => Ok(Outcome::violated(expected, format!("answered {}", reply.brief()))),
    }
}
