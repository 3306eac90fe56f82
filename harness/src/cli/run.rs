//! `mcp-harness run`.

use std::io::IsTerminal as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use mcp_harness::baseline::{Baseline, render_baseline};
use mcp_harness::check::Status;
use mcp_harness::protocol::RevisionChoice;
use mcp_harness::report::{write_console_summary, write_json, write_junit};
use mcp_harness::runner::{Interrupt, RunConfig, RunOptions, ServicesRequest, UnitOptions};
use mcp_harness::services::{ImageRef, Service, ServiceConfig};
use mcp_harness::surface::LoadedLock;
use mcp_harness::target::ReferenceTransport;
use mcp_harness::wire::{HttpTarget, StdioCommand};
use mcp_harness::{ExitCode, TargetSpec};

use super::args::{ColorArg, ProfileArg, ReferenceArg, RunArgs, ServiceArg, TargetArgs};
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
///
/// Usage errors (including an `--out` that cannot be written) are found before anything starts. SIGINT and
/// SIGTERM stop the run: the target's processes are ended and the report is still written, with the unfinished
/// checks marked interrupted (a second signal exits at once).
pub(crate) async fn run(args: RunArgs) -> Result<ExitCode> {
    let mut config = config(&args).map_err(|e| UsageError(format!("{e:#}")))?;
    ensure_writable(&args.out).map_err(|e| UsageError(format!("--out {}: {e:#}", args.out.display())))?;
    config.interrupt = Interrupt::on_signals().context("failed to install the SIGINT/SIGTERM handlers")?;
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
            .filter(|c| matches!(c.outcome, Status::Failed | Status::Warning))
            .map(|c| c.id.as_str())
            .collect();
        std::fs::write(path, render_baseline(failing.iter().copied()))
            .with_context(|| format!("failed to write baseline {}", path.display()))?;
        eprintln!("Baseline updated: {} ({} entries)", path.display(), failing.len());
    }
    let code = report.exit.code;
    if code != ExitCode::Passed {
        eprintln!("mcp-harness: exit {code}: {}", report.exit.reason);
    }
    Ok(code)
}

/// Creates `dir` if needed and proves a file can be written in it, so a run never ends without its report.
pub(crate) fn ensure_writable(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).context("cannot create the directory")?;
    let probe = dir.join(format!(".mcp-harness-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").context("cannot write a file in it")?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn config(args: &RunArgs) -> Result<RunConfig> {
    let target = target(&args.target)?;
    let protocol: RevisionChoice = args.plan.protocol.parse()?;
    let mut config = RunConfig::new(target).protocol(protocol).request_timeout(Duration::from_millis(args.timeout_ms));
    config.selection = selection(&args.filter)?;
    config.options = RunOptions {
        call_tools: args.call_tools,
        tool_allow: args.tool_allow.clone(),
        danger_intrusive: args.plan.danger_intrusive,
        official_fixtures: args.plan.profile.contains(&ProfileArg::OfficialFixtures),
        update_snapshots: args.update_snapshots,
        unit: UnitOptions { cases: args.cases, seed: args.seed.unwrap_or_else(|| UnitOptions::default().seed) },
        surface: match &args.plan.surface {
            Some(path) => Some(std::sync::Arc::new(
                LoadedLock::load(path).with_context(|| format!("--surface {}", path.display()))?,
            )),
            None => None,
        },
    };
    if !args.filter.journeys.is_empty() {
        config.journeys = Some(args.filter.journeys.clone());
    }
    config.silence_window = Duration::from_millis(args.silence_ms);
    let cap = usize::try_from(args.max_message_bytes).unwrap_or(usize::MAX);
    config.limits.max_line_bytes = cap;
    config.limits.max_body_bytes = cap;
    config.services = services(args)?;
    if let Some(path) = &args.baseline {
        // With --update-baseline a missing file is created after the run; an existing one must still be valid.
        if !args.update_baseline || path.exists() {
            config.baseline = Some(Baseline::load(path)?);
        }
    }
    if let Some(path) = &args.coverage_json {
        config.code_coverage = Some(
            mcp_harness::report::read_llvm_cov_json(path)
                .with_context(|| format!("failed to read coverage from {}", path.display()))?,
        );
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

/// The target the flags name (the bundled reference server over stdio when none does).
pub(crate) fn target(args: &TargetArgs) -> Result<TargetSpec> {
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
        if url.starts_with("https://") {
            bail!(
                "--url `{url}`: https:// is not supported by this build yet (plain http:// only; put a TLS-terminating \
                 proxy on loopback in front of the server)"
            );
        }
        if !url.starts_with("http://") {
            bail!("--url must be an http:// URL, got `{url}`");
        }
        let mut headers = Vec::new();
        for h in &args.header {
            let Some((name, value)) = h.split_once(':') else { bail!("--header expects `Name: value`, got `{h}`") };
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let bearer_token = match &args.bearer_env {
            Some(var) => {
                Some(std::env::var(var).with_context(|| format!("--bearer-env names `{var}`, which is not set"))?)
            }
            None => None,
        };
        return Ok(TargetSpec::Http(HttpTarget { url: url.clone(), headers, bearer_token }));
    }
    Ok(TargetSpec::Reference(match args.reference {
        Some(ReferenceArg::Http) => ReferenceTransport::Http,
        _ => ReferenceTransport::Stdio,
    }))
}
