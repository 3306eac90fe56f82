//! The check function of every journey: setup, steps and teardown on the journey's sessions, each step judged and
//! reported.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mcp_harness_suites::journey::{
    AssertionKind, DEFAULT_NOTIFICATION_WITHIN_MS, Phase, RequiredCapability, Spanned, Step, Variables,
};
use serde_json::Value;

use super::action::{JourneySession, perform, step_answers};
use super::assert::{self, Answer, RULE_EXPECTATIONS, Verdict, show};
use super::load::LoadedJourney;
use super::snapshot::{self, SnapshotCx};
use crate::check::{Capability, CheckContext, Conclusion, Level, Outcome, SkipReason, Status};
use crate::report::model::{AssertionReport, CheckDetails, JourneyDetails, StepPhase, StepReport};
use crate::session::{Blocker, SessionError, clip_json};

/// How long to read a session's connection for notifications that arrived before a step began.
const SETTLE: Duration = Duration::from_millis(5);

/// Runs the journey whose check is running.
pub(crate) async fn run_journey(cx: &mut CheckContext) -> Conclusion {
    let Some(j) = cx.current_journey() else {
        return Err(Outcome::error("harness bug: the running check has no journey"));
    };
    if let Some(r) = &j.journey.revisions
        && !r.allows(cx.revision().as_str())
    {
        return Ok(Outcome::not_applicable(format!(
            "the journey applies to revisions {}, not {}",
            r.describe(),
            cx.revision()
        )));
    }
    for c in &j.journey.capabilities {
        let cap = capability(*c);
        if !cx.profile().has(cap) {
            return Ok(Outcome::skip(
                SkipReason::CapabilityNotAdvertised,
                format!("the journey needs `{}`, which the server does not advertise", cap.name()),
            ));
        }
    }
    let mut run =
        JourneyRun { cx, j, sessions: BTreeMap::new(), vars: Variables::new(), steps: Vec::new(), counter: 0 };
    let outcome = run.run().await;
    let details = JourneyDetails {
        file: j.file.clone(),
        journey: j.journey.name.clone(),
        steps: std::mem::take(&mut run.steps),
        captured: run.vars.clone(),
    };
    run.close().await;
    Ok(outcome.with_details(CheckDetails::Journey(details)))
}

/// The harness's capability for a journey's.
fn capability(c: RequiredCapability) -> Capability {
    match c {
        RequiredCapability::Tools => Capability::Tools,
        RequiredCapability::Resources => Capability::Resources,
        RequiredCapability::ResourcesSubscribe => Capability::ResourceSubscribe,
        RequiredCapability::Prompts => Capability::Prompts,
        RequiredCapability::Completions => Capability::Completions,
        _ => Capability::Logging,
    }
}

/// A journey being run.
struct JourneyRun<'a> {
    cx: &'a mut CheckContext,
    j: &'static LoadedJourney,
    sessions: BTreeMap<String, JourneySession>,
    vars: Variables,
    steps: Vec<StepReport>,
    /// Steps run so far (progress tokens are unique per step).
    counter: u32,
}

/// How one step ended.
enum StepEnd {
    Passed,
    /// An expectation did not hold: the verdicts that failed.
    Failed(Vec<Verdict>),
    /// The server broke a wire rule while the step waited (the outcome names that rule).
    Misbehaved(Outcome),
    /// The step could not be run (could not test).
    Error(Outcome),
    /// The step needs a variable an earlier step did not capture.
    Skipped(String),
}

