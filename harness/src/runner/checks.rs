//! The checks stage: runs the planned checks one by one (those judging the run's observations last), each with a
//! time budget, and keeps a stdio target's shared session alive when its process dies.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures::FutureExt as _;

use super::config::RunConfig;
use super::events::{Event, EventSink};
use super::interrupt::Signal;
use super::plan::{Plan, PlannedCheck};
use crate::check::{Check, CheckContext, Needs, Outcome, SkipReason, Status};
use crate::protocol::RevisionChoice;
use crate::report::CheckResult;
use crate::report::model::WireEntry;
use crate::session::Session;

/// Transcript entries kept per check in the report.
const WIRE_EXCERPT_MAX: usize = 40;
/// Longest time for repairing the faults a check left behind (a Postgres restart waits for readiness).
const FAULT_REPAIR_LIMIT: Duration = Duration::from_secs(90);
/// Least time a check that needs backing services may take: it injects faults and waits for recovery (its own
/// waits are bounded well below this).
const SERVICE_CHECK_MIN: Duration = Duration::from_secs(120);

/// The planned checks in execution order (the checks that judge the run's observations after all others), each
/// reported exactly once.
pub(crate) struct CheckQueue<'p> {
    order: Vec<&'p PlannedCheck>,
    next: usize,
}

impl<'p> CheckQueue<'p> {
    pub(crate) fn new(plan: &'p Plan) -> Self {
        let (last, first): (Vec<&PlannedCheck>, Vec<&PlannedCheck>) =
            plan.checks.iter().partition(|p| p.check.meta.applies.needs == Needs::Observations);
        CheckQueue { order: first.into_iter().chain(last).collect(), next: 0 }
    }

    /// Whether any check is left that will run (has no static outcome).
    pub(crate) fn has_runnable(&self) -> bool {
        self.order[self.next..].iter().any(|p| p.skip.is_none())
    }

    fn pop(&mut self) -> Option<&'p PlannedCheck> {
        let p = self.order.get(self.next).copied();
        self.next += 1;
        p
    }

    /// Reports every check left: its static outcome, or `outcome` for the ones that would have run.
    pub(crate) fn finish_rest(&mut self, ev: &mut dyn EventSink, outcome: impl Fn(&PlannedCheck) -> Outcome) {
        while let Some(p) = self.pop() {
            let o = p.skip.clone().unwrap_or_else(|| outcome(p));
            ev.event(&Event::CheckFinished(&finished(p.check, o, Duration::ZERO, Vec::new())));
        }
    }

    /// The run was interrupted: says so, then reports every check left as interrupted.
    pub(crate) fn interrupt(&mut self, ev: &mut dyn EventSink, signal: Signal) {
        ev.event(&Event::Interrupted { signal });
        self.finish_rest(ev, |_| {
            Outcome::interrupted(format!("the run was interrupted by {signal} before this check"))
        });
    }
}

/// Runs every check left in `queue`, reporting each; stops early when the run is interrupted.
pub(crate) async fn run_checks(
    cx: &mut CheckContext,
    queue: &mut CheckQueue<'_>,
    config: &RunConfig,
    ev: &mut dyn EventSink,
) {
    while let Some(planned) = queue.pop() {
        if let Some(skip) = &planned.skip {
            ev.event(&Event::CheckFinished(&finished(planned.check, skip.clone(), Duration::ZERO, Vec::new())));
            continue;
        }
        let result = match config.interrupt.guard(run_one(planned.check, cx, config, ev)).await {
            Ok(result) => result,
            Err(signal) => {
                cx.env.session_options.log.set_current_check(None);
                let o = Outcome::interrupted(format!("the run was interrupted by {signal} while this check ran"));
                ev.event(&Event::CheckFinished(&finished(planned.check, o, Duration::ZERO, Vec::new())));
                queue.interrupt(ev, signal);
                return;
            }
        };
        report_load(cx, ev);
        ev.event(&Event::CheckFinished(&result));
        if config.options.fail_fast && stops_a_fail_fast_run(&result, config) {
            let id = result.meta.id;
            queue.finish_rest(ev, |_| {
                Outcome::skip(SkipReason::FailFast, format!("not run: --fail-fast ended the run when `{id}` failed"))
            });
            return;
        }
        keep_shared_session_alive(cx, planned.check, ev).await;
    }
}

