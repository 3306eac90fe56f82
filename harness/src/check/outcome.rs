//! What a check concluded.

use serde::{Deserialize, Serialize};

use super::meta::Level;
use crate::session::{Blocker, BlockerKind, SessionError, Violation, ViolationKind};

/// The outcome vocabulary. `Error`, `Skipped`, `NotApplicable` and `Interrupted` mean "not tested" and are never a
/// verdict on the server; `NotApplicable` checks are also kept out of the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The requirement is met.
    Passed,
    /// A MUST requirement is violated.
    Failed,
    /// A SHOULD (or MAY) requirement is not met.
    Warning,
    /// The check does not apply (with the reason why).
    Skipped,
    /// The harness could not evaluate the check (with the reason why).
    Error,
    /// The check does not apply to this target's transport or negotiated revision: not counted in the totals (as a
    /// test filtered out).
    NotApplicable,
    /// The run was interrupted (SIGINT, SIGTERM) before the check finished.
    Interrupted,
}

impl Status {
    /// Lower-case name as used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Warning => "warning",
            Status::Skipped => "skipped",
            Status::Error => "error",
            Status::NotApplicable => "not-applicable",
            Status::Interrupted => "interrupted",
        }
    }

    /// Whether the check's requirement was exercised: passed, failed or warned.
    pub fn evaluated(self) -> bool {
        matches!(self, Status::Passed | Status::Failed | Status::Warning)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Why a check was skipped (or is not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SkipReason {
    /// Not applicable to this target (transport, era, revision window).
    NotApplicable,
    /// The server does not advertise the feature the check tests.
    CapabilityNotAdvertised,
    /// The check needs an opt-in the run was not given (`--call-tools`, `--danger-intrusive`).
    OptInRequired,
    /// The server offers nothing the check could exercise (no tools, no resources, …).
    NothingToTest,
    /// Backing services the check needs are unavailable.
    ServicesUnavailable,
    /// Not run: `--fail-fast` ended the run at an earlier failure.
    FailFast,
}

impl SkipReason {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NotApplicable => "not-applicable",
            SkipReason::CapabilityNotAdvertised => "capability-not-advertised",
            SkipReason::OptInRequired => "opt-in-required",
            SkipReason::NothingToTest => "nothing-to-test",
            SkipReason::ServicesUnavailable => "services-unavailable",
            SkipReason::FailFast => "fail-fast",
        }
    }
}

/// A requirement a failure names when it is not the check's own: a violation the session observed (a mislabelled
/// id, a crash, …) breaks its own rule, whatever the check that sent the request tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenRule {
    /// The requirement-catalog id.
    pub requirement: &'static str,
    /// Its level, which decides failed versus warning instead of the check's.
    pub level: Level,
}

/// What a check concluded, with the evidence for it.
///
/// Checks report violations with [`Outcome::violated`]; the runner turns that into `failed` or `warning` from the
/// check's level, so a check function never decides severity itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The status. `Failed` here means "violated"; the runner downgrades it to `Warning` for SHOULD checks.
    pub status: Status,
    /// One line saying why (required for everything but `Passed`).
    pub reason: Option<String>,
    /// For skips: the kind of reason.
    pub skip: Option<SkipReason>,
    /// What a correct server does, in the check's words.
    pub expected: Option<String>,
    /// What this server did.
    pub observed: Option<String>,
    /// The rule broken, when it is not the check's own (see [`BrokenRule`]).
    pub broken: Option<BrokenRule>,
    /// The kind of wire violation behind a failure, when a session observed one.
    pub violation: Option<ViolationKind>,
    /// The kind of "could not test" behind an error.
    pub blocker: Option<BlockerKind>,
    /// What a check of a data-driven suite did step by step (boxed: most outcomes have none).
    pub details: Option<Box<crate::report::model::CheckDetails>>,
    /// A security check's finding: severity, CWE, evidence, remediation (boxed: most outcomes have none).
    pub finding: Option<Box<super::Finding>>,
}

impl Outcome {
    /// The requirement is met.
    pub fn pass() -> Self {
        Outcome {
            status: Status::Passed,
            reason: None,
            skip: None,
            expected: None,
            observed: None,
            broken: None,
            violation: None,
            blocker: None,
            details: None,
            finding: None,
        }
    }

