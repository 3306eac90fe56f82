//! Events the runner emits; reporters (progress bar, bridges) only consume them.

use crate::check::CheckMeta;
use crate::report::{CheckResult, TestReport};

/// Something that happened during a run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The plan is made: `total` checks will be reported.
    RunStarted {
        /// Number of checks in the plan.
        total: usize,
        /// The target, described.
        target: &'a str,
    },
    /// Progress note (target launched, handshake done, …).
    Note(&'a str),
    /// A check is about to run.
    CheckStarted(&'a CheckMeta),
    /// A check finished (or was skipped at planning).
    CheckFinished(&'a CheckResult),
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
