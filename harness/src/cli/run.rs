//! `mcp-harness run`.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use mcp_harness::baseline::{Baseline, render_baseline};
use mcp_harness::check::Status;
use mcp_harness::load::{ArrivalModel, HttpPatternChoice, LoadOptions, LoadProfile, MixEntry, Slo};
use mcp_harness::oauth::{OAuthClient, OAuthConfig};
use mcp_harness::protocol::RevisionChoice;
use mcp_harness::report::model::CodeCoverage;
use mcp_harness::report::{apply_warnings_as_errors, summary_line, write_console_findings, write_console_summary};
use mcp_harness::runner::{Interrupt, RunConfig, RunOptions, SecretToken, ServicesRequest, UnitOptions};
use mcp_harness::services::{ImageRef, Service, ServiceConfig};
use mcp_harness::surface::LoadedLock;
use mcp_harness::target::ReferenceTransport;
use mcp_harness::wire::tls::{self, TlsOptions};
use mcp_harness::wire::{HttpTarget, StdioCommand};
use mcp_harness::{ExitCode, TargetSpec};

use super::args::{
    ColorArg, LoadArgs, LoadPatternArg, LoadProfileArg, ProfileArg, ReferenceArg, RunArgs, ServiceArg, TargetArgs,
};
use super::list::selection;
use super::output::{github_outputs, list, write_reports};
use super::progress::{Progress, Verbosity};

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
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let mut progress = Progress::new(!args.no_progress, color, verbosity);
    let mut report = mcp_harness::run(&config, &mut progress).await.map_err(|e| UsageError(e.to_string()))?;
    if let (Some(command), Some(path)) = (&args.coverage_command, &args.coverage_json) {
        report.coverage.code = coverage_after_run(command, path).await;
    }
    if let Some(measured) = report.performance.as_mut() {
        for problem in mcp_harness::load::plot::write_plots(measured, &args.out) {
            eprintln!("mcp-harness: warning: {problem}");
        }
    }

    if args.warnings_as_errors {
        apply_warnings_as_errors(&mut report);
    }
    let written = write_reports(&report, &args.out, &args.report)?;
    github_outputs(&report)?;

    let mut err = std::io::stderr().lock();
    if verbosity == Verbosity::Quiet {
        write_console_findings(&report, &mut err, color)?;
        writeln!(err, "{}", summary_line(&report))?;
    } else {
        write_console_summary(&report, &mut err, color)?;
        eprintln!("Reports: {}", list(&written));
    }
    if let (Verbosity::Normal | Verbosity::Verbose, Some(measured)) = (verbosity, &report.performance) {
        let plots: Vec<String> = measured.plots.iter().map(|p| args.out.join(&p.path).display().to_string()).collect();
        if !plots.is_empty() {
            eprintln!("Plots: {}", plots.join(" and "));
        }
    }
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

/// The longest a `--coverage-command` may take (an llvm-cov export of a large server takes seconds to a minute).
const COVERAGE_COMMAND_LIMIT: Duration = Duration::from_secs(600);

