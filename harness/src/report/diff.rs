//! `report diff OLD NEW`: what changed between two reports, check by check (matched by suite and id).
//!
//! Each result is ranked by how bad it is: 0 for passed, skipped, not applicable or an expected failure
//! (baseline); 1 for a warning; 2 for failed, error, interrupted or stale. A check whose rank rose to 1 or 2 is
//! **regressed** (a pass that now fails or warns, a warning that now fails, or a check new in NEW that fails or
//! warns: a new failure); one whose rank fell is **fixed**. Checks only in NEW are **new**, only in OLD
//! **removed**; a check whose level (MUST/SHOULD/MAY) or finding severity changed is listed under **changed
//! severities**. The CLI exits 1 when anything regressed, else 0.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::model::{BaselineMark, CheckReport, TestReport};
use crate::check::{Level, Severity, Status, Suite};

/// The differences between two reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportDiff {
    /// Checks that got worse (or are new and fail or warn).
    pub regressed: Vec<OutcomeChange>,
    /// Checks that got better.
    pub fixed: Vec<OutcomeChange>,
    /// Checks only in the new report.
    pub new: Vec<CheckRef>,
    /// Checks only in the old report.
    pub removed: Vec<CheckRef>,
    /// Checks whose level or finding severity changed.
    pub changed_severities: Vec<SeverityChange>,
    /// Checks in both reports with the same outcome.
    pub unchanged: u32,
}

/// A check by suite and id, with its outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRef {
    /// Its suite.
    pub suite: Suite,
    /// Its id.
    pub id: String,
    /// Its outcome (`expected-failure` / `stale-baseline` when a baseline marked it).
    pub outcome: String,
}

/// A check whose outcome changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeChange {
    /// Its suite.
    pub suite: Suite,
    /// Its id.
    pub id: String,
    /// The old outcome, or null for a check new in the new report.
    pub old: Option<String>,
    /// The new outcome.
    pub new: String,
    /// The new reason, if any.
    pub reason: Option<String>,
}

/// A check whose level or finding severity changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeverityChange {
    /// Its suite.
    pub suite: Suite,
    /// Its id.
    pub id: String,
    /// The old level.
    pub old_level: Level,
    /// The new level.
    pub new_level: Level,
    /// The old finding's severity.
    pub old_severity: Option<Severity>,
    /// The new finding's severity.
    pub new_severity: Option<Severity>,
}

impl ReportDiff {
    /// Whether anything regressed (the CLI then exits 1).
    pub fn has_regressions(&self) -> bool {
        !self.regressed.is_empty()
    }
}

/// Compares `old` with `new`.
pub fn diff_reports(old: &TestReport, new: &TestReport) -> ReportDiff {
    let index = |r: &TestReport| -> HashMap<(Suite, String), CheckReport> {
        let mut map = HashMap::new();
        for s in &r.suites {
            for c in &s.checks {
                map.entry((s.name, c.id.clone())).or_insert_with(|| c.clone());
            }
        }
        map
    };
    let old_checks = index(old);
    let mut d = ReportDiff::default();
    let mut seen = std::collections::HashSet::new();
    for suite in &new.suites {
        for c in &suite.checks {
            let key = (suite.name, c.id.clone());
            if !seen.insert(key.clone()) {
                continue;
            }
            let change = |old: Option<&CheckReport>| OutcomeChange {
                suite: suite.name,
                id: c.id.clone(),
                old: old.map(|o| outcome(o).to_owned()),
                new: outcome(c).to_owned(),
                reason: c.reason.clone(),
            };
            match old_checks.get(&key) {
                None => {
                    d.new.push(CheckRef { suite: suite.name, id: c.id.clone(), outcome: outcome(c).to_owned() });
                    if rank(c) > 0 {
                        d.regressed.push(change(None));
                    }
                }
                Some(o) => {
                    if rank(c) > rank(o) {
                        d.regressed.push(change(Some(o)));
                    } else if rank(c) < rank(o) {
                        d.fixed.push(change(Some(o)));
                    } else if outcome(c) == outcome(o) {
                        d.unchanged += 1;
                    }
                    let severity = |x: &CheckReport| x.finding.as_ref().map(|f| f.severity);
                    if o.level != c.level || severity(o) != severity(c) {
                        d.changed_severities.push(SeverityChange {
                            suite: suite.name,
                            id: c.id.clone(),
                            old_level: o.level,
                            new_level: c.level,
                            old_severity: severity(o),
                            new_severity: severity(c),
                        });
                    }
                }
            }
        }
    }
    for suite in &old.suites {
        for c in &suite.checks {
            if !seen.contains(&(suite.name, c.id.clone())) {
                seen.insert((suite.name, c.id.clone()));
                d.removed.push(CheckRef { suite: suite.name, id: c.id.clone(), outcome: outcome(c).to_owned() });
            }
        }
    }
    d
}

