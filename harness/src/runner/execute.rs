//! Executing a plan against a target, in visible stages: plan → provision → launch → handshake → checks →
//! teardown. Each stage is a function and is announced by events; aggregation is one more event consumer.

use std::sync::Arc;
use std::time::Duration;

use super::backing::{self, BackingServices};
use super::checks::{CheckQueue, run_checks};
use super::config::RunConfig;
use super::events::{Event, EventSink, Tee};
use super::plan::{Plan, PlanContext, RunError};
use super::record::RunRecorder;
use crate::auth::RunAuth;
use crate::check::context::RunEnv;
use crate::check::{CheckContext, Outcome};
use crate::protocol::{Revision, RevisionChoice};
use crate::report::TestReport;
use crate::report::model::CapturedText;
use crate::session::{Blocker, ServerProfile, Session, SessionError, SessionOptions};
use crate::target::LaunchedTarget;
use crate::wire::Transcript;

/// Stdio processes kept ready for checks that need a fresh one.
const SPARES: usize = 2;

/// Runs the configured checks against the configured target and builds the report.
///
/// Only configuration errors are returned as `Err` (exit code 2). Everything the target does — refusing to start,
/// hanging, crashing, answering wrongly — ends up in the report: a wrong answer fails the check that received it,
/// only a target that cannot be reached or stays silent is "could not test". A triggered
/// [`RunConfig::interrupt`] ends the run early; the report then marks the unfinished checks `interrupted`.
pub async fn run(config: &RunConfig, sink: &mut dyn EventSink) -> Result<TestReport, RunError> {
    let mut recorder = RunRecorder::new(config);
    let registry = {
        let mut events = Tee { first: &mut recorder, second: sink };
        super::registry::registry_for(config, &mut events).await?
    };
    let plan = Plan::new(registry.checks, &config.selection, PlanContext::of(config))?;
    let stderr = {
        let mut events = Tee { first: &mut recorder, second: sink };
        execute(config, &plan, registry, &mut events).await
    };
    if let Some(stderr) = stderr {
        recorder.set_target_stderr(stderr);
    }
    let report = recorder.finish();
    sink.event(&Event::RunFinished(&report));
    Ok(report)
}

/// The stages. Returns the target's stderr (for local targets) for the report.
async fn execute(
    config: &RunConfig,
    plan: &Plan,
    registry: &'static crate::checks::Registry,
    ev: &mut dyn EventSink,
) -> Option<CapturedText> {
    ev.event(&Event::RunStarted { plan, target: &config.target.describe() });
    let mut queue = CheckQueue::new(plan);
    if !queue.has_runnable() {
        queue.finish_rest(ev, |_| unreachable_outcome());
        return None;
    }
    let interrupt = &config.interrupt;

    // Provision: backing services.
    let services = match interrupt.guard(provision(plan, config, ev)).await {
        Ok(s) => s,
        Err(signal) => {
            queue.interrupt(ev, signal);
            return None;
        }
    };
    if config.services.required
        && let Some(problem) = services.problem()
    {
        let reason = format!("could not test: {problem} (required by --require-services)");
        queue.finish_rest(ev, |_| Outcome::error(reason.clone()));
        services.shutdown(ev).await;
        return None;
    }

    // Launch, with the run's canary secret in the environment of every process the harness starts.
    let canary = canary(config);
    let target_env = RunEnv::target_env(services.env(), canary.as_deref());
    let launched = interrupt.guard(LaunchedTarget::launch_with_env(
        &config.target,
        config.launch_timeout,
        &target_env,
        &config.reference_args,
    ));
    let mut target = match launched.await {
        Ok(Ok(target)) => target,
        Ok(Err(e)) => {
            let reason = e.to_string();
            ev.event(&Event::TargetLaunchFailed { reason: &reason });
            queue.finish_rest(ev, |_| Outcome::error(format!("could not test: could not start the target: {reason}")));
            services.shutdown(ev).await;
            return None;
        }
        Err(signal) => {
            queue.interrupt(ev, signal);
            services.shutdown(ev).await;
            return None;
        }
    };
    ev.event(&Event::TargetLaunched { description: &target.description });
    // Stdio processes boot ahead of need, unless backing services are in play (an idle spare would hold
    // connections to them while the integration checks restart and pause them).
    if matches!(services, BackingServices::NotRequested) {
        target.processes.keep_spares(SPARES);
    }

    // Authorization: with a signing key, the run's token is minted from the target's metadata.
    let transcript = transcript(config, canary.as_deref());
    let http = match &mut target.transport {
        crate::target::TargetTransport::Http(t) => Some(t),
        crate::target::TargetTransport::Stdio(_) => None,
    };
    let auth = RunAuth::resolve(&config.options.auth, http, &config.limits, &transcript, config.request_timeout);
    let auth = match interrupt.guard(auth).await {
        Ok(auth) => auth,
        Err(signal) => {
            queue.interrupt(ev, signal);
            target.shutdown().await;
            services.shutdown(ev).await;
            return None;
        }
    };

    // Handshake: the run's shared session.
    let env = Arc::new(RunEnv {
        spec: config.target.clone(),
        launch_timeout: config.launch_timeout,
        limits: config.limits.clone(),
        transcript,
        session_options: session_options(config),
        options: config.options.clone(),
        services,
        target,
        journeys: registry.journeys,
        unit: registry.unit,
        load: Default::default(),
        canary,
        reference_args: config.reference_args.clone(),
        auth,
    });
    let mut cx = match interrupt.guard(handshake(&env, config)).await {
        Err(signal) => {
            queue.interrupt(ev, signal);
            return teardown(None, env, ev).await;
        }
        Ok(Ok(session)) => {
            ev.event(&Event::HandshakeCompleted { profile: &session.profile });
            let profile = session.profile.clone();
            CheckContext { env: env.clone(), shared: Some(session), shared_error: None, profile, check: None }
        }
        Ok(Err(error)) => {
            let stderr_tail = tail(&env.target.stderr.snapshot().0, 2000);
            ev.event(&Event::HandshakeFailed { error: &error, stderr_tail: &stderr_tail });
            if let SessionError::Blocked(blocker) = &error {
                // Nothing can be evaluated: every check is an error with this one cause.
                queue.finish_rest(ev, |_| Outcome::blocked(blocker));
                return teardown(None, env, ev).await;
            }
            // The target answered, wrongly: the lifecycle checks judge the handshake, the rest cannot run.
            let profile = ServerProfile::from_result(fallback_revision(config), &serde_json::Value::Null);
            let cause = format!("the run's handshake failed: {error}");
            CheckContext { env: env.clone(), shared: None, shared_error: Some(cause), profile, check: None }
        }
    };

    // Checks.
    run_checks(&mut cx, &mut queue, config, ev).await;

    // Teardown.
    let shared = cx.shared.take();
    drop(cx);
    teardown(shared, env, ev).await
}