/// Runs `--coverage-command` (split like a shell would, no shell runs it) now that the target has ended, then reads
/// the export it wrote to `path`. A command that fails leaves the coverage `not-measured`, saying why.
async fn coverage_after_run(command: &str, path: &Path) -> CodeCoverage {
    let not_measured = |reason: String| {
        eprintln!("mcp-harness: warning: code coverage not measured: {reason}");
        CodeCoverage::NotMeasured { reason }
    };
    let words = match StdioCommand::parse(command) {
        Ok(words) => words,
        Err(e) => return not_measured(format!("--coverage-command: {e}")),
    };
    let mut child = tokio::process::Command::new(&words.program);
    child.args(&words.args).stdin(std::process::Stdio::null()).kill_on_drop(true);
    match tokio::time::timeout(COVERAGE_COMMAND_LIMIT, child.status()).await {
        Err(_) => not_measured(format!("--coverage-command did not finish within {COVERAGE_COMMAND_LIMIT:?}")),
        Ok(Err(e)) => not_measured(format!("--coverage-command `{}` could not be started: {e}", words.program)),
        Ok(Ok(status)) if !status.success() => not_measured(format!("--coverage-command exited with {status}")),
        Ok(Ok(_)) => match mcp_harness::report::read_llvm_cov_json(path) {
            Ok(coverage) => coverage,
            Err(e) => not_measured(format!("--coverage-command ran, but {}: {e}", path.display())),
        },
    }
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
    if args.load.export_k6.is_some() && args.target.is_stdio() {
        bail!(
            "--export-k6 writes HTTP load for k6, and this target is a stdio process (use --url or --reference http)"
        );
    }
    if !args.tool_allow.is_empty() && !args.call_tools && !args.plan.danger_intrusive {
        bail!("--tool-allow needs --call-tools or --danger-intrusive (it names the tools they may call)");
    }
    config.options = RunOptions {
        call_tools: args.call_tools,
        tool_allow: args.tool_allow.clone(),
        danger_intrusive: args.plan.danger_intrusive,
        fail_fast: args.fail_fast,
        official_fixtures: args.plan.profile.contains(&ProfileArg::OfficialFixtures),
        update_snapshots: args.update_snapshots,
        unit: UnitOptions { cases: args.cases, seed: args.seed.unwrap_or_else(|| UnitOptions::default().seed) },
        load: load_options(&args.load)?,
        surface: match &args.plan.surface {
            Some(path) => Some(std::sync::Arc::new(
                LoadedLock::load(path).with_context(|| format!("--surface {}", path.display()))?,
            )),
            None => None,
        },
        second_bearer_token: match &args.target.second_bearer_env {
            Some(var) => Some(SecretToken(
                std::env::var(var).with_context(|| format!("--second-bearer-env names `{var}`, which is not set"))?,
            )),
            None => None,
        },
        auth: super::auth::options(&args.auth)?,
    };
    config.reference_args = args.reference_arg.clone();
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
    // With --coverage-command the export is made after the run (once the target has ended and written its
    // profile), so it is read then.
    if let (Some(path), None) = (&args.coverage_json, &args.coverage_command) {
        config.code_coverage = Some(
            mcp_harness::report::read_llvm_cov_json(path)
                .with_context(|| format!("failed to read coverage from {}", path.display()))?,
        );
    }
    Ok(config)
}

/// The performance suite's flags, validated (a nonsense value is a usage error naming its flag).
fn load_options(args: &LoadArgs) -> Result<LoadOptions> {
    let mix = match (&args.load_tool, &args.load_mix) {
        (Some(tool), _) => {
            let arguments = match &args.load_args {
                Some(text) => serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .filter(serde_json::Value::is_object)
                    .with_context(|| format!("--load-args must be a JSON object, got `{text}`"))?,
                None => serde_json::json!({}),
            };
            vec![MixEntry { tool: Some(tool.clone()), method: "tools/call".to_owned(), arguments, weight: 1 }]
        }
        (None, Some(path)) => read_mix(path).with_context(|| format!("--load-mix {}", path.display()))?,
        (None, None) => Vec::new(),
    };
    let percent = |flag: &str, v: f64| -> Result<f64> {
        if (0.0..=100.0).contains(&v) { Ok(v / 100.0) } else { bail!("{flag} must be between 0 and 100, got {v}") }
    };
    let millis = |flag: &str, v: f64| -> Result<Duration> {
        if v.is_finite() && v > 0.0 && v <= 3_600_000.0 {
            Ok(Duration::from_secs_f64(v / 1000.0))
        } else {
            bail!("{flag} must be a positive number of milliseconds, got {v}")
        }
    };
    if !(args.slo_rss_growth_mb.is_finite() && args.slo_rss_growth_mb >= 0.0) {
        bail!("--slo-rss-growth-mb must be a non-negative number, got {}", args.slo_rss_growth_mb);
    }
    let options = LoadOptions {
        profile: match args.load_profile {
            LoadProfileArg::Load => LoadProfile::Load,
            LoadProfileArg::Stress => LoadProfile::Stress,
            LoadProfileArg::Endurance => LoadProfile::Endurance,
        },
        arrival: args.virtual_users.map_or(ArrivalModel::Open, |users| ArrivalModel::Closed { users }),
        rate: args.rate,
        duration: args.duration,
        warmup: args.warmup,
        connections: args.connections,
        in_flight: args.in_flight,
        http_pattern: match args.load_pattern {
            LoadPatternArg::Auto => HttpPatternChoice::Auto,
            LoadPatternArg::Churn => HttpPatternChoice::Churn,
        },
        mix,
        slo: Slo {
            mean: millis("--slo-mean-ms", args.slo_mean_ms)?,
            p95: millis("--slo-p95-ms", args.slo_p95_ms)?,
            error_rate: percent("--slo-error-percent", args.slo_error_percent)?,
            rss_growth_bytes: (args.slo_rss_growth_mb * 1_000_000.0) as u64,
            achieved_ratio: percent("--slo-achieved-percent", args.slo_achieved_percent)?,
        },
        stress_factor: args.stress_factor,
        stress_steps: args.stress_steps,
        import_k6: match &args.import_k6 {
            Some(path) if !path.is_file() => bail!("--import-k6 {}: no such file", path.display()),
            other => other.clone(),
        },
        export_k6: args.export_k6.clone(),
    };
    options.validate().map_err(anyhow::Error::msg)?;
    Ok(options)
}

