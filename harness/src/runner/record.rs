//! Aggregation as an event consumer: the [`RunRecorder`] listens to a run's events and keeps what the report is
//! built from; [`RunRecorder::finish`] hands that to [`crate::report::build_report`], the one place that decides
//! counts, verdict and exit code.

use time::OffsetDateTime;

use super::config::RunConfig;
use super::events::{Event, EventSink};
use super::interrupt::Signal;
use crate::protocol::{Revision, RevisionChoice};
use crate::report::model::{CapturedText, ProtocolInfo, TargetInfo};
use crate::report::performance::PerformanceReport;
use crate::report::{CheckResult, RunRecord, TestReport, build_report, revision_catalog};
use crate::session::SessionError;

/// Builds a run's record from its events.
#[derive(Debug)]
pub struct RunRecorder {
    record: RunRecord,
    fallback_revision: Revision,
    negotiated: Option<Revision>,
    /// Whether the run began with the unit suite's discovery (it then started there).
    discovered: bool,
}

impl RunRecorder {
    /// A recorder for a run of `config`.
    pub fn new(config: &RunConfig) -> Self {
        let now = OffsetDateTime::now_utc();
        let fallback_revision = match config.protocol {
            RevisionChoice::Exact(r) => r,
            RevisionChoice::Auto => Revision::LATEST_STATEFUL,
        };
        RunRecorder {
            record: RunRecord {
                started_at: now,
                finished_at: now,
                target: TargetInfo {
                    kind: config.target.kind(),
                    transport: config.target.transport(),
                    description: config.target.describe(),
                    server_info: None,
                    services: Vec::new(),
                    connection: config.target.connection_notes(),
                },
                protocol: ProtocolInfo { requested: config.protocol.to_string(), negotiated: None, era: None },
                coverage_revision: fallback_revision,
                results: Vec::new(),
                could_not_test: None,
                interrupted: None,
                target_stderr: None,
                code_coverage: config.code_coverage.clone(),
                baseline: config.baseline.clone(),
                performance: None,
            },
            fallback_revision,
            negotiated: None,
            discovered: false,
        }
    }

    /// Keeps the target's stderr (bounded), for local targets.
    pub(crate) fn set_target_stderr(&mut self, stderr: CapturedText) {
        self.record.target_stderr = Some(stderr);
    }

    /// The record so far.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// Builds the report.
    pub fn finish(mut self) -> TestReport {
        self.record.finished_at = OffsetDateTime::now_utc();
        self.record.coverage_revision = self.negotiated.unwrap_or(self.fallback_revision);
        build_report(&self.record, revision_catalog(self.record.coverage_revision))
    }

    fn could_not_test(&mut self, why: String) {
        self.record.could_not_test.get_or_insert(why);
    }
}

impl EventSink for RunRecorder {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Discovering { .. } => {
                self.discovered = true;
                self.record.started_at = OffsetDateTime::now_utc();
            }
            // A run with the unit suite started when its discovery did.
            Event::RunStarted { .. } if !self.discovered => self.record.started_at = OffsetDateTime::now_utc(),
            Event::RunStarted { .. } => {}
            Event::ServicesProvided { notes } => self.record.target.services = notes.to_vec(),
            Event::ServicesUnavailable { problem, required } => {
                self.record.target.services = vec![(*problem).to_owned()];
                if *required {
                    self.could_not_test(format!("{problem} (required by --require-services)"));
                }
            }
            Event::TargetLaunched { description } => self.record.target.description = (*description).to_owned(),
            Event::TargetLaunchFailed { reason } => {
                self.could_not_test(format!("could not start the target: {reason}"))
            }
            Event::HandshakeCompleted { profile } => {
                self.negotiated = Some(profile.revision);
                self.record.protocol.negotiated = Some(profile.revision.as_str().to_owned());
                self.record.protocol.era = Some(profile.revision.era());
                self.record.target.server_info = Some(profile.server_info.clone()).filter(|v| !v.is_null());
            }
            Event::HandshakeFailed { error: SessionError::Blocked(b), .. } => self.could_not_test(b.to_string()),
            Event::HandshakeFailed { .. } => {}
            Event::CheckFinished(result) => self.record.results.push(CheckResult::clone(result)),
            Event::Interrupted { signal } => self.record.interrupted = Some(*signal),
            Event::LoadMeasured(measured) => self.record.performance = Some(PerformanceReport::clone(measured)),
            _ => {}
        }
    }
}

/// The exit code a signal asks for: 128 + its number.
pub(crate) fn signal_exit(signal: Signal) -> i32 {
    128 + signal.number()
}
