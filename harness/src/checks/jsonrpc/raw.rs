//! Sending text exactly as given on an established session and reading what comes back, for checks that send
//! malformed or unusual messages.

use std::time::Duration;

use serde_json::Value;

use crate::check::Outcome;
use crate::checks::http::probe::Seen;
use crate::session::{Inbound, Session, SessionError};
use crate::wire::HttpRequest;

/// What the server did with one raw message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawAnswer {
    /// A JSON-RPC response (or a JSON array, for batches), with the HTTP status that carried it.
    Message(Value, Option<u16>),
    /// An HTTP status without a JSON-RPC message (body text, capped).
    Status(u16, String),
    /// Nothing within the wait (stdio), or an accepted HTTP POST with no body (202).
    Silence,
    /// The server closed the connection (stdio) instead of answering.
    Closed(String),
}

impl RawAnswer {
    /// A one-line description for evidence.
    pub fn describe(&self) -> String {
        match self {
            RawAnswer::Message(v, Some(s)) => format!("HTTP {s} with {}", crate::checks::evidence::brief(v)),
            RawAnswer::Message(v, None) => crate::checks::evidence::brief(v),
            RawAnswer::Status(s, body) => format!("HTTP {s} with no JSON-RPC message (body {body:?})"),
            RawAnswer::Silence => "no response".to_owned(),
            RawAnswer::Closed(why) => format!("the connection closed: {why}"),
        }
    }
}

/// Sends `text` on `s` and waits up to `wait` for the first response.
///
/// Over HTTP the POST carries the session's headers (session id, protocol version and, when `headers_from` is a
/// request, the 2026 method headers for it), so the only thing wrong with the exchange is the text itself.
pub(crate) async fn send_and_read(s: &mut Session, text: &str, headers_from: Option<&Value>, wait: Duration) -> Result<RawAnswer, Outcome> {
    if let Some(http) = s.connection().http() {
        let req = http.decorate(HttpRequest::post(text.to_owned()), headers_from);
        let reply = http.wire().send(req, wait).await.map_err(|e| Outcome::error(format!("could not exchange with the target: {e}")))?;
        let seen = Seen::read(reply, wait).await;
        return Ok(match seen.message() {
            Some(m) => RawAnswer::Message(m.clone(), Some(seen.status)),
            None if (200..300).contains(&seen.status) && matches!(seen.body, crate::checks::http::probe::SeenBody::Empty) => RawAnswer::Silence,
            None => RawAnswer::Status(seen.status, seen.describe()),
        });
    }
    s.connection().send_raw(text).await?;
    read_response(s, wait).await
}

/// The next response on a stdio session (requests and notifications from the server are skipped).
pub(crate) async fn read_response(s: &mut Session, wait: Duration) -> Result<RawAnswer, Outcome> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match s.connection().recv(left).await {
            Ok(Inbound::Message(v, status)) => {
                if v.is_array() || v.get("method").is_none() {
                    return Ok(RawAnswer::Message(v, status));
                }
            }
            Ok(_) => {}
            Err(e) if e.is_timeout() => return Ok(RawAnswer::Silence),
            Err(SessionError::Wire(w)) if w.is_closed() => return Ok(RawAnswer::Closed(w.to_string())),
            Err(SessionError::Closed(c)) => return Ok(RawAnswer::Closed(c)),
            Err(e) => return Err(Outcome::from(e)),
        }
    }
}

/// Sends `text`, a request the server must answer, and judges the answer with `judge`; a silence on stdio is judged by
/// [`judge_unanswered`] (`what` names the request there), a transport problem is "could not test".
pub(crate) async fn request_and_judge(
    s: &mut Session,
    text: &str,
    headers_from: Option<&Value>,
    wait: Duration,
    what: &str,
    expected: &str,
    judge: impl FnOnce(&RawAnswer) -> Outcome,
) -> Outcome {
    match send_and_read(s, text, headers_from, wait).await {
        Ok(RawAnswer::Silence) if s.connection().http().is_none() => judge_unanswered(s, what, expected, wait).await,
        Ok(answer) => judge(&answer),
        Err(could_not_test) => could_not_test,
    }
}

/// Judges a request the server left unanswered on stdio: asks the same connection a harmless request. If that is
/// answered the server is alive and chose not to reply to `what` (a violation of `expected`); if not, the target
/// stopped answering altogether, which is "could not test", not a verdict on `what`.
pub(crate) async fn judge_unanswered(s: &mut Session, what: &str, expected: &str, waited: Duration) -> Outcome {
    let (method, params) = crate::checks::tools::call::harmless(s);
    match s.request(method, params).await {
        Ok(_) => Outcome::violated(
            expected,
            format!("no reply to {what} within {waited:?}, while `{method}` on the same connection was answered afterwards"),
        ),
        Err(e) => Outcome::error(format!(
            "could not test: no reply to {what} within {waited:?}, and the target did not answer `{method}` afterwards either ({e})"
        )),
    }
}
