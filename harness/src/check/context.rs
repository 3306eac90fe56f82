//! What a check function gets: the target, the run's options, and sessions to drive it with.

use std::sync::Arc;
use std::time::Duration;

use super::meta::CheckId;
use super::outcome::{Outcome, SkipReason};
use crate::protocol::Revision;
use crate::runner::RunOptions;
use crate::services::RunningServices;
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
        match e {
            ContextError::NoSession(why) => Outcome::error(format!("could not run: {why}")),
            ContextError::Session(e) => Outcome::from(e),
        }
    }
}

impl From<SessionError> for Outcome {
    /// A session failure where the check has no expectation of its own to state: the violation's own.
    fn from(e: SessionError) -> Outcome {
        let expected = match &e {
            SessionError::Misbehaved(v) => v.expected(),
            _ => String::new(),
        };
        Outcome::from_session(e, expected)
    }
}

/// The parts of a run every check shares.
#[derive(Debug)]
pub(crate) struct RunEnv {
    pub target: LaunchedTarget,
    /// What the target was launched from (to launch more instances of it).
    pub spec: crate::TargetSpec,
    /// Time to start one instance.
    pub launch_timeout: Duration,
    /// Backing services given to the target.
    pub services: crate::runner::backing::BackingServices,
    pub limits: Limits,
    pub transcript: Transcript,
    pub session_options: SessionOptions,
    pub options: RunOptions,
    /// The run's journeys (the e2e suite), which journey checks look themselves up in.
    pub journeys: &'static crate::journey::JourneySet,
    /// The unit suite's view of the target (its discovered surface), which unit checks look themselves up in.
    pub unit: &'static crate::unit::UnitSet,
    /// The performance suite's one load run, shared by its checks.
    pub load: crate::checks::performance::LoadState,
    /// The run's canary secret (`mcp-canary-<nonce>`), given to every process the harness starts for the target
    /// as `MCP_HARNESS_CANARY` and registered with the transcript; `None` for a URL target the harness did not
    /// start.
    pub canary: Option<String>,
    /// Extra flags of the bundled reference server (`--reference-arg`), for every instance the run launches.
    pub reference_args: Vec<String>,
    /// The run's authorization material (`security.auth.*`).
    pub auth: crate::auth::RunAuth,
}

/// The environment variable that carries the run's canary secret to the target's processes.
pub const CANARY_ENV: &str = "MCP_HARNESS_CANARY";

impl RunEnv {
    /// The environment given to every process the harness starts for the target: the backing services' and the
    /// canary.
    pub(crate) fn target_env(services: &[(String, String)], canary: Option<&str>) -> Vec<(String, String)> {
        let mut env = services.to_vec();
        if let Some(c) = canary {
            env.push((CANARY_ENV.to_owned(), c.to_owned()));
        }
        env
    }
}

/// The context a check runs in.
#[derive(Debug)]
pub struct CheckContext {
    pub(crate) env: Arc<RunEnv>,
    pub(crate) shared: Option<Session>,
    pub(crate) shared_error: Option<String>,
    pub(crate) profile: ServerProfile,
    /// The check running in this context, set by the runner before it calls the check's function.
    pub(crate) check: Option<CheckId>,
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

    /// The id of the check running in this context.
    pub fn check_id(&self) -> Option<CheckId> {
        self.check
    }

