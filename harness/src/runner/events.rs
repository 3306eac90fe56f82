//! Events the runner emits, in order, as the stages of a run happen. Aggregation into the report
//! ([`super::record::RunRecorder`]) and every reporter (the console's progress, the cargo-test bridge) only consume
//! them.
//!
//! The order of one run: `RunStarted`; `ServicesProvided` or `ServicesUnavailable` (when services are wanted);
//! `TargetLaunched` or `TargetLaunchFailed`; `HandshakeCompleted` or `HandshakeFailed`; for each check
//! `CheckStarted` (when it runs) and `CheckFinished` (always) — a performance check's load run adds `LoadProgress`
//! while it runs and `LoadMeasured` before its `CheckFinished` —, with `TargetRestarted` / `TargetLost` between checks
//! when a stdio target's process died; `Interrupted` when a signal ended the run; `TargetStopped`; `RunFinished`.

use crate::check::{CheckId, CheckMeta};
use crate::report::{CheckResult, TestReport};
use crate::session::{ServerProfile, SessionError};

use super::interrupt::Signal;
use super::plan::Plan;

/// Something that happened during a run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The target is started once to discover its surface, from which the unit suite's checks are generated
    /// (before the plan is made).
    Discovering {
        /// The target, described (no secrets).
        target: &'a str,
    },
    /// The plan is made: its checks will each be reported by a `CheckFinished`.
    RunStarted {
        /// The selected checks, with their static outcomes.
        plan: &'a Plan,
        /// The target, described (no secrets).
        target: &'a str,
    },
    /// Backing services are up (each note says where one came from).
    ServicesProvided {
        /// One line per service.
        notes: &'a [String],
    },
    /// Backing services were wanted and could not be provided.
    ServicesUnavailable {
        /// Why.
        problem: &'a str,
        /// Whether the run requires them (`--require-services`): it then cannot test.
        required: bool,
    },
    /// The target is started (or, for a URL, resolved).
    TargetLaunched {
        /// The target, described (for the bundled HTTP server, with its URL).
        description: &'a str,
    },
    /// The target could not be started: the run cannot test.
    TargetLaunchFailed {
        /// Why.
        reason: &'a str,
    },
    /// The run's shared session is established.
    HandshakeCompleted {
        /// The server as seen in the handshake.
        profile: &'a ServerProfile,
    },
    /// The run's handshake failed. A blocker means the run cannot test; a violation or a refused handshake is
    /// judged by the lifecycle checks, and the checks that need a session cannot run.
    HandshakeFailed {
        /// What went wrong.
        error: &'a SessionError,
        /// The end of the target's stderr at that moment (local targets; may be empty).
        stderr_tail: &'a str,
    },
    /// A check is about to run.
    CheckStarted(&'a CheckMeta),
    /// A check finished, was skipped, or does not apply (every planned check gets exactly one).
    CheckFinished(&'a CheckResult),
    /// A stdio target's process died during a check; a fresh one serves the checks that follow.
    TargetRestarted {
        /// The check during which it died.
        after: CheckId,
        /// How the process ended.
        exit_status: &'a str,
    },
    /// A stdio target's process died during a check and a fresh one could not be started: the checks that follow
    /// and need a session cannot run.
    TargetLost {
        /// The check during which it died.
        after: CheckId,
        /// Why no fresh one could be started.
        reason: &'a str,
    },
    /// A signal ended the run: the checks not finished are reported `interrupted`.
    Interrupted {
        /// The signal.
        signal: Signal,
    },
    /// The target (and the services) were stopped.
    TargetStopped,
    /// A load run's live figures (the performance suite), about once a second while it runs.
    LoadProgress(&'a crate::load::LoadProgress),
    /// A load run finished: its measurements, for the report's `performance` section.
    LoadMeasured(&'a crate::report::performance::PerformanceReport),
    /// A line of progress for humans (service start-up, fault repair, …).
    Note(&'a str),
    /// The report is built.
    RunFinished(&'a TestReport),
}

/// Receives events.
pub trait EventSink: Send {
    /// Called for every event, in order.
    fn event(&mut self, event: &Event<'_>);
}

/// Ignores every event.
#[derive(Debug, Default)]
pub struct NullSink;

impl EventSink for NullSink {
    fn event(&mut self, _: &Event<'_>) {}
}

/// Sends every event to two sinks, in order.
pub(crate) struct Tee<'a> {
    pub(crate) first: &'a mut dyn EventSink,
    pub(crate) second: &'a mut dyn EventSink,
}

impl EventSink for Tee<'_> {
    fn event(&mut self, event: &Event<'_>) {
        self.first.event(event);
        self.second.event(event);
    }
}
