//! An unknown method is answered (a MUST), with -32601 (the error table's code: a warning otherwise).

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::evidence::judge_silence;

/// A method nobody implements.
const UNKNOWN_METHOD: &str = "mcp-harness/no-such-method";

/// Unknown methods get the JSON-RPC "method not found" error.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.unknown-method"),
        title: "a request for an unknown method is answered with error -32601",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.reply-required", "jsonrpc.method-not-found"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "errors"],
    },
    run: check_fn!(unknown_method),
};

async fn unknown_method(cx: &mut CheckContext) -> Conclusion {
    let expected = format!("`{UNKNOWN_METHOD}` answered with a JSON-RPC error, code -32601");
    let s = cx.session()?;
    let reply = match s.request(UNKNOWN_METHOD, Some(serde_json::json!({}))).await {
        Ok(reply) => reply,
        Err(e) if e.is_timeout() => {
            let waited = s.timeout();
            return Ok(judge_silence(s, &format!("`{UNKNOWN_METHOD}`"), &expected, waited).await);
        }
        Err(e) => return Err(Outcome::from_session(e, &expected)),
    };
    // The reply is what JSON-RPC requires; -32601 is its error table's code for the case, which carries no
    // keyword: another code, or a result, is a warning.
    match reply.error_code() {
        Some(-32601) => Ok(Outcome::pass()),
        _ => Ok(Outcome::violated(expected, format!("answered {}", reply.brief()))
            .breaking("jsonrpc.method-not-found", Level::Should)),
    }
}