/// Whether `result` ends a `--fail-fast` run: a failure (a MUST broken) or a check that could not be evaluated,
/// unless the baseline expects it to fail.
fn stops_a_fail_fast_run(result: &CheckResult, config: &RunConfig) -> bool {
    matches!(result.outcome.status, Status::Failed | Status::Error)
        && !config.baseline.as_ref().is_some_and(|b| b.entries().iter().any(|e| e.matches(result.meta.id.as_str())))
}

/// Runs one check within its budget, or says why it does not run.
async fn run_one(
    check: &'static Check,
    cx: &mut CheckContext,
    config: &RunConfig,
    ev: &mut dyn EventSink,
) -> CheckResult {
    let meta = &check.meta;
    if !meta.applies.covers_revision(cx.revision()) {
        let o = Outcome::not_applicable(format!("does not apply to protocol revision {}", cx.revision()));
        return finished(check, o, Duration::ZERO, Vec::new());
    }
    if meta.applies.needs == Needs::Session && cx.shared.is_none() {
        let why = cx.shared_error.clone().unwrap_or_else(|| "no session".to_owned());
        return finished(check, Outcome::error(format!("could not run: {why}")), Duration::ZERO, Vec::new());
    }
    if let Some(cap) = meta.applies.capability
        && cx.shared.is_some()
        && !cx.profile().has(cap)
    {
        let o =
            Outcome::skip(SkipReason::CapabilityNotAdvertised, format!("server does not advertise `{}`", cap.name()));
        return finished(check, o, Duration::ZERO, Vec::new());
    }
    ev.event(&Event::CheckStarted(meta));
    let log = cx.env.session_options.log.clone();
    log.set_current_check(Some(meta.id.as_str()));
    let mark = cx.transcript().mark();
    let started = Instant::now();
    let budget = if meta.suite == crate::check::Suite::Performance {
        config.check_timeout.max(config.options.load.bound(config.request_timeout))
    } else if meta.applies.services.is_empty() {
        config.check_timeout
    } else {
        config.check_timeout.max(SERVICE_CHECK_MIN)
    };
    cx.check = Some(meta.id);
    let env = cx.env.clone();
    let mut progress = env.load.progress.subscribe();
    progress.mark_unchanged();
    let finished_in_time = {
        let fut = AssertUnwindSafe((check.run)(cx)).catch_unwind();
        let timed = tokio::time::timeout(budget, fut);
        tokio::pin!(timed);
        // A load run's live figures become events while the check runs.
        loop {
            tokio::select! {
                done = &mut timed => break done,
                Ok(()) = progress.changed() => {
                    let live = progress.borrow_and_update().clone();
                    if let Some(live) = live {
                        ev.event(&Event::LoadProgress(&live));
                    }
                }
            }
        }
    };
    let mut outcome = match finished_in_time {
        Ok(Ok(Ok(o) | Err(o))) => o,
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Outcome::error(format!("harness bug: the check panicked: {msg}"))
        }
        Err(_) => Outcome::error(format!("could not test: the check did not finish within {budget:?}")),
    };
    log.set_current_check(None);
    cx.check = None;
    repair_faults(cx, &mut outcome).await;
    redact_secrets(cx, &mut outcome);
    finished(check, outcome, started.elapsed(), wire_excerpt(cx, mark))
}