impl JourneyRun<'_> {
    async fn run(&mut self) -> Outcome {
        let j = self.j;
        let mut verdict: Option<Outcome> = None;
        let mut passed = 0;
        for (phase, steps) in j.journey.phases() {
            for (i, step) in steps.iter().enumerate() {
                let index = u32::try_from(i + 1).unwrap_or(u32::MAX);
                if phase != Phase::Teardown && verdict.is_some() {
                    self.steps.push(self.report(
                        phase,
                        index,
                        step,
                        Status::Skipped,
                        Some("an earlier step did not pass".into()),
                    ));
                    continue;
                }
                let end = self.step(phase, index, step).await;
                if phase == Phase::Teardown {
                    continue;
                }
                let part = match phase {
                    Phase::Setup => "setup step",
                    Phase::Step => "step",
                    Phase::Teardown => "teardown step",
                };
                let location =
                    format!("{}:{}: {part} {index} `{}`", j.file, step.referenced.line(), step.value.describe());
                verdict = match end {
                    StepEnd::Passed => {
                        passed += 1;
                        None
                    }
                    StepEnd::Skipped(why) => Some(Outcome::error(format!("could not run {location}: {why}"))),
                    StepEnd::Error(mut o) => {
                        let why = o.reason.take().unwrap_or_default();
                        let set_up = if phase == Phase::Setup { "could not set up the journey: " } else { "" };
                        o.reason = Some(format!("{set_up}{location}: {why}"));
                        Some(o)
                    }
                    StepEnd::Misbehaved(mut o) if phase != Phase::Setup => {
                        let why = o.reason.take().unwrap_or_default();
                        o.reason = Some(format!("{location}: {why}"));
                        Some(o)
                    }
                    StepEnd::Misbehaved(o) => Some(Outcome::error(format!(
                        "could not set up the journey: {location}: {}",
                        o.reason.unwrap_or_default()
                    ))),
                    StepEnd::Failed(failures) if phase == Phase::Setup => Some(Outcome::error(format!(
                        "could not set up the journey: {location}: {}",
                        failures.iter().map(describe_failure).collect::<Vec<_>>().join("; ")
                    ))),
                    StepEnd::Failed(failures) => Some(self.failed(&location, step.referenced.line(), &failures)),
                };
            }
        }
        verdict.unwrap_or_else(|| Outcome::pass_with(format!("{passed} steps passed ({}:{})", j.file, j.line)))
    }

    /// The journey's failure: the failing step's location, each failed assertion with what was found, and the
    /// rule the first one breaks.
    fn failed(&self, location: &str, step_line: u64, failures: &[Verdict]) -> Outcome {
        let file = &self.j.file;
        let expected = failures
            .iter()
            .map(|f| format!("{file}:{}: {}", f.line.max(step_line), f.statement))
            .collect::<Vec<_>>()
            .join("\n");
        let mut observed = format!("{location}: {}", describe_failure(&failures[0]));
        for f in &failures[1..] {
            observed.push_str(&format!("\nalso: {}", describe_failure(f)));
        }
        let mut o = Outcome::violated(expected, observed);
        let rule = failures[0].rule();
        if rule != RULE_EXPECTATIONS {
            o = o.breaking(rule, Level::Must);
        }
        o
    }

    /// Runs one step and records its report.
    async fn step(&mut self, phase: Phase, index: u32, spanned: &Spanned<Step>) -> StepEnd {
        let line = spanned.referenced.line();
        let step = match spanned.value.substitute(&self.vars) {
            Ok(s) => s,
            Err(why) => {
                self.steps.push(self.report(phase, index, spanned, Status::Skipped, Some(why.clone())));
                return StepEnd::Skipped(why);
            }
        };
        self.counter += 1;
        let token = format!("journey-step-{}", self.counter);
        let session_name = step.session.clone().unwrap_or_else(|| self.j.journey.default_session().to_owned());
        // Notifications that arrived before the step began do not count for its expectations.
        let mut watched: Vec<String> = step.notifications.iter().filter_map(|n| n.value.session.clone()).collect();
        watched.push(session_name.clone());
        for name in &watched {
            match self.session(name).await {
                Ok(js) => {
                    js.gather(SETTLE).await;
                    js.inbox.clear();
                }
                Err(o) => return self.end_error(phase, index, spanned, o, None),
            }
        }
        let timeout = step.timeout_ms.map_or_else(|| self.cx.timeout(), Duration::from_millis);
        let base = self.cx.session_options().answers;
        let js = match self.session(&session_name).await {
            Ok(js) => js,
            Err(o) => return self.end_error(phase, index, spanned, o, None),
        };
        let previous = js.session.set_answers(step_answers(&base, &step));
        let performed = perform(js, &step, timeout, &token).await;
        js.session.set_answers(previous);
        let asked: Vec<String> = js
            .session
            .take_server_requests()
            .iter()
            .filter_map(|r| r.get("method").and_then(Value::as_str).map(|m| format!("the server asked {m}")))
            .collect();
        js.inbox.extend(js.session.take_notifications());
        let performed = match performed {
            Ok(p) => p,
            Err(e) => {
                let expected = format!("{}:{line}: step `{}` is answered", self.j.file, step.describe());
                let misbehaved = matches!(e, SessionError::Misbehaved(_));
                let o = Outcome::from_session(e, expected);
                return if misbehaved {
                    let reason = o.reason.clone();
                    let mut r = self.report(phase, index, spanned, Status::Failed, reason);
                    r.session = session_name;
                    self.steps.push(r);
                    StepEnd::Misbehaved(o)
                } else {
                    self.end_error(phase, index, spanned, o, Some(session_name))
                };
            }
        };
        let mut notes = performed.notes;
        notes.extend(asked);
        let answered_at = Instant::now();
        let mut verdicts = match &performed.answer {
            Some(answer) => self.judge(&step, line, answer),
            None if step.expect.is_empty() && step.capture.is_empty() => Vec::new(),
            None => vec![Verdict::fail(
                AssertionKind::Error,
                line,
                "an answer to assert on".into(),
                "the raw message has no `id` and `method`, so nothing answers it".into(),
            )],
        };
        for n in &step.notifications {
            verdicts.push(self.notification(&session_name, n, answered_at).await);
        }
        notes.extend(verdicts.iter().filter_map(|v| v.note.clone()));
        let failures: Vec<Verdict> = verdicts.iter().filter(|v| !v.passed()).cloned().collect();
        let (status, reason) = if failures.is_empty() {
            (Status::Passed, None)
        } else {
            (Status::Failed, Some(failures.iter().map(describe_failure).collect::<Vec<_>>().join("\n")))
        };
        let mut r = self.report(phase, index, spanned, status, reason);
        r.session = session_name;
        r.latency_ms = performed.answer.as_ref().map(|a| (a.latency.as_secs_f64() * 1_000_000.0).round() / 1000.0);
        r.assertions = verdicts.iter().map(assertion_report).collect();
        r.notes = notes;
        self.steps.push(r);
        if failures.is_empty() { StepEnd::Passed } else { StepEnd::Failed(failures) }
    }

    /// Every verdict on a step's answer: implicit expectations, captures, then its assertions in order.
    fn judge(&mut self, step: &Step, line: u64, answer: &Answer) -> Vec<Verdict> {
        let mut out = assert::implicit(step, line, answer);
        out.extend(assert::capture(step, line, &answer.doc, &mut self.vars));
        let update = self.cx.options().update_snapshots;
        for a in &step.expect {
            let aline = a.referenced.line();
            out.push(match &a.value.snapshot {
                Some(spec) => {
                    let selected = match &a.value.path {
                        None => Some(answer.doc.clone()),
                        Some(p) => super::path::Query::parse(p).ok().and_then(|q| q.select(&answer.doc).value()),
                    };
                    let description = step.describe();
                    let scx = SnapshotCx { journey: self.j, step: &description, line: aline, update };
                    match selected {
                        Some(v) => snapshot::judge(&scx, spec, &v, a.value.path.as_deref()),
                        None => Verdict::fail(
                            AssertionKind::Snapshot,
                            aline,
                            format!("{} matches snapshot `{}`", a.value.path.as_deref().unwrap_or("$"), spec.name),
                            format!("the path selected nothing in {}", show(&answer.doc)),
                        ),
                    }
                }
                None => assert::evaluate(&a.value, aline, answer),
            });
        }
        out
    }

    /// Waits for a notification the step expects, on its session, until its time limit after the answer.
    async fn notification(
        &mut self,
        step_session: &str,
        n: &Spanned<mcp_harness_suites::journey::NotificationExpectation>,
        answered_at: Instant,
    ) -> Verdict {
        let ne = &n.value;
        let line = n.referenced.line();
        let name = ne.session.clone().unwrap_or_else(|| step_session.to_owned());
        let within = Duration::from_millis(ne.within_ms.unwrap_or(DEFAULT_NOTIFICATION_WITHIN_MS));
        let statement = format!("{} arrives on session `{name}` within {} ms", ne.method, within.as_millis());
        let matches = |v: &Value| {
            v.get("method").and_then(Value::as_str) == Some(ne.method.as_str())
                && assert::params_match(&ne.expect, v.get("params").unwrap_or(&Value::Null))
        };
        let js = match self.session(&name).await {
            Ok(js) => js,
            Err(o) => {
                return Verdict::fail(AssertionKind::Notification, line, statement, o.reason.unwrap_or_default());
            }
        };
        let deadline = answered_at + within;
        loop {
            if let Some(at) = js.inbox.iter().position(matches) {
                js.inbox.remove(at);
                return Verdict::pass(AssertionKind::Notification, line, statement);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let got = js.session.collect_notifications(left, |seen| seen.iter().any(matches)).await;
            js.inbox.extend(got);
        }
        let seen: Vec<String> = js
            .inbox
            .iter()
            .map(|v| {
                format!(
                    "{} {}",
                    v.get("method").and_then(Value::as_str).unwrap_or("?"),
                    clip_json(v.get("params").unwrap_or(&Value::Null), 120)
                )
            })
            .collect();
        let failure = if seen.is_empty() {
            format!("no notification arrived on session `{name}`")
        } else {
            format!("none matched; session `{name}` received: {}", seen.join("; "))
        };
        Verdict::fail(AssertionKind::Notification, line, statement, failure)
    }

    /// The journey session `name`, opened (with its own handshake) on first use. Over Streamable HTTP in the
    /// stateful era its standalone stream is kept open too, where servers send what relates to no request.
    async fn session(&mut self, name: &str) -> Result<&mut JourneySession, Outcome> {
        if !self.sessions.contains_key(name) {
            let session = self.cx.fresh_session().await.map_err(Outcome::from)?;
            self.sessions.insert(
                name.to_owned(),
                JourneySession { session, inbox: Vec::new(), stream_since: None, no_stream: false },
            );
        }
        let timeout = self.cx.timeout();
        let js = self
            .sessions
            .get_mut(name)
            .ok_or_else(|| Outcome::blocked(&Blocker::Harness(format!("journey session `{name}` vanished"))))?;
        js.refresh_stream(timeout).await;
        Ok(js)
    }

    /// Records a step that could not be run and ends it as an error.
    fn end_error(
        &mut self,
        phase: Phase,
        index: u32,
        spanned: &Spanned<Step>,
        o: Outcome,
        session: Option<String>,
    ) -> StepEnd {
        let mut r = self.report(phase, index, spanned, Status::Error, o.reason.clone());
        if let Some(s) = session {
            r.session = s;
        }
        self.steps.push(r);
        StepEnd::Error(o)
    }

    /// A step report with no assertions yet.
    fn report(
        &self,
        phase: Phase,
        index: u32,
        spanned: &Spanned<Step>,
        outcome: Status,
        reason: Option<String>,
    ) -> StepReport {
        let step = &spanned.value;
        StepReport {
            phase: match phase {
                Phase::Setup => StepPhase::Setup,
                Phase::Step => StepPhase::Step,
                Phase::Teardown => StepPhase::Teardown,
            },
            index,
            line: u32::try_from(spanned.referenced.line()).unwrap_or(u32::MAX),
            session: step.session.clone().unwrap_or_else(|| self.j.journey.default_session().to_owned()),
            action: step.describe(),
            outcome,
            reason,
            latency_ms: None,
            assertions: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Ends every session of the journey.
    async fn close(self) {
        for (_, js) in self.sessions {
            js.session.close().await;
        }
    }
}

/// A failed verdict in one line: what was asserted and what was found.
fn describe_failure(v: &Verdict) -> String {
    format!("{}: {}", v.statement, v.failure.as_deref().unwrap_or("held"))
}

/// A verdict as the report shows it.
fn assertion_report(v: &Verdict) -> AssertionReport {
    AssertionReport {
        kind: v.kind,
        line: u32::try_from(v.line).unwrap_or(u32::MAX),
        outcome: if v.passed() { Status::Passed } else { Status::Failed },
        assertion: v.statement.clone(),
        found: v.failure.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_as_assertion_and_finding() {
        let v = Verdict::fail(AssertionKind::Equals, 3, "$.a equals 1".into(), "got 2".into());
        assert_eq!(describe_failure(&v), "$.a equals 1: got 2");
        let r = assertion_report(&v);
        assert_eq!((r.outcome, r.line, r.found.as_deref()), (Status::Failed, 3, Some("got 2")));
    }
}
