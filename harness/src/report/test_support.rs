//! Builders for report tests: small runs, a small catalog, and one rich sample report with every outcome kind.

use std::time::Duration;

use time::macros::datetime;

use super::catalog::{Catalog, CatalogKind, Requirement, revision_catalog};
use super::model::{
    AssertionReport, CapturedText, CheckDetails, CodeCoverage, CoverageCount, JourneyDetails, ProtocolInfo, StepPhase,
    StepReport, TargetInfo, TestReport, WireEntry,
};
use super::{CheckResult, RunRecord, build_report};
use crate::baseline::Baseline;
use crate::check::{Applicability, CheckId, CheckMeta, Level, Outcome, SkipReason, Status, Suite};
use crate::protocol::Revision;

/// A result of a MUST check in `suite` with the given id, cited requirement ids (the first is quoted in the
/// report) and outcome.
pub(crate) fn result(
    suite: &str,
    id: &'static str,
    requirements: &'static [&'static str],
    outcome: Outcome,
) -> CheckResult {
    CheckResult {
        meta: CheckMeta {
            id: CheckId(id),
            title: "Does the right thing",
            suite: Suite::parse(suite).expect("known suite"),
            level: Level::Must,
            requirements,
            applies: Applicability::ALWAYS,
            tags: &["MUST"],
        },
        outcome,
        duration: Duration::from_micros(12_345),
        wire: vec![],
    }
}

/// A run over stdio that negotiated 2025-11-25, with these results.
pub(crate) fn run_with(results: Vec<CheckResult>) -> RunRecord {
    RunRecord {
        started_at: datetime!(2026-11-22 21:40:00.000 UTC),
        finished_at: datetime!(2026-11-22 21:40:01.250 UTC),
        target: TargetInfo {
            kind: crate::report::model::TargetKind::Stdio,
            transport: crate::report::model::TransportKind::Stdio,
            description: "mcp-reference-server --stdio".to_owned(),
            server_info: Some(serde_json::json!({"name": "mcp-reference-server", "version": "0.1.0"})),
            services: Vec::new(),
            connection: Vec::new(),
        },
        protocol: ProtocolInfo {
            requested: "auto".to_owned(),
            negotiated: Some("2025-11-25".to_owned()),
            era: Some(crate::protocol::Era::Stateful),
        },
        coverage_revision: Revision::V2025_11_25,
        results,
        could_not_test: None,
        interrupted: None,
        target_stderr: None,
        code_coverage: None,
        baseline: None,
        performance: None,
    }
}

/// The baseline of [`sample_report`]: one expected failure, one stale entry, one entry for a skipped check.
pub(crate) fn sample_baseline() -> Baseline {
    let known = [
        "tools.call.structured-content",
        "resources.list.shape",
        "resources.read.not-found",
        "tools.call.unknown-tool",
    ];
    let text = "server:\n  - tools.call.structured-content\n  - resources.list.shape\n  - resources.read.not-found\n";
    Baseline::parse(text, "conformance-baseline.yml", &known).expect("sample baseline parses")
}

/// A three-requirement catalog of 2025-11-25: `a.one`, `a.two`, `a.three`.
pub(crate) fn sample_catalog() -> Catalog {
    let req = |id: &str, level| Requirement {
        id: id.to_owned(),
        level,
        anchor: "basic#x".to_owned(),
        quote: "q".to_owned(),
        source: None,
    };
    Catalog {
        kind: CatalogKind::Revision,
        name: Revision::V2025_11_25.as_str().to_owned(),
        source: Revision::V2025_11_25.spec_url(),
        requirements: vec![req("a.one", Level::Must), req("a.two", Level::Should), req("a.three", Level::Must)],
    }
}

