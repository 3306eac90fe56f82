//! The unified report: built once from a run's results by [`build_report`], then written as JSON, JUnit XML, HTML,
//! Markdown, SARIF, CTRF, GitHub annotations and a console summary. Reporters only render; verdicts and the exit
//! code are decided in [`aggregate`] (also when reports are merged, [`merge`], or compared, [`diff`]).

mod aggregate;
mod catalog;
mod console;
mod ctrf;
pub mod diff;
mod github;
mod html;
mod json;
mod junit;
mod markdown;
pub mod merge;
pub mod model;
pub mod performance;
mod printable;
mod read;
mod sarif;
#[cfg(test)]
mod test_support;

pub use aggregate::{
    CoverageReadError, apply_warnings_as_errors, build_report, merge_requirement_coverage, read_llvm_cov_json, rejudge,
    run_could_not_test,
};
pub use catalog::{Catalog, CatalogError, CatalogKind, Citation, Requirement, cite, revision_catalog};
pub use console::{summary_line, write_console_findings, write_console_summary};
pub use ctrf::{CTRF_SPEC_VERSION, ctrf_report, write_ctrf};
pub use github::{annotations, append_step_summary, escape_data, escape_property, write_github_outputs};
pub use html::{html_report, write_html};
pub use json::{ReportWriteError, generate_report_schema, report_json_schema, write_json};
pub use junit::{junit_xml, write_junit};
pub use markdown::{markdown_summary, write_markdown};
pub use model::{SCHEMA_VERSION, TestReport};
pub use printable::printable;
pub use read::{ReportReadError, read_report};
pub use sarif::{has_security_suite, sarif_log, write_sarif};

use std::time::Duration;

use time::OffsetDateTime;

use crate::check::{CheckMeta, Outcome};
use crate::protocol::Revision;

/// One executed (or skipped) check, as the runner hands it to aggregation.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// The check's record.
    pub meta: CheckMeta,
    /// Its outcome, with `Failed` already downgraded to `Warning` for SHOULD/MAY checks.
    pub outcome: Outcome,
    /// Wall time.
    pub duration: Duration,
    /// Transcript excerpt recorded while the check ran.
    pub wire: Vec<model::WireEntry>,
}

/// Everything aggregation needs about a finished run.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// When the run started.
    pub started_at: OffsetDateTime,
    /// When it finished.
    pub finished_at: OffsetDateTime,
    /// The target, described (secrets redacted).
    pub target: model::TargetInfo,
    /// Protocol asked for and spoken.
    pub protocol: model::ProtocolInfo,
    /// The revision whose requirement catalog coverage is computed against.
    pub coverage_revision: Revision,
    /// Results in run order.
    pub results: Vec<CheckResult>,
    /// Set when the target could not be started, reached or stayed silent before any check could be evaluated:
    /// the run's exit code is then 3 ("could not test").
    pub could_not_test: Option<String>,
    /// Set when a signal ended the run early: the exit code is then 128 + the signal's number.
    pub interrupted: Option<crate::runner::Signal>,
    /// The target's stderr tail, for local processes.
    pub target_stderr: Option<model::CapturedText>,
    /// Code coverage, when supplied.
    pub code_coverage: Option<model::CodeCoverage>,
    /// The expected-failures baseline to judge the results against (`--baseline`).
    pub baseline: Option<crate::baseline::Baseline>,
    /// What the performance suite's load run measured, when it ran one.
    pub performance: Option<performance::PerformanceReport>,
}
