//! The JUnit XML reporter: a projection of the [`TestReport`], flat enough for every common consumer.
//!
//! Shape: root `<testsuites name="mcp-harness">`; one `<testsuite>` per harness suite (never nested) with the
//! protocol revision, transport, target and harness version as properties; one `<testcase>` per check with
//! `classname` = `<suite>.<first id segment>` and `name` = the check id, `time` in seconds. Failed → `<failure
//! type="MUST">`, error → `<error type="error">`, interrupted → `<error type="interrupted">`, skipped →
//! `<skipped>`, each with the reason as `message`; a warning is a passing case with the properties
//! `severity=warning` and `outcome=warning` and its reason and rule (requirement id, quote, spec URL) in
//! `system-out` (with `warningsAsErrors` it is a `<failure type="SHOULD">` instead, counted in `failures`); a not-applicable check is left out (as a filtered test). Baseline marks win over
//! the outcome: an expected failure → `<skipped type="xfail" message="expected failure (baseline: FILE): reason">`,
//! a stale check → `<failure type="stale-baseline" message="listed in baseline but passed: remove it">`. The
//! counts therefore equal the JSON summary: tests = total, failures = failed + staleBaseline (+ warnings under
//! `warningsAsErrors`), errors = errors +
//! interrupted, skipped = skipped + expectedFailures.

use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::json::{ReportWriteError, write_file};
use super::model::{BaselineMark, CheckReport, TestReport};
use crate::check::{Status, Suite};

/// Details longer than this are cut (consumers such as dorny/test-reporter cap a case's text near 64 KiB).
const MAX_DETAIL_BYTES: usize = 64 * 1024;

/// The report as JUnit XML.
pub fn junit_xml(report: &TestReport) -> String {
    let junit = to_junit(report);
    match junit.to_string() {
        Ok(xml) => xml,
        // Serialization into a String only fails on invalid UTF-8, which quick-junit's XmlString rules out.
        Err(e) => {
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- failed to serialize JUnit report: {e} -->\n")
        }
    }
}

/// Writes the report as JUnit XML, creating parent directories.
pub fn write_junit(report: &TestReport, path: &Path) -> Result<(), ReportWriteError> {
    write_file(path, junit_xml(report).as_bytes())
}

fn to_junit(report: &TestReport) -> Report {
    let timestamp = chrono::DateTime::parse_from_rfc3339(&report.started_at).ok();
    let mut junit = Report::new("mcp-harness");
    if let Some(ts) = timestamp {
        junit.set_timestamp(ts);
    }
    junit.set_time(Duration::from_millis(report.duration_ms));
    let protocol = report.protocol.negotiated.as_deref().unwrap_or(&report.protocol.requested);
    for suite in &report.suites {
        let mut ts = TestSuite::new(suite.name.as_str());
        if let Some(t) = timestamp {
            ts.set_timestamp(t);
        }
        ts.set_time(seconds(suite.checks.iter().map(|c| c.duration_ms).sum()));
        ts.add_properties([
            Property::new("mcp.protocolVersion", protocol),
            Property::new("mcp.transport", report.target.transport.as_str()),
            Property::new("target", report.target.description.as_str()),
            Property::new("harness.version", report.harness.version.as_str()),
        ]);
        let baseline_file = report.baseline.as_ref().map_or("", |b| b.file.as_str());
        let cases = suite.checks.iter().filter(|c| c.outcome != Status::NotApplicable);
        ts.add_test_cases(cases.map(|c| test_case(suite.name, c, baseline_file, report.warnings_as_errors)));
        junit.add_test_suite(ts);
    }
    junit
}

fn test_case(suite: Suite, check: &CheckReport, baseline_file: &str, warnings_as_errors: bool) -> TestCase {
    let area = check.id.split('.').next().unwrap_or(&check.id);
    let reason = check.reason.clone().unwrap_or_default();
    let status = match (check.baseline, check.outcome) {
        (Some(BaselineMark::ExpectedFailure), _) => {
            let mut s = TestCaseStatus::skipped();
            s.set_type("xfail")
                .set_message(format!("expected failure (baseline: {baseline_file}): {reason}"))
                .set_description(details(check));
            s
        }
        (Some(BaselineMark::Stale), _) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_type("stale-baseline").set_message(reason.as_str()).set_description(format!(
                "{} is listed in {baseline_file} but passed; remove it from the baseline\n",
                check.id
            ));
            s
        }
        (None, Status::Failed) | (None, Status::Warning) if check.outcome == Status::Failed || warnings_as_errors => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_type(check.level.as_str()).set_message(reason.as_str()).set_description(details(check));
            s
        }
        (None, Status::Error | Status::Interrupted) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_type(check.outcome.as_str()).set_message(reason.as_str()).set_description(details(check));
            s
        }
        (None, Status::Skipped | Status::NotApplicable) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(reason.as_str());
            s
        }
        _ => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(check.id.as_str(), status);
    case.set_classname(format!("{suite}.{area}")).set_time(seconds(check.duration_ms));
    if check.outcome == Status::Warning && check.baseline.is_none() {
        case.add_properties([Property::new("severity", "warning"), Property::new("outcome", "warning")]);
        case.set_system_out_lossy(format!("warning ({}): {reason}\n{}", check.level, rule_text(check)));
    }
    case
}

