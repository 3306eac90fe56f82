//! A flood of harmless requests (500 at once, then 1,000 in a row reusing one id) is answered or shed, and the
//! server survives it.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite,
};
use crate::check_fn;
use crate::checks::http::probe::Seen;
use crate::checks::security::robust::alive;
use crate::checks::tools::call::harmless;
use crate::session::{Inbound, Session, SessionError, ViolationKind};
use crate::wire::{HttpRequest, Transcript};

/// What to change when the check fails.
const REMEDIATION: &str = "bound the work a burst of requests can cause (a queue or concurrency limit) and shed \
     what does not fit with HTTP 429 or 503 or a JSON-RPC error, instead of exiting, dropping requests or stalling";

/// Requests sent at once.
const CONCURRENT: usize = 500;
/// Requests sent one after another with the same id.
const SEQUENTIAL: usize = 1_000;
/// How long the burst may take to be answered or shed, in all.
const BURST_BOUND: Duration = Duration::from_secs(15);
/// How long the sequential requests may take in all; past it the check stops sending them (and says so).
const SEQUENCE_BOUND: Duration = Duration::from_secs(10);
/// The id every sequential request carries.
const REUSED_ID: &str = "mcp-harness-flood";

/// The SHOULD rule a request dropped (neither answered nor shed) breaks.
const SHED_RULE: &str = "security.too-many-requests";

/// The server survives a flood and answers or sheds every request.
///
/// Two phases on one fresh session, each request the era's harmless one (`ping`, on 2026-07-28
/// `server/discover`): [`CONCURRENT`] requests at once (stdio: written back to back; HTTP: as many concurrent
/// POSTs), then [`SEQUENTIAL`] requests one after another, each sent when the previous was answered, all with the
/// id [`REUSED_ID`]. A server that exits, closes the connection or stops answering (the liveness probe after both
/// phases) fails; one that drops requests without an answer or answers with an unexpected status warns;
/// shedding (HTTP 429/503, a JSON-RPC error) is a pass, noted. The session is recorded in a transcript of its own:
/// its 3,000 entries would push the run's earlier evidence out of the bounded run transcript.
pub(crate) const FLOOD: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.robust.flood"),
        title: "500 concurrent and 1,000 sequential harmless requests (one id reused) are answered or shed (429, 503, a JSON-RPC error), and the server keeps answering",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.resource-consumption", SHED_RULE],
        applies: Applicability::ALWAYS,
        tags: &["robustness", "security", "load", "negative"],
    },
    run: check_fn!(flood),
};

/// What happened to the requests of one phase.
#[derive(Debug, Default, Clone, PartialEq)]
struct Tally {
    /// Answered with a result.
    answered: usize,
    /// Shed: HTTP 429 or 503, or a JSON-RPC error.
    shed: usize,
    /// Neither answered nor shed in time (or the connection for it failed) while the server lived on.
    dropped: usize,
    /// Answered with another HTTP status, or without the request's id.
    odd: usize,
    /// The first few of those, described.
    odd_samples: Vec<String>,
    /// Why the server is dead (exited, closed the connection, stopped answering), if it is.
    dead: Option<String>,
    /// Requests not sent, because a bound was reached.
    unsent: usize,
}

impl Tally {
    fn odd(&mut self, what: String) {
        self.odd += 1;
        if self.odd_samples.len() < 3 {
            self.odd_samples.push(what);
        }
    }

    fn describe(&self) -> String {
        let mut text = format!("{} answered, {} shed", self.answered, self.shed);
        if self.dropped > 0 {
            text.push_str(&format!(", {} dropped", self.dropped));
        }
        if self.odd > 0 {
            text.push_str(&format!(", {} odd ({})", self.odd, self.odd_samples.join("; ")));
        }
        if self.unsent > 0 {
            text.push_str(&format!(", {} not sent (time bound reached)", self.unsent));
        }
        if let Some(why) = &self.dead {
            text.push_str(&format!("; the server died: {why}"));
        }
        text
    }
}

async fn flood(cx: &mut CheckContext) -> Conclusion {
    let wait = cx.timeout();
    let transcript = Transcript::new(cx.limits());
    if let Some(canary) = cx.canary() {
        transcript.add_secret(canary);
    }
    let mut s = cx.fresh_session_recorded_in(&transcript).await?;
    let burst = if s.connection().is_stdio() { burst_stdio(&mut s).await } else { burst_http(&mut s).await };
    let sequence = if burst.dead.is_none() { sequential(&mut s, wait).await } else { Tally::default() };
    let liveness =
        if burst.dead.is_none() && sequence.dead.is_none() { alive(&mut s, wait).await } else { Ok(String::new()) };
    s.close().await;
    cx.transcript().note(&format!(
        "security.robust.flood: its {} exchanges are recorded apart, not in this transcript",
        CONCURRENT + SEQUENTIAL
    ));
    Ok(judge(&burst, &sequence, liveness))
}

