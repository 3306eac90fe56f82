//! `report.html`: one self-contained page a person reads — a projection of the [`TestReport`] like JUnit.
//!
//! Self-contained and offline: inline CSS, no script, no external font, stylesheet or image; a Content Security
//! Policy (`default-src 'none'`) forbids any load but inline styles and `data:` images. The performance plots are
//! embedded as `data:image/svg+xml;base64` images (an SVG shown through `<img>` runs no script).
//!
//! Order: verdict and counts; failures (expected, observed, the rule with its quote and source, the finding, a
//! journey's steps, the wire excerpt), then the checks that could not be evaluated, grouped by reason; warnings; one table per suite; coverage; security
//! findings; performance; target and environment.
//!
//! Everything the target could have influenced is hostile: every text goes through [`esc`] (HTML escaping after
//! [`printable`], so control characters and bidirectional overrides are shown, not obeyed). The page is built by
//! hand in this one module (no template engine): a handful of sections does not need one, and a single escaping
//! function through which every dynamic string passes is easy to audit.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;

use super::json::{ReportWriteError, write_file};
use super::model::{BaselineMark, CheckDetails, CheckReport, CodeCoverage, RequirementCoverage, TestReport, Verdict};
use super::printable::printable;
use crate::check::Status;

/// Largest SVG plot embedded; a bigger file is linked instead.
const MAX_PLOT_BYTES: u64 = 4 << 20;

/// The report as one HTML page. `plot_dir` is the directory the performance plots' paths are relative to (the
/// report's directory); without it, or when a plot cannot be read, the page names the file instead.
pub fn html_report(report: &TestReport, plot_dir: Option<&Path>) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let target = &report.target.description;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>mcp-harness: {} — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        verdict_word(report.verdict),
        esc(target)
    );
    header(&mut h, report);
    let checks: Vec<&CheckReport> = report.suites.iter().flat_map(|s| &s.checks).collect();
    failures(&mut h, &checks);
    warnings(&mut h, &checks);
    suites(&mut h, report);
    coverage(&mut h, report);
    security(&mut h, &checks);
    performance(&mut h, report, plot_dir);
    environment(&mut h, report);
    h.push_str("</body>\n</html>\n");
    h
}

/// Writes [`html_report`] to `path` (plots looked up beside it).
pub fn write_html(report: &TestReport, path: &Path) -> Result<(), ReportWriteError> {
    write_file(path, html_report(report, path.parent()).as_bytes())
}

