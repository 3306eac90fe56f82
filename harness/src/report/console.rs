//! The human summary printed at the end of a run (to stderr by the CLI).
//!
//! One line per failed, warned or stale check (expected failures are counted, not listed); errors and interrupted
//! checks that share one cause are printed once, as a group with their ids ("ERROR 35 checks could not run: the
//! run's handshake failed: …"). Then coverage and exit lines, then the warnings/errors line, with a baseline the
//! `Baseline: N expected, M stale` line, and as the very last line exactly `Summary: N passed, N failed, N skipped`
//! — CI parses that line. With a baseline, `passed` and `failed` exclude stale checks and expected failures (see
//! the report's `# Format`). Not-applicable checks are neither listed nor counted there.

use std::io::{self, Write};

use super::model::{BaselineMark, CheckReport, CodeCoverage, TestReport};
use super::printable::printable;
use crate::check::Status;

/// Ids shown for a group of errors with one cause before "and N more".
const GROUP_IDS_SHOWN: usize = 6;

/// Writes the summary. `color` adds ANSI colours to the status words; the caller decides it (TTY, `NO_COLOR`,
/// `--color`).
pub fn write_console_summary(report: &TestReport, out: &mut dyn Write, color: bool) -> io::Result<()> {
    write_console_findings(report, out, color)?;
    write_console_totals(report, out)
}

/// Writes the summary's first part only: one line per failed, warned or stale check, and the grouped errors and
/// interruptions (what `run --quiet` prints before the `Summary:` line).
pub fn write_console_findings(report: &TestReport, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let paint = |code: &str, word: &str| if color { format!("\x1b[{code}m{word}\x1b[0m") } else { word.to_owned() };
    // Errors and interruptions grouped by their reason, in order of first appearance.
    let mut groups: Vec<(Status, &str, Vec<&str>)> = Vec::new();
    for c in report.suites.iter().flat_map(|s| &s.checks) {
        let word = match (c.baseline, c.outcome) {
            (Some(BaselineMark::Stale), _) => paint("1;31", "STALE"),
            (Some(_), _) => continue,
            (None, Status::Failed) => paint("1;31", "FAIL "),
            (None, Status::Warning) => paint("33", "WARN "),
            (None, status @ (Status::Error | Status::Interrupted)) => {
                let reason = c.reason.as_deref().unwrap_or("(no reason given)");
                match groups.iter_mut().find(|(s, r, _)| *s == status && *r == reason) {
                    Some((_, _, ids)) => ids.push(&c.id),
                    None => groups.push((status, reason, vec![&c.id])),
                }
                continue;
            }
            _ => continue,
        };
        writeln!(out, "{word} {} — {}", c.id, printable(reason_of(c)))?;
    }
    for (status, reason, ids) in &groups {
        let word = match status {
            Status::Interrupted => paint("35", "INTR "),
            _ => paint("35", "ERROR"),
        };
        let reason = printable(reason);
        if let [id] = ids.as_slice() {
            writeln!(out, "{word} {id} — {reason}")?;
            continue;
        }
        let shown: Vec<&str> = ids.iter().take(GROUP_IDS_SHOWN).copied().collect();
        let more = ids.len().saturating_sub(GROUP_IDS_SHOWN);
        let more = if more > 0 { format!(", and {more} more") } else { String::new() };
        writeln!(out, "{word} {} checks — {reason}", ids.len())?;
        writeln!(out, "      ({}{more})", shown.join(", "))?;
    }
    Ok(())
}

/// Writes the summary's second part: coverage, exit, counts and baseline lines, and the `Summary:` line.
fn write_console_totals(report: &TestReport, out: &mut dyn Write) -> io::Result<()> {
    let req = &report.coverage.requirements;
    let percent = req.percent.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.2} %"));
    writeln!(out, "Requirement coverage ({}): {percent} ({}/{} requirements)", req.revision, req.covered, req.total)?;
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
    let s = &report.summary;
    let mut counts = format!("Warnings: {}, errors: {}", s.warnings, s.errors);
    if s.interrupted > 0 {
        counts.push_str(&format!(", interrupted: {}", s.interrupted));
    }
    if s.not_applicable > 0 {
        counts.push_str(&format!(" ({} not applicable, not counted)", s.not_applicable));
    }
    writeln!(out, "{counts}")?;
    if let Some(b) = &report.baseline {
        writeln!(
            out,
            "Baseline: {} expected, {} stale ({})",
            report.summary.expected_failures, report.summary.stale_baseline, b.file
        )?;
    }
    writeln!(out, "{}", summary_line(report))
}

fn reason_of(c: &CheckReport) -> &str {
    c.reason.as_deref().unwrap_or("(no reason given)")
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
        assert_eq!(last, "Summary: 1 passed, 3 failed, 1 skipped");
        assert_eq!(last, summary_line(&sample_report(true)));
        let before = text.lines().rev().nth(1).unwrap();
        assert_eq!(before, "Baseline: 1 expected, 1 stale (conformance-baseline.yml)");
        assert_eq!(
            text.lines().rev().nth(2).unwrap(),
            "Warnings: 1, errors: 1, interrupted: 1 (1 not applicable, not counted)"
        );
        assert!(text.contains("ERROR ping.response — could not test: no response to `ping` within 5s"));
        assert!(!text.contains("transport.http.origin"), "not-applicable checks are not listed");
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
        assert_eq!(
            text.lines().rev().nth(1).unwrap(),
            "Warnings: 1, errors: 1, interrupted: 1 (1 not applicable, not counted)"
        );
    }

    #[test]
    fn color_only_when_asked() {
        let text = render(true);
        assert!(text.contains("\x1b[1;31mFAIL \x1b[0m tools.call.unknown-tool"));
        assert!(text.ends_with("Summary: 1 passed, 3 failed, 1 skipped\n"));
    }

    #[test]
    fn errors_with_one_cause_are_printed_once() {
        let mut report = sample_report(false);
        let template = report.suites[0].checks.iter().find(|c| c.id == "ping.response").unwrap().clone();
        for n in 0..10 {
            let mut c = template.clone();
            c.id = format!("x.check-{n}");
            c.reason = Some("could not test: could not connect to http://127.0.0.1:9/mcp: refused".to_owned());
            report.suites[0].checks.push(c);
        }
        let mut buf = Vec::new();
        write_console_summary(&report, &mut buf, false).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.matches("could not connect").count(), 1, "{text}");
        assert!(
            text.contains("ERROR 10 checks — could not test: could not connect to http://127.0.0.1:9/mcp: refused")
        );
        assert!(text.contains("(x.check-0, x.check-1, x.check-2, x.check-3, x.check-4, x.check-5, and 4 more)"));
    }

    #[test]
    fn console_snapshot() {
        insta::assert_snapshot!(render(false));
    }
}