/// The verdict: dead → violated (high); dropped requests → a warning (low); answers whose ids match no request are
/// noted, not judged (the id rules are other checks'), and when every answer is such, the flood cannot be judged;
/// otherwise passed, shedding noted.
fn judge(burst: &Tally, sequence: &Tally, liveness: Result<String, String>) -> Outcome {
    let expected =
        "every request answered or shed (HTTP 429/503, a JSON-RPC error), and a harmless request afterwards answered";
    let summary = format!(
        "{CONCURRENT} at once: {}; {SEQUENTIAL} in a row with id {REUSED_ID:?}: {}",
        burst.describe(),
        sequence.describe()
    );
    let dead = burst.dead.as_ref().or(sequence.dead.as_ref()).cloned().or_else(|| liveness.clone().err());
    if let Some(why) = dead {
        let finding = Finding::new(Severity::High, Some(400), REMEDIATION)
            .request(format!("{CONCURRENT} concurrent harmless requests, then {SEQUENTIAL} sequential ones"))
            .answer(&why);
        return Outcome::violated(expected, format!("the server did not survive the flood: {why} ({summary})"))
            .with_finding(finding);
    }
    let alive = liveness.unwrap_or_default();
    let odd = burst.odd + sequence.odd;
    if odd > 0 && burst.answered + burst.shed + sequence.answered + sequence.shed == 0 {
        return Outcome::error(format!(
            "could not test: the server answered, but with ids that match no request, so no answer could be paired \
             with its request (jsonrpc.id-echo and jsonrpc.response-id judge that): {summary}"
        ));
    }
    let weak = burst.dropped + sequence.dropped;
    if weak > 0 {
        let finding = Finding::new(Severity::Low, Some(400), REMEDIATION)
            .request(format!("{CONCURRENT} concurrent harmless requests, then {SEQUENTIAL} sequential ones"))
            .answer(&summary);
        return Outcome::violated(expected, format!("{weak} requests neither answered nor shed: {summary}; {alive}"))
            .with_finding(finding)
            .breaking(SHED_RULE, Level::Should);
    }
    let shed = burst.shed + sequence.shed;
    let note = if shed > 0 { format!(" (the server shed {shed} requests: throttling, noted)") } else { String::new() };
    Outcome::pass_with(format!("{summary}{note}; {alive}"))
}

/// On stdio: writes the burst back to back, then reads until every request is answered, at most [`BURST_BOUND`].
async fn burst_stdio(s: &mut Session) -> Tally {
    let mut t = Tally::default();
    let started = Instant::now();
    let (method, params) = harmless(s);
    let mut pending = std::collections::HashSet::new();
    for i in 0..CONCURRENT {
        let id = Value::from(format!("{REUSED_ID}-{i}"));
        pending.insert(id.to_string());
        if let Err(e) = s.connection().send(&crate::message::request(id, method, params.clone())).await {
            t.dead = Some(format!("while the burst was written: {e}"));
            return t;
        }
    }
    let deadline = started + BURST_BOUND;
    while !pending.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        match s.connection().recv_for(left, method).await {
            Ok(Inbound::Message(v, _)) => {
                if v.get("method").is_some() {
                    continue;
                }
                let key = v.get("id").map(Value::to_string).unwrap_or_default();
                if !pending.remove(&key) {
                    t.odd(format!("a response with id {key}"));
                } else if v.get("error").is_some() {
                    t.shed += 1;
                } else {
                    t.answered += 1;
                }
            }
            Ok(_) => {}
            Err(e) if e.is_timeout() => break,
            Err(e) => {
                t.dead = Some(e.to_string());
                return t;
            }
        }
    }
    if !pending.is_empty() {
        // Answers with ids that match no request still prove the server alive (their ids are another rule's).
        if t.answered + t.shed + t.odd == 0 {
            t.dead = Some(format!("hung: none of the {CONCURRENT} requests answered within {BURST_BOUND:?}"));
        } else {
            t.dropped = pending.len();
        }
    }
    t
}

/// Over HTTP: [`CONCURRENT`] POSTs at once on the session, each reply read within [`BURST_BOUND`].
async fn burst_http(s: &mut Session) -> Tally {
    let mut t = Tally::default();
    let (method, params) = harmless(s);
    let Some(http) = s.connection().http() else { return t };
    let requests: Vec<(Value, HttpRequest)> = (0..CONCURRENT)
        .map(|i| {
            let id = Value::from(format!("{REUSED_ID}-{i}"));
            let msg = crate::message::request(id.clone(), method, params.clone());
            (id, http.decorate(HttpRequest::post(msg.to_string()), Some(&msg)))
        })
        .collect();
    let wire = http.wire().clone();
    let replies = futures::future::join_all(requests.into_iter().map(|(id, req)| {
        let wire = wire.clone();
        async move {
            match wire.send(req, BURST_BOUND).await {
                Ok(reply) => Ok((id, Seen::read(reply, BURST_BOUND).await)),
                Err(e) => Err(e.to_string()),
            }
        }
    }))
    .await;
    for reply in replies {
        match reply {
            Ok((id, seen)) => tally_http(&mut t, &id, &seen),
            Err(_) => t.dropped += 1,
        }
    }
    t
}