/// The diff as a human table (one line per check, grouped), ending with a count line.
pub fn render_diff(d: &ReportDiff) -> String {
    let mut out = String::new();
    let shown = |s: &str| super::printable(s).replace('\n', " ");
    let changes = |out: &mut String, title: &str, list: &[OutcomeChange]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "{title} ({}):", list.len());
        for c in list {
            let _ = writeln!(
                out,
                "  {:<12} {:<48} {:>16} -> {:<16} {}",
                c.suite.as_str(),
                shown(&c.id),
                c.old.as_deref().unwrap_or("(new)"),
                c.new,
                shown(c.reason.as_deref().unwrap_or(""))
            );
        }
    };
    changes(&mut out, "Regressed", &d.regressed);
    changes(&mut out, "Fixed", &d.fixed);
    for (title, list) in [("New checks", &d.new), ("Removed checks", &d.removed)] {
        if !list.is_empty() {
            let _ = writeln!(out, "{title} ({}):", list.len());
            for c in list {
                let _ = writeln!(out, "  {:<12} {:<48} {}", c.suite.as_str(), shown(&c.id), c.outcome);
            }
        }
    }
    if !d.changed_severities.is_empty() {
        let _ = writeln!(out, "Changed severities ({}):", d.changed_severities.len());
        let sev = |s: Option<Severity>| s.map_or("-", Severity::as_str);
        for c in &d.changed_severities {
            let _ = writeln!(
                out,
                "  {:<12} {:<48} {} -> {}, finding {} -> {}",
                c.suite.as_str(),
                shown(&c.id),
                c.old_level,
                c.new_level,
                sev(c.old_severity),
                sev(c.new_severity)
            );
        }
    }
    let _ = writeln!(
        out,
        "Diff: {} regressed, {} fixed, {} new, {} removed, {} changed severities, {} unchanged",
        d.regressed.len(),
        d.fixed.len(),
        d.new.len(),
        d.removed.len(),
        d.changed_severities.len(),
        d.unchanged
    );
    out
}

fn outcome(c: &CheckReport) -> &'static str {
    match c.baseline {
        Some(BaselineMark::ExpectedFailure) => "expected-failure",
        Some(BaselineMark::Stale) => "stale-baseline",
        None => c.outcome.as_str(),
    }
}

fn rank(c: &CheckReport) -> u8 {
    match (c.baseline, c.outcome) {
        (Some(BaselineMark::Stale), _) => 2,
        (Some(BaselineMark::ExpectedFailure), _) => 0,
        (None, Status::Failed | Status::Error | Status::Interrupted) => 2,
        (None, Status::Warning) => 1,
        (None, Status::Passed | Status::Skipped | Status::NotApplicable) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    fn check<'a>(r: &'a mut TestReport, id: &str) -> &'a mut CheckReport {
        r.suites.iter_mut().flat_map(|s| &mut s.checks).find(|c| c.id == id).unwrap()
    }

    #[test]
    fn the_same_report_has_no_differences() {
        let r = sample_report(false);
        let d = diff_reports(&r, &r);
        assert!(!d.has_regressions());
        assert_eq!((d.fixed.len(), d.new.len(), d.removed.len(), d.changed_severities.len()), (0, 0, 0, 0));
        assert_eq!(d.unchanged as usize, r.suites.iter().map(|s| s.checks.len()).sum::<usize>());
    }

    #[test]
    fn regressions_fixes_new_removed_and_severities() {
        let old = sample_report(false);
        let mut new = old.clone();
        check(&mut new, "lifecycle.initialize.version-negotiation").outcome = Status::Warning; // pass → warn: regressed
        check(&mut new, "tools.call.unknown-tool").outcome = Status::Passed; // fail → pass: fixed
        check(&mut new, "resources.read.not-found").level = Level::Should; // severity
        let mut added = check(&mut new, "tools.call.unknown-tool").clone();
        added.id = "tools.call.brand-new".into();
        added.outcome = Status::Failed;
        new.suites[0].checks.push(added); // new failure: regressed and new
        new.suites[0].checks.retain(|c| c.id != "ping.response"); // removed
        let d = diff_reports(&old, &new);
        let ids = |v: &[OutcomeChange]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.regressed), ["lifecycle.initialize.version-negotiation", "tools.call.brand-new"]);
        assert_eq!(d.regressed[1].old, None);
        assert_eq!(ids(&d.fixed), ["tools.call.unknown-tool"]);
        assert_eq!(d.new.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["tools.call.brand-new"]);
        assert_eq!(d.removed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["ping.response"]);
        assert_eq!(d.changed_severities.len(), 1);
        assert!(d.has_regressions());
        let text = render_diff(&d);
        assert!(text.contains("Regressed (2):") && text.contains("passed -> warning"));
        assert!(
            text.ends_with("Diff: 2 regressed, 1 fixed, 1 new, 1 removed, 1 changed severities, 8 unchanged\n"),
            "{text}"
        );
        // The reverse direction: the fix is a regression, and so is the check that errors and is new there.
        let back = diff_reports(&new, &old);
        assert_eq!(ids(&back.regressed), ["tools.call.unknown-tool", "ping.response"]);
        assert_eq!(back.removed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["tools.call.brand-new"]);
    }
}
