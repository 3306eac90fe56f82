//! Small helpers checks share for judging replies and describing what they saw.

use serde_json::{json, Value};

use crate::check::{CheckContext, Outcome};
use crate::protocol::Revision;
use crate::session::{RpcReply, Session, SessionError};

/// Shortens JSON for evidence text.
pub(crate) fn brief(v: &Value) -> String {
    crate::session::clip_json(v, 300)
}

/// The result of `reply`, or a violation saying a result was expected.
pub(crate) fn expect_result<'a>(reply: &'a RpcReply, expected: &str) -> Result<&'a Value, Outcome> {
    reply.result().ok_or_else(|| Outcome::violated(expected, format!("answered {}", reply.brief())))
}

/// Turns a session error into an outcome: an HTTP status without a JSON-RPC body is something the server did
/// (a violation of `expected`); everything else means the harness could not test.
pub(crate) fn judge_session_error(e: SessionError, expected: &str) -> Outcome {
    match e {
        SessionError::HttpStatus { status, body, .. } => {
            Outcome::violated(expected, format!("HTTP {status} with no JSON-RPC message (body: {body:?})"))
        }
        other => Outcome::from(other),
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
