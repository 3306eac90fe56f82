//! Aggregation: the one place that turns a run's results into counts, a verdict, an exit code and coverage.
//! Reporters only render what this decides.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::catalog::{Catalog, cite};
use super::model::{
    BaselineInfo, BaselineMark, CheckReport, CodeCoverage, Coverage, CoverageCount, ExitInfo, HarnessInfo,
    RequirementCoverage, RuleReport, SCHEMA_VERSION, SpecRefReport, SuiteReport, Summary, TestReport, Verdict,
};
use super::{CheckResult, RunRecord};
use crate::ExitCode;
use crate::baseline::Mark;
use crate::check::{CheckMeta, Level, Status, Suite};
use crate::protocol::Revision;

/// Builds the report of a finished run.
///
/// `catalog` is the requirement catalog coverage is computed against; callers pass
/// `revision_catalog(run.coverage_revision)` (tests pass their own). Quotes and links come from the catalogs of
/// `mcp-harness-suites`, looked up by requirement id for the negotiated revision ([`cite`]): a check's `specRef`
/// is its primary requirement, a failure's `brokenRule` the requirement its violation breaks.
///
/// Decisions, in order:
/// - **baseline** (when `run.baseline` is set): each result is judged against it ([`crate::baseline`]); a failed or
///   warned check it lists becomes an expected failure, a passing check listed by a stale entry becomes stale
///   (with the reason "listed in baseline but passed: remove it"); the summary counts each check once, expected
///   failures and stale checks in their own counts.
/// - **exit code**: 3 (could not test) when `run.could_not_test` is set, or when results exist, at least one is an
///   error and every one is an error or a skip (nothing could be evaluated); 4 (no checks) when there are no
///   results; 1 when any check failed (unlisted), errored, or is stale; else 0 (expected failures allowed).
/// - **verdict**: `failed` if any check failed (unlisted), errored or is stale (or the run could not test at all),
///   else `warning` if any warned (unlisted), else `passed`. With `warnings_as_errors` ([`apply_warnings_as_errors`])
///   an unlisted warning fails the run like a failure (verdict `failed`, exit 1).
/// - **requirement coverage**: a catalog requirement is covered when its id is among the `requirements` of at least
///   one result that was evaluated (passed, failed or warned); skips and errors cover nothing.
pub fn build_report(run: &RunRecord, catalog: &Catalog) -> TestReport {
    let judgement = run.baseline.as_ref().map(|b| {
        let statuses: Vec<(&str, Status)> =
            run.results.iter().map(|r| (r.meta.id.as_str(), r.outcome.status)).collect();
        b.judge(&statuses)
    });
    let marks: Vec<Option<Mark>> = match &judgement {
        Some(j) => j.marks.clone(),
        None => vec![None; run.results.len()],
    };
    let summary = summarize(&run.results, &marks);
    let stale_entries = judgement.as_ref().map_or(&[][..], |j| j.stale_entries.as_slice());
    let (verdict, exit) = judge(&summary, run.interrupted, run.could_not_test.as_deref(), stale_entries, false);
    let spec_revision =
        run.protocol.negotiated.as_deref().and_then(|s| s.parse::<Revision>().ok()).unwrap_or(run.coverage_revision);
    let suites = Suite::ALL
        .into_iter()
        .filter_map(|suite| {
            let checks: Vec<CheckReport> = run
                .results
                .iter()
                .zip(&marks)
                .filter(|(r, _)| r.meta.suite == suite)
                .map(|(r, mark)| check_report(r, *mark, spec_revision))
                .collect();
            (!checks.is_empty()).then_some(SuiteReport { name: suite, checks })
        })
        .collect();
    let duration_ms = (run.finished_at - run.started_at).whole_milliseconds().max(0);
    TestReport {
        schema_version: SCHEMA_VERSION.to_owned(),
        harness: HarnessInfo { name: "mcp-harness".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
        target: run.target.clone(),
        protocol: run.protocol.clone(),
        started_at: rfc3339(run.started_at),
        finished_at: rfc3339(run.finished_at),
        duration_ms: u64::try_from(duration_ms).unwrap_or(u64::MAX),
        summary,
        verdict,
        exit,
        interrupted: run.interrupted,
        suites,
        coverage: Coverage {
            requirements: requirement_coverage(&run.results, catalog),
            integration: integration_coverage(&run.results),
            code: run
                .code_coverage
                .clone()
                .unwrap_or_else(|| CodeCoverage::NotMeasured { reason: "no --coverage-json given".to_owned() }),
        },
        target_stderr: run.target_stderr.clone(),
        baseline: run.baseline.as_ref().zip(judgement).map(|(b, j)| BaselineInfo {
            file: b.source().to_owned(),
            entries: count(b.entries().len()),
            matched: count(j.matched),
            stale_entries: j.stale_entries,
        }),
        performance: run.performance.clone(),
        warnings_as_errors: false,
    }
}

/// Judges `report` again from its own checks: the summary is recounted, the verdict and exit code decided anew by
/// the rules of [`build_report`] (`report.warnings_as_errors` included). `could_not_test` is the run-level reason
/// nothing could be tested (see [`run_could_not_test`]); the baseline's stale entries and the interrupting signal
/// are taken from the report. Used by `report merge` and `--warnings-as-errors`.
pub fn rejudge(report: &mut TestReport, could_not_test: Option<&str>) {
    let summary = summarize_checks(report.suites.iter().flat_map(|s| &s.checks).map(|c| (c.outcome, c.baseline)));
    let stale_entries = report.baseline.as_ref().map_or(&[][..], |b| b.stale_entries.as_slice());
    let (verdict, exit) = judge(&summary, report.interrupted, could_not_test, stale_entries, report.warnings_as_errors);
    report.summary = summary;
    report.verdict = verdict;
    report.exit = exit;
}

/// Makes the report's warnings fail the run (`--warnings-as-errors`): marks it and judges it again.
pub fn apply_warnings_as_errors(report: &mut TestReport) {
    let could_not_test = run_could_not_test(report).map(str::to_owned);
    report.warnings_as_errors = true;
    rejudge(report, could_not_test.as_deref());
}

/// The run-level reason a report could not test (the target could not be started or reached before any check
/// was judged), as opposed to a "could not test" derived from its checks (all errors), which a new judgement
/// derives again by itself.
pub fn run_could_not_test(report: &TestReport) -> Option<&str> {
    if report.exit.code != ExitCode::CouldNotTest {
        return None;
    }
    let reason = report.exit.reason.strip_prefix(COULD_NOT_TEST_PREFIX).unwrap_or(&report.exit.reason);
    (!reason.starts_with(NONE_EVALUATED_PREFIX)).then_some(reason)
}

/// How a "could not test" exit reason starts.
const COULD_NOT_TEST_PREFIX: &str = "could not test: ";
/// How the "could not test" reason derived from the checks (errors, nothing evaluated) continues.
const NONE_EVALUATED_PREFIX: &str = "none of ";

/// Requirement coverage of several reports of one catalog: a requirement is covered when any of them covered it.
/// `None` when the reports were computed against different catalogs (revisions) or catalog sizes.
pub fn merge_requirement_coverage(parts: &[&RequirementCoverage]) -> Option<RequirementCoverage> {
    let first = parts.first()?;
    if parts.iter().any(|p| p.revision != first.revision || p.total != first.total) {
        return None;
    }
    let mut uncovered: Vec<String> =
        first.uncovered.iter().filter(|id| parts.iter().all(|p| p.uncovered.contains(id))).cloned().collect();
    uncovered.sort();
    let total = first.total;
    let covered = total.saturating_sub(count(uncovered.len()));
    Some(RequirementCoverage {
        revision: first.revision.clone(),
        total,
        covered,
        percent: (total > 0).then(|| round2(100.0 * f64::from(covered) / f64::from(total))),
        uncovered,
    })
}

/// The reason a stale check carries.
pub(crate) const STALE_REASON: &str = "listed in baseline but passed: remove it";

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Reads the output of `cargo llvm-cov report --json --summary-only` into the report's code-coverage block.
///
/// The export must have `"type": "llvm.coverage.json.export"` and exactly one `data` entry; line and function
/// percentages are `None` when nothing was measured (a count of 0 is not "0 % covered").
pub fn read_llvm_cov_json(path: &Path) -> Result<CodeCoverage, CoverageReadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| CoverageReadError::Read { path: path.display().to_string(), source })?;
    parse_llvm_cov_json(&text, &path.display().to_string())
}

