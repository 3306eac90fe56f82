//! What a check function gets: the target, the run's options, and sessions to drive it with.

use std::sync::Arc;
use std::time::Duration;

use super::outcome::{Outcome, SkipReason};
use crate::protocol::Revision;
use crate::runner::RunOptions;
use crate::session::{Connection, ServerProfile, Session, SessionError, SessionOptions};
use crate::target::LaunchedTarget;
use crate::wire::{HttpTarget, Limits, Transcript};

/// Why the context could not provide what a check asked for. Always a "could not test" condition.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// The run has no usable shared session (its handshake failed).
    #[error("no session could be established: {0}")]
    NoSession(String),
    /// Opening a new connection or session failed.
    #[error(transparent)]
    Session(#[from] SessionError),
}

impl From<ContextError> for Outcome {
    fn from(e: ContextError) -> Outcome {
        Outcome::error(e.to_string())
    }
}

impl From<SessionError> for Outcome {
    fn from(e: SessionError) -> Outcome {
        Outcome::error(e.to_string())
    }
}

/// The parts of a run every check shares.
#[derive(Debug)]
pub(crate) struct RunEnv {
    pub target: LaunchedTarget,
    pub limits: Limits,
    pub transcript: Transcript,
    pub session_options: SessionOptions,
    pub options: RunOptions,
}

/// The context a check runs in.
#[derive(Debug)]
pub struct CheckContext {
    pub(crate) env: Arc<RunEnv>,
    pub(crate) shared: Option<Session>,
    pub(crate) shared_error: Option<String>,
    pub(crate) profile: ServerProfile,
}

impl CheckContext {
    /// The revision the run speaks.
    pub fn revision(&self) -> Revision {
        self.profile.revision
    }

    /// The server as seen in the run's handshake.
    pub fn profile(&self) -> &ServerProfile {
        &self.profile
    }

    /// The run's options (opt-ins, allow-lists).
    pub fn options(&self) -> &RunOptions {
        &self.env.options
    }

    /// Timeout for one request.
    pub fn timeout(&self) -> Duration {
        self.env.session_options.timeout
    }

    /// Whether the target is reached over stdio.
    pub fn is_stdio(&self) -> bool {
        self.env.target.is_stdio()
    }

    /// The HTTP endpoint, for HTTP targets.
    pub fn http_target(&self) -> Option<&HttpTarget> {
        match &self.env.target.transport {
            crate::target::TargetTransport::Http(t) => Some(t),
            crate::target::TargetTransport::Stdio(_) => None,
        }
    }

    /// The run's transcript.
    pub fn transcript(&self) -> &Transcript {
        &self.env.transcript
    }

    /// Size limits for wires the check opens itself.
    pub fn limits(&self) -> &Limits {
        &self.env.limits
    }

    /// The run's shared, established session (reused across checks; do not leave it in a strange state).
    pub fn session(&mut self) -> Result<&mut Session, ContextError> {
        match &mut self.shared {
            Some(s) => Ok(s),
            None => Err(ContextError::NoSession(self.shared_error.clone().unwrap_or_else(|| "not connected".to_owned()))),
        }
    }

    /// A new session with its own handshake, speaking the run's revision. Close it with [`Session::close`].
    pub async fn fresh_session(&mut self) -> Result<Session, ContextError> {
        let mut options = self.env.session_options.clone();
        options.revision = crate::protocol::RevisionChoice::Exact(self.profile.revision);
        Ok(Session::open(&self.env.target, &self.env.limits, &self.env.transcript, &options).await?)
    }

    /// A new connection with no handshake (for lifecycle and negative checks).
    pub async fn raw_connection(&mut self) -> Result<Connection, ContextError> {
        Ok(Connection::open(&self.env.target, &self.env.limits, &self.env.transcript, self.timeout()).await?)
    }

    /// Session options for sessions the check builds itself on a raw connection.
    pub fn session_options(&self) -> SessionOptions {
        let mut options = self.env.session_options.clone();
        options.revision = crate::protocol::RevisionChoice::Exact(self.profile.revision);
        options
    }

    /// A skip for checks that need an opt-in the run was not given.
    pub fn needs_opt_in(&self, flag: &str) -> Outcome {
        Outcome::skip(SkipReason::OptInRequired, format!("needs {flag}"))
    }
}
