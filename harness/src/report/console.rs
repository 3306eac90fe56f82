//! The human summary printed at the end of a run (to stderr by the CLI).
//!
//! One line per failed, warned, errored or stale check (expected failures are counted, not listed), then coverage
//! and exit lines, then the warnings/errors line, with a baseline the `Baseline: N expected, M stale` line, and as
//! the very last line exactly `Summary: N passed, N failed, N skipped` — CI parses that line. With a baseline,
//! `passed` and `failed` exclude stale checks and expected failures (see the report's `# Format`).

use std::io::{self, Write};

use super::model::{BaselineMark, CodeCoverage, TestReport};

/// Writes the summary. `color` adds ANSI colours to the status words; the caller decides it (TTY, `NO_COLOR`,
/// `--color`).
pub fn write_console_summary(report: &TestReport, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let paint = |code: &str, word: &str| if color { format!("\x1b[{code}m{word}\x1b[0m") } else { word.to_owned() };
    for suite in &report.suites {
        for c in &suite.checks {
            let word = match (c.baseline, c.outcome.as_str()) {
                (Some(BaselineMark::Stale), _) => paint("1;31", "STALE"),
                (Some(_), _) => continue,
                (None, "failed") => paint("1;31", "FAIL "),
                (None, "warning") => paint("33", "WARN "),
                (None, "error") => paint("35", "ERROR"),
                _ => continue,
            };
            let reason = c.reason.as_deref().unwrap_or("(no reason given)");
            writeln!(out, "{word} {} — {reason}", c.id)?;
        }
    }
    let req = &report.coverage.requirements;
    let percent = req.percent.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.2} %"));
    writeln!(
        out,
        "Requirement coverage ({}): {percent} ({}/{} requirements)",
        req.revision, req.covered, req.total
    )?;
    if let Some(it) = &report.coverage.integration {
        let percent = it.percent.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.2} %"));
        writeln!(out, "Integration requirement coverage: {percent} ({}/{} requirements)", it.covered, it.total)?;
    }
    match &report.coverage.code {
        CodeCoverage::NotMeasured { reason } => writeln!(out, "Code coverage: not measured ({reason})")?,
        CodeCoverage::Measured { lines, .. } => {
            let percent = lines.percent.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.2} %"));
            writeln!(out, "Code coverage: {percent} ({}/{} lines)", lines.covered, lines.total)?;
        }
    }
    writeln!(out, "Exit {}: {}", report.exit.code, report.exit.reason)?;
    writeln!(out, "Warnings: {}, errors: {}", report.summary.warnings, report.summary.errors)?;
    if let Some(b) = &report.baseline {
        writeln!(out, "Baseline: {} expected, {} stale ({})", report.summary.expected_failures, report.summary.stale_baseline, b.file)?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// The final line: `Summary: N passed, N failed, N skipped` (warnings count in neither passed nor failed; they are
/// on the line before).
pub fn summary_line(report: &TestReport) -> String {
    let s = &report.summary;
    format!("Summary: {} passed, {} failed, {} skipped", s.passed, s.failed, s.skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    fn render(color: bool) -> String {
        let mut buf = Vec::new();
        write_console_summary(&sample_report(true), &mut buf, color).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn last_line_is_the_parsable_summary() {
        let text = render(false);
        let last = text.lines().last().unwrap();
        assert_eq!(last, "Summary: 1 passed, 1 failed, 2 skipped");
        assert_eq!(last, summary_line(&sample_report(true)));
        let before = text.lines().rev().nth(1).unwrap();
        assert_eq!(before, "Baseline: 1 expected, 1 stale (conformance-baseline.yml)");
        assert_eq!(text.lines().rev().nth(2).unwrap(), "Warnings: 1, errors: 1");
        assert!(text.contains("FAIL  tools.call.unknown-tool — result.isError=true"));
        assert!(text.contains("STALE resources.list.shape — listed in baseline but passed: remove it"));
        assert!(!text.contains("tools.call.structured-content"), "expected failures are counted, not listed");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn no_baseline_line_without_a_baseline() {
        let mut report = sample_report(false);
        report.baseline = None;
        let mut buf = Vec::new();
        write_console_summary(&report, &mut buf, false).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(!text.contains("Baseline:"));
        assert_eq!(text.lines().rev().nth(1).unwrap(), "Warnings: 1, errors: 1");
    }

    #[test]
    fn color_only_when_asked() {
        let text = render(true);
        assert!(text.contains("\x1b[1;31mFAIL \x1b[0m tools.call.unknown-tool"));
        assert!(text.ends_with("Summary: 1 passed, 1 failed, 2 skipped\n"));
    }

    #[test]
    fn console_snapshot() {
        insta::assert_snapshot!(render(false));
    }
}