/// `text` made safe for HTML text and attribute values: terminal controls shown escaped ([`printable`]), then
/// `& < > " '` as entities.
pub(crate) fn esc(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An `href` for `url`: only `http(s)` links are made live; anything else (a `javascript:` URL from a hostile
/// catalog or target) is shown as text.
fn link(url: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!("<a href=\"{0}\">{0}</a>", esc(url))
    } else {
        esc(url)
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed => "passed",
        Verdict::Warning => "warning",
        Verdict::Failed => "failed",
    }
}

fn header(h: &mut String, r: &TestReport) {
    let s = &r.summary;
    let protocol = r.protocol.negotiated.as_deref().unwrap_or(&r.protocol.requested);
    let _ = write!(
        h,
        "<header>\n<h1>MCP Harness report</h1>\n<p class=\"target\">{} over {} · protocol {} · {} ms</p>\n\
         <p id=\"verdict\" class=\"verdict v-{v}\">Verdict: <strong>{v}</strong> · exit {} · {}</p>\n",
        esc(&r.target.description),
        r.target.transport.as_str(),
        esc(protocol),
        r.duration_ms,
        r.exit.code,
        esc(&r.exit.reason),
        v = verdict_word(r.verdict),
    );
    if r.warnings_as_errors {
        h.push_str("<p class=\"note\">--warnings-as-errors: warnings fail this run.</p>\n");
    }
    h.push_str("<table id=\"counts\" class=\"counts\">\n<tr>");
    let counts = [
        ("passed", s.passed),
        ("failed", s.failed),
        ("warnings", s.warnings),
        ("skipped", s.skipped),
        ("errors", s.errors),
        ("interrupted", s.interrupted),
        ("expected-failures", s.expected_failures),
        ("stale-baseline", s.stale_baseline),
        ("not-applicable", s.not_applicable),
        ("total", s.total),
    ];
    for (name, _) in counts {
        let _ = write!(h, "<th>{}</th>", name.replace('-', " "));
    }
    h.push_str("</tr>\n<tr>");
    for (name, n) in counts {
        let _ = write!(h, "<td id=\"count-{name}\">{n}</td>");
    }
    h.push_str("</tr>\n</table>\n</header>\n");
}

/// Failed and stale checks in full (not expected failures), then the checks that could not be evaluated (errors,
/// interrupted), grouped by their reason as the console groups them: one cause often stops many checks.
fn failures(h: &mut String, checks: &[&CheckReport]) {
    let failing: Vec<&&CheckReport> = checks
        .iter()
        .filter(|c| match c.baseline {
            Some(BaselineMark::Stale) => true,
            Some(_) => false,
            None => c.outcome == Status::Failed,
        })
        .collect();
    let mut groups: Vec<(Status, &str, Vec<&str>)> = Vec::new();
    for c in checks.iter().filter(|c| c.baseline.is_none() && matches!(c.outcome, Status::Error | Status::Interrupted))
    {
        let reason = c.reason.as_deref().unwrap_or("(no reason given)");
        match groups.iter_mut().find(|(s, r, _)| *s == c.outcome && *r == reason) {
            Some((_, _, ids)) => ids.push(&c.id),
            None => groups.push((c.outcome, reason, vec![&c.id])),
        }
    }
    let unevaluated: usize = groups.iter().map(|(_, _, ids)| ids.len()).sum();
    let _ = writeln!(h, "<section id=\"failures\">\n<h2>Failures ({})</h2>", failing.len());
    if failing.is_empty() {
        h.push_str("<p>None.</p>\n");
    }
    for c in failing {
        check_card(h, c);
    }
    if unevaluated > 0 {
        let _ = writeln!(
            h,
            "<h3 id=\"errors\">Could not evaluate ({unevaluated})</h3>\n<table class=\"errors\"><tr><th>outcome</th>\
             <th>reason</th><th>checks</th></tr>"
        );
        for (status, reason, ids) in groups {
            let ids: Vec<String> = ids.iter().map(|id| format!("<code>{}</code>", esc(id))).collect();
            let _ = writeln!(
                h,
                "<tr class=\"o-{0}\"><td>{0}</td><td><pre>{1}</pre></td><td>{2}</td></tr>",
                status.as_str(),
                esc(reason),
                ids.join(" ")
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
}

fn warnings(h: &mut String, checks: &[&CheckReport]) {
    let warned: Vec<&&CheckReport> =
        checks.iter().filter(|c| c.baseline.is_none() && c.outcome == Status::Warning).collect();
    let _ = writeln!(h, "<section id=\"warnings\">\n<h2>Warnings ({})</h2>", warned.len());
    if warned.is_empty() {
        h.push_str("<p>None.</p>\n");
    }
    for c in warned {
        check_card(h, c);
    }
    h.push_str("</section>\n");
}

fn outcome_word(c: &CheckReport) -> &'static str {
    match c.baseline {
        Some(BaselineMark::Stale) => "stale-baseline",
        Some(BaselineMark::ExpectedFailure) => "expected-failure",
        None => c.outcome.as_str(),
    }
}

/// One failed or warned check in full.
fn check_card(h: &mut String, c: &CheckReport) {
    let word = outcome_word(c);
    let _ = write!(
        h,
        "<article class=\"check o-{word}\" id=\"check-{id}\">\n<h3><span class=\"badge o-{word}\">{word}</span> \
         <code class=\"check-id\">{id}</code> {title}</h3>\n<dl>\n<dt>Level</dt><dd>{level}</dd>\n",
        id = esc(&c.id),
        title = esc(&c.title),
        level = c.level,
    );
    if let Some(reason) = &c.reason {
        let _ = writeln!(h, "<dt>Reason</dt><dd><pre class=\"reason\">{}</pre></dd>", esc(reason));
    }
    if let Some(e) = &c.expected {
        let _ = writeln!(h, "<dt>Expected</dt><dd><pre class=\"expected\">{}</pre></dd>", esc(e));
    }
    if let Some(o) = &c.observed {
        let _ = writeln!(h, "<dt>Observed</dt><dd><pre class=\"observed\">{}</pre></dd>", esc(o));
    }
    if !c.spec_ref.id.is_empty() || !c.spec_ref.quote.is_empty() {
        let _ = writeln!(
            h,
            "<dt>Rule</dt><dd><code>{}</code><blockquote class=\"quote\">{}</blockquote>\
             <p class=\"source\">Source: {}</p></dd>",
            esc(&c.spec_ref.id),
            esc(&c.spec_ref.quote),
            link(&c.spec_ref.url)
        );
    }
    if let Some(rule) = &c.broken_rule {
        let _ = writeln!(
            h,
            "<dt>Broken rule</dt><dd><code>{}</code> ({}){}<blockquote class=\"quote\">{}</blockquote>\
             <p class=\"source\">Source: {}</p></dd>",
            esc(&rule.id),
            rule.level,
            c.violation
                .and_then(|v| serde_json::to_value(v).ok())
                .and_then(|v| v.as_str().map(|k| format!(" · {}", esc(k))))
                .unwrap_or_default(),
            esc(&rule.quote),
            link(&rule.url)
        );
    }
    if let Some(f) = &c.finding {
        let _ = write!(
            h,
            "<dt>Finding</dt><dd>severity <strong>{}</strong>{}<p>Remediation: {}</p>",
            f.severity.as_str(),
            f.cwe.map(|n| format!(" · CWE-{n}")).unwrap_or_default(),
            esc(&f.remediation)
        );
        for (label, text) in
            [("matched", &f.evidence.matched), ("request", &f.evidence.request), ("answer", &f.evidence.answer)]
        {
            if let Some(t) = text {
                let _ = write!(h, "<p>{label}:</p><pre class=\"evidence\">{}</pre>", esc(t));
            }
        }
        h.push_str("</dd>\n");
    }
    if let Some(CheckDetails::Journey(j)) = &c.details {
        let _ =
            write!(h, "<dt>Journey</dt><dd><code>{}</code> · {}<ol class=\"steps\">", esc(&j.file), esc(&j.journey));
        for step in &j.steps {
            let _ = write!(
                h,
                "<li class=\"o-{}\">{:?} {} (line {}): {} — {}{}</li>",
                step.outcome.as_str(),
                step.phase,
                step.index,
                step.line,
                esc(&step.action),
                step.outcome.as_str(),
                step.reason.as_deref().map(|r| format!(": {}", esc(r))).unwrap_or_default()
            );
        }
        h.push_str("</ol></dd>\n");
    }
    if !c.wire.is_empty() {
        h.push_str("<dt>Wire</dt><dd><pre class=\"wire\">");
        for w in &c.wire {
            let cut = if w.truncated { " [truncated]" } else { "" };
            let _ = writeln!(
                h,
                "{:>9.3} ms {:<8} {:<8} {}{cut}",
                w.at_ms,
                w.direction.as_str(),
                esc(&w.channel),
                esc(&w.text)
            );
        }
        h.push_str("</pre></dd>\n");
    }
    h.push_str("</dl>\n</article>\n");
}

fn suites(h: &mut String, r: &TestReport) {
    h.push_str("<section id=\"suites\">\n<h2>Suites</h2>\n");
    for suite in &r.suites {
        let n = |pred: &dyn Fn(&CheckReport) -> bool| suite.checks.iter().filter(|c| pred(c)).count();
        let _ = write!(
            h,
            "<h3 id=\"suite-{name}\">{name}</h3>\n<table class=\"suite-counts\"><tr><th>passed</th><th>failed</th>\
             <th>warned</th><th>skipped</th><th>errors</th><th>expected failures</th><th>not applicable</th></tr>\
             <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr></table>\n",
            n(&|c| c.baseline.is_none() && c.outcome == Status::Passed),
            n(&|c| c.baseline == Some(BaselineMark::Stale) || (c.baseline.is_none() && c.outcome == Status::Failed)),
            n(&|c| c.baseline.is_none() && c.outcome == Status::Warning),
            n(&|c| c.baseline.is_none() && c.outcome == Status::Skipped),
            n(&|c| c.baseline.is_none() && matches!(c.outcome, Status::Error | Status::Interrupted)),
            n(&|c| c.baseline == Some(BaselineMark::ExpectedFailure)),
            n(&|c| c.outcome == Status::NotApplicable),
            name = suite.name.as_str(),
        );
        h.push_str(
            "<table class=\"checks\"><tr><th>check</th><th>outcome</th><th>level</th><th>ms</th><th>reason</th></tr>\n",
        );
        for c in &suite.checks {
            let word = outcome_word(c);
            let _ = writeln!(
                h,
                "<tr class=\"o-{word}\"><td><code>{}</code></td><td>{word}</td><td>{}</td><td>{:.1}</td><td>{}</td></tr>",
                esc(&c.id),
                c.level,
                c.duration_ms,
                esc(c.reason.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
}

fn requirement_line(h: &mut String, label: &str, c: &RequirementCoverage) {
    let percent = c.percent.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.1} %"));
    let _ = writeln!(
        h,
        "<tr><td>{label} ({})</td><td>{percent} ({}/{} requirements)</td></tr>",
        esc(&c.revision),
        c.covered,
        c.total
    );
}

fn coverage(h: &mut String, r: &TestReport) {
    h.push_str("<section id=\"coverage\">\n<h2>Coverage</h2>\n<table>\n");
    requirement_line(h, "Requirements", &r.coverage.requirements);
    if let Some(i) = &r.coverage.integration {
        requirement_line(h, "Integration", i);
    }
    match &r.coverage.code {
        CodeCoverage::NotMeasured { reason } => {
            let _ = writeln!(h, "<tr><td>Code</td><td>not measured ({})</td></tr>", esc(reason));
        }
        CodeCoverage::Measured { lines, functions, source } => {
            let pct = |p: Option<f64>| p.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.1} %"));
            let _ = writeln!(
                h,
                "<tr><td>Code</td><td>{} lines ({}/{}), {} functions ({}/{}) from {}</td></tr>",
                pct(lines.percent),
                lines.covered,
                lines.total,
                pct(functions.percent),
                functions.covered,
                functions.total,
                esc(source)
            );
        }
    }
    h.push_str("</table>\n");
    let uncovered = &r.coverage.requirements.uncovered;
    if !uncovered.is_empty() {
        let _ = write!(h, "<details><summary>{} uncovered requirements</summary><ul>", uncovered.len());
        for id in uncovered {
            let _ = write!(h, "<li><code>{}</code></li>", esc(id));
        }
        h.push_str("</ul></details>\n");
    }
    h.push_str("</section>\n");
}

fn security(h: &mut String, checks: &[&CheckReport]) {
    let findings: Vec<&&CheckReport> = checks.iter().filter(|c| c.finding.is_some()).collect();
    if findings.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"security\">\n<h2>Security findings ({})</h2>\n<table><tr><th>check</th><th>outcome</th>\
         <th>severity</th><th>CWE</th><th>remediation</th></tr>\n",
        findings.len()
    );
    for c in findings {
        let Some(f) = &c.finding else { continue };
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.id),
            outcome_word(c),
            f.severity.as_str(),
            f.cwe.map(|n| format!("CWE-{n}")).unwrap_or_default(),
            esc(&f.remediation)
        );
    }
    h.push_str("</table>\n</section>\n");
}

fn performance(h: &mut String, r: &TestReport, plot_dir: Option<&Path>) {
    let Some(p) = &r.performance else { return };
    let _ = write!(
        h,
        "<section id=\"performance\">\n<h2>Performance</h2>\n<p>{} requests sent, {} completed in {:.0} ms.</p>\n",
        p.sent, p.completed, p.duration_ms
    );
    for plot in &p.plots {
        let svg = plot_dir
            .map(|d| d.join(&plot.path))
            .filter(|f| std::fs::metadata(f).is_ok_and(|m| m.len() <= MAX_PLOT_BYTES))
            .and_then(|f| std::fs::read(f).ok());
        match svg {
            Some(bytes) => {
                let _ = writeln!(
                    h,
                    "<figure><img class=\"plot\" alt=\"{0}\" src=\"data:image/svg+xml;base64,{1}\">\
                     <figcaption>{0}</figcaption></figure>",
                    esc(&plot.path),
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                );
            }
            None => {
                let _ = writeln!(h, "<p>Plot: {} (not found beside the report)</p>", esc(&plot.path));
            }
        }
    }
    for note in &p.notes {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(note));
    }
    h.push_str("</section>\n");
}

fn environment(h: &mut String, r: &TestReport) {
    let _ = write!(
        h,
        "<section id=\"environment\">\n<h2>Target and environment</h2>\n<table>\n\
         <tr><td>Target</td><td>{} ({}, {})</td></tr>\n\
         <tr><td>Protocol</td><td>requested {}, negotiated {}</td></tr>\n\
         <tr><td>Harness</td><td>{} {} (report format {})</td></tr>\n\
         <tr><td>Started</td><td>{}</td></tr>\n<tr><td>Finished</td><td>{}</td></tr>\n",
        esc(&r.target.description),
        r.target.kind.as_str(),
        r.target.transport.as_str(),
        esc(&r.protocol.requested),
        esc(r.protocol.negotiated.as_deref().unwrap_or("none")),
        esc(&r.harness.name),
        esc(&r.harness.version),
        esc(&r.schema_version),
        esc(&r.started_at),
        esc(&r.finished_at),
    );
    if let Some(info) = &r.target.server_info {
        let text = serde_json::to_string_pretty(info).unwrap_or_default();
        let _ = writeln!(h, "<tr><td>serverInfo</td><td><pre>{}</pre></td></tr>", esc(&text));
    }
    for s in &r.target.services {
        let _ = writeln!(h, "<tr><td>Service</td><td>{}</td></tr>", esc(s));
    }
    // TLS verification turned off or widened, the auth flow used: shown so nobody mistakes an --insecure run.
    for c in &r.target.connection {
        let _ = writeln!(h, "<tr><td>Connection</td><td><strong>{}</strong></td></tr>", esc(c));
    }
    if let Some(b) = &r.baseline {
        let _ = writeln!(
            h,
            "<tr><td>Baseline</td><td>{}: {} entries, {} matched, stale: {}</td></tr>",
            esc(&b.file),
            b.entries,
            b.matched,
            esc(&b.stale_entries.join(", "))
        );
    }
    h.push_str("</table>\n");
    if let Some(stderr) = &r.target_stderr {
        let _ = writeln!(
            h,
            "<details><summary>Target stderr{}</summary><pre>{}</pre></details>",
            if stderr.truncated { " (tail)" } else { "" },
            esc(&stderr.text)
        );
    }
    h.push_str("</section>\n");
}

const CSS: &str = "
:root{color-scheme:light dark;--fail:#c62828;--warn:#b26a00;--pass:#2e7d32;--muted:#777}
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;line-height:1.4}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{white-space:pre-wrap;word-break:break-word;background:rgba(127,127,127,.12);padding:.4rem .6rem;margin:.2rem 0}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid rgba(127,127,127,.4);padding:.2rem .5rem;text-align:left;vertical-align:top}
.counts td{text-align:right;font-weight:bold}
.verdict{font-size:1.2rem}.v-failed strong{color:var(--fail)}.v-warning strong{color:var(--warn)}.v-passed strong{color:var(--pass)}
.check{border-left:4px solid var(--muted);padding:.2rem .8rem;margin:1rem 0}
.check.o-failed,.check.o-error,.check.o-interrupted,.check.o-stale-baseline{border-color:var(--fail)}.check.o-warning{border-color:var(--warn)}
.badge{font-size:.8rem;text-transform:uppercase;padding:.05rem .4rem;border-radius:.2rem;color:#fff;background:var(--muted)}
.badge.o-failed,.badge.o-error,.badge.o-interrupted,.badge.o-stale-baseline{background:var(--fail)}.badge.o-warning{background:var(--warn)}
tr.o-failed td:nth-child(2),tr.o-error td:nth-child(2),tr.o-stale-baseline td:nth-child(2){color:var(--fail);font-weight:bold}
tr.o-warning td:nth-child(2){color:var(--warn);font-weight:bold}tr.o-passed td:nth-child(2){color:var(--pass)}
table.errors td:first-child{color:var(--fail);font-weight:bold}
blockquote{margin:.2rem 0;padding-left:.6rem;border-left:3px solid var(--muted);font-style:italic}
dt{font-weight:bold;margin-top:.4rem}dd{margin-left:1rem}.source,.note{color:var(--muted)}
img.plot{max-width:100%;background:#fff}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("a\u{1b}[31m\u{202e}b"), "a\\u{1b}[31m\\u{202e}b");
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert!(link("https://x.example/a?b=\"c\"").starts_with("<a href=\"https://x.example/a?b=&quot;c&quot;\">"));
    }

    #[test]
    fn hostile_target_text_is_escaped_everywhere() {
        let mut report = sample_report(false);
        let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        report.target.description = hostile.to_owned();
        for c in report.suites.iter_mut().flat_map(|s| &mut s.checks) {
            c.reason = Some(hostile.to_owned());
            c.observed = Some(hostile.to_owned());
            c.title = hostile.to_owned();
            for w in &mut c.wire {
                w.text = hostile.to_owned();
            }
        }
        let html = html_report(&report, None);
        assert!(!html.contains("<script"), "no raw script tag");
        assert!(!html.contains("<img src=x"), "no raw img tag");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn failures_come_first_with_the_rule_and_the_wire() {
        let report = sample_report(false);
        let html = html_report(&report, None);
        let failures = html.find("id=\"failures\"").unwrap();
        let warnings = html.find("id=\"warnings\"").unwrap();
        let suites = html.find("id=\"suites\"").unwrap();
        assert!(failures < warnings && warnings < suites);
        let card = &html[failures..warnings];
        assert!(card.contains("id=\"check-tools.call.unknown-tool\""));
        assert!(card.contains("a JSON-RPC error (-32602)"), "expected");
        assert!(card.contains("result.isError=true"), "observed");
        assert!(card.contains("&quot;jsonrpc&quot;:&quot;2.0&quot;"), "wire excerpt, escaped");
        assert!(card.contains("class=\"quote\""));
        assert!(html[warnings..suites].contains("tools.list.name-format"));
        // Checks that could not be evaluated: grouped by reason, after the failures.
        let errors = &html[html.find("id=\"errors\"").unwrap()..warnings];
        assert!(errors.contains("<td>error</td><td><pre>could not test: no response to `ping` within 5s</pre></td><td><code>ping.response</code></td>"), "{errors}");
        assert!(errors.contains("<code>security.http.host-rebinding</code>"));
        assert!(!card.contains("id=\"check-ping.response\""));
        assert!(!html.contains("http://") || !html.contains("<script"));
        assert!(html.contains("<td id=\"count-failed\">"));
    }

    #[test]
    fn the_performance_plots_are_embedded_as_data_images() {
        let dir = tempfile::tempdir().unwrap();
        let mut measured = crate::load::plot::sample_performance_report();
        assert!(crate::load::plot::write_plots(&mut measured, dir.path()).is_empty());
        let mut report = sample_report(false);
        report.performance = Some(measured);
        let html = html_report(&report, Some(dir.path()));
        let section = &html[html.find("id=\"performance\"").unwrap()..];
        assert_eq!(
            section.matches("<img class=\"plot\" alt=\"latency.svg\" src=\"data:image/svg+xml;base64,").count(),
            1
        );
        assert_eq!(section.matches("alt=\"timeline.svg\" src=\"data:image/svg+xml;base64,").count(), 1);
        // Without the files, the page says so instead.
        let html = html_report(&report, Some(&dir.path().join("elsewhere")));
        assert!(html.contains("Plot: latency.svg (not found beside the report)"));
    }

    #[test]
    fn the_page_loads_nothing() {
        let html = html_report(&sample_report(true), None);
        for needle in ["<script", "<link", "src=\"http", "url(", "@import"] {
            assert!(!html.contains(needle), "{needle}");
        }
    }

    #[test]
    fn html_snapshot() {
        insta::assert_snapshot!(
            html_report(&sample_report(true), None).replace(env!("CARGO_PKG_VERSION"), "[version]")
        );
    }
}
