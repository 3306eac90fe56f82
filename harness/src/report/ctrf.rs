//! `ctrf-report.json`: the report as CTRF (Common Test Report Format, <https://ctrf.io>), a projection like JUnit.
//!
//! Validated in a test against the official schema, `harness/schema/ctrf.schema.json` (from the npm package
//! `ctrf` 0.3.0, `dist/ctrf-schema-0.0.json`, MIT). CTRF rejects unknown properties outside `extra`, so everything
//! MCP-specific (protocol, transport, target, coverage, a check's requirement) is under `extra`. Times are integer
//! milliseconds (`start`/`stop` since the Unix epoch).
//!
//! Outcomes → `status` (`rawStatus`): passed → `passed`; failed → `failed` (`failed`); warning → `other`
//! (`warning`), or `failed` under `warningsAsErrors`; skipped → `skipped`; error → `failed` (`error`); interrupted →
//! `failed` (`interrupted`); an expected failure (baseline) → `other` (`expected-failure`); a stale check → `failed`
//! (`stale-baseline`). Not-applicable checks are left out, as in JUnit.

use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::json::{ReportWriteError, write_file};
use super::model::{BaselineMark, CheckReport, TestReport};
use crate::check::Status;

/// The CTRF specification version written.
pub const CTRF_SPEC_VERSION: &str = "1.0.0";

/// A CTRF document (only the members this harness writes).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    report_format: &'static str,
    spec_version: &'static str,
    timestamp: String,
    generated_by: String,
    results: Results,
}

#[derive(Debug, Serialize)]
struct Results {
    tool: Tool,
    summary: Summary,
    tests: Vec<Test>,
    environment: Environment,
    extra: Value,
}

