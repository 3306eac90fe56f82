//! `report merge`: several reports (shards of one run, or runs against several targets) joined into one.
//!
//! Checks are concatenated suite by suite, in input order. The same check id (in the same suite) from two reports
//! of the same target is a conflict unless both results are identical apart from timing (duration, wire
//! timestamps), in which case it is kept once. The summary, verdict and exit code are then judged anew from the
//! merged checks by the aggregation rules ([`super::rejudge`]), never summed; requirement coverage is merged
//! (a requirement is covered when any report covered it) when every report used the same catalog. A report that
//! could not test at all (exit 3 before any check) makes the merged report "could not test" too.

use std::collections::HashMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::aggregate::{merge_requirement_coverage, rejudge, run_could_not_test};
use super::model::{
    BaselineInfo, CheckReport, CodeCoverage, Coverage, HarnessInfo, ProtocolInfo, SCHEMA_VERSION, SuiteReport,
    TargetInfo, TestReport,
};
use crate::check::Suite;

/// Reports that cannot be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no reports to merge")]
    Empty,
    /// Two reports of one target hold different results for one check.
    #[error("check `{id}` ({suite}) of target `{target}` differs between {first} and {second}")]
    Conflict {
        /// The check.
        id: String,
        /// Its suite.
        suite: Suite,
        /// The target.
        target: String,
        /// The first report's label.
        first: String,
        /// The second report's label.
        second: String,
    },
}

/// A merged report and what the merge had to simplify.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged report.
    pub report: TestReport,
    /// What a reader should know (duplicates dropped, coverage not merged, …).
    pub notes: Vec<String>,
}

