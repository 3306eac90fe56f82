//! Executing a plan against a target.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt as _;
use time::OffsetDateTime;

use super::backing::{self, BackingServices};
use super::config::RunConfig;
use super::events::{Event, EventSink};
use super::plan::{Plan, RunError};
use crate::check::{Check, CheckContext, Level, Outcome, SkipReason, Status, Suite};
use crate::check::context::RunEnv;
use crate::protocol::{Revision, RevisionChoice};
use crate::report::model::{CapturedText, ProtocolInfo, TargetInfo, WireEntry};
use crate::report::{build_report, CheckResult, RequirementCatalog, RunRecord, TestReport};
use crate::session::{ServerProfile, Session, SessionError, SessionOptions};
use crate::target::LaunchedTarget;
use crate::wire::{Direction, Transcript};

/// Transcript entries kept per check in the report.
const WIRE_EXCERPT_MAX: usize = 40;

/// Runs the configured checks against the configured target and builds the report.
///
/// Only configuration errors are returned as `Err` (exit code 2). Everything the target does — refusing to
/// start, hanging, crashing, speaking garbage — ends up in the report as `error` or `failed` outcomes.
pub async fn run(config: &RunConfig, sink: &mut dyn EventSink) -> Result<TestReport, RunError> {
    let plan = Plan::new(crate::checks::all(), &config.selection, config.target.is_stdio(), config.protocol, config.options.danger_intrusive, config.options.official_fixtures)?;
    let started_at = OffsetDateTime::now_utc();
    let description = config.target.describe();
    sink.event(&Event::RunStarted { total: plan.checks.len(), target: &description });

    let transcript = Transcript::new(&config.limits);
    if let crate::TargetSpec::Http(t) = &config.target {
        if let Some(token) = &t.bearer_token {
            transcript.add_secret(token);
        }
    }
    let session_options = SessionOptions {
        revision: config.protocol,
        timeout: config.request_timeout,
        probe_timeout: config.request_timeout.min(Duration::from_secs(5)),
        answers: config.answers.clone(),
        ..SessionOptions::default()
    };
    let fallback_revision = match config.protocol {
        RevisionChoice::Exact(r) => r,
        RevisionChoice::Auto => Revision::LATEST_STATEFUL,
    };

    let mut results = Vec::with_capacity(plan.checks.len());
    let mut could_not_test = None;
    let mut target_info = TargetInfo {
        kind: config.target.kind().to_owned(),
        transport: if config.target.is_stdio() { "stdio" } else { "http" }.to_owned(),
        description: description.clone(),
        server_info: None,
        services: Vec::new(),
    };
    let mut negotiated = None;
    let mut target_stderr = None;

    let wanted_services = backing::wanted(&plan, &config.services);
    let services = backing::provide(&wanted_services, &config.services, sink).await;
    target_info.services = match &services {
        BackingServices::Running(s) => s.notes.clone(),
        other => other.problem().map(|p| vec![p.to_owned()]).unwrap_or_default(),
    };
    let mut services = Some(services);

    if !plan.checks.is_empty() && config.services.required && services.as_ref().and_then(|s| s.problem()).is_some() {
        let problem = services.as_ref().and_then(|s| s.problem()).unwrap_or_default();
        let reason = format!("{problem} (required by --require-services)");
        results = error_all(&plan, &reason, sink);
        could_not_test = Some(reason);
    } else if !plan.checks.is_empty() {
        let service_env = services.as_ref().map(|s| s.env().to_vec()).unwrap_or_default();
        match LaunchedTarget::launch_with_env(&config.target, config.launch_timeout, &service_env).await {
            Err(e) => {
                let reason = format!("could not start the target: {e}");
                sink.event(&Event::Note(&reason));
                results = error_all(&plan, &reason, sink);
                could_not_test = Some(reason);
            }
            Ok(target) => {
                target_info.description = target.description.clone();
                sink.event(&Event::Note("target started; connecting"));
                let handshake_limit = config.launch_timeout + session_options.probe_timeout + config.request_timeout * 2;
                let opened = tokio::time::timeout(
                    handshake_limit,
                    Session::open(&target, &config.limits, &transcript, &session_options),
                )
                .await
                .unwrap_or(Err(SessionError::Timeout { method: "handshake".to_owned(), timeout: handshake_limit }));
                let (shared, shared_error) = match opened {
                    Ok(s) => (Some(s), None),
                    Err(e) => (None, Some(e)),
                };
                let unreachable = shared_error.as_ref().is_some_and(|e| !matches!(e, SessionError::Handshake(_)));
                let profile = match &shared {
                    Some(s) => s.profile.clone(),
                    None => ServerProfile::from_result(fallback_revision, &serde_json::Value::Null),
                };
                if shared.is_some() {
                    negotiated = Some(profile.revision);
                    target_info.server_info = Some(profile.server_info.clone()).filter(|v| !v.is_null());
                }
                let env = Arc::new(RunEnv {
                    target,
                    spec: config.target.clone(),
                    launch_timeout: config.launch_timeout,
                    limits: config.limits.clone(),
                    transcript: transcript.clone(),
                    session_options: session_options.clone(),
                    options: config.options.clone(),
                    services: services.take().unwrap_or(BackingServices::NotRequested),
                });
                let mut cx = CheckContext {
                    env: env.clone(),
                    shared,
                    shared_error: shared_error.as_ref().map(|e| format!("the handshake failed: {e}")),
                    profile,
                };
                if unreachable {
                    let reason = format!("could not connect to the target: {}", shared_error.map(|e| e.to_string()).unwrap_or_default());
                    sink.event(&Event::Note(&reason));
                    results = error_all(&plan, &reason, sink);
                    could_not_test = Some(reason);
                } else {
                    sink.event(&Event::Note("connected"));
                    for planned in &plan.checks {
                        let result = match &planned.skip {
                            Some(skip) => finished(planned.check, skip.clone(), Duration::ZERO, Vec::new()),
                            None => run_one(planned.check, &mut cx, config, sink).await,
                        };
                        sink.event(&Event::CheckFinished(&result));
                        results.push(result);
                        keep_shared_session_alive(&mut cx).await;
                    }
                }
                if let Some(s) = cx.shared.take() {
                    s.close().await;
                }
                drop(cx);
                if let Ok(env) = Arc::try_unwrap(env) {
                    let (text, truncated) = env.target.stderr.snapshot();
                    let local = env.target.is_stdio() || env.target.kind == "reference";
                    if local {
                        target_stderr = Some(CapturedText { text, truncated });
                    }
                    env.target.shutdown().await;
                    env.services.shutdown(sink).await;
                }
            }
        }
    }

    if let Some(services) = services.take() {
        services.shutdown(sink).await;
    }

    let finished_at = OffsetDateTime::now_utc();
    let coverage_revision = negotiated.unwrap_or(fallback_revision);
    let record = RunRecord {
        started_at,
        finished_at,
        target: target_info,
        protocol: ProtocolInfo {
            requested: config.protocol.to_string(),
            negotiated: negotiated.map(|r| r.as_str().to_owned()),
            era: negotiated.map(|r| format!("{:?}", r.era()).to_lowercase()),
        },
        coverage_revision,
        results,
        could_not_test,
        target_stderr,
        code_coverage: config.code_coverage.clone(),
        baseline: config.baseline.clone(),
    };
    let report = build_report(&record, RequirementCatalog::for_revision(coverage_revision));
    sink.event(&Event::RunFinished(&report));
    Ok(report)
}