/// A report with every outcome kind, both baseline marks, wire excerpts, stderr, and (when `measured`) code coverage; computed against
/// the real 2025-11-25 catalog.
pub(crate) fn sample_report(measured: bool) -> TestReport {
    let wire = vec![
        WireEntry {
            at_ms: 10.5,
            direction: crate::wire::Direction::Sent,
            channel: "stdin".to_owned(),
            text: r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nope"}}"#.to_owned(),
            truncated: false,
        },
        WireEntry {
            at_ms: 12.25,
            direction: crate::wire::Direction::Received,
            channel: "stdout".to_owned(),
            text: r#"{"jsonrpc":"2.0","id":7,"result":{"content":[],"isError":true}}"#.to_owned(),
            truncated: false,
        },
        WireEntry {
            at_ms: 12.5,
            direction: crate::wire::Direction::Note,
            channel: "harness".to_owned(),
            text: "expected a JSON-RPC error".to_owned(),
            truncated: true,
        },
    ];
    let mut failed = result(
        "conformance",
        "tools.call.unknown-tool",
        &["tools.call.unknown-tool"],
        Outcome::violated("a JSON-RPC error (-32602)", "result.isError=true\nfull result: {\"content\":[]}"),
    );
    failed.wire = wire;
    let mut warning = result(
        "conformance",
        "tools.list.name-format",
        &["tools.name-charset"],
        Outcome {
            status: Status::Warning,
            ..Outcome::violated("names of [A-Za-z0-9_.-]", "tool `my tool` has a space")
        },
    );
    warning.meta.level = Level::Should;
    let results = vec![
        result(
            "conformance",
            "lifecycle.initialize.version-negotiation",
            &["lifecycle.version-negotiation", "lifecycle.initialize-result"],
            Outcome::pass_with("protocolVersion 2025-11-25"),
        ),
        failed,
        warning,
        result(
            "conformance",
            "resources.read.not-found",
            &["resources.not-found"],
            Outcome::skip(SkipReason::CapabilityNotAdvertised, "server does not advertise resources"),
        ),
        result(
            "conformance",
            "ping.response",
            &["ping.response"],
            Outcome::blocked(&crate::session::Blocker::Silent {
                method: "ping".to_owned(),
                waited: std::time::Duration::from_secs(5),
            }),
        ),
        result(
            "conformance",
            "tools.list.shape",
            &["tools.list.result"],
            Outcome::misbehaved(
                &crate::session::Violation::ResponseIdMismatch {
                    method: "tools/list".to_owned(),
                    sent: serde_json::json!(4).to_string(),
                    received: serde_json::json!("4").to_string(),
                    response: r#"{"id":"4","jsonrpc":"2.0","result":{"tools":[]}}"#.to_owned(),
                },
                "a tools/list result with a tools array",
            ),
        ),
        result(
            "security",
            "transport.http.origin",
            &["transport.http.origin"],
            Outcome::not_applicable("applies to Streamable HTTP targets only"),
        ),
        result(
            "security",
            "security.http.host-rebinding",
            &["security.dns-rebinding"],
            Outcome::interrupted("the run was interrupted by SIGINT before this check"),
        ),
        // Judged by the sample baseline: an expected failure and a stale entry.
        result(
            "conformance",
            "tools.call.structured-content",
            &["tools.structured-content-conforms"],
            Outcome::violated("structuredContent conforming to outputSchema", "structuredContent is missing"),
        ),
        result("conformance", "resources.list.shape", &["resources.resource-uri"], Outcome::pass()),
        sample_journey(),
    ];
    let mut run = run_with(results);
    run.baseline = Some(sample_baseline());
    run.target_stderr = Some(CapturedText { text: "listening on stdio\n".to_owned(), truncated: false });
    if measured {
        run.code_coverage = Some(CodeCoverage::Measured {
            lines: CoverageCount { covered: 812, total: 1034, percent: Some(78.53) },
            functions: CoverageCount { covered: 0, total: 0, percent: None },
            source: "target/cov.json".to_owned(),
        });
    }
    build_report(&run, revision_catalog(Revision::V2025_11_25))
}

/// A failed e2e journey with its step-by-step details.
fn sample_journey() -> CheckResult {
    use mcp_harness_suites::journey::AssertionKind;

    let step = |index: u32, line: u32, action: &str, outcome: Status| StepReport {
        phase: StepPhase::Step,
        index,
        line,
        session: "main".to_owned(),
        action: action.to_owned(),
        outcome,
        reason: None,
        latency_ms: Some(1.25),
        assertions: Vec::new(),
        notes: Vec::new(),
    };
    let mut create = step(1, 6, "call create_data", Status::Passed);
    create.assertions = vec![AssertionReport {
        kind: AssertionKind::Capture,
        line: 6,
        outcome: Status::Passed,
        assertion: "capture `id` from $.structuredContent.id".to_owned(),
        found: None,
    }];
    create.notes = vec!["no accepted snapshot yet: written to snapshots/notes__crud__created.snap".to_owned()];
    let mut get = step(2, 10, "call get_data", Status::Failed);
    get.reason = Some("$.structuredContent.data.title equals \"Hello\": got \"Bye\"".to_owned());
    get.assertions = vec![AssertionReport {
        kind: AssertionKind::Equals,
        line: 13,
        outcome: Status::Failed,
        assertion: "$.structuredContent.data.title equals \"Hello\"".to_owned(),
        found: Some("got \"Bye\"".to_owned()),
    }];
    let mut teardown = step(1, 16, "call delete_data", Status::Passed);
    teardown.phase = StepPhase::Teardown;
    let details = JourneyDetails {
        file: "mcp-journeys/notes.journey.yaml".to_owned(),
        journey: "crud".to_owned(),
        steps: vec![create, get, teardown],
        captured: [("id".to_owned(), serde_json::json!("n-1"))].into(),
    };
    result(
        "e2e",
        "e2e.notes.crud",
        &["e2e.journey-expectations"],
        Outcome::violated(
            "mcp-journeys/notes.journey.yaml:13: $.structuredContent.data.title equals \"Hello\"",
            "mcp-journeys/notes.journey.yaml:10: step 2 `call get_data`: $.structuredContent.data.title equals \"Hello\": got \"Bye\"",
        )
        .with_details(CheckDetails::Journey(details)),
    )
}
