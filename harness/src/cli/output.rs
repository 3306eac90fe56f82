//! Writing a finished report in every format asked for, shared by `run` and `report merge`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use mcp_harness::report::{
    TestReport, has_security_suite, write_ctrf, write_github_outputs, write_html, write_json, write_junit,
    write_markdown, write_sarif,
};

use super::args::ExtraFormat;

/// Writes report.json, junit.xml and report.html into `dir`, report.sarif when the security suite ran or it is
/// asked for, and the other `extra` formats; returns the files written, in that order.
pub(crate) fn write_reports(report: &TestReport, dir: &Path, extra: &[ExtraFormat]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut file = |name: &str| {
        let path = dir.join(name);
        written.push(path.clone());
        path
    };
    let path = file("report.json");
    write_json(report, &path).with_context(|| format!("failed to write {}", path.display()))?;
    let path = file("junit.xml");
    write_junit(report, &path).with_context(|| format!("failed to write {}", path.display()))?;
    let path = file("report.html");
    write_html(report, &path).with_context(|| format!("failed to write {}", path.display()))?;
    if extra.contains(&ExtraFormat::Md) {
        let path = file("report.md");
        write_markdown(report, &path).with_context(|| format!("failed to write {}", path.display()))?;
    }
    if extra.contains(&ExtraFormat::Sarif) || has_security_suite(report) {
        let path = file("report.sarif");
        write_sarif(report, &path).with_context(|| format!("failed to write {}", path.display()))?;
    }
    if extra.contains(&ExtraFormat::Ctrf) {
        let path = file("ctrf-report.json");
        write_ctrf(report, &path).with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(written)
}

/// Under GitHub Actions (`GITHUB_STEP_SUMMARY` set): appends the Markdown summary there and prints the annotations
/// on stdout.
pub(crate) fn github_outputs(report: &TestReport) -> Result<()> {
    let mut out = std::io::stdout().lock();
    write_github_outputs(report, &mut out).context("failed to write the GitHub step summary")?;
    Ok(())
}

/// "a, b and c".
pub(crate) fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
