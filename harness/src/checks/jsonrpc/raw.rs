//! Sending text exactly as given on an established session and reading what comes back, for checks that send
//! malformed or unusual messages.
//!
//! Silence costs little: on stdio the text is followed at once by a harmless request (the follow-up). Its answer
//! proves the server alive and done with malformed input, which servers refuse in order, before any handler runs:
//! a reply to such text that has not come by then (plus the session's short silence window) is not coming. A
//! well-formed request may be handled concurrently and answered after the follow-up, so silence to it is judged at
//! the end of the wait. Only when the follow-up is not answered either is the target silent: "could not test".

use std::time::Duration;

use serde_json::Value;

use crate::check::Outcome;
use crate::checks::http::probe::Seen;
use crate::session::{Blocker, Inbound, Session, SessionError};
use crate::wire::HttpRequest;

/// What the server did with one raw message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawAnswer {
    /// A JSON-RPC response (or a JSON array, for batches), with the HTTP status that carried it.
    Message(Value, Option<u16>),
    /// An HTTP status without a JSON-RPC message (body text, capped).
    Status(u16, String),
    /// An HTTP POST accepted (2xx) with no body.
    Accepted(u16),
    /// Nothing came back for it on stdio, while the follow-up request sent right after it was answered.
    Unanswered {
        /// The follow-up's method.
        follow_up: &'static str,
        /// How long after sending the text the follow-up was answered.
        after: Duration,
    },
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
            RawAnswer::Accepted(s) => format!("HTTP {s} with an empty body"),
            RawAnswer::Unanswered { follow_up, after } => {
                format!(
                    "no reply, while `{follow_up}` sent right after it was answered ({} ms later)",
                    after.as_millis()
                )
            }
            RawAnswer::Closed(why) => format!("the connection closed: {why}"),
        }
    }
}

/// Sends `text` on `s` and reads the server's answer to it.
///
/// Over HTTP the POST carries the session's headers (session id, protocol version and, when `headers_from` is a
/// request, the 2026 method headers for it), so the only thing wrong with the exchange is the text itself; the
/// answer is the POST's reply. On stdio the text is followed by a harmless request (see the module docs); `wait`
/// bounds how long the follow-up may take. `Err` is an outcome for "could not test".
pub(crate) async fn send_and_read(
    s: &mut Session,
    text: &str,
    headers_from: Option<&Value>,
    wait: Duration,
) -> Result<RawAnswer, Outcome> {
    if let Some(http) = s.connection().http() {
        let req = http.decorate(HttpRequest::post(text.to_owned()), headers_from);
        let reply = http
            .wire()
            .send(req, wait)
            .await
            .map_err(|e| Outcome::from(SessionError::from_wire(e, "(a raw message)", true)))?;
        let seen = Seen::read(reply, wait).await;
        let empty = matches!(seen.body, crate::checks::http::probe::SeenBody::Empty);
        return Ok(match seen.message() {
            Some(m) => RawAnswer::Message(m.clone(), Some(seen.status)),
            None if (200..300).contains(&seen.status) && empty => RawAnswer::Accepted(seen.status),
            None => RawAnswer::Status(seen.status, seen.describe()),
        });
    }
    if let Err(e) = s.connection().send_raw(text).await {
        return closed_or_error(e);
    }
    follow_up_and_read(s, wait, is_well_formed_request(text)).await
}

/// Whether `text` is a request any server would hand to a handler (a JSON-RPC 2.0 object with a string method and
/// a string or integer id). Its reply may come after the follow-up's from a server that handles requests
/// concurrently, so silence to it is judged only at the end of the wait; malformed input is refused before any
/// handler runs, in order.
fn is_well_formed_request(text: &str) -> bool {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) else { return false };
    m.get("jsonrpc") == Some(&Value::from("2.0"))
        && m.get("method").is_some_and(Value::is_string)
        && m.get("id").is_some_and(|id| id.is_string() || id.is_i64() || id.is_u64())
}

