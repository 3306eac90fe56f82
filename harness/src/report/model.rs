//! The versioned TestReport: the single source every output format is written from.
//!
//! # Format
//!
//! `report.json` is one object (camelCase keys) validated by `harness/schema/report.schema.json`, which is generated
//! from these types (`cargo run -p mcp-harness --example report-schema`, checked by a test):
//!
//! - `schemaVersion` — semver of this format; bumped on every incompatible change.
//! - `harness` — `{name, version}` of the tool that wrote it.
//! - `target` — `{kind: "stdio"|"http"|"reference", transport: "stdio"|"http", description, serverInfo, services}`
//!   (secrets redacted).
//! - `protocol` — `{requested: "auto"|revision, negotiated: revision|null, era: "stateful"|"stateless"|null}`.
//! - `startedAt`, `finishedAt` (RFC 3339), `durationMs`.
//! - `summary` — `{total, passed, failed, warnings, skipped, errors, interrupted, expectedFailures, staleBaseline,
//!   notApplicable}`; `total` is the sum of the counts before `notApplicable`: checks that do not apply to the
//!   target's transport or negotiated revision are listed but kept out of the totals (as tests filtered out). With
//!   a baseline, a check marked `expected-failure` counts only in `expectedFailures` (not in `failed` or
//!   `warnings`) and one marked `stale` only in `staleBaseline` (not in `passed`): `failed` and `warnings` are then
//!   regressions only.
//! - `verdict` — `passed` (something was evaluated; nothing failed, warned, errored or was interrupted; no stale
//!   baseline entry), `warning` (warnings only), `failed` (a failure, an error, an interrupted check, a stale
//!   baseline entry, or nothing evaluated at all). Expected failures do not change it.
//! - `exit` — `{code, reason}`: the process exit code (see [`crate::ExitCode`]) and why.
//! - `interrupted` — `"SIGINT"` or `"SIGTERM"` when a signal ended the run, else null.
//! - `suites[]` — `{name, checks[]}`; each check `{id, title, level, outcome, baseline, reason, skipKind,
//!   specRef {id, url, quote}, brokenRule, violation, blocker, durationMs, expected, observed, wire[], tags[]}`.
//!   `specRef` is the check's primary requirement: its catalog id, and its URL and quote from the requirement
//!   catalog (the negotiated revision's wording, else the nearest revision's, else the integration, harness or
//!   security catalog's). `outcome` is what the server did: `passed`, `failed`, `warning`, `skipped`, `error` (could not test),
//!   `not-applicable`, `interrupted`. `brokenRule` `{id, level, url, quote}` names the rule a failure breaks when it
//!   is not the check's own (`specRef`): a wire violation observed while the check waited for an answer (a
//!   mislabelled response id, a crash, …); `violation` is then its kind (`response-id-mismatch`, `exited`, …).
//!   `blocker` is the kind of "could not test" behind an error (`unreachable`, `silent`, …). `baseline` is what
//!   the baseline made of the outcome: `null`, `expected-failure` (failed or warned, listed; does not fail the run)
//!   or `stale` (passed, listed; fails the run; its `reason` is "listed in baseline but passed: remove it");
//!   `wire` is a bounded excerpt of the transcript during the check, `{atMs, direction: "sent"|"received"|"note",
//!   channel, text, truncated}`. `details` is `null`, or for a journey of the e2e suite `{kind: "journey", file,
//!   journey, steps[] {phase, index, line, session, action, outcome, reason, latencyMs}, captured}`. `finding` is
//!   `null`, or for a failed or warned security check `{severity, cwe, evidence {matched, request, answer},
//!   remediation}` (also written to `report.sarif`).
//! - `coverage` — `requirements` (computed from the revision's requirement catalog: requirements with at least
//!   one evaluated check ÷ requirements in the catalog), `integration` and `code` (`not-measured` unless supplied).
//! - `targetStderr` — the target's stderr (bounded tail), when it is a local process.
//! - `baseline` — `null` without `--baseline`, else `{file, entries, matched, staleEntries[]}`: the file as given,
//!   its `server` entries, how many matched a check in this report, and the stale entries to remove.
//! - `warningsAsErrors` — `true` when the run was told to fail on warnings (`--warnings-as-errors`): an unlisted
//!   warning then makes the verdict `failed` and the exit code 1.
//! - `performance` — `null`, or what the performance suite's load run measured (throughput, corrected and service
//!   latency, errors by kind, a per-second timeline, the target's memory and CPU, the generator's health, SLO
//!   thresholds, plots): see [`super::performance::PerformanceReport`].
//!
//! JUnit XML is a projection with counts that equal the summary: `tests` = `total`; `failures` = `failed` +
//! `staleBaseline` (a stale check is `<failure type="stale-baseline">`); `errors` = `errors` + `interrupted`;
//! `skipped` = `skipped` + `expectedFailures` (an expected failure is `<skipped type="xfail">`). Warnings are passing
//! cases with `severity` and `outcome` properties (failures, counted in `failures`, under `warningsAsErrors`);
//! not-applicable checks are left out.
//!
//! Version history: 1.1.0 added `baseline` (report and check), `summary.expectedFailures` and
//! `summary.staleBaseline`; 1.2.0 added `target.services` and `coverage.integration`; 2.0.0 added the outcomes
//! `not-applicable` (out of the totals, `summary.notApplicable`) and `interrupted` (`summary.interrupted`, top-level
//! `interrupted`), the check fields `brokenRule`, `violation`, `blocker` and `details`, exit codes 130/143, and a schema
//! generated from the types; 2.1.0 added a journey step's `assertions` and `notes`; 2.2.0 the `unit` suite; 2.3.0
//! the `performance` section (see [`super::performance`]) and a check's `finding`; 2.4.0 `warningsAsErrors`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ExitCode;
use crate::check::{Level, SkipReason, Status, Suite};
use crate::protocol::Era;
use crate::runner::Signal;
use crate::session::{BlockerKind, ViolationKind};
use crate::wire::Direction;

