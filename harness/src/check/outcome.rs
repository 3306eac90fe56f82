//! What a check concluded.

use serde::Serialize;

/// The outcome vocabulary. `Error` and `Skipped` mean "could not test" and are never a verdict on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
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
        }
    }
}

/// Why a check was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
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
}

impl Outcome {
    /// The requirement is met.
    pub fn pass() -> Self {
        Outcome { status: Status::Passed, reason: None, skip: None, expected: None, observed: None }
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
            skip: None,
            expected: Some(expected.into()),
            observed: Some(observed),
        }
    }

    /// The check does not apply.
    pub fn skip(kind: SkipReason, reason: impl Into<String>) -> Self {
        Outcome { status: Status::Skipped, reason: Some(reason.into()), skip: Some(kind), expected: None, observed: None }
    }

    /// The harness could not evaluate the check (target unreachable, timed out, spoke garbage before the check
    /// could start).
    pub fn error(reason: impl Into<String>) -> Self {
        Outcome { status: Status::Error, reason: Some(reason.into()), skip: None, expected: None, observed: None }
    }

    /// Sets the expectation text.
    pub fn expecting(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Whether the check's requirement was actually exercised (passed, failed or warned).
    pub fn evaluated(&self) -> bool {
        matches!(self.status, Status::Passed | Status::Failed | Status::Warning)
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > 300 { format!("{}…", line.chars().take(300).collect::<String>()) } else { line.to_owned() }
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
