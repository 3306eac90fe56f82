//! Why a session could not deliver an answer: the target misbehaved (a verdict), or the harness could not test.
//!
//! This is the one place where what the wire reports is split into the target's violations and "could not test";
//! [`crate::check::Outcome`]'s `From<SessionError>` turns either into an outcome once.

use crate::wire::WireError;

use super::blocker::Blocker;
use super::rpc::clip;
use super::violation::{STDERR_TAIL_CHARS, Violation};

/// A session-level failure. Branch on [`SessionError::violation`] / [`SessionError::blocker`] (or the predicates),
/// never on the message.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The target broke a rule while answering (or instead of answering): a verdict on the target.
    #[error("{0}")]
    Misbehaved(Violation),
    /// The harness could not get an answer it can judge: not a verdict.
    #[error("{0}")]
    Blocked(Blocker),
    /// The handshake was answered, but not with a usable session (an error, an unknown revision, …). The lifecycle
    /// checks judge it; for every other check it means the check could not run.
    #[error("the handshake failed: {0}")]
    Handshake(String),
}

impl SessionError {
    /// A wire failure while waiting for the reply to `method`, classified. `answered_before` says whether this
    /// connection had received anything before: a process that exits without ever having written a message could
    /// not start (a set-up problem), one that exits later failed to answer.
    pub fn from_wire(e: WireError, method: &str, answered_before: bool) -> SessionError {
        match e {
            WireError::Spawn { program, source } => {
                SessionError::Blocked(Blocker::Spawn { program, detail: source.to_string() })
            }
            WireError::Timeout { timeout, .. } => {
                SessionError::Blocked(Blocker::Silent { method: method.to_owned(), waited: timeout })
            }
            WireError::Closed { exit_status, stderr_tail } if !answered_before => {
                SessionError::Blocked(Blocker::ExitedAtStart { exit_status, stderr_tail: tail(&stderr_tail) })
            }
            WireError::Closed { exit_status, stderr_tail } => SessionError::Misbehaved(Violation::Exited {
                method: method.to_owned(),
                exit_status,
                stderr_tail: tail(&stderr_tail),
            }),
            WireError::Connect { url, detail } => SessionError::Blocked(Blocker::Unreachable { url, detail }),
            WireError::Auth { detail } => SessionError::Blocked(Blocker::OAuth { detail }),
            WireError::Http { detail, .. } => {
                SessionError::Misbehaved(Violation::ConnectionDropped { method: method.to_owned(), detail })
            }
            other => SessionError::Blocked(Blocker::Harness(other.to_string())),
        }
    }

    /// The violation, when the target misbehaved.
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            SessionError::Misbehaved(v) => Some(v),
            _ => None,
        }
    }

    /// The blocker, when the harness could not test.
    pub fn blocker(&self) -> Option<&Blocker> {
        match self {
            SessionError::Blocked(b) => Some(b),
            _ => None,
        }
    }

    /// Whether nothing arrived in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, SessionError::Blocked(Blocker::Silent { .. }))
    }

    /// Whether the stdio process exited (at start or later) or the HTTP connection dropped.
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            SessionError::Misbehaved(Violation::Exited { .. } | Violation::ConnectionDropped { .. })
                | SessionError::Blocked(Blocker::ExitedAtStart { .. })
        )
    }
}

impl From<WireError> for SessionError {
    /// A wire failure outside any awaited request (sending, opening): classified as if something had been received
    /// before, with no method to name.
    fn from(e: WireError) -> SessionError {
        SessionError::from_wire(e, "(a message)", true)
    }
}

/// A stderr tail as kept in a violation or blocker: its last [`STDERR_TAIL_CHARS`] characters.
fn tail(text: &str) -> String {
    let count = text.chars().count();
    if count <= STDERR_TAIL_CHARS {
        return text.to_owned();
    }
    let start = count - STDERR_TAIL_CHARS;
    format!("…{}", text.chars().skip(start).collect::<String>())
}

/// Clips an HTTP body for evidence.
pub(crate) fn body_excerpt(body: &str) -> String {
    clip(body.trim(), super::violation::EXCERPT_CHARS)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn an_exit_before_any_message_is_could_not_test_and_later_a_violation() {
        let closed = || WireError::Closed { exit_status: Some("exit status: 1".into()), stderr_tail: "boom".into() };
        let early = SessionError::from_wire(closed(), "initialize", false);
        assert!(matches!(early, SessionError::Blocked(Blocker::ExitedAtStart { .. })), "{early}");
        let late = SessionError::from_wire(closed(), "tools/list", true);
        assert!(matches!(late.violation(), Some(Violation::Exited { .. })), "{late}");
        assert_eq!(late.to_string(), "the target exited (exit status: 1) without answering `tools/list`");
        assert!(early.is_closed() && late.is_closed());
    }

    #[test]
    fn a_timeout_is_silence_and_a_refused_connection_unreachable() {
        let t = SessionError::from_wire(
            WireError::Timeout { action: "x".into(), timeout: Duration::from_secs(1) },
            "ping",
            true,
        );
        assert!(t.is_timeout());
        let c = SessionError::from_wire(
            WireError::Connect { url: "http://127.0.0.1:1/mcp".into(), detail: "refused".into() },
            "initialize",
            false,
        );
        assert!(matches!(c.blocker(), Some(Blocker::Unreachable { .. })));
    }
}
