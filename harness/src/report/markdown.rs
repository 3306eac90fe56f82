//! `report.md`: a Markdown summary of the [`TestReport`] (GitHub-flavoured), also what a GitHub Actions run appends
//! to `$GITHUB_STEP_SUMMARY`.
//!
//! A verdict line, a counts table, then every failed (or stale, errored, interrupted) and warned check with its
//! reason, the rule's id and quote and its source written as plain text (no link: the summary is read where links to
//! arbitrary places are unwelcome, and a source is text to cite). Text from the target is escaped ([`md`]): it can
//! neither open a link, an image or HTML nor break the table. The whole summary stays far under GitHub's 1 MiB step
//! summary limit: at most [`MAX_LISTED`] checks are listed (the rest counted) and each text is cut at
//! [`MAX_TEXT`] characters.

use std::fmt::Write as _;
use std::path::Path;

use super::json::{ReportWriteError, write_file};
use super::model::{BaselineMark, CheckReport, TestReport, Verdict};
use super::printable::printable;
use crate::check::Status;

/// Checks listed in full; the rest are counted.
pub const MAX_LISTED: usize = 100;
/// Characters of one reason, quote or observation shown.
pub const MAX_TEXT: usize = 600;

/// The report as a Markdown summary.
pub fn markdown_summary(report: &TestReport) -> String {
    let mut m = String::new();
    let s = &report.summary;
    let icon = match report.verdict {
        Verdict::Passed => "✅",
        Verdict::Warning => "⚠️",
        Verdict::Failed => "❌",
    };
    let protocol = report.protocol.negotiated.as_deref().unwrap_or(&report.protocol.requested);
    let _ = writeln!(m, "## MCP Harness — `{}` (protocol {})\n", code_span(&report.target.description), md(protocol));
    let _ = writeln!(
        m,
        "{icon} **Verdict: {}** · exit {} · {}\n",
        match report.verdict {
            Verdict::Passed => "passed",
            Verdict::Warning => "warning",
            Verdict::Failed => "failed",
        },
        report.exit.code,
        md(&report.exit.reason)
    );
    m.push_str("| ✅ Passed | ❌ Failed | ⚠️ Warnings | ⏭️ Skipped | 💥 Errors | Expected failures | Stale baseline | ⏱ Time |\n");
    m.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        m,
        "| {} | {} | {} | {} | {} | {} | {} | {:.1} s |\n",
        s.passed,
        s.failed,
        s.warnings,
        s.skipped,
        s.errors + s.interrupted,
        s.expected_failures,
        s.stale_baseline,
        report.duration_ms as f64 / 1000.0
    );
    if report.warnings_as_errors {
        m.push_str("Warnings fail this run (`--warnings-as-errors`).\n\n");
    }
    let checks: Vec<&CheckReport> = report.suites.iter().flat_map(|s| &s.checks).collect();
    let failing: Vec<&CheckReport> = checks.iter().copied().filter(|c| is_failing(c)).collect();
    let warned: Vec<&CheckReport> =
        checks.iter().copied().filter(|c| c.baseline.is_none() && c.outcome == Status::Warning).collect();
    section(&mut m, "❌ Failures and errors", &failing);
    section(&mut m, "⚠️ Warnings", &warned);
    let req = &report.coverage.requirements;
    if let Some(p) = req.percent {
        let _ = writeln!(
            m,
            "Requirement coverage ({}): **{p:.1} %** ({}/{} requirements)",
            md(&req.revision),
            req.covered,
            req.total
        );
    }
    m
}

/// Writes [`markdown_summary`] to `path`.
pub fn write_markdown(report: &TestReport, path: &Path) -> Result<(), ReportWriteError> {
    write_file(path, markdown_summary(report).as_bytes())
}

