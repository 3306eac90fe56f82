//! What the `security.robust.*` checks share: sending hostile bytes on an established session, reading the
//! server's reaction in bounded time, the liveness probe every robustness check ends with, and the verdict.
//!
//! The oracle is liveness (`../shared/reference/security-checks.md` §2): a server that closes the connection,
//! exits or stops answering after hostile input fails with severity high; one that stays alive but processes the
//! input as if it were valid, or leaves a request unanswered, gets a warning of the check's weak severity.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::check::{Finding, Level, Outcome, Severity};
use crate::checks::http::probe::{Seen, SeenBody};
use crate::checks::tools::call::harmless;
use crate::session::{Inbound, Session, SessionError};
use crate::wire::HttpRequest;

/// How the server reacted to one hostile input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reaction {
    /// It answered with a JSON-RPC error or refused the HTTP request with a 4xx: the secure answer.
    Refused(String),
    /// It processed the input as if it were valid (a result, a 2xx with no error, a 5xx).
    Accepted(String),
    /// It did not answer the request, while the follow-up sent right after it was answered.
    Silent(String),
    /// It closed the connection, exited or stopped answering altogether.
    Dead(String),
    /// A stdio process that exited with status 0 at once: it ended the session on purpose (the TypeScript SDK's
    /// stdio transport closes when a line exceeds its 10 MiB buffer). Judged as [`Reaction::Dead`] unless the
    /// input's [`Input::ending_refuses`] says ending the session is a (weak) way of refusing it.
    Ended(String),
}

impl Reaction {
    /// The description, whatever the kind.
    pub fn describe(&self) -> &str {
        match self {
            Reaction::Refused(s)
            | Reaction::Accepted(s)
            | Reaction::Silent(s)
            | Reaction::Dead(s)
            | Reaction::Ended(s) => s,
        }
    }
}

/// A body over this size that the server stops reading (closing the connection) is refused, not dropped.
const LARGE_BODY: usize = 1024 * 1024;

/// One hostile input and the reaction to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Case {
    /// What was sent, in a few words.
    pub name: String,
    /// What came back.
    pub reaction: Reaction,
    /// Whether processing this input as valid is acceptable (e.g. a deep but legal structure).
    pub may_accept: bool,
    /// The SHOULD requirement a weak reaction to this input breaks.
    pub weak_rule: &'static str,
    /// Whether a process that ends the session cleanly ([`Reaction::Ended`]) refused the input weakly (a
    /// warning) rather than died of it.
    pub ending_refuses: bool,
}

/// One hostile input to send.
pub(crate) struct Input {
    /// What is sent, in a few words.
    pub name: String,
    /// The bytes (one stdio line, or one POST body).
    pub bytes: Vec<u8>,
    /// The message whose 2026 method headers the POST carries, if any.
    pub headers_from: Option<Value>,
    /// Whether processing it as valid is acceptable.
    pub may_accept: bool,
    /// The SHOULD requirement a weak reaction breaks.
    pub weak_rule: &'static str,
    /// Whether ending the session cleanly counts as a weak refusal (see [`Reaction::Ended`]).
    pub ending_refuses: bool,
}

/// Sends each input in turn on `s` (stopping after one kills the server), probes liveness when it survived,
/// closes `s` and judges. `wait` bounds each input's reaction and the liveness probe.
pub(crate) async fn run_and_judge(
    mut s: Session,
    inputs: Vec<Input>,
    wait: Duration,
    j: &Judgement<'_>,
) -> Result<Outcome, Outcome> {
    let mut cases = Vec::new();
    for input in inputs {
        let reaction = match send_hostile(&mut s, &input.bytes, input.headers_from.as_ref(), wait).await {
            Ok(r) => r,
            Err(could_not_test) => {
                s.close().await;
                return Err(could_not_test);
            }
        };
        let gone = matches!(reaction, Reaction::Dead(_) | Reaction::Ended(_));
        cases.push(Case {
            name: input.name,
            reaction,
            may_accept: input.may_accept,
            weak_rule: input.weak_rule,
            ending_refuses: input.ending_refuses,
        });
        if gone {
            break;
        }
    }
    let dead = cases.iter().any(|c| matches!(c.reaction, Reaction::Dead(_) | Reaction::Ended(_)));
    let liveness = if dead { Ok(String::new()) } else { alive(&mut s, wait).await };
    s.close().await;
    Ok(judge(&cases, liveness, j))
}

