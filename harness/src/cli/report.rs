//! `mcp-harness report merge|diff|render`.

use std::io::Write as _;

use anyhow::{Context as _, Result};

use mcp_harness::ExitCode;
use mcp_harness::report::diff::{diff_reports, render_diff};
use mcp_harness::report::merge::merge_reports;
use mcp_harness::report::{
    TestReport, ctrf_report, html_report, junit_xml, markdown_summary, read_report, sarif_log, write_console_summary,
};

use super::args::{
    DiffFormat, ExtraFormat, RenderFormat, ReportCommand, ReportDiffArgs, ReportMergeArgs, ReportRenderArgs,
};
use super::output::{github_outputs, list, write_reports};
use super::run::{UsageError, ensure_writable};

/// Runs a `report` subcommand; bad input is a [`UsageError`] (exit 2).
pub(crate) fn report(command: ReportCommand) -> Result<ExitCode> {
    match command {
        ReportCommand::Merge(args) => merge(&args),
        ReportCommand::Diff(args) => diff(&args),
        ReportCommand::Render(args) => render(&args),
    }
}

fn read(path: &std::path::Path) -> Result<TestReport> {
    read_report(path).map_err(|e| UsageError(e.to_string()).into())
}

fn merge(args: &ReportMergeArgs) -> Result<ExitCode> {
    let reports = args.reports.iter().map(|p| Ok((p.display().to_string(), read(p)?))).collect::<Result<Vec<_>>>()?;
    let merged = merge_reports(&reports).map_err(|e| UsageError(e.to_string()))?;
    ensure_writable(&args.out).map_err(|e| UsageError(format!("--out {}: {e:#}", args.out.display())))?;
    for note in &merged.notes {
        eprintln!("mcp-harness: note: {note}");
    }
    let report = merged.report;
    let written = write_reports(&report, &args.out, &[ExtraFormat::Md, ExtraFormat::Sarif, ExtraFormat::Ctrf])?;
    github_outputs(&report)?;
    write_console_summary(&report, &mut std::io::stderr().lock(), false)?;
    eprintln!("Merged {} reports: {}", reports.len(), list(&written));
    if report.exit.code != ExitCode::Passed {
        eprintln!("mcp-harness: exit {}: {}", report.exit.code, report.exit.reason);
    }
    Ok(report.exit.code)
}

fn diff(args: &ReportDiffArgs) -> Result<ExitCode> {
    let old = read(&args.old)?;
    let new = read(&args.new)?;
    let d = diff_reports(&old, &new);
    let text = match args.format {
        DiffFormat::Human => render_diff(&d),
        DiffFormat::Json => format!("{}\n", serde_json::to_string_pretty(&d)?),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if d.has_regressions() { ExitCode::Failed } else { ExitCode::Passed })
}

fn render(args: &ReportRenderArgs) -> Result<ExitCode> {
    let report = read(&args.report)?;
    let text = match args.format {
        RenderFormat::Html => html_report(&report, args.report.parent()),
        RenderFormat::Md => markdown_summary(&report),
        RenderFormat::Junit => junit_xml(&report),
        RenderFormat::Sarif => format!("{}\n", serde_json::to_string_pretty(&sarif_log(&report))?),
        RenderFormat::Ctrf => format!("{}\n", serde_json::to_string_pretty(&ctrf_report(&report))?),
        RenderFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("--out {}: cannot write", path.display()))
            .map_err(|e| UsageError(format!("{e:#}")))?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::Passed)
}