/// Whether a check fails the run on its own: failed, errored, interrupted (unlisted) or stale.
pub(crate) fn is_failing(c: &CheckReport) -> bool {
    match c.baseline {
        Some(BaselineMark::Stale) => true,
        Some(BaselineMark::ExpectedFailure) => false,
        None => matches!(c.outcome, Status::Failed | Status::Error | Status::Interrupted),
    }
}

fn section(m: &mut String, title: &str, checks: &[&CheckReport]) {
    if checks.is_empty() {
        return;
    }
    let _ = writeln!(m, "<details open><summary>{title} ({})</summary>\n", checks.len());
    for c in checks.iter().take(MAX_LISTED) {
        let word = match c.baseline {
            Some(BaselineMark::Stale) => "stale-baseline",
            _ => c.outcome.as_str(),
        };
        let _ = writeln!(m, "- **`{}`** ({word}, {}) — {}", code_span(&c.id), c.level, md(&c.title));
        if let Some(reason) = &c.reason {
            let _ = writeln!(m, "  - Reason: {}", md(reason));
        }
        if let Some(e) = &c.expected {
            let _ = writeln!(m, "  - Expected: {}", md(e));
        }
        if let Some(o) = &c.observed {
            let _ = writeln!(m, "  - Observed: {}", md(o));
        }
        if !c.spec_ref.quote.is_empty() {
            let _ = writeln!(m, "  - Rule `{}`: “{}”", code_span(&c.spec_ref.id), md(&c.spec_ref.quote));
            let _ = writeln!(m, "  - Source: `{}`", code_span(&c.spec_ref.url));
        }
        if let Some(rule) = &c.broken_rule {
            let _ = writeln!(
                m,
                "  - Broken rule `{}`: “{}” (source `{}`)",
                code_span(&rule.id),
                md(&rule.quote),
                code_span(&rule.url)
            );
        }
    }
    if checks.len() > MAX_LISTED {
        let _ = writeln!(m, "- … and {} more (see report.json)", checks.len() - MAX_LISTED);
    }
    m.push_str("\n</details>\n\n");
}

/// Cuts `text` at [`MAX_TEXT`] characters, on one line.
fn one_line(text: &str) -> String {
    let flat: String = printable(text).chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    match flat.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// Target text as inline Markdown: one line, every character Markdown or HTML gives meaning to backslash-escaped.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '<' | '>' | '|' | '#' | '!' | '~' | '&' | ':') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Target text inside a code span (`` ` `` … `` ` ``): backticks and pipes cannot be escaped there, so they are
/// replaced by look-alikes (`ˋ`, `¦`).
fn code_span(text: &str) -> String {
    one_line(text).replace('`', "ˋ").replace('|', "¦")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn lists_failures_and_warnings_with_their_rules() {
        let report = sample_report(false);
        let md_text = markdown_summary(&report);
        assert!(md_text.contains("**Verdict: failed**"));
        assert!(md_text.contains(&format!("| {} | {} |", report.summary.passed, report.summary.failed)));
        let failures = md_text.find("Failures and errors").unwrap();
        let warnings = md_text.find("⚠️ Warnings (").unwrap();
        assert!(failures < warnings);
        assert!(md_text[failures..warnings].contains("`tools.call.unknown-tool`"));
        assert!(md_text[warnings..].contains("`tools.list.name-format`"));
        assert!(md_text.contains("Source: `https://"));
        assert!(!md_text.contains("](http"), "no links");
    }

    #[test]
    fn target_text_cannot_inject_markdown() {
        assert_eq!(md("[x](http://e) <b>|"), "\\[x\\]\\(http\\://e\\) \\<b\\>\\|");
        assert_eq!(code_span("a`b|c\nd"), "aˋb¦c d");
        assert!(one_line(&"x".repeat(MAX_TEXT + 10)).ends_with('…'));
    }

    #[test]
    fn markdown_snapshot() {
        insta::assert_snapshot!(markdown_summary(&sample_report(true)).replace(env!("CARGO_PKG_VERSION"), "[version]"));
    }
}
