//! The run's wire log: every [`Violation`] any session observed, with the check it happened during, and the
//! counts the dedicated checks (`jsonrpc.response-id`, `stdio.stdout-only-messages`, …) need to say what they
//! judged. Shared by all sessions of a run (cheap to clone), bounded.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::violation::{OutputSample, Violation, ViolationKind};

/// Violations kept per kind; the rest are counted.
const KEPT_PER_KIND: usize = 20;

/// A violation and the check that was running when it was observed.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedViolation {
    /// What the target did.
    pub violation: Violation,
    /// The id of the check during which it happened (`None` before the first check: the run's handshake).
    pub during: Option<&'static str>,
}

/// What the run observed so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WireLogSnapshot {
    /// Violations, in order, at most [`KEPT_PER_KIND`] per kind (non-protocol output: one entry per check, its
    /// sample growing).
    pub violations: Vec<LoggedViolation>,
    /// Violations observed, per kind (including the ones not kept).
    pub counts: BTreeMap<ViolationKind, u64>,
    /// Responses to the harness's well-formed requests that carried the request's id and a valid shape.
    pub responses_ok: u64,
    /// JSON-RPC messages read from stdout.
    pub stdout_messages: u64,
    /// Size of the largest message read, in bytes.
    pub largest_message: u64,
    /// Whether any connection of the run was stdio.
    pub saw_stdio: bool,
}

impl WireLogSnapshot {
    /// The logged violations of the given kinds.
    pub fn of(&self, kinds: &[ViolationKind]) -> Vec<&LoggedViolation> {
        self.violations.iter().filter(|v| kinds.contains(&v.violation.kind())).collect()
    }

    /// How many violations of the given kinds were observed.
    pub fn count(&self, kinds: &[ViolationKind]) -> u64 {
        kinds.iter().map(|k| self.counts.get(k).copied().unwrap_or(0)).sum()
    }
}

#[derive(Debug, Default)]
struct State {
    current_check: Option<&'static str>,
    snapshot: WireLogSnapshot,
}

/// A run's wire log (cheap to clone; clones share it).
#[derive(Debug, Clone, Default)]
pub struct WireLog {
    inner: Arc<Mutex<State>>,
}

impl WireLog {
    /// Sets the check that is running (violations observed from now on are attributed to it).
    pub fn set_current_check(&self, check: Option<&'static str>) {
        self.with(|s| s.current_check = check);
    }

    /// Records a violation that a dedicated check judges (others, such as a request refused with HTTP 4xx, are
    /// judged by the check that sent the request alone).
    pub fn violation(&self, violation: &Violation) {
        if violation.check().is_none() {
            return;
        }
        self.with(|s| {
            let kind = violation.kind();
            let during = s.current_check;
            let snap = &mut s.snapshot;
            *snap.counts.entry(kind).or_default() += 1;
            if let Violation::NonProtocolOutput { sample } = violation {
                let existing = snap
                    .violations
                    .iter_mut()
                    .rev()
                    .find(|v| v.during == during && matches!(v.violation, Violation::NonProtocolOutput { .. }));
                if let Some(LoggedViolation { violation: Violation::NonProtocolOutput { sample: kept }, .. }) = existing
                {
                    kept.merge(sample);
                    return;
                }
            }
            let kept = snap.violations.iter().filter(|v| v.violation.kind() == kind).count();
            if kept < KEPT_PER_KIND {
                snap.violations.push(LoggedViolation { violation: violation.clone(), during });
            }
        });
    }

    /// Records one line on stdout that is not JSON.
    pub fn non_protocol_line(&self, line: &str) {
        let mut sample = OutputSample::default();
        sample.push(line);
        self.violation(&Violation::NonProtocolOutput { sample });
    }

    /// Records a message read (its size in bytes; `stdio` when it came on stdout).
    pub fn message(&self, bytes: usize, stdio: bool) {
        self.with(|s| {
            let snap = &mut s.snapshot;
            snap.largest_message = snap.largest_message.max(bytes as u64);
            if stdio {
                snap.stdout_messages += 1;
                snap.saw_stdio = true;
            }
        });
    }

    /// Records a response that matched its request's id and had a valid shape.
    pub fn response_ok(&self) {
        self.with(|s| s.snapshot.responses_ok += 1);
    }

    /// A copy of what was observed.
    pub fn snapshot(&self) -> WireLogSnapshot {
        self.inner.lock().map(|s| s.snapshot.clone()).unwrap_or_default()
    }

    fn with(&self, f: impl FnOnce(&mut State)) {
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn non_protocol_lines_merge_per_check_and_everything_is_bounded() {
        let log = WireLog::default();
        log.set_current_check(Some("a"));
        for _ in 0..1000 {
            log.non_protocol_line("y");
        }
        log.set_current_check(Some("b"));
        log.non_protocol_line("INFO");
        for n in 0..100 {
            log.violation(&Violation::ResponseIdMismatch {
                method: "ping".into(),
                sent: json!(n).to_string(),
                received: json!(null).to_string(),
                response: String::new(),
            });
        }
        let snap = log.snapshot();
        let stdout = snap.of(&[ViolationKind::NonProtocolOutput]);
        assert_eq!(stdout.len(), 2);
        assert_eq!(stdout[0].during, Some("a"));
        let Violation::NonProtocolOutput { sample } = &stdout[0].violation else { panic!() };
        assert_eq!(sample.total_lines, 1000);
        assert_eq!(snap.count(&[ViolationKind::NonProtocolOutput]), 1001);
        assert_eq!(snap.of(&[ViolationKind::ResponseIdMismatch]).len(), KEPT_PER_KIND);
        assert_eq!(snap.count(&[ViolationKind::ResponseIdMismatch]), 100);
    }
}
