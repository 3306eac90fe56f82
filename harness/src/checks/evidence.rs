//! Small helpers checks share for judging replies and describing what they saw.

use serde_json::{Value, json};

use crate::check::{CheckContext, Outcome};
use crate::protocol::Revision;
use crate::session::{RpcReply, Session};

/// Shortens JSON for evidence text.
pub(crate) fn brief(v: &Value) -> String {
    crate::session::clip_json(v, 300)
}

/// The result of `reply`, or a violation saying a result was expected.
pub(crate) fn expect_result<'a>(reply: &'a RpcReply, expected: &str) -> Result<&'a Value, Outcome> {
    reply.result().ok_or_else(|| Outcome::violated(expected, format!("answered {}", reply.brief())))
}

/// Judges a request that got no answer in time: asks the same session a harmless request. If that is answered, the
/// server is alive and left `what` unanswered (a violation of `expected`); if not, the target stopped answering
/// altogether, which is "could not test".
pub(crate) async fn judge_silence(s: &mut Session, what: &str, expected: &str, waited: std::time::Duration) -> Outcome {
    let (method, params) = crate::checks::tools::call::harmless(s);
    match s.request(method, params).await {
        Ok(_) => Outcome::violated(
            expected,
            format!(
                "no reply to {what} within {waited:?}, while `{method}` on the same connection was answered afterwards"
            ),
        ),
        Err(e) => Outcome::from_session(e, expected),
    }
}

/// `initialize` params for `version` with the harness's client capabilities.
pub(crate) fn initialize_params(cx: &CheckContext, version: &str) -> Value {
    let o = cx.session_options();
    json!({"protocolVersion": version, "capabilities": o.answers.capabilities(), "clientInfo": o.client_info})
}

/// A new session on a raw connection, without a handshake, speaking the run's revision.
pub(crate) async fn bare_session(cx: &mut CheckContext) -> Result<Session, Outcome> {
    let conn = cx.raw_connection().await?;
    Ok(Session::without_handshake(conn, &cx.session_options(), cx.revision()))
}

/// Whether `s` names a published MCP revision.
pub(crate) fn is_known_revision(s: &str) -> bool {
    s.parse::<Revision>().is_ok()
}