/// How a check words and scores its verdict.
pub(crate) struct Judgement<'a> {
    /// What a secure server does.
    pub expected: &'a str,
    /// The CWE of the weakness.
    pub cwe: u32,
    /// What to change.
    pub remediation: &'a str,
    /// The severity of a weak reaction (a dead or hung server is always high).
    pub weak: Severity,
}

/// Sends `bytes` (one stdio line, or one POST body carrying the session's headers and, for `headers_from`, the
/// 2026 method headers) and reads the reaction within `wait`. On stdio a harmless request follows at once: its
/// answer proves the server alive and done with the input (see `checks::jsonrpc::raw`). `Err` is "could not
/// test".
pub(crate) async fn send_hostile(
    s: &mut Session,
    bytes: &[u8],
    headers_from: Option<&Value>,
    wait: Duration,
) -> Result<Reaction, Outcome> {
    if let Some(http) = s.connection().http() {
        let req = http.decorate(HttpRequest::post_bytes(bytes.to_vec()), headers_from);
        // Over HTTP the server is one process for every connection: a connection that ends without a reply is
        // judged by the liveness probe. A server may stop reading a large body and close the connection (after
        // a 413 the client may not see): that refuses it.
        return Ok(match http.wire().send(req, wait).await {
            Ok(reply) => of_seen(&Seen::read(reply, wait).await),
            Err(crate::wire::WireError::Timeout { timeout, .. }) => {
                Reaction::Dead(format!("hung: no HTTP reply within {} ms", timeout.as_millis()))
            }
            Err(e) if bytes.len() > LARGE_BODY => {
                Reaction::Refused(format!("the connection closed while the body was sent: {e}"))
            }
            Err(e) => Reaction::Silent(format!("the connection closed without a reply: {e}")),
        });
    }
    if let Err(e) = s.connection().send_bytes(bytes).await {
        return dead_or_error(e);
    }
    follow_up(s, wait).await
}

/// On stdio, after hostile input: sends the harmless follow-up and reads until it is answered (plus the silence
/// window for an answer to the input), at most `wait`.
pub(crate) async fn follow_up(s: &mut Session, wait: Duration) -> Result<Reaction, Outcome> {
    let started = Instant::now();
    let (method, params) = harmless(s);
    let id = Value::from(s.next_id());
    let msg = crate::message::request(id.clone(), method, params);
    if let Err(e) = s.connection().send(&msg).await {
        return dead_or_error(e);
    }
    let deadline = started + wait;
    let mut answer: Option<Reaction> = None;
    let mut answered: Option<Instant> = None;
    loop {
        let until = match (answered, &answer) {
            (Some(_), Some(_)) => break,
            (Some(at), None) => (at + s.silence_window()).min(deadline),
            (None, _) => deadline,
        };
        let left = until.saturating_duration_since(Instant::now());
        match s.connection().recv_for(left, method).await {
            Ok(Inbound::Message(v, status)) => {
                if v.get("method").is_some() && !v.is_array() {
                    continue;
                }
                if v.get("id") == Some(&id) {
                    answered = Some(Instant::now());
                } else if answer.is_none() {
                    answer = Some(of_message(&v, status));
                }
            }
            Ok(_) => {}
            Err(e) if e.is_timeout() => break,
            Err(e) => return dead_or_error(e),
        }
    }
    Ok(match (answer, answered) {
        (Some(a), Some(_)) => a,
        (None, Some(at)) => Reaction::Silent(format!(
            "no reply, while `{method}` sent right after it was answered ({} ms later)",
            at.duration_since(started).as_millis()
        )),
        (_, None) => Reaction::Dead(format!(
            "hung: `{method}` sent right after it was not answered within {} ms",
            wait.as_millis()
        )),
    })
}

/// The liveness probe: a harmless request on the same session, answered within `wait` (with a result or an
/// error: either proves the server alive). `Err` says what went wrong.
pub(crate) async fn alive(s: &mut Session, wait: Duration) -> Result<String, String> {
    let (method, params) = harmless(s);
    match s.request_with_timeout(method, params, wait).await {
        Ok(reply) => Ok(format!("`{method}` afterwards answered {}", reply.brief())),
        Err(e) => Err(format!("`{method}` afterwards: {e}")),
    }
}