/// Starts the backing services the plan needs.
async fn provision(plan: &Plan, config: &RunConfig, ev: &mut dyn EventSink) -> BackingServices {
    let wanted = backing::wanted(plan, &config.services);
    let services = backing::provide(&wanted, &config.services, ev).await;
    match &services {
        BackingServices::Running(s) => ev.event(&Event::ServicesProvided { notes: &s.notes }),
        other => {
            if let Some(problem) = other.problem() {
                ev.event(&Event::ServicesUnavailable { problem, required: config.services.required });
            }
        }
    }
    services
}

/// Opens the run's shared session, bounded in time as a whole.
async fn handshake(env: &RunEnv, config: &RunConfig) -> Result<Session, SessionError> {
    let limit = config.launch_timeout + env.session_options.probe_timeout + config.request_timeout * 2;
    let opened = Session::open(&env.target, &env.limits, &env.transcript, &env.session_options);
    match tokio::time::timeout(limit, opened).await {
        Ok(result) => result,
        Err(_) => Err(SessionError::Blocked(Blocker::Silent { method: "the handshake".to_owned(), waited: limit })),
    }
}

/// Ends the shared session, the target and the services; returns the target's stderr for local targets.
async fn teardown(shared: Option<Session>, env: Arc<RunEnv>, ev: &mut dyn EventSink) -> Option<CapturedText> {
    if let Some(s) = shared {
        s.close().await;
    }
    let Ok(env) = Arc::try_unwrap(env) else {
        // A check still holds the environment (it cannot: checks end before teardown); drop ends the processes.
        ev.event(&Event::TargetStopped);
        return None;
    };
    let (text, truncated) = env.target.stderr.snapshot();
    let local = env.target.is_stdio() || env.target.kind == crate::report::model::TargetKind::Reference;
    env.target.shutdown().await;
    env.services.shutdown(ev).await;
    ev.event(&Event::TargetStopped);
    local.then_some(CapturedText { text, truncated })
}

/// A fresh canary secret for a target the harness starts (`mcp-canary-<16 hex digits>`); none for a URL target,
/// whose environment the harness does not control.
fn canary(config: &RunConfig) -> Option<String> {
    match config.target {
        crate::TargetSpec::Http(_) => None,
        _ => Some(format!("mcp-canary-{:016x}", rand::random::<u64>())),
    }
}

/// The transcript of the run, with the target's secrets (its bearer token, the canary) registered for redaction.
fn transcript(config: &RunConfig, canary: Option<&str>) -> Transcript {
    let transcript = Transcript::new(&config.limits);
    if let Some(c) = canary {
        transcript.add_secret(c);
    }
    if let crate::TargetSpec::Http(t) = &config.target
        && let Some(token) = &t.bearer_token
    {
        transcript.add_secret(token);
    }
    transcript
}

/// The options of every session of the run (discovery uses them too).
pub(super) fn session_options(config: &RunConfig) -> SessionOptions {
    SessionOptions {
        revision: config.protocol,
        timeout: config.request_timeout,
        probe_timeout: config.request_timeout.min(Duration::from_secs(5)),
        answers: config.answers.clone(),
        silence_window: config.silence_window,
        ..SessionOptions::default()
    }
}

/// The revision checks are planned for when none was negotiated.
fn fallback_revision(config: &RunConfig) -> Revision {
    match config.protocol {
        RevisionChoice::Exact(r) => r,
        RevisionChoice::Auto => Revision::LATEST_STATEFUL,
    }
}

/// The last `max` characters of `text`.
fn tail(text: &str, max: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(max)).collect()
}

/// Never used: with no runnable check every planned check has its static outcome.
fn unreachable_outcome() -> Outcome {
    Outcome::error("harness bug: a check without a static outcome was not run")
}