/// Merges `reports` (each with a label, usually its file name) into one.
pub fn merge_reports(reports: &[(String, TestReport)]) -> Result<Merged, MergeError> {
    let ((_, first), _) = reports.split_first().ok_or(MergeError::Empty)?;
    let mut notes = Vec::new();
    // (target, suite, id) → (report label, check)
    let mut seen: HashMap<(String, Suite, String), (String, CheckReport)> = HashMap::new();
    let mut suites: Vec<SuiteReport> = Vec::new();
    for (label, report) in reports {
        for suite in &report.suites {
            for check in &suite.checks {
                let key = (report.target.description.clone(), suite.name, check.id.clone());
                if let Some((first_label, earlier)) = seen.get(&key) {
                    if timeless(earlier) == timeless(check) {
                        notes.push(format!(
                            "`{}` is in {first_label} and {label} with the same result: kept once",
                            check.id
                        ));
                        continue;
                    }
                    return Err(MergeError::Conflict {
                        id: check.id.clone(),
                        suite: suite.name,
                        target: report.target.description.clone(),
                        first: first_label.clone(),
                        second: label.clone(),
                    });
                }
                seen.insert(key, (label.clone(), check.clone()));
                match suites.iter_mut().find(|s| s.name == suite.name) {
                    Some(s) => s.checks.push(check.clone()),
                    None => suites.push(SuiteReport { name: suite.name, checks: vec![check.clone()] }),
                }
            }
        }
    }
    suites.sort_by_key(|s| Suite::ALL.iter().position(|x| *x == s.name));

    let all: Vec<&TestReport> = reports.iter().map(|(_, r)| r).collect();
    let (started, finished) = span(&all);
    let requirements: Vec<_> = all.iter().map(|r| &r.coverage.requirements).collect();
    let requirement_coverage = merge_requirement_coverage(&requirements).unwrap_or_else(|| {
        notes.push("the reports' requirement catalogs differ: coverage is the first report's".to_owned());
        first.coverage.requirements.clone()
    });
    let integrations: Vec<_> = all.iter().filter_map(|r| r.coverage.integration.as_ref()).collect();
    let integration = merge_requirement_coverage(&integrations).or_else(|| integrations.first().map(|c| (*c).clone()));
    let code = all
        .iter()
        .map(|r| &r.coverage.code)
        .find(|c| matches!(c, CodeCoverage::Measured { .. }))
        .unwrap_or(&first.coverage.code)
        .clone();
    let performances = all.iter().filter(|r| r.performance.is_some()).count();
    if performances > 1 {
        notes.push(format!("{performances} reports measured performance: the first one's is kept"));
    }
    let could_not_test: Vec<String> =
        reports.iter().filter_map(|(label, r)| run_could_not_test(r).map(|why| format!("{label}: {why}"))).collect();

    let mut merged = TestReport {
        schema_version: SCHEMA_VERSION.to_owned(),
        harness: HarnessInfo { name: "mcp-harness".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
        target: merged_target(&all),
        protocol: merged_protocol(&all),
        started_at: started.map_or_else(|| first.started_at.clone(), rfc3339),
        finished_at: finished.map_or_else(|| first.finished_at.clone(), rfc3339),
        duration_ms: match (started, finished) {
            (Some(s), Some(f)) => u64::try_from((f - s).whole_milliseconds().max(0)).unwrap_or(u64::MAX),
            _ => all.iter().map(|r| r.duration_ms).max().unwrap_or(0),
        },
        summary: first.summary,
        verdict: first.verdict,
        exit: first.exit.clone(),
        interrupted: all.iter().find_map(|r| r.interrupted),
        suites,
        coverage: Coverage { requirements: requirement_coverage, integration, code },
        target_stderr: all.iter().find_map(|r| r.target_stderr.clone()).filter(|_| single(&all, |r| &r.target)),
        baseline: merged_baseline(&all),
        performance: all.iter().find_map(|r| r.performance.clone()),
        warnings_as_errors: all.iter().any(|r| r.warnings_as_errors),
    };
    let could_not_test = (!could_not_test.is_empty()).then(|| could_not_test.join("; "));
    rejudge(&mut merged, could_not_test.as_deref());
    Ok(Merged { report: merged, notes })
}

/// A check without its timing, for comparing two shards' results.
fn timeless(c: &CheckReport) -> CheckReport {
    let mut c = c.clone();
    c.duration_ms = 0.0;
    for w in &mut c.wire {
        w.at_ms = 0.0;
    }
    c
}

fn single<T: PartialEq>(all: &[&TestReport], field: impl Fn(&TestReport) -> &T) -> bool {
    all.iter().all(|r| field(r) == field(all[0]))
}

fn merged_target(all: &[&TestReport]) -> TargetInfo {
    if single(all, |r| &r.target) {
        return all[0].target.clone();
    }
    let mut descriptions: Vec<&str> = Vec::new();
    let mut services: Vec<String> = Vec::new();
    let mut connection: Vec<String> = Vec::new();
    for r in all {
        connection.extend(r.target.connection.iter().filter(|c| !connection.contains(c)).cloned().collect::<Vec<_>>());
        if !descriptions.contains(&r.target.description.as_str()) {
            descriptions.push(&r.target.description);
        }
        services.extend(r.target.services.iter().filter(|s| !services.contains(s)).cloned().collect::<Vec<_>>());
    }
    TargetInfo {
        kind: all[0].target.kind,
        transport: all[0].target.transport,
        description: descriptions.join("; "),
        server_info: single(all, |r| &r.target.server_info).then(|| all[0].target.server_info.clone()).flatten(),
        services,
        connection,
    }
}

fn merged_protocol(all: &[&TestReport]) -> ProtocolInfo {
    if single(all, |r| &r.protocol) {
        return all[0].protocol.clone();
    }
    let mut requested: Vec<&str> = Vec::new();
    for r in all {
        if !requested.contains(&r.protocol.requested.as_str()) {
            requested.push(&r.protocol.requested);
        }
    }
    ProtocolInfo {
        requested: requested.join(", "),
        negotiated: single(all, |r| &r.protocol.negotiated).then(|| all[0].protocol.negotiated.clone()).flatten(),
        era: single(all, |r| &r.protocol.era).then_some(all[0].protocol.era).flatten(),
    }
}

/// The baselines' file (the first's), the most entries and matches any report saw, and every stale entry any
/// report found (each check keeps its own mark).
fn merged_baseline(all: &[&TestReport]) -> Option<BaselineInfo> {
    let baselines: Vec<&BaselineInfo> = all.iter().filter_map(|r| r.baseline.as_ref()).collect();
    let first = baselines.first()?;
    let mut stale: Vec<String> = Vec::new();
    for b in &baselines {
        stale.extend(b.stale_entries.iter().filter(|e| !stale.contains(e)).cloned().collect::<Vec<_>>());
    }
    Some(BaselineInfo {
        file: first.file.clone(),
        entries: baselines.iter().map(|b| b.entries).max().unwrap_or(0),
        matched: baselines.iter().map(|b| b.matched).max().unwrap_or(0),
        stale_entries: stale,
    })
}

fn span(all: &[&TestReport]) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let parse = |t: &str| OffsetDateTime::parse(t, &Rfc3339).ok();
    (all.iter().filter_map(|r| parse(&r.started_at)).min(), all.iter().filter_map(|r| parse(&r.finished_at)).max())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExitCode;
    use crate::check::Status;
    use crate::report::model::Verdict;
    use crate::report::test_support::sample_report;

    /// The sample report split into two shards: checks alternate between them.
    fn shards() -> (TestReport, TestReport, TestReport) {
        let whole = sample_report(false);
        let mut a = whole.clone();
        let mut b = whole.clone();
        for (i, suite) in whole.suites.iter().enumerate() {
            a.suites[i].checks = suite.checks.iter().step_by(2).cloned().collect();
            b.suites[i].checks = suite.checks.iter().skip(1).step_by(2).cloned().collect();
        }
        rejudge(&mut a, None);
        rejudge(&mut b, None);
        (whole, a, b)
    }

    #[test]
    fn shards_merge_back_into_the_whole_run() {
        let (whole, a, b) = shards();
        let merged = merge_reports(&[("a.json".into(), a.clone()), ("b.json".into(), b.clone())]).unwrap();
        assert_eq!(merged.report.summary, whole.summary, "recounted from the checks");
        assert_eq!(merged.report.verdict, whole.verdict);
        assert_eq!(merged.report.exit.code, whole.exit.code);
        let ids = |r: &TestReport| {
            let mut v: Vec<String> = r.suites.iter().flat_map(|s| &s.checks).map(|c| c.id.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(ids(&merged.report), ids(&whole));
        // Not summed: a shard's verdict alone may differ from the merged one.
        assert_eq!(a.summary.total + b.summary.total, merged.report.summary.total);
    }

    #[test]
    fn a_passing_and_a_failing_shard_fail_together() {
        let (_, mut a, mut b) = shards();
        for c in a.suites.iter_mut().flat_map(|s| &mut s.checks) {
            c.outcome = Status::Passed;
            c.baseline = None;
        }
        a.baseline = None;
        rejudge(&mut a, None);
        assert_eq!(a.verdict, Verdict::Passed);
        for c in b.suites.iter_mut().flat_map(|s| &mut s.checks) {
            c.baseline = None;
        }
        b.baseline = None;
        rejudge(&mut b, None);
        let merged = merge_reports(&[("a".into(), a), ("b".into(), b)]).unwrap().report;
        assert_eq!((merged.verdict, merged.exit.code), (Verdict::Failed, ExitCode::Failed));
    }

    #[test]
    fn the_same_check_twice_is_kept_once_when_identical_and_refused_when_not() {
        let (_, a, _) = shards();
        let mut again = a.clone();
        for c in again.suites.iter_mut().flat_map(|s| &mut s.checks) {
            c.duration_ms += 5.0;
        }
        let merged = merge_reports(&[("a".into(), a.clone()), ("again".into(), again.clone())]).unwrap();
        assert_eq!(merged.report.summary, a.summary);
        assert!(!merged.notes.is_empty());
        again.suites[0].checks[0].outcome = Status::Failed;
        again.suites[0].checks[0].reason = Some("different".into());
        let err = merge_reports(&[("a".into(), a.clone()), ("again".into(), again)]).unwrap_err();
        assert!(matches!(err, MergeError::Conflict { .. }), "{err}");
        // Another target may run the same check.
        let mut other = a.clone();
        other.target.description = "http://127.0.0.1:9/mcp".into();
        let merged = merge_reports(&[("a".into(), a.clone()), ("other".into(), other)]).unwrap().report;
        assert_eq!(merged.summary.total, 2 * a.summary.total);
        assert!(merged.target.description.contains("; http://127.0.0.1:9/mcp"));
        assert!(matches!(merge_reports(&[]), Err(MergeError::Empty)));
    }

    #[test]
    fn coverage_is_the_union_of_covered_requirements() {
        let (whole, mut a, mut b) = shards();
        let all = whole.coverage.requirements.clone();
        a.coverage.requirements.uncovered = all.uncovered.iter().cloned().chain(["x.one".to_owned()]).collect();
        b.coverage.requirements.uncovered = all.uncovered.iter().cloned().chain(["x.two".to_owned()]).collect();
        let merged = merge_reports(&[("a".into(), a), ("b".into(), b)]).unwrap().report;
        assert_eq!(merged.coverage.requirements.uncovered, all.uncovered);
        assert_eq!(merged.coverage.requirements.covered, all.covered);
    }

    #[test]
    fn a_shard_that_could_not_test_makes_the_merge_could_not_test() {
        let (_, a, mut b) = shards();
        b.suites.clear();
        b.exit = crate::report::model::ExitInfo {
            code: ExitCode::CouldNotTest,
            reason: "could not test: could not start the target: no such file".into(),
        };
        let merged = merge_reports(&[("a".into(), a), ("b.json".into(), b)]).unwrap().report;
        assert_eq!(merged.exit.code, ExitCode::CouldNotTest);
        assert!(merged.exit.reason.contains("b.json: could not start the target"), "{}", merged.exit.reason);
    }
}