/// A `--load-mix` file: a JSON list of `{"tool", "arguments", "weight"}` or `{"method", "weight"}` entries.
fn read_mix(path: &Path) -> Result<Vec<MixEntry>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        tool: Option<String>,
        method: Option<String>,
        #[serde(default)]
        arguments: Option<serde_json::Value>,
        #[serde(default = "one")]
        weight: u32,
    }
    fn one() -> u32 {
        1
    }
    let text = std::fs::read_to_string(path).context("cannot read the file")?;
    let entries: Vec<Entry> = serde_json::from_str(&text).context("not a JSON list of mix entries")?;
    if entries.is_empty() {
        bail!("the mix is empty");
    }
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let method = match (&e.tool, e.method) {
                (Some(_), None) => "tools/call".to_owned(),
                (Some(_), Some(m)) if m == "tools/call" => m,
                (None, Some(m)) => m,
                _ => bail!("entry {i}: give either `tool` (with `arguments`) or `method`"),
            };
            Ok(MixEntry {
                tool: e.tool,
                method,
                arguments: e.arguments.unwrap_or(serde_json::Value::Null),
                weight: e.weight,
            })
        })
        .collect()
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
        if !url.starts_with("http://") && !url.starts_with("https://") {
            bail!("--url must be an http:// or https:// URL, got `{url}`");
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
        let tls = TlsOptions { ca_certs: args.ca_cert.clone(), insecure: args.insecure };
        if url.starts_with("https://") {
            // Fail now, once, rather than in every connection.
            tls::client_config(&tls).context("--ca-cert")?;
            if args.insecure {
                eprintln!("warning: {}", tls::INSECURE_NOTE);
            }
        } else if args.insecure || !args.ca_cert.is_empty() {
            bail!("--insecure and --ca-cert apply to https:// URLs only, got `{url}`");
        }
        let oauth = match (&args.oauth_client_id, &args.oauth_client_secret_env) {
            (Some(client_id), Some(var)) => {
                let client_secret = std::env::var(var)
                    .with_context(|| format!("--oauth-client-secret-env names `{var}`, which is not set"))?;
                let config =
                    OAuthConfig { client_id: client_id.clone(), client_secret, scope: args.oauth_scope.clone() };
                Some(OAuthClient::new(config, tls.clone()))
            }
            _ => None,
        };
        return Ok(TargetSpec::Http(HttpTarget { url: url.clone(), headers, bearer_token, tls, oauth }));
    }
    Ok(TargetSpec::Reference(match args.reference {
        Some(ReferenceArg::Http) => ReferenceTransport::Http,
        _ => ReferenceTransport::Stdio,
    }))
}
