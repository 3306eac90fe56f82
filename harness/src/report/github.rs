//! GitHub Actions output: workflow-command annotations (`::error` / `::warning`) for failed and warned checks,
//! and the Markdown summary appended to `$GITHUB_STEP_SUMMARY` (see [`super::markdown`]).
//!
//! GitHub shows at most 10 error and 10 warning annotations per step; more are dropped silently. So at most
//! [`MAX_PER_LEVEL`] of each are printed, failures first, then one `::notice` saying how many more there are.
//! Annotations carry no `file=`: a check judges a running server, not a line of the repository.
//!
//! Escaping (GitHub's `toolkit/core` rules): in the message `%` → `%25`, CR → `%0D`, LF → `%0A`; in a property
//! value (`title`) additionally `:` → `%3A` and `,` → `%2C`. `%` is escaped first.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::markdown::{is_failing, markdown_summary};
use super::model::{CheckReport, TestReport};
use crate::check::Status;

/// Annotations printed per level before the rest are summarised in one notice.
pub const MAX_PER_LEVEL: usize = 10;

/// The workflow commands for `report`'s failures (`::error`) and warnings (`::warning`, or `::error` when warnings
/// fail the run), one per line, at most [`MAX_PER_LEVEL`] of each, then a `::notice` for the rest.
pub fn annotations(report: &TestReport) -> String {
    let checks: Vec<&CheckReport> = report.suites.iter().flat_map(|s| &s.checks).collect();
    let failing: Vec<&CheckReport> = checks.iter().copied().filter(|c| is_failing(c)).collect();
    let warned: Vec<&CheckReport> =
        checks.iter().copied().filter(|c| c.baseline.is_none() && c.outcome == Status::Warning).collect();
    let warning_command = if report.warnings_as_errors { "error" } else { "warning" };
    let mut out = String::new();
    let mut left_out = 0;
    for (command, list) in [("error", &failing), (warning_command, &warned)] {
        for c in list.iter().take(MAX_PER_LEVEL) {
            let _ = writeln!(out, "::{command} title={}::{}", escape_property(&c.id), escape_data(&message(c)));
        }
        left_out += list.len().saturating_sub(MAX_PER_LEVEL);
    }
    if left_out > 0 {
        let _ =
            writeln!(out, "::notice title=mcp-harness::{left_out} more failures and warnings: see the step summary");
    }
    out
}

/// One annotation's text: the outcome, the reason and the rule with its quote and source.
fn message(c: &CheckReport) -> String {
    let mut text = format!("{} ({}): {}", c.outcome.as_str(), c.level, c.reason.as_deref().unwrap_or(&c.title));
    if !c.spec_ref.quote.is_empty() {
        let _ = write!(text, "\nrule {}: \"{}\" ({})", c.spec_ref.id, c.spec_ref.quote, c.spec_ref.url);
    }
    text
}

/// Escapes a workflow command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// When `GITHUB_STEP_SUMMARY` names a file: appends the Markdown summary to it and prints the annotations on
/// `out` (stdout). Does nothing otherwise. Returns whether it wrote.
pub fn write_github_outputs(report: &TestReport, out: &mut dyn std::io::Write) -> std::io::Result<bool> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return Ok(false) };
    append_step_summary(report, Path::new(&path))?;
    out.write_all(annotations(report).as_bytes())?;
    out.flush()?;
    Ok(true)
}

/// Appends the Markdown summary to `path` (created if missing), as GitHub expects of `$GITHUB_STEP_SUMMARY`.
pub fn append_step_summary(report: &TestReport, path: &Path) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(markdown_summary(report).as_bytes())?;
    file.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn escapes_per_githubs_rules() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn one_annotation_per_failure_and_warning() {
        let report = sample_report(false);
        let text = annotations(&report);
        assert!(text.contains("::error title=tools.call.unknown-tool::failed (MUST): "));
        assert!(text.contains("::warning title=tools.list.name-format::warning (SHOULD): "));
        for line in text.lines() {
            assert!(line.starts_with("::"), "one command per line: {line}");
        }
        let mut strict = report.clone();
        crate::report::apply_warnings_as_errors(&mut strict);
        assert!(annotations(&strict).contains("::error title=tools.list.name-format::"));
    }

    #[test]
    fn at_most_ten_per_level_then_a_notice() {
        let mut report = sample_report(false);
        let failed = report.suites[0].checks.iter().find(|c| c.id == "tools.call.unknown-tool").unwrap().clone();
        for i in 0..15 {
            let mut c = failed.clone();
            c.id = format!("x.{i}");
            report.suites[0].checks.push(c);
        }
        let text = annotations(&report);
        assert_eq!(text.lines().filter(|l| l.starts_with("::error")).count(), MAX_PER_LEVEL);
        assert!(text.lines().last().unwrap().starts_with("::notice title=mcp-harness::"));
    }
}
