//! A security finding: what a failed or warned security check gives people to act on — severity, weakness (CWE),
//! the evidence (the matched span, the request and the answer) and a remediation line. Written into the report
//! beside the outcome and into `report.sarif` for code-scanning tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad a finding is (`../shared/reference/security-checks.md` §2): a broken MUST with a direct exploit is high
/// or critical, a broken SHOULD medium or low, a heuristic hit at most medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: nothing to fix, something to know.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical: direct compromise.
    Critical,
}

impl Severity {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub code scanning's numeric `security-severity` (its bands: critical ≥ 9.0, high 7.0–8.9, medium
    /// 4.0–6.9, low 0.1–3.9).
    pub fn score(self) -> f64 {
        match self {
            Severity::Info => 0.0,
            Severity::Low => 3.0,
            Severity::Medium => 5.5,
            Severity::High => 8.0,
            Severity::Critical => 9.5,
        }
    }
}

/// What was seen, verbatim (bounded): the span that matched, the request that was sent, the answer that came.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The matched text (a pattern hit, a header value, a status line).
    pub matched: Option<String>,
    /// The request (or input) that showed it.
    pub request: Option<String>,
    /// The answer (or output) it showed in.
    pub answer: Option<String>,
}

/// A finding of a security check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// The weakness, as a CWE number (`346` for CWE-346), when one fits.
    pub cwe: Option<u32>,
    /// What was seen.
    pub evidence: Evidence,
    /// What to change, in one line.
    pub remediation: String,
}

/// Longest text kept in one evidence field.
pub const EVIDENCE_MAX: usize = 2000;

impl Finding {
    /// A finding with no evidence yet.
    pub fn new(severity: Severity, cwe: Option<u32>, remediation: impl Into<String>) -> Self {
        Finding { severity, cwe, evidence: Evidence::default(), remediation: remediation.into() }
    }

    /// Adds the matched span (clipped to [`EVIDENCE_MAX`]).
    pub fn matched(mut self, text: impl AsRef<str>) -> Self {
        self.evidence.matched = Some(clip(text.as_ref()));
        self
    }

    /// Adds the request (clipped).
    pub fn request(mut self, text: impl AsRef<str>) -> Self {
        self.evidence.request = Some(clip(text.as_ref()));
        self
    }

    /// Adds the answer (clipped).
    pub fn answer(mut self, text: impl AsRef<str>) -> Self {
        self.evidence.answer = Some(clip(text.as_ref()));
        self
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() <= EVIDENCE_MAX { s.to_owned() } else { s.chars().take(EVIDENCE_MAX).chain(['…']).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_score_in_githubs_bands() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert!(Severity::Critical.score() >= 9.0);
        assert!((7.0..9.0).contains(&Severity::High.score()));
        assert!((4.0..7.0).contains(&Severity::Medium.score()));
        assert!((0.1..4.0).contains(&Severity::Low.score()));
    }

    #[test]
    fn evidence_is_bounded() {
        let f = Finding::new(Severity::High, Some(346), "validate Origin").matched("x".repeat(10_000));
        assert_eq!(f.evidence.matched.unwrap().chars().count(), EVIDENCE_MAX + 1);
    }
}