/// Every planned check as `error` with `reason` (static skips stay skipped).
fn error_all(plan: &Plan, reason: &str, sink: &mut dyn EventSink) -> Vec<CheckResult> {
    plan.checks
        .iter()
        .map(|p| {
            let outcome = p.skip.clone().unwrap_or_else(|| Outcome::error(reason));
            let r = finished(p.check, outcome, Duration::ZERO, Vec::new());
            sink.event(&Event::CheckFinished(&r));
            r
        })
        .collect()
}

async fn run_one(check: &'static Check, cx: &mut CheckContext, config: &RunConfig, sink: &mut dyn EventSink) -> CheckResult {
    let meta = &check.meta;
    if !meta.applies.covers_revision(cx.revision()) {
        let o = Outcome::skip(SkipReason::NotApplicable, format!("does not apply to protocol revision {}", cx.revision()));
        return finished(check, o, Duration::ZERO, Vec::new());
    }
    if let Some(cap) = meta.applies.capability {
        if cx.shared.is_some() && !cx.profile().has(cap) {
            let o = Outcome::skip(SkipReason::CapabilityNotAdvertised, format!("server does not advertise `{}`", cap.name()));
            return finished(check, o, Duration::ZERO, Vec::new());
        }
    }
    sink.event(&Event::CheckStarted(meta));
    let mark = cx.transcript().mark();
    let started = Instant::now();
    let fut = AssertUnwindSafe((check.run)(cx)).catch_unwind();
    let budget = check_budget(meta.suite, config.check_timeout);
    let mut outcome = match tokio::time::timeout(budget, fut).await {
        Ok(Ok(Ok(o) | Err(o))) => o,
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Outcome::error(format!("harness bug: the check panicked: {msg}"))
        }
        Err(_) => Outcome::error(format!("check did not finish within {budget:?}")),
    };
    repair_faults(cx, &mut outcome).await;
    let wire = cx
        .transcript()
        .since(mark, WIRE_EXCERPT_MAX)
        .into_iter()
        .map(|e| WireEntry {
            at_ms: (e.at.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            direction: match e.direction {
                Direction::Sent => "sent",
                Direction::Received => "received",
                _ => "note",
            }
            .to_owned(),
            channel: e.channel,
            text: e.text,
            truncated: e.truncated,
        })
        .collect();
    finished(check, outcome, started.elapsed(), wire)
}