/// After a check: the first time the run's load measurements exist, reports them (`LoadMeasured`).
fn report_load(cx: &CheckContext, ev: &mut dyn EventSink) {
    let load = &cx.env.load;
    if let Some(Ok(measured)) = load.result.get()
        && !load.reported.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        ev.event(&Event::LoadMeasured(measured));
    }
}

/// The transcript entries recorded since `mark`, bounded.
fn wire_excerpt(cx: &CheckContext, mark: u64) -> Vec<WireEntry> {
    cx.transcript()
        .since(mark, WIRE_EXCERPT_MAX)
        .into_iter()
        .map(|e| WireEntry {
            at_ms: (e.at.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            direction: e.direction,
            channel: e.channel,
            text: e.text,
            truncated: e.truncated,
        })
        .collect()
}

/// After a check: repairs a fault it injected into a backing service and left behind (cut off by its budget
/// mid-outage, or returned early without undoing it), so later checks find the services up; the check's reason says
/// what was repaired. A no-op when the run has no services or nothing is broken. A failed repair is an error of this
/// check: the harness broke the services, not the target.
/// Masks the run's secrets (tokens, the canary) in what the outcome says: a check quoting an answer that echoed a
/// token must not put the token into the report.
fn redact_secrets(cx: &CheckContext, outcome: &mut Outcome) {
    let t = cx.transcript();
    for text in [&mut outcome.reason, &mut outcome.expected, &mut outcome.observed].into_iter().flatten() {
        *text = t.redact(text);
    }
    if let Some(f) = outcome.finding.as_mut() {
        let e = &mut f.evidence;
        for text in [&mut e.matched, &mut e.request, &mut e.answer].into_iter().flatten() {
            *text = t.redact(text);
        }
    }
}

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
            *outcome = Outcome::error(format!(
                "the harness could not repair the fault it had injected within {FAULT_REPAIR_LIMIT:?}"
            ));
            return;
        }
    };
    outcome.reason = Some(match outcome.reason.take() {
        Some(r) => format!("{r} ({note})"),
        None => note,
    });
}

/// Applies the level and packages the result. A failure that names a rule of its own (a violation the session
/// observed) takes that rule's level; any other takes the check's: a violated SHOULD or MAY is a warning.
pub(crate) fn finished(
    check: &'static Check,
    mut outcome: Outcome,
    duration: Duration,
    wire: Vec<WireEntry>,
) -> CheckResult {
    let level = outcome.broken.map_or(check.meta.level, |b| b.level);
    if outcome.status == Status::Failed && level != crate::check::Level::Must {
        outcome.status = Status::Warning;
    }
    if outcome.status != Status::Passed && outcome.reason.is_none() {
        outcome.reason = Some(outcome.status.as_str().to_owned());
    }
    CheckResult { meta: check.meta, outcome, duration, wire }
}

/// After a check: if the shared session's process died, starts a fresh one for the checks that follow (stdio; a
/// URL target cannot be restarted by the harness).
async fn keep_shared_session_alive(cx: &mut CheckContext, after: &'static Check, ev: &mut dyn EventSink) {
    let Some(s) = cx.shared.as_mut() else { return };
    if s.is_alive() {
        return;
    }
    let exit_status = s.connection().exit_status().unwrap_or_default();
    if let Some(s) = cx.shared.take() {
        s.close().await;
    }
    let mut options = cx.env.session_options.clone();
    options.revision = RevisionChoice::Exact(cx.profile.revision);
    match Session::open(&cx.env.target, &cx.env.limits, &cx.env.transcript, &options).await {
        Ok(s) => {
            cx.shared = Some(s);
            ev.event(&Event::TargetRestarted { after: after.meta.id, exit_status: &exit_status });
        }
        Err(e) => {
            let reason = format!(
                "the target's process exited ({exit_status}) during {} and could not be restarted: {e}",
                after.meta.id
            );
            ev.event(&Event::TargetLost { after: after.meta.id, reason: &reason });
            cx.shared_error = Some(reason);
        }
    }
}
