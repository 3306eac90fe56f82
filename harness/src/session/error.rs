//! Why a session could not do what was asked. These are "could not test" conditions, never verdicts.

use std::time::Duration;

use crate::wire::WireError;

/// A session-level failure: the harness could not get an answer it can judge.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The wire failed (process gone, connection refused, …).
    #[error(transparent)]
    Wire(#[from] WireError),
    /// No response arrived in time.
    #[error("no response to `{method}` within {timeout:?}")]
    Timeout {
        /// The request's method.
        method: String,
        /// How long the harness waited.
        timeout: Duration,
    },
    /// The handshake did not produce a usable session.
    #[error("handshake failed: {0}")]
    Handshake(String),
    /// The server sent something the session cannot work with in place of the awaited response.
    #[error("unusable reply to `{method}`: {detail}")]
    Unusable {
        /// The request's method.
        method: String,
        /// What was wrong.
        detail: String,
    },
    /// The connection is gone.
    #[error("connection closed: {0}")]
    Closed(String),
    /// The HTTP transport answered with a status that carries no JSON-RPC message.
    #[error("HTTP {status} in reply to `{method}`: {body}")]
    HttpStatus {
        /// The request's method.
        method: String,
        /// The status code.
        status: u16,
        /// The (capped) body text.
        body: String,
    },
}

impl SessionError {
    /// Whether the failure was a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, SessionError::Timeout { .. }) || matches!(self, SessionError::Wire(w) if w.is_timeout())
    }
}