/// After a check: repairs a fault it injected into a backing service and left behind (cut off by its budget
/// mid-outage, or returned early without undoing it), so later checks find the services up; the check's reason says
/// what was repaired. A no-op when the run has no services or nothing is broken. A failed repair is an error of this
/// check: the harness broke the services, not the target.
async fn repair_faults(cx: &CheckContext, outcome: &mut Outcome) {
    let Ok(services) = cx.services() else { return };
    let note = match tokio::time::timeout(FAULT_REPAIR_LIMIT, services.restore()).await {
        Ok(Ok(done)) if done.is_empty() => return,
        Ok(Ok(done)) => format!("after the check the harness repaired the fault it had injected: {}", done.join(", ")),
        Ok(Err(e)) => {
            *outcome = Outcome::error(format!("the harness could not repair the fault it had injected: {e}"));
            return;
        }
        Err(_) => {
            *outcome = Outcome::error(format!("the harness could not repair the fault it had injected within {FAULT_REPAIR_LIMIT:?}"));
            return;
        }
    };
    outcome.reason = Some(match outcome.reason.take() {
        Some(r) => format!("{r} ({note})"),
        None => note,
    });
}

/// Longest time for repairing the faults a check left behind (a Postgres restart waits for readiness).
const FAULT_REPAIR_LIMIT: Duration = Duration::from_secs(90);

/// Time one check may take: integration checks inject faults and wait for recovery, so they get at least
/// [`INTEGRATION_CHECK_MIN`]; their own waits are bounded well below it.
fn check_budget(suite: Suite, configured: Duration) -> Duration {
    match suite {
        Suite::Integration => configured.max(INTEGRATION_CHECK_MIN),
        _ => configured,
    }
}

/// Least time an integration check may take.
const INTEGRATION_CHECK_MIN: Duration = Duration::from_secs(120);

/// Applies the level (a violated SHOULD is a warning) and packages the result.
fn finished(check: &'static Check, mut outcome: Outcome, duration: Duration, wire: Vec<WireEntry>) -> CheckResult {
    if outcome.status == Status::Failed && check.meta.level != Level::Must {
        outcome.status = Status::Warning;
    }
    if outcome.status != Status::Passed && outcome.reason.is_none() {
        outcome.reason = Some(outcome.status.as_str().to_owned());
    }
    CheckResult { meta: check.meta, outcome, duration, wire }
}

/// After a check: if the shared session's process died, try once to establish a new one.
async fn keep_shared_session_alive(cx: &mut CheckContext) {
    let dead = match &mut cx.shared {
        Some(s) => !s.is_alive(),
        None => false,
    };
    if !dead {
        return;
    }
    if let Some(s) = cx.shared.take() {
        s.close().await;
    }
    let mut options = cx.env.session_options.clone();
    options.revision = RevisionChoice::Exact(cx.profile.revision);
    match Session::open(&cx.env.target, &cx.env.limits, &cx.env.transcript, &options).await {
        Ok(s) => cx.shared = Some(s),
        Err(e) => cx.shared_error = Some(format!("the target exited and could not be reconnected: {e}")),
    }
}