/// The version of this report format.
pub const SCHEMA_VERSION: &str = "2.4.0";

/// A whole run's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    /// Version of this format ([`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// The tool that wrote the report.
    pub harness: HarnessInfo,
    /// What was tested.
    pub target: TargetInfo,
    /// Which protocol revision was asked for and spoken.
    pub protocol: ProtocolInfo,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When the run finished (RFC 3339).
    pub finished_at: String,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// Counts of outcomes.
    pub summary: Summary,
    /// Overall verdict.
    pub verdict: Verdict,
    /// The exit code the CLI returns for this report, and why.
    pub exit: ExitInfo,
    /// The signal that ended the run early, if one did.
    pub interrupted: Option<Signal>,
    /// Results, grouped by suite.
    pub suites: Vec<SuiteReport>,
    /// Computed coverage.
    pub coverage: Coverage,
    /// The target process's stderr (bounded tail), when it is a local process.
    pub target_stderr: Option<CapturedText>,
    /// The baseline the run was judged against, if any.
    pub baseline: Option<BaselineInfo>,
    /// What the performance suite's load run measured, when it ran one.
    pub performance: Option<super::performance::PerformanceReport>,
    /// Whether warnings fail the run (`--warnings-as-errors`): the verdict and exit code count them as failures
    /// and JUnit writes them as `<failure type="SHOULD">`.
    #[serde(default)]
    pub warnings_as_errors: bool,
}

/// The baseline (expected-failures file) a run was judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BaselineInfo {
    /// The file, as given on the command line.
    pub file: String,
    /// Its `server` entries.
    pub entries: u32,
    /// Entries that matched at least one check in this report.
    pub matched: u32,
    /// Entries that matched passing checks and nothing failing: remove them.
    pub stale_entries: Vec<String>,
}

/// What the baseline made of a check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BaselineMark {
    /// Failed or warned, and listed: tolerated (xfail).
    ExpectedFailure,
    /// Passed, and listed: the baseline is stale (xpass) and the run fails.
    Stale,
}

/// Name and version of the harness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HarnessInfo {
    /// Always `mcp-harness`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// A description of the target, with secrets redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetInfo {
    /// How the target was given.
    pub kind: TargetKind,
    /// How it is reached.
    pub transport: TransportKind,
    /// The command line or URL (redacted).
    pub description: String,
    /// `serverInfo` as the server reported it, if a handshake succeeded.
    pub server_info: Option<serde_json::Value>,
    /// Backing services given to the target (where each came from, no secrets), or why they are missing.
    #[serde(default)]
    pub services: Vec<String>,
    /// How the target is reached when that changes what the run proves: TLS verification turned off
    /// (`--insecure`) or widened (`--ca-cert`), the authentication used (OAuth client id, a pre-issued token).
    /// No secrets.
    #[serde(default)]
    pub connection: Vec<String>,
}

/// How a target was given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum TargetKind {
    /// A stdio command (`--stdio`).
    Stdio,
    /// A Streamable HTTP URL (`--url`).
    Http,
    /// The bundled reference server (`--reference`).
    Reference,
}