/// The era's harmless request with an extra parameter `note` whose JSON text is `value` exactly (it may be
/// invalid JSON or invalid UTF-8): the message as built (for the 2026 method headers) and the bytes to send.
pub(crate) fn with_hostile_param(s: &mut Session, value: &[u8]) -> (Value, Vec<u8>) {
    const MARK: &str = "@@mcp-harness-hostile@@";
    let (method, params) = harmless(s);
    let mut params = params.unwrap_or_else(|| serde_json::json!({}));
    if let Some(m) = params.as_object_mut() {
        m.insert("note".to_owned(), Value::from(MARK));
    }
    let msg = crate::message::request(s.next_id(), method, Some(params));
    let text = msg.to_string();
    let bytes = match text.split_once(&format!("\"{MARK}\"")) {
        Some((before, after)) => [before.as_bytes(), value, after.as_bytes()].concat(),
        None => text.into_bytes(),
    };
    (msg, bytes)
}

/// The verdict over every case and the liveness probe: dead or hung → violated, severity high; a weak reaction
/// (processed as valid where that is not acceptable, or unanswered) → a warning (the case's SHOULD rule) of the
/// check's weak severity; otherwise passed.
pub(crate) fn judge(cases: &[Case], liveness: Result<String, String>, j: &Judgement<'_>) -> Outcome {
    let summary = cases.iter().map(|c| format!("{}: {}", c.name, c.reaction.describe())).collect::<Vec<_>>().join("; ");
    let dead: Vec<&Case> = cases
        .iter()
        .filter(|c| match c.reaction {
            Reaction::Dead(_) => true,
            Reaction::Ended(_) => !c.ending_refuses,
            _ => false,
        })
        .collect();
    if !dead.is_empty() || liveness.is_err() {
        let (request, answer) = match dead.first() {
            Some(c) => (c.name.clone(), c.reaction.describe().to_owned()),
            None => (
                "the harmless request after every hostile input".to_owned(),
                liveness.clone().err().unwrap_or_default(),
            ),
        };
        let observed = match &liveness {
            Err(e) => format!("the server did not survive: {answer}; {e}"),
            Ok(_) => format!("the server did not survive: {request}: {answer}"),
        };
        let finding = Finding::new(Severity::High, Some(j.cwe), j.remediation).request(request).answer(answer);
        return Outcome::violated(j.expected, format!("{observed} (all: {summary})")).with_finding(finding);
    }
    let weak: Vec<&Case> = cases
        .iter()
        .filter(|c| match c.reaction {
            Reaction::Accepted(_) => !c.may_accept,
            Reaction::Silent(_) | Reaction::Ended(_) => true,
            Reaction::Refused(_) | Reaction::Dead(_) => false,
        })
        .collect();
    let alive = liveness.unwrap_or_default();
    if let Some(first) = weak.first() {
        let names = weak.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
        let finding = Finding::new(j.weak, Some(j.cwe), j.remediation)
            .request(&first.name)
            .answer(first.reaction.describe())
            .matched(&names);
        return Outcome::violated(j.expected, format!("not refused: {names} (all: {summary}); {alive}"))
            .with_finding(finding)
            .breaking(first.weak_rule, Level::Should);
    }
    Outcome::pass_with(format!("{summary}; {alive}"))
}

/// The reaction an HTTP reply shows.
fn of_seen(seen: &Seen) -> Reaction {
    if let Some(m) = seen.message() {
        return of_message(m, Some(seen.status));
    }
    let text = seen.describe();
    match seen.status {
        400..=499 => Reaction::Refused(text),
        200..=299 if matches!(seen.body, SeenBody::Sse(None)) => Reaction::Silent(text),
        _ => Reaction::Accepted(text),
    }
}

/// The reaction a JSON-RPC answer shows: an error (or an HTTP 4xx carrying anything) refuses the input.
fn of_message(v: &Value, status: Option<u16>) -> Reaction {
    let text = match status {
        Some(s) => format!("HTTP {s} with {}", crate::checks::evidence::brief(v)),
        None => crate::checks::evidence::brief(v),
    };
    let refused_http = status.is_some_and(|s| (400..500).contains(&s));
    let is_error = v.get("error").is_some() || v.as_array().is_some_and(|a| a.iter().all(|m| m.get("error").is_some()));
    if is_error || refused_http { Reaction::Refused(text) } else { Reaction::Accepted(text) }
}