/// The failure/error text: expected, observed, the spec reference and the wire excerpt, cut at 64 KiB.
fn details(check: &CheckReport) -> String {
    let mut text = String::new();
    if let Some(e) = &check.expected {
        text.push_str(&format!("expected: {e}\n"));
    }
    if let Some(o) = &check.observed {
        text.push_str(&format!("observed: {o}\n"));
    }
    if let Some(rule) = &check.broken_rule {
        text.push_str(&format!("broken rule: {} ({}, {})\n", rule.id, rule.level, rule.url));
        if !rule.quote.is_empty() {
            text.push_str(&format!("  \"{}\"\n", rule.quote));
        }
    }
    text.push_str(&rule_text(check));
    if !check.wire.is_empty() {
        text.push_str("wire:\n");
        for w in &check.wire {
            let cut = if w.truncated { " [truncated]" } else { "" };
            text.push_str(&format!("  {:>9.3} ms {:<8} {:<8} {}{cut}\n", w.at_ms, w.direction, w.channel, w.text));
        }
    }
    truncate(text)
}

/// The check's requirement: `spec: URL` and `requirement: ID: QUOTE` lines.
fn rule_text(check: &CheckReport) -> String {
    let mut text = format!("spec: {}\n", check.spec_ref.url);
    match (check.spec_ref.id.as_str(), check.spec_ref.quote.as_str()) {
        ("", "") => {}
        (id, "") => text.push_str(&format!("requirement: {id}\n")),
        (id, quote) => text.push_str(&format!("requirement: {id}: {quote}\n")),
    }
    text
}

fn truncate(mut text: String) -> String {
    if text.len() <= MAX_DETAIL_BYTES {
        return text;
    }
    let mut cut = MAX_DETAIL_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let dropped = text.len() - cut;
    text.truncate(cut);
    text.push_str(&format!("\n[truncated: {dropped} more bytes; see report.json]\n"));
    text
}