/// On stdio, after a raw text was sent: sends the follow-up, then reads until the follow-up is answered (plus the
/// silence window when nothing else came, or the rest of `wait` for a well-formed request). The first response
/// that is not the follow-up's is the answer.
async fn follow_up_and_read(s: &mut Session, wait: Duration, well_formed: bool) -> Result<RawAnswer, Outcome> {
    let started = tokio::time::Instant::now();
    let (follow_up, params) = crate::checks::tools::call::harmless(s);
    let follow_up_id = Value::from(s.next_id());
    let msg = crate::message::request(follow_up_id.clone(), follow_up, params);
    if let Err(e) = s.connection().send(&msg).await {
        return closed_or_error(e);
    }
    let deadline = started + wait;
    let mut answered_after: Option<Duration> = None;
    let mut answer: Option<RawAnswer> = None;
    loop {
        // Once the follow-up is answered: done if the text's answer came too, else listen a little longer.
        let until = match (answered_after, &answer) {
            (Some(_), Some(_)) => break,
            (Some(_), None) if well_formed => deadline,
            (Some(after), None) => (started + after + s.silence_window()).min(deadline),
            (None, _) => deadline,
        };
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        match s.connection().recv_for(left, follow_up).await {
            Ok(Inbound::Message(v, status)) => {
                let is_response = v.is_array() || v.get("method").is_none();
                if !is_response {
                    continue;
                }
                if v.get("id") == Some(&follow_up_id) {
                    answered_after = Some(started.elapsed());
                } else if answer.is_none() {
                    answer = Some(RawAnswer::Message(v, status));
                }
            }
            Ok(_) => {}
            Err(e) if e.is_timeout() => break,
            Err(e) => return answer.map_or_else(|| closed_or_error(e), Ok),
        }
    }
    match (answer, answered_after) {
        (Some(answer), _) => Ok(answer),
        (None, Some(after)) => Ok(RawAnswer::Unanswered { follow_up, after }),
        (None, None) => Err(Outcome::blocked(&Blocker::Silent {
            method: format!("the message, or `{follow_up}` sent right after it"),
            waited: wait,
        })),
    }
}

/// A failure while sending or reading a raw message: the process going away is the server's answer (it closed
/// the connection instead of replying), anything else is "could not test".
fn closed_or_error(e: SessionError) -> Result<RawAnswer, Outcome> {
    if e.is_closed() {
        let why = match &e {
            SessionError::Misbehaved(crate::session::Violation::Exited { exit_status, stderr_tail, .. })
            | SessionError::Blocked(Blocker::ExitedAtStart { exit_status, stderr_tail }) => format!(
                "the process exited ({}){}",
                exit_status.as_deref().unwrap_or("exit status unknown"),
                if stderr_tail.trim().is_empty() {
                    String::new()
                } else {
                    format!("; its stderr ends: {}", crate::session::clip(stderr_tail.trim(), 300))
                }
            ),
            other => other.to_string(),
        };
        return Ok(RawAnswer::Closed(why));
    }
    Err(Outcome::from(e))
}

/// Sends `text`, a request the server must answer, and judges the answer with `judge`. Silence (an unanswered
/// message while the follow-up was answered; over HTTP an empty 2xx) is a violation of `expected`, since the
/// server was alive and chose not to reply; a target that answers nothing at all is "could not test".
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
        Ok(answer @ RawAnswer::Unanswered { .. }) => {
            Outcome::violated(expected, format!("{what}: {}", answer.describe()))
        }
        Ok(answer) => judge(&answer),
        Err(could_not_test) => could_not_test,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_jsonrpc_2_requests_with_a_string_method_and_a_usable_id_are_well_formed() {
        assert!(is_well_formed_request(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#));
        assert!(is_well_formed_request(r#"{"jsonrpc":"2.0","id":"a","method":"initialize","params":{}}"#));
        assert!(!is_well_formed_request(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#));
        assert!(!is_well_formed_request(r#"{"jsonrpc":"2.0","id":1,"method":1}"#));
        assert!(!is_well_formed_request(r#"{"jsonrpc":"2.0","method":"notifications/x"}"#));
        assert!(!is_well_formed_request(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#));
        assert!(!is_well_formed_request(r#"{"jsonrpc": "2.0", "id": 77, "method": "tools/list", "params": {"#));
    }
}