/// A failure while sending or reading: the connection going away is the server's reaction, anything else is
/// "could not test".
fn dead_or_error(e: SessionError) -> Result<Reaction, Outcome> {
    if exited_cleanly(&e) {
        return Ok(Reaction::Ended(format!("the process ended the session: {e}")));
    }
    if e.is_closed() { Ok(Reaction::Dead(format!("the connection closed: {e}"))) } else { Err(Outcome::from(e)) }
}

/// Whether a stdio process exited with status 0 (as `std::process::ExitStatus` displays it on Unix).
fn exited_cleanly(e: &SessionError) -> bool {
    use crate::session::Violation;
    matches!(e, SessionError::Misbehaved(Violation::Exited { exit_status: Some(status), .. }) if status == "exit status: 0")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::Status;
    use crate::session::Violation;

    fn case(reaction: Reaction, may_accept: bool) -> Case {
        Case {
            name: "x".to_owned(),
            reaction,
            may_accept,
            weak_rule: "security.json-lone-surrogate",
            ending_refuses: false,
        }
    }

    const J: Judgement<'static> =
        Judgement { expected: "refused, alive", cwe: 20, remediation: "refuse", weak: Severity::Medium };

    #[test]
    fn errors_and_4xx_refuse_results_accept() {
        let err = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "m"}});
        assert!(matches!(of_message(&err, None), Reaction::Refused(_)));
        let ok = json!({"jsonrpc": "2.0", "id": 1, "result": {}});
        assert!(matches!(of_message(&ok, Some(200)), Reaction::Accepted(_)));
        assert!(matches!(of_message(&ok, Some(400)), Reaction::Refused(_)));
    }

    #[test]
    fn a_clean_exit_is_a_weak_refusal_only_where_the_input_allows_it() {
        let ended = Reaction::Ended("the process ended the session: exit status: 0".into());
        let o = judge(&[case(ended.clone(), false)], Ok(String::new()), &J);
        assert_eq!(o.status, Status::Failed, "a clean exit after malformed input is still not surviving it");
        assert!(o.broken.is_none());
        let refusing = Case { ending_refuses: true, ..case(ended, false) };
        let o = judge(&[refusing], Ok(String::new()), &J);
        assert_eq!(o.broken.map(|b| b.level), Some(Level::Should), "ending the session at a size limit warns");
        assert_eq!(o.finding.map(|f| f.severity), Some(Severity::Medium));
        let exited = |status: &str| {
            SessionError::Misbehaved(Violation::Exited {
                method: "ping".into(),
                exit_status: Some(status.into()),
                stderr_tail: String::new(),
            })
        };
        assert!(matches!(dead_or_error(exited("exit status: 0")), Ok(Reaction::Ended(_))));
        assert!(matches!(dead_or_error(exited("exit status: 1")), Ok(Reaction::Dead(_))));
        assert!(matches!(dead_or_error(exited("signal: 9 (SIGKILL)")), Ok(Reaction::Dead(_))));
    }

    #[test]
    fn dead_fails_high_weak_warns_refused_passes() {
        let o = judge(&[case(Reaction::Dead("exited".into()), false)], Ok(String::new()), &J);
        assert_eq!(o.status, Status::Failed);
        assert!(o.broken.is_none());
        assert_eq!(o.finding.map(|f| f.severity), Some(Severity::High));
        let o = judge(&[case(Reaction::Refused("e".into()), false)], Err("no answer".into()), &J);
        assert_eq!(o.finding.map(|f| f.severity), Some(Severity::High));
        let o = judge(&[case(Reaction::Accepted("r".into()), false)], Ok(String::new()), &J);
        assert_eq!(o.broken.map(|b| b.level), Some(Level::Should));
        assert_eq!(o.finding.map(|f| f.severity), Some(Severity::Medium));
        let o = judge(&[case(Reaction::Accepted("r".into()), true)], Ok(String::new()), &J);
        assert_eq!(o.status, Status::Passed);
        let o = judge(&[case(Reaction::Refused("e".into()), false)], Ok(String::new()), &J);
        assert_eq!(o.status, Status::Passed);
    }
}