fn seconds(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms.max(0.0) / 1000.0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn warnings_as_errors_makes_warnings_junit_failures() {
        let mut report = sample_report(false);
        crate::report::apply_warnings_as_errors(&mut report);
        let s = report.summary;
        assert!(s.warnings > 0);
        assert_eq!(report.exit.code, crate::ExitCode::Failed);
        assert!(report.exit.reason.contains("(--warnings-as-errors)"), "{}", report.exit.reason);
        let parsed = Report::deserialize_from_str(&junit_xml(&report)).unwrap();
        assert_eq!(parsed.failures, (s.failed + s.stale_baseline + s.warnings) as usize);
        let case = parsed
            .test_suites
            .iter()
            .flat_map(|t| &t.test_cases)
            .find(|c| c.name.as_str() == "tools.list.name-format")
            .unwrap();
        assert!(
            matches!(&case.status, TestCaseStatus::NonSuccess { kind: NonSuccessKind::Failure, ty: Some(t), .. } if t.as_str() == "SHOULD")
        );
    }

    #[test]
    fn counts_match_the_json_summary() {
        let report = sample_report(false);
        let xml = junit_xml(&report);
        let parsed = Report::deserialize_from_str(&xml).expect("our XML parses back");
        let s = report.summary;
        assert!(s.expected_failures > 0 && s.stale_baseline > 0, "the sample exercises the baseline");
        assert_eq!(parsed.tests, s.total as usize);
        assert_eq!(parsed.failures, (s.failed + s.stale_baseline) as usize);
        assert_eq!(parsed.errors, (s.errors + s.interrupted) as usize);
        assert_eq!(parsed.skipped, (s.skipped + s.expected_failures) as usize);
        assert_eq!(parsed.test_suites.len(), report.suites.len());
        let suite_total: usize = parsed.test_suites.iter().map(|t| t.tests).sum();
        assert_eq!(suite_total, s.total as usize);
        assert!(xml.contains(r#"<testsuites name="mcp-harness""#));
    }

    #[test]
    fn cases_carry_classname_type_message_and_severity() {
        let xml = junit_xml(&sample_report(false));
        let parsed = Report::deserialize_from_str(&xml).unwrap();
        let cases: Vec<_> = parsed.test_suites.iter().flat_map(|s| &s.test_cases).collect();
        let case = |id: &str| *cases.iter().find(|c| c.name.as_str() == id).unwrap();

        let failed = case("tools.call.unknown-tool");
        assert_eq!(failed.classname.as_ref().unwrap().as_str(), "conformance.tools");
        match &failed.status {
            TestCaseStatus::NonSuccess { kind: NonSuccessKind::Failure, ty, message, description, .. } => {
                assert_eq!(ty.as_ref().unwrap().as_str(), "MUST");
                assert_eq!(message.as_ref().unwrap().as_str(), "result.isError=true");
                let d = description.as_ref().unwrap().as_str();
                assert!(d.contains("expected: a JSON-RPC error (-32602)"), "{d}");
                assert!(d.contains("spec: https://modelcontextprotocol.io/specification/2025-11-25/"), "{d}");
                assert!(d.contains(r#""method":"tools/call""#), "{d}");
            }
            other => panic!("unexpected status {other:?}"),
        }
        let warning = case("tools.list.name-format");
        assert!(matches!(warning.status, TestCaseStatus::Success { .. }));
        assert!(warning.properties.iter().any(|p| p.name.as_str() == "severity" && p.value.as_str() == "warning"));
        assert!(warning.system_out.as_ref().unwrap().as_str().contains("has a space"));
        let suite = &parsed.test_suites[0];
        let prop = |n: &str| suite.properties.iter().find(|p| p.name.as_str() == n).unwrap().value.as_str().to_owned();
        assert_eq!(prop("mcp.protocolVersion"), "2025-11-25");
        assert_eq!(prop("mcp.transport"), "stdio");
        // Names are unique within the run.
        let mut names: Vec<_> = cases.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), cases.len());
    }

    #[test]
    fn baseline_marks_map_to_xfail_skips_and_stale_failures() {
        let xml = junit_xml(&sample_report(false));
        let parsed = Report::deserialize_from_str(&xml).unwrap();
        let cases: Vec<_> = parsed.test_suites.iter().flat_map(|s| &s.test_cases).collect();
        let case = |id: &str| *cases.iter().find(|c| c.name.as_str() == id).unwrap();
        match &case("tools.call.structured-content").status {
            TestCaseStatus::Skipped { ty, message, .. } => {
                assert_eq!(ty.as_ref().unwrap().as_str(), "xfail");
                assert_eq!(
                    message.as_ref().unwrap().as_str(),
                    "expected failure (baseline: conformance-baseline.yml): structuredContent is missing"
                );
            }
            other => panic!("unexpected status {other:?}"),
        }
        match &case("resources.list.shape").status {
            TestCaseStatus::NonSuccess { kind: NonSuccessKind::Failure, ty, message, .. } => {
                assert_eq!(ty.as_ref().unwrap().as_str(), "stale-baseline");
                assert_eq!(message.as_ref().unwrap().as_str(), "listed in baseline but passed: remove it");
            }
            other => panic!("unexpected status {other:?}"),
        }
        // A listed check that was skipped stays a plain skip.
        match &case("resources.read.not-found").status {
            TestCaseStatus::Skipped { ty, .. } => assert!(ty.is_none()),
            other => panic!("unexpected status {other:?}"),
        }
    }

    #[test]
    fn details_are_truncated_at_64_kib() {
        let t = truncate("é".repeat(40_000));
        assert!(t.len() < MAX_DETAIL_BYTES + 100);
        assert!(t.contains("[truncated: "));
    }

    #[test]
    fn junit_snapshot() {
        insta::assert_snapshot!(normalise(&junit_xml(&sample_report(false))));
    }

    /// Replaces `time` and `timestamp` attribute values and the harness version, which change between runs.
    fn normalise(xml: &str) -> String {
        let mut out = String::with_capacity(xml.len());
        let mut rest = xml;
        while let Some(i) = rest.find([' ', '\n']) {
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
            for attr in ["time=\"", "timestamp=\""] {
                if let Some(end) = rest.strip_prefix(attr).and_then(|r| r.find('"')) {
                    out.push_str(attr);
                    out.push_str("[redacted]\"");
                    rest = &rest[attr.len() + end + 1..];
                }
            }
        }
        out.push_str(rest);
        out.replace(env!("CARGO_PKG_VERSION"), "[version]")
    }
}