/// How a target is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// A child process on stdin/stdout.
    Stdio,
    /// Streamable HTTP.
    Http,
}

impl TargetKind {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Stdio => "stdio",
            TargetKind::Http => "http",
            TargetKind::Reference => "reference",
        }
    }
}

impl TransportKind {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Stdio => "stdio",
            TransportKind::Http => "http",
        }
    }
}

/// The protocol revision asked for and the one spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolInfo {
    /// `auto` or a revision date.
    pub requested: String,
    /// The revision the run spoke, once known.
    pub negotiated: Option<String>,
    /// The era of the negotiated revision, once known.
    pub era: Option<Era>,
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// All checks in the report.
    pub total: u32,
    /// Checks that passed.
    pub passed: u32,
    /// Checks whose MUST requirement was violated.
    pub failed: u32,
    /// Checks whose SHOULD requirement was not met.
    pub warnings: u32,
    /// Checks that did not apply.
    pub skipped: u32,
    /// Checks the harness could not evaluate.
    pub errors: u32,
    /// Checks a signal stopped before they finished.
    pub interrupted: u32,
    /// Checks that failed or warned and are listed in the baseline (counted here only).
    pub expected_failures: u32,
    /// Checks that passed but are listed by a stale baseline entry (counted here only).
    pub stale_baseline: u32,
    /// Checks that do not apply to the target's transport or negotiated revision (not part of `total`).
    pub not_applicable: u32,
}

/// The overall verdict of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Something was evaluated, and nothing failed, warned, errored or was interrupted; no baseline entry is stale.
    Passed,
    /// Warnings but no failures, errors, interruptions or stale baseline entries.
    Warning,
    /// At least one failure, error, interrupted check or stale baseline entry, or nothing evaluated at all.
    Failed,
}

/// The exit code and the reason for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExitInfo {
    /// The process exit code.
    pub code: ExitCode,
    /// Why, in one line.
    pub reason: String,
}

/// The results of one suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuiteReport {
    /// The suite.
    pub name: Suite,
    /// Its checks, in run order.
    pub checks: Vec<CheckReport>,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    /// Stable dotted id.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// How strongly the spec words the check's requirement.
    pub level: Level,
    /// What the server did (or why nothing was judged).
    pub outcome: Status,
    /// What the baseline made of the outcome (`None` without a baseline or when it does not apply).
    pub baseline: Option<BaselineMark>,
    /// Why (absent on a plain pass).
    pub reason: Option<String>,
    /// For skips and not-applicable checks, the kind of reason (`capability-not-advertised`, …).
    pub skip_kind: Option<SkipReason>,
    /// The spec requirement tested.
    pub spec_ref: SpecRefReport,
    /// The rule a failure breaks when it is not the check's own: a wire violation observed during the check.
    pub broken_rule: Option<RuleReport>,
    /// The kind of wire violation behind a failure, if a session observed one.
    pub violation: Option<ViolationKind>,
    /// The kind of "could not test" behind an error.
    pub blocker: Option<BlockerKind>,
    /// Wall time of the check in milliseconds.
    pub duration_ms: f64,
    /// What a correct server does.
    pub expected: Option<String>,
    /// What the server did.
    pub observed: Option<String>,
    /// Transcript excerpt recorded during the check.
    pub wire: Vec<WireEntry>,
    /// Tags.
    pub tags: Vec<String>,
    /// What a check of a data-driven suite did step by step (a journey's steps), when it has more to show.
    pub details: Option<CheckDetails>,
    /// A failed or warned security check's finding: severity, CWE, evidence and remediation.
    pub finding: Option<crate::check::Finding>,
}

/// The detail a check of a data-driven suite adds to its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CheckDetails {
    /// An end-to-end journey: its file, every step's outcome and the values it captured.
    Journey(JourneyDetails),
}

/// A journey's run, step by step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JourneyDetails {
    /// The journey file, as found (relative to the working directory when it was given relatively).
    pub file: String,
    /// The journey's name in the file.
    pub journey: String,
    /// Every step that ran or was skipped, setup and teardown included, in order.
    pub steps: Vec<StepReport>,
    /// The values the steps captured, by variable name.
    pub captured: std::collections::BTreeMap<String, serde_json::Value>,
}