/// A code-coverage export that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoverageReadError {
    /// The file could not be read.
    #[error("failed to read coverage export {path}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON of the expected shape.
    #[error("failed to parse coverage export {path}")]
    Parse {
        /// The file.
        path: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The file is JSON but not an llvm-cov summary export.
    #[error("coverage export {path} is not a single llvm.coverage.json.export summary: {problem}")]
    NotAnExport {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

fn parse_llvm_cov_json(text: &str, path: &str) -> Result<CodeCoverage, CoverageReadError> {
    #[derive(Deserialize)]
    struct Export {
        r#type: String,
        data: Vec<Data>,
    }
    #[derive(Deserialize)]
    struct Data {
        totals: Totals,
    }
    #[derive(Deserialize)]
    struct Totals {
        lines: Count,
        functions: Count,
    }
    #[derive(Deserialize)]
    struct Count {
        count: u64,
        covered: u64,
    }
    let export: Export =
        serde_json::from_str(text).map_err(|source| CoverageReadError::Parse { path: path.to_owned(), source })?;
    if export.r#type != "llvm.coverage.json.export" {
        return Err(CoverageReadError::NotAnExport {
            path: path.to_owned(),
            problem: format!("type is `{}`", export.r#type),
        });
    }
    let [data] = export.data.as_slice() else {
        return Err(CoverageReadError::NotAnExport {
            path: path.to_owned(),
            problem: format!("expected 1 data entry, found {}", export.data.len()),
        });
    };
    let count = |c: &Count| CoverageCount {
        covered: c.covered,
        total: c.count,
        percent: (c.count > 0).then(|| round2(100.0 * c.covered as f64 / c.count as f64)),
    };
    Ok(CodeCoverage::Measured {
        lines: count(&data.totals.lines),
        functions: count(&data.totals.functions),
        source: path.to_owned(),
    })
}

/// Counts each result once: marked results in the baseline counts, the rest by status; not-applicable checks are
/// counted apart and stay out of `total`.
fn summarize(results: &[CheckResult], marks: &[Option<Mark>]) -> Summary {
    summarize_checks(results.iter().zip(marks).map(|(r, mark)| {
        let mark = mark.map(|m| match m {
            Mark::ExpectedFailure => BaselineMark::ExpectedFailure,
            Mark::Stale => BaselineMark::Stale,
        });
        (r.outcome.status, mark)
    }))
}

/// Counts outcomes and baseline marks (see [`summarize`]).
fn summarize_checks(items: impl Iterator<Item = (Status, Option<BaselineMark>)>) -> Summary {
    let mut s = Summary::default();
    for (status, mark) in items {
        match (mark, status) {
            (Some(BaselineMark::ExpectedFailure), _) => s.expected_failures += 1,
            (Some(BaselineMark::Stale), _) => s.stale_baseline += 1,
            (_, Status::Passed) => s.passed += 1,
            (_, Status::Failed) => s.failed += 1,
            (_, Status::Warning) => s.warnings += 1,
            (_, Status::Skipped) => s.skipped += 1,
            (_, Status::Error) => s.errors += 1,
            (_, Status::Interrupted) => s.interrupted += 1,
            (_, Status::NotApplicable) => s.not_applicable += 1,
        }
    }
    s.total = s.passed
        + s.failed
        + s.warnings
        + s.skipped
        + s.errors
        + s.interrupted
        + s.expected_failures
        + s.stale_baseline;
    s
}

/// Checks whose requirement was exercised (passed, failed or warned, listed or not).
fn evaluated(s: &Summary) -> u32 {
    s.passed + s.failed + s.warnings + s.expected_failures + s.stale_baseline
}

/// Decides the exit code, in this order: interrupted (128 + signal), could not test (3: the run says so, or
/// errors and nothing evaluated), nothing evaluated (4: no check selected, or all skipped / not applicable),
/// failed (1: a failure, an error, a stale baseline entry), passed (0).
fn judge(
    s: &Summary,
    interrupted: Option<crate::runner::Signal>,
    could_not_test: Option<&str>,
    stale_entries: &[String],
    warnings_as_errors: bool,
) -> (Verdict, ExitInfo) {
    let failing_warnings = warnings_as_errors && s.warnings > 0;
    let verdict = if s.failed > 0
        || s.errors > 0
        || s.interrupted > 0
        || s.stale_baseline > 0
        || failing_warnings
        || could_not_test.is_some()
        || evaluated(s) == 0
    {
        Verdict::Failed
    } else if s.warnings > 0 {
        Verdict::Warning
    } else {
        Verdict::Passed
    };
    let problems = || {
        let mut parts = problem_parts(s, stale_entries);
        if failing_warnings {
            parts.push(format!("{} (--warnings-as-errors)", plural(s.warnings, "warning")));
        }
        parts
    };
    let (code, reason) = if let Some(signal) = interrupted {
        let mut parts = vec![format!("interrupted by {signal}")];
        parts.push(format!("{} interrupted", plural(s.interrupted, "check")));
        parts.extend(problems());
        (ExitCode::Interrupted(signal), parts.join(", "))
    } else if let Some(why) = could_not_test {
        (ExitCode::CouldNotTest, format!("{COULD_NOT_TEST_PREFIX}{why}"))
    } else if s.errors > 0 && evaluated(s) == 0 {
        (
            ExitCode::CouldNotTest,
            format!(
                "{COULD_NOT_TEST_PREFIX}{NONE_EVALUATED_PREFIX}{} evaluated ({})",
                plural(s.total, "check"),
                problem_parts(s, stale_entries).join(", ")
            ),
        )
    } else if s.total == 0 && s.not_applicable == 0 {
        (ExitCode::NothingEvaluated, "no checks were selected".to_owned())
    } else if evaluated(s) == 0 {
        let mut parts = Vec::new();
        if s.skipped > 0 {
            parts.push(format!("{} skipped", plural(s.skipped, "check")));
        }
        if s.not_applicable > 0 {
            parts.push(format!("{} not applicable", s.not_applicable));
        }
        (ExitCode::NothingEvaluated, format!("no check was evaluated ({})", parts.join(", ")))
    } else if s.failed > 0 || s.errors > 0 || s.stale_baseline > 0 || failing_warnings {
        (ExitCode::Failed, problems().join(", "))
    } else {
        let mut parts = vec![format!("{} passed", plural(s.passed, "check"))];
        if s.expected_failures > 0 {
            parts.push(format!("{} expected (baseline)", plural(s.expected_failures, "failure")));
        }
        if s.warnings > 0 {
            parts.push(plural(s.warnings, "warning"));
        }
        if s.skipped > 0 {
            parts.push(format!("{} skipped", s.skipped));
        }
        (ExitCode::Passed, parts.join(", "))
    };
    (verdict, ExitInfo { code, reason })
}

/// "2 checks failed", "1 could not be evaluated", "1 baseline entry listed in baseline but passed: remove it
/// (`x`)", "3 skipped", as applicable.
fn problem_parts(s: &Summary, stale_entries: &[String]) -> Vec<String> {
    let mut parts = Vec::new();
    if s.failed > 0 {
        parts.push(format!("{} failed", plural(s.failed, "check")));
    }
    if s.errors > 0 {
        parts.push(format!("{} could not be evaluated", s.errors));
    }
    if s.stale_baseline > 0 {
        let names: Vec<String> = stale_entries.iter().map(|e| format!("`{e}`")).collect();
        parts.push(format!(
            "{} {STALE_REASON} ({})",
            plural(count(stale_entries.len()), "baseline entry"),
            names.join(", ")
        ));
    }
    if s.skipped > 0 && evaluated(s) == 0 {
        parts.push(format!("{} skipped", s.skipped));
    }
    parts
}

fn plural(n: u32, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

fn check_report(r: &CheckResult, mark: Option<Mark>, revision: Revision) -> CheckReport {
    CheckReport {
        id: r.meta.id.as_str().to_owned(),
        title: r.meta.title.to_owned(),
        level: r.meta.level,
        outcome: r.outcome.status,
        baseline: mark.map(|m| match m {
            Mark::ExpectedFailure => BaselineMark::ExpectedFailure,
            Mark::Stale => BaselineMark::Stale,
        }),
        reason: match mark {
            Some(Mark::Stale) => Some(STALE_REASON.to_owned()),
            _ => r.outcome.reason.clone(),
        },
        skip_kind: r.outcome.skip,
        spec_ref: spec_ref(&r.meta, revision),
        broken_rule: r.outcome.broken.map(|b| rule_report(b.requirement, b.level, revision)),
        violation: r.outcome.violation,
        blocker: r.outcome.blocker,
        duration_ms: (r.duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        expected: r.outcome.expected.clone(),
        observed: r.outcome.observed.clone(),
        wire: r.wire.clone(),
        tags: r.meta.tags.iter().map(|t| (*t).to_owned()).collect(),
        details: r.outcome.details.as_deref().cloned(),
        finding: r.outcome.finding.as_deref().cloned(),
    }
}

/// The primary requirement of a check, quoted from the catalog as `revision` words it (see [`cite`]); a check
/// without requirements, or one citing an id no catalog has, gets the revision's root and no quote.
fn spec_ref(meta: &CheckMeta, revision: Revision) -> SpecRefReport {
    let id = meta.primary_requirement().unwrap_or_default();
    match cite(id, revision) {
        Some(c) => SpecRefReport { id: id.to_owned(), url: c.url, quote: c.requirement.quote.clone() },
        None => SpecRefReport { id: id.to_owned(), url: revision.spec_url(), quote: String::new() },
    }
}

/// A rule named by id, looked up like a check's primary requirement: its level, quote and place from the
/// catalogs, else the id alone with the level the finding gave.
fn rule_report(id: &str, level: Level, revision: Revision) -> RuleReport {
    match cite(id, revision) {
        Some(c) => {
            RuleReport { id: id.to_owned(), level: c.requirement.level, url: c.url, quote: c.requirement.quote.clone() }
        }
        None => RuleReport { id: id.to_owned(), level, url: revision.spec_url(), quote: String::new() },
    }
}

fn requirement_coverage(results: &[CheckResult], catalog: &Catalog) -> RequirementCoverage {
    coverage_of(results, &catalog.name, catalog.requirements.iter().map(|r| r.id.as_str()))
}

/// Coverage of the integration suite's requirements, when any integration check was selected.
fn integration_coverage(results: &[CheckResult]) -> Option<RequirementCoverage> {
    results.iter().any(|r| r.meta.suite == Suite::Integration).then(|| {
        let catalog = mcp_harness_suites::integration_catalog();
        coverage_of(results, &catalog.name, catalog.requirements.iter().map(|r| r.id.as_str()))
    })
}

/// Requirements (`ids`) with at least one evaluated check covering them.
fn coverage_of<'a>(results: &[CheckResult], label: &str, ids: impl Iterator<Item = &'a str>) -> RequirementCoverage {
    let covered_ids: HashSet<&str> =
        results.iter().filter(|r| r.outcome.evaluated()).flat_map(|r| r.meta.requirements.iter().copied()).collect();
    let ids: Vec<&str> = ids.collect();
    let total = ids.len();
    let mut uncovered: Vec<String> =
        ids.iter().filter(|id| !covered_ids.contains(**id)).map(|id| (*id).to_owned()).collect();
    uncovered.sort();
    let covered = total - uncovered.len();
    RequirementCoverage {
        revision: label.to_owned(),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        covered: u32::try_from(covered).unwrap_or(u32::MAX),
        percent: (total > 0).then(|| round2(100.0 * covered as f64 / total as f64)),
        uncovered,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Outcome, SkipReason};
    use crate::report::test_support::{result, run_with, sample_catalog};

    fn codes(outcomes: Vec<Outcome>) -> (i32, Verdict, Summary, String) {
        let run = run_with(outcomes.into_iter().map(|o| result("conformance", "x.y", &["a.one"], o)).collect());
        let r = build_report(&run, &sample_catalog());
        (r.exit.code.code(), r.verdict, r.summary, r.exit.reason)
    }

    #[test]
    fn exit_code_and_verdict_follow_the_documented_rules() {
        let pass = Outcome::pass;
        let fail = || Outcome::violated("a", "b");
        let warn = || Outcome { status: Status::Warning, ..Outcome::violated("a", "b") };
        let skip = || Outcome::skip(SkipReason::CapabilityNotAdvertised, "not advertised");
        let na = || Outcome::not_applicable("other revision");
        let err = || Outcome::error("timed out");

        assert_eq!(codes(vec![]).0, 4);
        assert_eq!(codes(vec![pass(), pass()]).0, 0);
        assert_eq!(codes(vec![pass(), pass()]).1, Verdict::Passed);
        assert_eq!(codes(vec![pass(), warn()]).0, 0);
        assert_eq!(codes(vec![pass(), warn()]).1, Verdict::Warning);
        assert_eq!(codes(vec![pass(), fail()]).0, 1);
        assert_eq!(codes(vec![pass(), err()]).0, 1);
        assert_eq!(codes(vec![pass(), err()]).1, Verdict::Failed);
        assert_eq!(codes(vec![err(), skip()]).0, 3);
        // A run that evaluated nothing must not look green.
        let (code, verdict, _, reason) = codes(vec![skip(), na()]);
        assert_eq!((code, verdict), (4, Verdict::Failed));
        assert_eq!(reason, "no check was evaluated (1 check skipped, 1 not applicable)");
        // Not-applicable checks are listed but kept out of the totals.
        let (code, verdict, summary, _) = codes(vec![pass(), na(), na()]);
        assert_eq!((code, verdict), (0, Verdict::Passed));
        assert_eq!(summary, Summary { total: 1, passed: 1, not_applicable: 2, ..Summary::default() });
        let (code, verdict, summary, reason) = codes(vec![pass(), fail(), fail(), err(), warn(), skip()]);
        assert_eq!((code, verdict), (1, Verdict::Failed));
        assert_eq!(
            summary,
            Summary { total: 6, passed: 1, failed: 2, warnings: 1, skipped: 1, errors: 1, ..Summary::default() }
        );
        assert_eq!(reason, "2 checks failed, 1 could not be evaluated");
    }

    #[test]
    fn an_interrupted_run_exits_with_the_signal_code_and_fails() {
        let mut run = run_with(vec![
            result("conformance", "x.a", &["a.one"], Outcome::pass()),
            result("conformance", "x.b", &["a.one"], Outcome::interrupted("interrupted by SIGINT")),
        ]);
        run.interrupted = Some(crate::runner::Signal::Sigint);
        let r = build_report(&run, &sample_catalog());
        assert_eq!((r.exit.code.code(), r.verdict), (130, Verdict::Failed));
        assert_eq!(r.summary.interrupted, 1);
        assert_eq!(r.interrupted, Some(crate::runner::Signal::Sigint));
        assert!(r.exit.reason.starts_with("interrupted by SIGINT, 1 check interrupted"), "{}", r.exit.reason);
    }

    #[test]
    fn a_failure_naming_another_rule_reports_it_with_its_quote() {
        let violation = crate::session::Violation::ResponseIdMismatch {
            method: "ping".into(),
            sent: serde_json::json!(1).to_string(),
            received: serde_json::json!(null).to_string(),
            response: "{}".into(),
        };
        let run = run_with(vec![result("conformance", "x.a", &["a.one"], Outcome::misbehaved(&violation, "a pong"))]);
        let r = build_report(&run, crate::report::revision_catalog(Revision::V2025_11_25));
        let check = &r.suites[0].checks[0];
        let rule = check.broken_rule.as_ref().unwrap();
        assert_eq!(rule.id, "jsonrpc.response-id");
        assert_eq!(rule.quote, "Result responses MUST include the same ID as the request they correspond to.");
        assert_eq!(check.violation, Some(crate::session::ViolationKind::ResponseIdMismatch));
    }

    /// Runs `outcomes` (id, outcome) judged by a baseline listing `listed`.
    fn with_baseline(outcomes: Vec<(&'static str, Outcome)>, listed: &[&str]) -> TestReport {
        let known: Vec<&str> = outcomes.iter().map(|(id, _)| *id).collect();
        let text: String =
            std::iter::once("server:\n".to_owned()).chain(listed.iter().map(|e| format!("  - {e}\n"))).collect();
        let mut run = run_with(outcomes.into_iter().map(|(id, o)| result("conformance", id, &[], o)).collect());
        run.baseline = Some(crate::baseline::Baseline::parse(&text, "b.yml", &known).unwrap());
        build_report(&run, &sample_catalog())
    }

    #[test]
    fn the_baseline_four_way_table() {
        let fail = || Outcome::violated("a", "b");
        let warn = || Outcome { status: Status::Warning, ..Outcome::violated("a", "b") };
        let mark = |r: &TestReport, id: &str| r.suites[0].checks.iter().find(|c| c.id == id).unwrap().baseline;

        // failed + listed: expected failure, exit 0.
        let r = with_baseline(vec![("a.fail", fail()), ("a.pass", Outcome::pass())], &["a.fail"]);
        assert_eq!((r.exit.code.code(), r.verdict), (0, Verdict::Passed));
        assert_eq!(mark(&r, "a.fail"), Some(BaselineMark::ExpectedFailure));
        assert_eq!(r.suites[0].checks[0].outcome, Status::Failed, "the outcome keeps what the server did");
        assert_eq!((r.summary.failed, r.summary.expected_failures, r.summary.passed), (0, 1, 1));
        assert_eq!(r.exit.reason, "1 check passed, 1 failure expected (baseline)");

        // failed + unlisted: a regression, exit 1.
        let r = with_baseline(vec![("a.fail", fail()), ("a.pass", Outcome::pass())], &[]);
        assert_eq!((r.exit.code.code(), r.summary.failed, r.summary.expected_failures), (1, 1, 0));
        assert_eq!(mark(&r, "a.fail"), None);

        // passed + listed: stale, exit 1, with the reason on the check and in the exit reason.
        let r = with_baseline(vec![("a.fail", fail()), ("a.pass", Outcome::pass())], &["a.fail", "a.pass"]);
        assert_eq!((r.exit.code.code(), r.verdict), (1, Verdict::Failed));
        assert_eq!(mark(&r, "a.pass"), Some(BaselineMark::Stale));
        let stale = r.suites[0].checks.iter().find(|c| c.id == "a.pass").unwrap();
        assert_eq!(stale.reason.as_deref(), Some("listed in baseline but passed: remove it"));
        assert_eq!((r.summary.passed, r.summary.stale_baseline, r.summary.expected_failures), (0, 1, 1));
        assert_eq!(r.exit.reason, "1 baseline entry listed in baseline but passed: remove it (`a.pass`)");
        let info = r.baseline.as_ref().unwrap();
        assert_eq!((info.file.as_str(), info.entries, info.matched), ("b.yml", 2, 2));
        assert_eq!(info.stale_entries, ["a.pass"]);

        // passed + unlisted: passed.
        let r = with_baseline(vec![("a.pass", Outcome::pass())], &[]);
        assert_eq!((r.exit.code.code(), r.summary.passed, mark(&r, "a.pass")), (0, 1, None));

        // warning + listed: expected failure; skipped/error + listed: unchanged and tolerated.
        let r = with_baseline(
            vec![
                ("a.warn", warn()),
                ("a.skip", Outcome::skip(SkipReason::NotApplicable, "n/a")),
                ("a.pass", Outcome::pass()),
            ],
            &["a.warn", "a.skip"],
        );
        assert_eq!((r.exit.code.code(), r.verdict), (0, Verdict::Passed));
        assert_eq!((mark(&r, "a.warn"), mark(&r, "a.skip")), (Some(BaselineMark::ExpectedFailure), None));
        assert_eq!((r.summary.warnings, r.summary.skipped, r.summary.expected_failures), (0, 1, 1));
        let r = with_baseline(vec![("a.err", Outcome::error("boom")), ("a.pass", Outcome::pass())], &["a.err"]);
        assert_eq!((r.exit.code.code(), mark(&r, "a.err"), r.summary.errors), (1, None, 1));

        // Only expected failures and errors: still evaluated, so not "could not test".
        let r = with_baseline(vec![("a.fail", fail()), ("a.err", Outcome::error("boom"))], &["a.fail"]);
        assert_eq!(r.exit.code.code(), 1);

        // The partition: total is the sum of the counts.
        let s =
            with_baseline(vec![("a.fail", fail()), ("a.pass", Outcome::pass()), ("b.warn", warn())], &["a"]).summary;
        assert_eq!(
            s.total,
            s.passed + s.failed + s.warnings + s.skipped + s.errors + s.expected_failures + s.stale_baseline
        );
        assert_eq!((s.expected_failures, s.stale_baseline, s.passed, s.warnings), (1, 0, 1, 1));
    }

    #[test]
    fn no_baseline_means_no_marks_and_a_null_block() {
        let r = build_report(&run_with(vec![result("conformance", "x.y", &[], Outcome::pass())]), &sample_catalog());
        assert_eq!(r.baseline, None);
        assert_eq!(r.suites[0].checks[0].baseline, None);
        assert_eq!((r.summary.expected_failures, r.summary.stale_baseline), (0, 0));
    }

    #[test]
    fn could_not_test_wins_over_everything() {
        let mut run = run_with(vec![]);
        run.could_not_test = Some("connection refused".to_owned());
        let r = build_report(&run, &sample_catalog());
        assert_eq!(r.exit.code.code(), 3);
        assert_eq!(r.exit.reason, "could not test: connection refused");
        assert_eq!(r.verdict, Verdict::Failed);
    }

    #[test]
    fn suites_follow_suite_order_and_checks_keep_run_order() {
        let run = run_with(vec![
            result("security", "s.first", &[], Outcome::pass()),
            result("conformance", "c.b", &[], Outcome::pass()),
            result("conformance", "c.a", &[], Outcome::pass()),
        ]);
        let r = build_report(&run, &sample_catalog());
        let names: Vec<_> = r.suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["conformance", "security"]);
        let ids: Vec<_> = r.suites[0].checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c.b", "c.a"]);
    }

    #[test]
    fn integration_coverage_is_computed_from_the_suite_catalog_only_when_integration_checks_ran() {
        let conformance_only = run_with(vec![result("conformance", "c.a", &["a.one"], Outcome::pass())]);
        assert!(build_report(&conformance_only, &sample_catalog()).coverage.integration.is_none());
        let run = run_with(vec![
            result("integration", "i.a", &["integration.cache.hits"], Outcome::violated("x", "y")),
            result(
                "integration",
                "i.b",
                &["integration.store.durable"],
                Outcome::skip(SkipReason::ServicesUnavailable, "no Docker"),
            ),
        ]);
        let cov = build_report(&run, &sample_catalog()).coverage.integration.expect("integration coverage");
        assert_eq!(cov.revision, "integration");
        assert_eq!(cov.total as usize, mcp_harness_suites::integration_catalog().requirements.len());
        assert_eq!(cov.covered, 1);
        assert!(cov.uncovered.contains(&"integration.store.durable".to_owned()));
    }

    #[test]
    fn only_evaluated_checks_cover_requirements() {
        let run = run_with(vec![
            result("conformance", "c.one", &["a.one"], Outcome::violated("x", "y")),
            result("conformance", "c.two", &["a.two"], Outcome::skip(SkipReason::NotApplicable, "n/a")),
            result("conformance", "c.three", &["a.three", "not.in-catalog"], Outcome::error("boom")),
        ]);
        let cov = build_report(&run, &sample_catalog()).coverage.requirements;
        assert_eq!((cov.covered, cov.total), (1, 3));
        assert_eq!(cov.percent, Some(33.33));
        assert_eq!(cov.uncovered, ["a.three", "a.two"]);
        let empty = Catalog { requirements: vec![], ..sample_catalog() };
        assert_eq!(build_report(&run, &empty).coverage.requirements.percent, None);
    }

    #[test]
    fn spec_refs_quote_the_primary_requirement_from_the_catalogs() {
        let run = run_with(vec![
            result(
                "conformance",
                "c.own",
                &["lifecycle.version-negotiation", "lifecycle.initialize-result"],
                Outcome::pass(),
            ),
            result("conformance", "c.later", &["discover.result"], Outcome::pass()),
            result("conformance", "c.unknown", &["not.in-any-catalog"], Outcome::pass()),
            result("conformance", "c.none", &[], Outcome::pass()),
            result("integration", "i.a", &["integration.store.durable"], Outcome::pass()),
        ]);
        let r = build_report(&run, &sample_catalog());
        let refs: Vec<&SpecRefReport> = r.suites.iter().flat_map(|s| &s.checks).map(|c| &c.spec_ref).collect();
        let root = "https://modelcontextprotocol.io/specification";
        // The negotiated revision's wording, at its page.
        assert_eq!(
            *refs[0],
            SpecRefReport {
                id: "lifecycle.version-negotiation".to_owned(),
                url: format!("{root}/2025-11-25/basic/lifecycle#version-negotiation"),
                quote: "If the server supports the requested protocol version, it MUST respond with the same version."
                    .to_owned(),
            }
        );
        // A requirement the negotiated revision lacks is cited from the nearest revision that has it.
        assert_eq!(refs[1].url, format!("{root}/2026-07-28/server/discover"));
        assert!(refs[1].quote.contains("Servers MUST implement it."), "{}", refs[1].quote);
        // An id no catalog has, or none at all: the revision's root and no quote.
        assert_eq!(
            *refs[2],
            SpecRefReport {
                id: "not.in-any-catalog".to_owned(),
                url: format!("{root}/2025-11-25"),
                quote: String::new()
            }
        );
        assert_eq!(
            *refs[3],
            SpecRefReport { id: String::new(), url: format!("{root}/2025-11-25"), quote: String::new() }
        );
        // Project requirements link into this repository.
        assert_eq!(refs[4].url, "suites/integration/README.md#durable");
        assert_eq!(refs[4].quote, "Data survives a target restart.");
        assert_eq!(r.coverage.code, CodeCoverage::NotMeasured { reason: "no --coverage-json given".to_owned() });
    }

    #[test]
    fn llvm_cov_exports_are_read_honestly() {
        let export = r#"{"type":"llvm.coverage.json.export","version":"3.1.0","cargo_llvm_cov":{"version":"0.6.16"},
            "data":[{"totals":{"lines":{"count":1034,"covered":812,"percent":78.53},
                               "functions":{"count":0,"covered":0,"percent":0},
                               "regions":{"count":10,"covered":5,"percent":50}}}]}"#;
        let cov = parse_llvm_cov_json(export, "cov.json").unwrap();
        assert_eq!(
            cov,
            CodeCoverage::Measured {
                lines: CoverageCount { covered: 812, total: 1034, percent: Some(78.53) },
                functions: CoverageCount { covered: 0, total: 0, percent: None },
                source: "cov.json".to_owned(),
            }
        );
        let wrong_type = export.replace("llvm.coverage.json.export", "something.else");
        assert!(matches!(parse_llvm_cov_json(&wrong_type, "f"), Err(CoverageReadError::NotAnExport { .. })));
        let two = r#"{"type":"llvm.coverage.json.export","data":[]}"#;
        assert!(matches!(parse_llvm_cov_json(two, "f"), Err(CoverageReadError::NotAnExport { .. })));
        assert!(matches!(parse_llvm_cov_json("[", "f"), Err(CoverageReadError::Parse { .. })));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cov.json");
        std::fs::write(&path, export).unwrap();
        assert!(matches!(read_llvm_cov_json(&path), Ok(CodeCoverage::Measured { .. })));
        assert!(matches!(read_llvm_cov_json(&dir.path().join("missing.json")), Err(CoverageReadError::Read { .. })));
    }
}