#[derive(Debug, Serialize)]
struct Tool {
    name: String,
    version: String,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    tests: u32,
    passed: u32,
    failed: u32,
    pending: u32,
    skipped: u32,
    other: u32,
    suites: u32,
    start: i64,
    stop: i64,
    duration: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Test {
    name: String,
    status: &'static str,
    raw_status: &'static str,
    duration: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    suite: Vec<String>,
    tags: Vec<String>,
    extra: Value,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Environment {
    app_name: String,
    extra: Value,
}

/// The report as a CTRF JSON value.
pub fn ctrf_report(report: &TestReport) -> Value {
    let epoch_ms = |t: &str| {
        OffsetDateTime::parse(t, &Rfc3339)
            .map_or(0, |t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
    };
    let mut summary = Summary {
        suites: u32::try_from(report.suites.len()).unwrap_or(u32::MAX),
        start: epoch_ms(&report.started_at),
        stop: epoch_ms(&report.finished_at),
        duration: report.duration_ms,
        ..Summary::default()
    };
    let mut tests = Vec::new();
    for suite in &report.suites {
        for c in suite.checks.iter().filter(|c| c.outcome != Status::NotApplicable) {
            let (status, raw) = status(c, report.warnings_as_errors);
            match status {
                "passed" => summary.passed += 1,
                "failed" => summary.failed += 1,
                "skipped" => summary.skipped += 1,
                _ => summary.other += 1,
            }
            summary.tests += 1;
            tests.push(Test {
                name: c.id.clone(),
                status,
                raw_status: raw,
                duration: c.duration_ms.max(0.0).round() as u64,
                message: c.reason.clone(),
                suite: vec![suite.name.as_str().to_owned()],
                tags: std::iter::once(c.level.as_str().to_owned()).chain(c.tags.iter().cloned()).collect(),
                extra: json!({
                    "title": c.title,
                    "requirement": c.spec_ref.id,
                    "quote": c.spec_ref.quote,
                    "source": c.spec_ref.url,
                    "expected": c.expected,
                    "observed": c.observed,
                    "finding": c.finding,
                }),
            });
        }
    }
    let document = Document {
        report_format: "CTRF",
        spec_version: CTRF_SPEC_VERSION,
        timestamp: report.finished_at.clone(),
        generated_by: format!("{} {}", report.harness.name, report.harness.version),
        results: Results {
            tool: Tool { name: report.harness.name.clone(), version: report.harness.version.clone() },
            summary,
            tests,
            environment: Environment {
                app_name: report.target.description.clone(),
                extra: json!({
                    "target": report.target,
                    "protocol": report.protocol,
                }),
            },
            extra: json!({
                "verdict": report.verdict,
                "exit": report.exit,
                "reportSchemaVersion": report.schema_version,
                "warningsAsErrors": report.warnings_as_errors,
                "coverage": report.coverage,
            }),
        },
    };
    serde_json::to_value(document).unwrap_or(Value::Null)
}

/// Writes [`ctrf_report`] to `path`, pretty-printed.
pub fn write_ctrf(report: &TestReport, path: &Path) -> Result<(), ReportWriteError> {
    let mut text = serde_json::to_string_pretty(&ctrf_report(report)).map_err(ReportWriteError::Serialize)?;
    text.push('\n');
    write_file(path, text.as_bytes())
}

fn status(c: &CheckReport, warnings_as_errors: bool) -> (&'static str, &'static str) {
    match (c.baseline, c.outcome) {
        (Some(BaselineMark::ExpectedFailure), _) => ("other", "expected-failure"),
        (Some(BaselineMark::Stale), _) => ("failed", "stale-baseline"),
        (None, Status::Passed) => ("passed", "passed"),
        (None, Status::Failed) => ("failed", "failed"),
        (None, Status::Warning) if warnings_as_errors => ("failed", "warning"),
        (None, Status::Warning) => ("other", "warning"),
        (None, Status::Skipped | Status::NotApplicable) => ("skipped", "skipped"),
        (None, Status::Error) => ("failed", "error"),
        (None, Status::Interrupted) => ("failed", "interrupted"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    fn schema() -> Value {
        serde_json::from_str(include_str!("../../schema/ctrf.schema.json")).expect("the CTRF schema is JSON")
    }

    #[test]
    fn validates_against_the_official_ctrf_schema() {
        let validator = jsonschema::draft7::new(&schema()).expect("the CTRF schema compiles");
        for measured in [false, true] {
            let doc = ctrf_report(&sample_report(measured));
            let errors: Vec<String> =
                validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{errors:#?}");
        }
        // The schema really constrains: an unknown top-level property is rejected.
        let mut bad = ctrf_report(&sample_report(false));
        bad["mcp"] = json!(1);
        assert!(!validator.is_valid(&bad));
    }

    #[test]
    fn summary_counts_the_tests_by_status() {
        let report = sample_report(false);
        let doc = ctrf_report(&report);
        let s = &doc["results"]["summary"];
        let tests = doc["results"]["tests"].as_array().unwrap();
        assert_eq!(s["tests"], json!(tests.len()));
        assert_eq!(s["tests"], json!(report.summary.total));
        let count = |st: &str| tests.iter().filter(|t| t["status"] == st).count();
        for st in ["passed", "failed", "skipped", "other", "pending"] {
            assert_eq!(s[st], json!(count(st)), "{st}");
        }
        let r = &report.summary;
        assert_eq!(count("failed") as u32, r.failed + r.errors + r.interrupted + r.stale_baseline);
        assert_eq!(count("other") as u32, r.warnings + r.expected_failures);
        let warning = tests.iter().find(|t| t["name"] == "tools.list.name-format").unwrap();
        assert_eq!((warning["status"].as_str(), warning["rawStatus"].as_str()), (Some("other"), Some("warning")));
        assert!(s["start"].as_i64().unwrap() > 1_600_000_000_000);
    }

    #[test]
    fn ctrf_snapshot() {
        insta::assert_snapshot!(
            serde_json::to_string_pretty(&ctrf_report(&sample_report(true)))
                .unwrap()
                .replace(env!("CARGO_PKG_VERSION"), "[version]")
        );
    }
}
