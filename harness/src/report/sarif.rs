//! `report.sarif`: the security suite's results as SARIF 2.1.0, for GitHub code scanning and other SARIF readers.
//! A projection of the report like JUnit: one rule per security check that ran, one result per failed or warned
//! security check, with its finding (severity as `security-severity`, CWE as a tag, the evidence in the message,
//! the remediation as the rule's help).
//!
//! A black-box finding has no source line. The result's location is the target itself: an artifact whose URI is
//! the target's URL or, for a stdio command, `mcp-server:<program>`, plus a logical location naming the check.

use std::path::Path;

use serde_json::{Value, json};

use super::model::{CheckReport, TestReport};
use crate::check::{Severity, Status, Suite};

/// Where the SARIF format is specified.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The harness's home, for the tool's `informationUri`.
const INFORMATION_URI: &str = "https://github.com/mcp-harness/mcp-harness";

/// Whether the report includes the security suite (a run that does writes `report.sarif`).
pub fn has_security_suite(report: &TestReport) -> bool {
    report.suites.iter().any(|s| s.name == Suite::Security)
}

/// The SARIF 2.1.0 log of `report`'s security checks.
pub fn sarif_log(report: &TestReport) -> Value {
    let checks: Vec<&CheckReport> =
        report.suites.iter().filter(|s| s.name == Suite::Security).flat_map(|s| &s.checks).collect();
    let rules: Vec<Value> = checks.iter().map(|c| rule(c)).collect();
    let artifact = artifact_uri(report);
    let results: Vec<Value> = checks
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.outcome, Status::Failed | Status::Warning))
        .map(|(i, c)| result(c, i, &artifact))
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mcp-harness",
                "version": report.harness.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "automationDetails": {"id": format!("mcp-harness/security/{}", report.started_at)},
            "artifacts": [{"location": {"uri": artifact}, "description": {"text": report.target.description}}],
            "results": results,
            "invocations": [{
                "executionSuccessful": report.interrupted.is_none(),
                "startTimeUtc": report.started_at,
                "endTimeUtc": report.finished_at,
            }],
        }],
    })
}

/// Writes [`sarif_log`] to `path`.
pub fn write_sarif(report: &TestReport, path: &Path) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(&sarif_log(report)).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}

fn rule(c: &CheckReport) -> Value {
    let severity = c.finding.as_ref().map(|f| f.severity);
    let mut tags = vec!["security".to_owned()];
    if let Some(cwe) = c.finding.as_ref().and_then(|f| f.cwe) {
        tags.push(format!("external/cwe/cwe-{cwe}"));
    }
    tags.extend(c.tags.iter().filter(|t| t.as_str() != "security").cloned());
    let mut properties = json!({"tags": tags, "precision": "high"});
    if let Some(s) = severity {
        properties["security-severity"] = json!(format!("{:.1}", s.score()));
    }
    let help = c.finding.as_ref().map_or_else(|| c.spec_ref.quote.clone(), |f| f.remediation.clone());
    json!({
        "id": c.id,
        "name": pascal(&c.id),
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": format!("{} — {}", c.title, c.spec_ref.quote)},
        "helpUri": c.spec_ref.url,
        "help": {"text": help},
        "defaultConfiguration": {"level": level_of(c.outcome, severity)},
        "properties": properties,
    })
}

fn result(c: &CheckReport, rule_index: usize, artifact: &str) -> Value {
    let severity = c.finding.as_ref().map(|f| f.severity);
    let mut text = c.reason.clone().unwrap_or_else(|| c.title.clone());
    if let Some(o) = &c.observed {
        text.push_str(&format!("\nObserved: {o}"));
    }
    if let Some(e) = &c.expected {
        text.push_str(&format!("\nExpected: {e}"));
    }
    let mut properties = json!({"outcome": c.outcome.as_str()});
    if let Some(f) = &c.finding {
        if let Some(m) = &f.evidence.matched {
            text.push_str(&format!("\nMatched: {m}"));
        }
        properties["evidence"] = serde_json::to_value(&f.evidence).unwrap_or(Value::Null);
        properties["severity"] = json!(f.severity.as_str());
        text.push_str(&format!("\nRemediation: {}", f.remediation));
    }
    json!({
        "ruleId": c.id,
        "ruleIndex": rule_index,
        "level": level_of(c.outcome, severity),
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": artifact, "index": 0}},
            "logicalLocations": [{"name": c.id, "kind": "member"}],
        }],
        "partialFingerprints": {"mcpHarnessCheck/v1": c.id},
        "properties": properties,
    })
}