    /// Adds a security finding (to a failure or warning).
    pub fn with_finding(mut self, finding: super::Finding) -> Self {
        self.finding = Some(Box::new(finding));
        self
    }

    /// Adds the step-by-step detail of a data-driven check.
    pub fn with_details(mut self, details: crate::report::model::CheckDetails) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// The requirement is met, with a note on what was seen.
    pub fn pass_with(observed: impl Into<String>) -> Self {
        Outcome { observed: Some(observed.into()), ..Outcome::pass() }
    }

    /// The requirement is violated: `expected` is what a correct server does, `observed` what this one did.
    pub fn violated(expected: impl Into<String>, observed: impl Into<String>) -> Self {
        let observed = observed.into();
        Outcome {
            status: Status::Failed,
            reason: Some(first_line(&observed)),
            expected: Some(expected.into()),
            observed: Some(observed),
            ..Outcome::pass()
        }
    }

    /// Names `requirement`, of `level`, as the rule this violation breaks when it is not the check's own (a check
    /// whose MUST is a reply can find a keyword-less convention broken too: a warning).
    pub fn breaking(mut self, requirement: &'static str, level: Level) -> Self {
        self.broken = Some(BrokenRule { requirement, level });
        self
    }

    /// The target misbehaved on the wire while the check waited for an answer: the check fails with the evidence,
    /// naming the rule the violation breaks (or, for a refusal, the check's own rule). `expected` is what the check
    /// wanted instead.
    pub fn misbehaved(violation: &Violation, expected: impl Into<String>) -> Self {
        Outcome {
            broken: violation.requirement().map(|requirement| BrokenRule { requirement, level: Level::Must }),
            violation: Some(violation.kind()),
            ..Outcome::violated(expected, violation.evidence())
        }
    }

    /// The harness could not test: an `error` with the blocker as its reason.
    pub fn blocked(blocker: &Blocker) -> Self {
        Outcome { blocker: Some(blocker.kind()), ..Outcome::error(format!("could not test: {blocker}")) }
    }

    /// The one conversion of a session's failure into an outcome, with the check's own expectation: a violation
    /// fails the check ([`Outcome::misbehaved`]), a blocker is an error ([`Outcome::blocked`]), a failed handshake
    /// means the check could not run.
    pub fn from_session(e: SessionError, expected: impl Into<String>) -> Self {
        match e {
            SessionError::Misbehaved(v) => Outcome::misbehaved(&v, expected),
            SessionError::Blocked(b) => Outcome::blocked(&b),
            SessionError::Handshake(why) => Outcome::error(format!("could not run: the handshake failed: {why}")),
        }
    }

    /// The check does not apply.
    pub fn skip(kind: SkipReason, reason: impl Into<String>) -> Self {
        Outcome { status: Status::Skipped, reason: Some(reason.into()), skip: Some(kind), ..Outcome::pass() }
    }

    /// The check does not apply to this target's transport or revision (kept out of the totals).
    pub fn not_applicable(reason: impl Into<String>) -> Self {
        Outcome {
            status: Status::NotApplicable,
            reason: Some(reason.into()),
            skip: Some(SkipReason::NotApplicable),
            ..Outcome::pass()
        }
    }

    /// The run was interrupted before the check finished.
    pub fn interrupted(reason: impl Into<String>) -> Self {
        Outcome { status: Status::Interrupted, reason: Some(reason.into()), ..Outcome::pass() }
    }

    /// The harness could not evaluate the check (target unreachable, timed out, spoke garbage before the check
    /// could start).
    pub fn error(reason: impl Into<String>) -> Self {
        Outcome { status: Status::Error, reason: Some(reason.into()), ..Outcome::pass() }
    }

    /// Sets the expectation text.
    pub fn expecting(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Whether the check's requirement was actually exercised (passed, failed or warned).
    pub fn evaluated(&self) -> bool {
        self.status.evaluated()
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violated_takes_its_reason_from_the_first_observed_line() {
        let o = Outcome::violated("code -32601", "code -32600\nmore detail");
        assert_eq!(o.status, Status::Failed);
        assert_eq!(o.reason.as_deref(), Some("code -32600"));
        assert!(o.evaluated());
        assert!(!Outcome::error("x").evaluated());
        assert!(!Outcome::skip(SkipReason::NotApplicable, "x").evaluated());
    }
}