/// One step of a journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// The part of the journey the step belongs to.
    pub phase: StepPhase,
    /// Its position in that part, from 1.
    pub index: u32,
    /// The line of the journey file where the step starts.
    pub line: u32,
    /// The named session the step ran on.
    pub session: String,
    /// What it did, in one line (`call data_create`, `read test://static-text`, …).
    pub action: String,
    /// `passed`, `failed`, `warning`, `error` (could not run it) or `skipped` (an earlier step failed).
    pub outcome: Status,
    /// Why, for anything but a pass: the failed assertions, one per line.
    pub reason: Option<String>,
    /// Milliseconds from sending the step's request to its answer.
    pub latency_ms: Option<f64>,
    /// Every expectation the step's answer was judged by, implicit ones included, in order.
    pub assertions: Vec<AssertionReport>,
    /// What is worth knowing besides the verdict (a snapshot written, input rounds answered, requests the server
    /// sent).
    pub notes: Vec<String>,
}

/// One expectation of a journey step, as judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssertionReport {
    /// Its kind (`equals`, `snapshot`, `notification`, `capture`, …).
    pub kind: mcp_harness_suites::journey::AssertionKind,
    /// The journey-file line it is written on (the step's line for implicit ones).
    pub line: u32,
    /// `passed` or `failed`.
    pub outcome: Status,
    /// What it asserts, in words (`$.structuredContent.id equals "n-1"`).
    pub assertion: String,
    /// What was found instead, when it failed.
    pub found: Option<String>,
}

/// The part of a journey a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepPhase {
    /// Runs before the steps; a failure there is an error of the journey (could not set up).
    Setup,
    /// The journey proper.
    Step,
    /// Runs after the steps whatever happened; a failure there is reported but does not change the verdict.
    Teardown,
}

/// A check's primary requirement as written in the report: its catalog id, where it is written and its quote,
/// both from the requirement catalog (the negotiated revision's wording, else the nearest revision's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpecRefReport {
    /// The requirement-catalog id (`lifecycle.version-negotiation`).
    pub id: String,
    /// Full URL into the revision's specification (or the document that states the requirement).
    pub url: String,
    /// The requirement, quoted.
    pub quote: String,
}

/// A requirement named by id, with its level and where it is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleReport {
    /// The requirement-catalog id.
    pub id: String,
    /// How strongly it is worded.
    pub level: Level,
    /// Where it is written.
    pub url: String,
    /// The requirement, quoted.
    pub quote: String,
}

/// One transcript line in a check's wire excerpt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WireEntry {
    /// Milliseconds since the start of the run.
    pub at_ms: f64,
    /// Which way it went.
    pub direction: Direction,
    /// Where: `stdin`, `stdout`, `POST`, `GET`, `DELETE`, `http-status`, …
    pub channel: String,
    /// The bytes, as text (truncated when long).
    pub text: String,
    /// Whether `text` was cut.
    pub truncated: bool,
}

/// Computed coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// Requirement coverage of the spoken revision's catalog.
    pub requirements: RequirementCoverage,
    /// Coverage of the integration suite's own requirements (`suites/integration/requirements.json`, `revision`
    /// is `integration`), when integration checks were selected; otherwise null.
    pub integration: Option<RequirementCoverage>,
    /// Code coverage, when supplied.
    pub code: CodeCoverage,
}

/// Requirement coverage: requirements with at least one evaluated check ÷ requirements in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequirementCoverage {
    /// The catalog: its protocol revision, or `integration`.
    pub revision: String,
    /// Requirements in the catalog.
    pub total: u32,
    /// Requirements with at least one check that was evaluated (passed, failed or warned).
    pub covered: u32,
    /// `covered / total × 100`, or null when the catalog is empty.
    pub percent: Option<f64>,
    /// Ids of requirements no evaluated check covered.
    pub uncovered: Vec<String>,
}

/// Code coverage: either measured (from `cargo llvm-cov --json`) or honestly not measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum CodeCoverage {
    /// No measurement was supplied.
    #[serde(rename = "not-measured")]
    NotMeasured {
        /// Why.
        reason: String,
    },
    /// Read from a coverage export.
    #[serde(rename = "measured")]
    Measured {
        /// Line counts.
        lines: CoverageCount,
        /// Function counts.
        functions: CoverageCount,
        /// The file it was read from.
        source: String,
    },
}

/// Covered out of total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoverageCount {
    /// Covered units.
    pub covered: u64,
    /// All units.
    pub total: u64,
    /// Percent, or null when `total` is zero (nothing measured is not 0 %).
    pub percent: Option<f64>,
}

/// Text captured from a process, bounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapturedText {
    /// The (tail of the) text.
    pub text: String,
    /// Whether earlier text was dropped.
    pub truncated: bool,
}