/// Counts one HTTP reply to a request with `id`.
fn tally_http(t: &mut Tally, id: &Value, seen: &Seen) {
    match seen.message() {
        Some(m) if m.get("id") == Some(id) && m.get("error").is_some() => t.shed += 1,
        Some(m) if m.get("id") == Some(id) && seen.success() => t.answered += 1,
        _ if matches!(seen.status, 429 | 503) => t.shed += 1,
        _ => t.odd(seen.describe()),
    }
}

/// Whether a violation means the server is gone (its process exited, its connection dropped).
fn is_gone(v: &crate::session::Violation) -> bool {
    matches!(v.kind(), ViolationKind::Exited | ViolationKind::ConnectionDropped)
}

/// [`SEQUENTIAL`] requests one after another with the id [`REUSED_ID`], each waiting up to `wait` for its answer,
/// at most [`SEQUENCE_BOUND`] in all.
async fn sequential(s: &mut Session, wait: Duration) -> Tally {
    let mut t = Tally::default();
    let started = Instant::now();
    let (method, params) = harmless(s);
    let msg = crate::message::request(REUSED_ID, method, params);
    let id = Value::from(REUSED_ID);
    for i in 0..SEQUENTIAL {
        if started.elapsed() > SEQUENCE_BOUND {
            t.unsent = SEQUENTIAL - i;
            break;
        }
        if let Some(http) = s.connection().http() {
            let req = http.decorate(HttpRequest::post(msg.to_string()), Some(&msg));
            match http.wire().send(req, wait).await {
                Ok(reply) => tally_http(&mut t, &id, &Seen::read(reply, wait).await),
                Err(e) if t.answered + t.shed == 0 => {
                    t.dead = Some(e.to_string());
                    break;
                }
                Err(_) => t.dropped += 1,
            }
            continue;
        }
        match s.exchange(&msg, wait).await {
            Ok(reply) if reply.error_code().is_some() => t.shed += 1,
            Ok(_) => t.answered += 1,
            Err(e) if e.is_timeout() => {
                t.dead = Some(format!("hung: request {} of {SEQUENTIAL} unanswered: {e}", i + 1));
                break;
            }
            // A wrong answer (a mislabelled id, a malformed message) is alive: other checks judge its rule.
            Err(SessionError::Misbehaved(v)) if !is_gone(&v) => t.odd(v.to_string()),
            Err(e) => {
                t.dead = Some(e.to_string());
                break;
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    #[test]
    fn death_fails_high_drops_warn_low_shedding_passes() {
        let ok = Tally { answered: 500, ..Tally::default() };
        let dead = Tally { dead: Some("exited".to_owned()), ..Tally::default() };
        let o = judge(&dead, &Tally::default(), Ok(String::new()));
        assert_eq!(o.status, Status::Failed);
        assert_eq!(o.finding.map(|f| f.severity), Some(Severity::High));
        let o = judge(&ok, &ok, Err("no answer".to_owned()));
        assert_eq!(o.finding.map(|f| f.severity), Some(Severity::High));
        let dropped = Tally { answered: 400, dropped: 100, ..Tally::default() };
        let o = judge(&dropped, &ok, Ok(String::new()));
        assert_eq!(o.broken.map(|b| b.level), Some(Level::Should));
        let shed = Tally { answered: 400, shed: 100, ..Tally::default() };
        let o = judge(&shed, &ok, Ok(String::new()));
        assert_eq!(o.status, Status::Passed);
        assert!(o.observed.is_some_and(|t| t.contains("shed 100")));
    }

    #[test]
    fn answers_with_ids_that_match_no_request_are_not_death_and_alone_cannot_be_judged() {
        let mut mislabelled = Tally { dropped: 500, ..Tally::default() };
        for _ in 0..500 {
            mislabelled.odd("a response with id 424242".to_owned());
        }
        let o = judge(&mislabelled, &mislabelled, Ok(String::new()));
        assert_eq!(o.status, Status::Error, "{o:?}");
        let some = Tally { answered: 499, ..Tally::default() };
        let mut one_odd = some.clone();
        one_odd.odd("a response with id 7".to_owned());
        assert_eq!(judge(&one_odd, &some, Ok(String::new())).status, Status::Passed);
    }
}