/// SARIF's level: a failure is an error, a warning a warning; an informational finding a note.
fn level_of(outcome: Status, severity: Option<Severity>) -> &'static str {
    match (outcome, severity) {
        (_, Some(Severity::Info)) => "note",
        (Status::Failed, _) => "error",
        (Status::Warning, _) => "warning",
        _ => "note",
    }
}

/// The target as an artifact URI: its URL, or `mcp-server:<program>` for a stdio command (no secrets: the report's
/// description already has them redacted).
fn artifact_uri(report: &TestReport) -> String {
    let d = &report.target.description;
    if let Some(url) = d.split_whitespace().find(|w| w.starts_with("http://") || w.starts_with("https://")) {
        return url.to_owned();
    }
    let program = d.split_whitespace().next().unwrap_or("target");
    let safe: String =
        program.chars().map(|c| if c.is_ascii_alphanumeric() || "-._~/".contains(c) { c } else { '_' }).collect();
    format!("mcp-server:{}", safe.trim_start_matches('/'))
}

/// `security.http.host-rebinding` → `SecurityHttpHostRebinding`.
fn pascal(id: &str) -> String {
    id.split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Finding, Level};
    use crate::report::model::{SpecRefReport, SuiteReport};

    const SCHEMA: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/sarif-schema-2.1.0.json"));

    fn security_check(id: &str, outcome: Status, finding: Option<Finding>) -> CheckReport {
        CheckReport {
            id: id.to_owned(),
            title: "a loopback server refuses a foreign Host".to_owned(),
            level: Level::Should,
            outcome,
            baseline: None,
            reason: Some("violated".to_owned()),
            skip_kind: None,
            spec_ref: SpecRefReport {
                id: "security.dns-rebinding".to_owned(),
                url: "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#security-warning"
                    .to_owned(),
                quote: "Without these protections, attackers could use DNS rebinding".to_owned(),
            },
            broken_rule: None,
            violation: None,
            blocker: None,
            duration_ms: 1.0,
            expected: Some("HTTP 4xx".to_owned()),
            observed: Some("HTTP 200".to_owned()),
            wire: Vec::new(),
            tags: vec!["http".to_owned(), "security".to_owned()],
            details: None,
            finding,
        }
    }

    fn report_with(checks: Vec<CheckReport>) -> TestReport {
        let mut report = crate::report::test_support::sample_report(true);
        report.suites.retain(|s| s.name != Suite::Security);
        report.suites.push(SuiteReport { name: Suite::Security, checks });
        report
    }

    #[test]
    fn the_log_validates_against_the_sarif_2_1_0_schema_and_carries_the_finding() {
        let finding = Finding::new(Severity::High, Some(346), "validate Host against an allow-list of loopback names")
            .matched("HTTP/1.1 200 OK")
            .request("POST /mcp Host: evil.example:3000");
        let report = report_with(vec![
            security_check("security.http.host-rebinding", Status::Warning, Some(finding)),
            security_check("security.http.content-type", Status::Passed, None),
        ]);
        let log = sarif_log(&report);
        // The official schema's `language` patterns have a stray `]` that the meta-schema's `format: regex` check
        // rejects; they are replaced here (in memory: the vendored file stays verbatim) by their evident intent. Our
        // logs carry no `language`.
        let fixed = SCHEMA.replace(r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$", r"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
        let schema: Value = serde_json::from_str(&fixed).expect("the vendored schema is JSON");
        let validator = jsonschema::draft7::new(&schema).expect("the SARIF schema compiles");
        let errors: Vec<String> =
            validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 2);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "only failed and warned checks are results");
        assert_eq!(results[0]["ruleId"], "security.http.host-rebinding");
        assert_eq!(results[0]["level"], "warning");
        assert!(results[0]["message"]["text"].as_str().unwrap().contains("Remediation: validate Host"));
        let rule = &run["tool"]["driver"]["rules"][0];
        assert_eq!(rule["properties"]["security-severity"], "8.0");
        assert!(rule["properties"]["tags"].as_array().unwrap().contains(&json!("external/cwe/cwe-346")));
        assert_eq!(rule["name"], "SecurityHttpHostRebinding");
    }

    #[test]
    fn a_stdio_target_is_an_artifact_uri_without_spaces() {
        let mut report = report_with(vec![]);
        report.target.description = "/usr/bin/node build/index.js --stdio".to_owned();
        assert_eq!(artifact_uri(&report), "mcp-server:usr/bin/node");
        report.target.description = "bundled reference server at http://127.0.0.1:4000/mcp".to_owned();
        assert_eq!(artifact_uri(&report), "http://127.0.0.1:4000/mcp");
        assert!(has_security_suite(&report));
    }
}
