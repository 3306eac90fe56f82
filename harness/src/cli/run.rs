//! `mcp-harness run`.

use std::io::IsTerminal as _;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};

use mcp_harness::baseline::{render_baseline, Baseline};
use mcp_harness::protocol::RevisionChoice;
use mcp_harness::report::{write_console_summary, write_json, write_junit};
use mcp_harness::runner::{RunConfig, RunOptions, ServicesRequest};
use mcp_harness::services::{ImageRef, Service, ServiceConfig};
use mcp_harness::target::ReferenceTransport;
use mcp_harness::wire::{HttpTarget, StdioCommand};
use mcp_harness::{ExitCode, TargetSpec};

use super::args::{ColorArg, ProfileArg, ReferenceArg, RunArgs, ServiceArg};
use super::list::selection;
use super::progress::Progress;

/// A configuration error: reported in one line, exit code 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Runs, writes the reports, prints the summary; returns the exit code.
pub(crate) async fn run(args: RunArgs) -> Result<ExitCode> {
    let config = config(&args).map_err(|e| UsageError(format!("{e:#}")))?;
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let mut progress = Progress::new(!args.no_progress, color);
    let report = mcp_harness::run(&config, &mut progress).await.map_err(|e| UsageError(e.to_string()))?;

    let json_path = args.out.join("report.json");
    let junit_path = args.out.join("junit.xml");
    write_json(&report, &json_path).with_context(|| format!("failed to write {}", json_path.display()))?;
    write_junit(&report, &junit_path).with_context(|| format!("failed to write {}", junit_path.display()))?;

    let mut err = std::io::stderr().lock();
    write_console_summary(&report, &mut err, color)?;
    eprintln!("Reports: {} and {}", json_path.display(), junit_path.display());
    if let (true, Some(path)) = (args.update_baseline, &args.baseline) {
        let failing: Vec<&str> = report
            .suites
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| c.outcome == "failed" || c.outcome == "warning")
            .map(|c| c.id.as_str())
            .collect();
        std::fs::write(path, render_baseline(failing.iter().copied()))
            .with_context(|| format!("failed to write baseline {}", path.display()))?;
        eprintln!("Baseline updated: {} ({} entries)", path.display(), failing.len());
    }
    let code = match report.exit.code {
        0 => ExitCode::Passed,
        1 => ExitCode::Failed,
        3 => ExitCode::CouldNotTest,
        4 => ExitCode::NoChecks,
        _ => ExitCode::Usage,
    };
    if !matches!(code, ExitCode::Passed) {
        eprintln!("mcp-harness: exit {}: {}", report.exit.code, report.exit.reason);
    }
    Ok(code)
}

fn config(args: &RunArgs) -> Result<RunConfig> {
    let target = target(args)?;
    let protocol: RevisionChoice = args.protocol.parse()?;
    let mut config = RunConfig::new(target).protocol(protocol).request_timeout(Duration::from_millis(args.timeout_ms));
    config.selection = selection(&args.filter)?;
    config.options = RunOptions {
        call_tools: args.call_tools,
        tool_allow: args.tool_allow.clone(),
        danger_intrusive: args.danger_intrusive,
        official_fixtures: args.profile.contains(&ProfileArg::OfficialFixtures),
    };
    config.services = services(args)?;
    if let Some(path) = &args.baseline {
        // With --update-baseline a missing file is created after the run; an existing one must still be valid.
        if !(args.update_baseline && !path.exists()) {
            config.baseline = Some(Baseline::load(path)?);
        }
    }
    if let Some(path) = &args.coverage_json {
        config.code_coverage = Some(mcp_harness::report::read_llvm_cov_json(path).with_context(|| format!("failed to read coverage from {}", path.display()))?);
    }
    Ok(config)
}

/// `--with`, `--require-services` and the image flags (whose environment variables clap already read).
fn services(args: &RunArgs) -> Result<ServicesRequest> {
    let mut config = ServiceConfig::from_env()?;
    if let Some(image) = &args.postgres_image {
        config.postgres_image = ImageRef::parse(image).context("--postgres-image")?;
    }
    if let Some(image) = &args.redis_image {
        config.redis_image = ImageRef::parse(image).context("--redis-image")?;
    }
    let with = args
        .with
        .iter()
        .map(|s| match s {
            ServiceArg::Postgres => Service::Postgres,
            ServiceArg::Redis => Service::Redis,
        })
        .collect();
    Ok(ServicesRequest { with, required: args.require_services, config })
}

fn target(args: &RunArgs) -> Result<TargetSpec> {
    if let Some(line) = &args.stdio {
        let mut cmd = StdioCommand::parse(line)?;
        for kv in &args.env {
            let Some((k, v)) = kv.split_once('=') else { bail!("--env expects KEY=VALUE, got `{kv}`") };
            cmd.env.push((k.to_owned(), v.to_owned()));
        }
        cmd.cwd = args.cwd.clone();
        return Ok(TargetSpec::Stdio(cmd));
    }
    if let Some(url) = &args.url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            bail!("--url must be an http:// or https:// URL, got `{url}`");
        }
        let mut headers = Vec::new();
        for h in &args.header {
            let Some((name, value)) = h.split_once(':') else { bail!("--header expects `Name: value`, got `{h}`") };
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let bearer_token = match &args.bearer_env {
            Some(var) => Some(std::env::var(var).with_context(|| format!("--bearer-env names `{var}`, which is not set"))?),
            None => None,
        };
        return Ok(TargetSpec::Http(HttpTarget { url: url.clone(), headers, bearer_token }));
    }
    Ok(TargetSpec::Reference(match args.reference {
        Some(ReferenceArg::Http) => ReferenceTransport::Http,
        _ => ReferenceTransport::Stdio,
    }))
}