    /// The journey of the running check, when it is a journey of the e2e suite.
    pub fn current_journey(&self) -> Option<&'static crate::journey::LoadedJourney> {
        let journeys: &'static crate::journey::JourneySet = self.env.journeys;
        self.check.and_then(|id| journeys.get(id.as_str()))
    }

    /// What the unit check running in this context exercises.
    pub fn current_unit_item(&self) -> Option<&'static crate::unit::UnitItem> {
        let unit: &'static crate::unit::UnitSet = self.env.unit;
        self.check.and_then(|id| unit.get(id.as_str()))
    }

    /// The unit suite's view of the target.
    pub fn unit_set(&self) -> &'static crate::unit::UnitSet {
        self.env.unit
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

    /// Whether the harness itself started the HTTP server it tests (the bundled reference server over Streamable
    /// HTTP), so the server listens on this machine: a URL target was started by someone else, maybe elsewhere.
    pub fn http_server_launched_here(&self) -> bool {
        matches!(self.env.spec, crate::TargetSpec::Reference(crate::target::ReferenceTransport::Http))
    }

    /// The run's canary secret, when the harness started the target (see [`CANARY_ENV`]).
    pub fn canary(&self) -> Option<&str> {
        self.env.canary.as_deref()
    }

    /// The run's authorization material: whether auth is declared, minted tokens, the operator's test tokens.
    pub fn auth(&self) -> &crate::auth::RunAuth {
        &self.env.auth
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
            None => {
                Err(ContextError::NoSession(self.shared_error.clone().unwrap_or_else(|| "not connected".to_owned())))
            }
        }
    }

    /// A new session with its own handshake, speaking the run's revision. Close it with [`Session::close`].
    pub async fn fresh_session(&mut self) -> Result<Session, ContextError> {
        let mut options = self.env.session_options.clone();
        options.revision = crate::protocol::RevisionChoice::Exact(self.profile.revision);
        Ok(Session::open(&self.env.target, &self.env.limits, &self.env.transcript, &options).await?)
    }

    /// [`Self::fresh_session`] whose wire violations stay out of the run's wire log: for robustness checks whose
    /// hostile input may end the target, a death they judge themselves (the run-wide
    /// `robustness.survives-valid-requests` judges valid use, not this again). The transcript still records it.
    pub async fn fresh_session_unobserved(&mut self) -> Result<Session, ContextError> {
        let mut options = self.session_options();
        options.log = crate::session::WireLog::default();
        Ok(Session::open(&self.env.target, &self.env.limits, &self.env.transcript, &options).await?)
    }

    /// [`Self::fresh_session_unobserved`] recorded in `transcript` instead of the run's: for a check that sends
    /// so many messages that they would push the run's earlier evidence out of the bounded transcript (the
    /// `security.leak.*` checks scan it last). Register the run's secrets with `transcript` first.
    pub async fn fresh_session_recorded_in(&mut self, transcript: &Transcript) -> Result<Session, ContextError> {
        let mut options = self.session_options();
        options.log = crate::session::WireLog::default();
        Ok(Session::open(&self.env.target, &self.env.limits, transcript, &options).await?)
    }

    /// A new connection with no handshake (for lifecycle and negative checks).
    pub async fn raw_connection(&mut self) -> Result<Connection, ContextError> {
        let log = &self.env.session_options.log;
        Ok(Connection::open(&self.env.target, &self.env.limits, &self.env.transcript, self.timeout(), log).await?)
    }

    /// Session options for sessions the check builds itself on a raw connection.
    pub fn session_options(&self) -> SessionOptions {
        let mut options = self.env.session_options.clone();
        options.revision = crate::protocol::RevisionChoice::Exact(self.profile.revision);
        options
    }

    /// The backing services (Postgres, Redis) the target was given, or the outcome a check needing them ends
    /// with: skipped when they are unavailable here, error when providing them broke.
    pub fn services(&self) -> Result<&RunningServices, Outcome> {
        self.env.services.running()
    }

    /// Starts one more instance of the target, with the same backing services, for checks that restart a
    /// target or need two of them. Shut it down with [`LaunchedTarget::shutdown`]. A target given by URL was not
    /// started by the harness and cannot be started again: that is a skip.
    pub async fn launch_instance(&self) -> Result<LaunchedTarget, Outcome> {
        if let crate::TargetSpec::Http(_) = self.env.spec {
            return Err(Outcome::skip(
                SkipReason::NotApplicable,
                "the target is a URL the harness did not start, so it cannot start other instances of it",
            ));
        }
        let env = RunEnv::target_env(self.env.services.env(), self.env.canary.as_deref());
        LaunchedTarget::launch_with_env(&self.env.spec, self.env.launch_timeout, &env, &self.env.reference_args)
            .await
            .map_err(|e| Outcome::error(format!("could not start another instance of the target: {e}")))
    }

    /// A new session with its own handshake on `instance` (from [`Self::launch_instance`]).
    pub async fn session_on(&self, instance: &LaunchedTarget) -> Result<Session, ContextError> {
        Ok(Session::open(instance, &self.env.limits, &self.env.transcript, &self.session_options()).await?)
    }

    /// A skip for checks that need an opt-in the run was not given.
    pub fn needs_opt_in(&self, flag: &str) -> Outcome {
        Outcome::skip(SkipReason::OptInRequired, format!("needs {flag}"))
    }
}
