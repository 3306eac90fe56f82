//! What the injection checks share: calling a tool (or reading a resource) with one payload on the check's own
//! session within a bounded time and budget, reading the answer as text, and the verdict — a hit of an oracle
//! fails with the payload and the hit as evidence; a target that dies or hangs fails with severity high (the
//! liveness probe every injection check ends with, `../shared/reference/security-checks.md` §2).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::targets::Target;
use crate::check::{Finding, Outcome, Severity};
use crate::checks::security::robust::alive;
use crate::session::Session;

/// Longest wait for one answer.
const CALL_WAIT: Duration = Duration::from_secs(5);
/// Time a check spends sending payloads at most (the liveness probe comes after); below the 30 s a check gets at
/// least.
const BUDGET: Duration = Duration::from_secs(18);
/// Text of an answer kept for the oracles.
const TEXT_CAP: usize = 64 * 1024;

/// How the target answered one payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// A result; `text` is everything it shows as text, `is_error` its `isError`.
    Result {
        /// The text of the content, resource contents and structured content.
        text: String,
        /// `isError: true`.
        is_error: bool,
        /// How many rows it shows (see [`rows`]).
        rows: usize,
    },
    /// A JSON-RPC error (message and data).
    Error(String),
    /// No answer in time, or the connection went away.
    Nothing(String),
}

impl Answer {
    /// The text the oracles read.
    pub fn text(&self) -> &str {
        match self {
            Answer::Result { text, .. } | Answer::Error(text) | Answer::Nothing(text) => text,
        }
    }

    /// A short description for evidence.
    pub fn describe(&self) -> String {
        match self {
            Answer::Result { text, is_error, rows } => {
                format!("result (isError: {is_error}, {rows} row(s)): {}", clip(text, 600))
            }
            Answer::Error(t) => format!("JSON-RPC error: {}", clip(t, 600)),
            Answer::Nothing(t) => format!("no answer: {t}"),
        }
    }
}

/// The check's session, its call budget and its log of what was sent.
pub(crate) struct Prober {
    session: Session,
    wait: Duration,
    deadline: Instant,
    /// Payloads sent.
    pub sent: usize,
    /// Whether the budget ran out or the target stopped answering before every payload was sent.
    pub cut_short: Option<String>,
}

impl Prober {
    /// A prober on `session`; each answer is awaited at most the request timeout (capped at 5 s).
    pub fn new(session: Session, timeout: Duration) -> Prober {
        Prober { session, wait: timeout.min(CALL_WAIT), deadline: Instant::now() + BUDGET, sent: 0, cut_short: None }
    }

    /// How long one answer is awaited.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// The session.
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// Whether more payloads may be sent.
    pub fn may_send(&mut self) -> bool {
        if self.cut_short.is_some() {
            return false;
        }
        if Instant::now() >= self.deadline {
            self.cut_short = Some(format!("the {} s budget ran out after {} payload(s)", BUDGET.as_secs(), self.sent));
            return false;
        }
        true
    }

    /// `tools/call` of `target` with `payload`; `None` when no more may be sent.
    pub async fn call(&mut self, target: &Target, payload: &str) -> Option<Answer> {
        let params = json!({"name": target.tool, "arguments": target.arguments(payload)});
        self.request("tools/call", params).await
    }

    /// `resources/read` of `uri`; `None` when no more may be sent.
    pub async fn read(&mut self, uri: &str) -> Option<Answer> {
        self.request("resources/read", json!({"uri": uri})).await
    }

    /// Sends one request (with the era's `_meta`) and reads its answer.
    pub async fn request(&mut self, method: &str, params: Value) -> Option<Answer> {
        if !self.may_send() {
            return None;
        }
        self.sent += 1;
        let answer = match self.session.request_within(method, Some(params), self.wait).await {
            Ok(reply) => match reply.outcome {
                Ok(result) => Answer::Result {
                    text: text_of(&result),
                    is_error: result.get("isError").and_then(Value::as_bool) == Some(true),
                    rows: rows(&result),
                },
                Err(e) => Answer::Error(cap(format!(
                    "{}{}",
                    e.message,
                    e.data.map(|d| format!(" (data: {d})")).unwrap_or_default()
                ))),
            },
            Err(e) => Answer::Nothing(e.to_string()),
        };
        if let Answer::Nothing(why) = &answer {
            self.cut_short = Some(format!("the target stopped answering ({why})"));
        }
        Some(answer)
    }

    /// Ends the probing: the liveness probe, the payloads sent, and what was probed (`probed`) with why probing
    /// stopped early, when it did.
    pub async fn conclude(self, probed: String) -> Probed {
        let sent = self.sent;
        let probed = match &self.cut_short {
            Some(cut) => format!("{probed}; {cut}"),
            None => probed,
        };
        Probed { liveness: self.finish().await, sent, probed }
    }

    /// Ends the check: the liveness probe, then closes the session. `Err` says why the target is not alive.
    pub async fn finish(mut self) -> Result<String, String> {
        let wait = self.wait.max(Duration::from_secs(2));
        let liveness = alive(&mut self.session, wait).await;
        self.session.close().await;
        liveness
    }
}

/// What a check's probing came to, for [`judge`].
pub(crate) struct Probed {
    /// The liveness probe's result (`Err`: why the target is not alive).
    pub liveness: Result<String, String>,
    /// Payloads sent.
    pub sent: usize,
    /// The eligibility rule and the targets probed, and why probing stopped early, if it did.
    pub probed: String,
}

/// What the report says was probed: each target, and the rule that made the tools eligible.
pub(crate) fn probed_label(targets: &[super::targets::Target], rule: &str) -> String {
    format!("{} (eligible by {rule})", targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(", "))
}

/// One oracle hit: which payload into which target, what matched, what came back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    /// The tool and property (or the URI read).
    pub target: String,
    /// The payload as sent.
    pub payload: String,
    /// What matched (a signature, a canary hit).
    pub matched: String,
    /// The answer, described.
    pub answer: String,
}

impl Hit {
    /// A hit when anything `matched` (each oracle's evidence, joined), else `None`.
    pub fn when_matched(target: String, payload: String, matched: &[String], answer: &Answer) -> Option<Hit> {
        (!matched.is_empty()).then(|| Hit { target, payload, matched: matched.join("; "), answer: answer.describe() })
    }
}

/// How a check words and scores its verdict.
pub(crate) struct Verdict<'a> {
    /// What a secure server does.
    pub expected: &'a str,
    /// The severity of a hit.
    pub severity: Severity,
    /// The CWE of the weakness.
    pub cwe: u32,
    /// What to change.
    pub remediation: &'a str,
}

/// The verdict: a dead or hung target fails (high); the first hit fails with its evidence (every hit listed);
/// otherwise passed, saying what was probed (`probed`: the eligibility rule and the targets).
pub(crate) fn judge(
    hits: &[Hit],
    liveness: Result<String, String>,
    probed: &str,
    sent: usize,
    v: &Verdict<'_>,
) -> Outcome {
    if let Err(dead) = &liveness {
        let finding = Finding::new(Severity::High, Some(v.cwe), v.remediation)
            .request(format!("{sent} payload(s) into {probed}"))
            .answer(dead);
        let mut observed = format!("the target did not survive the payloads: {dead}");
        if let Some(h) = hits.first() {
            observed.push_str(&format!("; before that `{}` into {} showed {}", h.payload, h.target, h.matched));
        }
        return Outcome::violated(v.expected, observed).with_finding(finding);
    }
    let alive = liveness.unwrap_or_default();
    if let Some(first) = hits.first() {
        let all: Vec<String> =
            hits.iter().map(|h| format!("`{}` into {}: {}", h.payload, h.target, h.matched)).collect();
        let finding = Finding::new(v.severity, Some(v.cwe), v.remediation)
            .matched(&first.matched)
            .request(format!("`{}` into {}", first.payload, first.target))
            .answer(&first.answer);
        return Outcome::violated(v.expected, format!("{} hit(s): {}; probed {probed}", hits.len(), all.join("; ")))
            .with_finding(finding);
    }
    Outcome::pass_with(format!("{sent} payload(s), no hit; probed {probed}; {alive}"))
}

/// Everything a result shows as text: content texts, resource contents' texts, structured content.
fn text_of(result: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    for key in ["content", "contents"] {
        for item in result.get(key).and_then(Value::as_array).into_iter().flatten() {
            if let Some(t) = item.get("text").and_then(Value::as_str) {
                parts.push(t.to_owned());
            }
            if let Some(t) = item.pointer("/resource/text").and_then(Value::as_str) {
                parts.push(t.to_owned());
            }
        }
    }
    if let Some(s) = result.get("structuredContent") {
        parts.push(s.to_string());
    }
    cap(parts.join("\n"))
}

/// How many rows a result shows: the length of the first array in its structured content (at the top or one
/// level down), else the number of non-empty lines of its text content.
pub(crate) fn rows(result: &Value) -> usize {
    if let Some(s) = result.get("structuredContent") {
        if let Some(a) = s.as_array() {
            return a.len();
        }
        if let Some(a) = s.as_object().and_then(|o| o.values().find_map(Value::as_array)) {
            return a.len();
        }
    }
    result
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).count())
        .sum()
}

fn cap(mut s: String) -> String {
    if s.len() > TEXT_CAP {
        let mut at = TEXT_CAP;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
    s
}

/// At most `max` characters of `s`, with `…` when clipped.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { s.chars().take(max).chain(['…']).collect() }
}

/// A fresh nonce of 12 hex digits (per check: every payload's canary path carries it).
pub(crate) fn nonce() -> String {
    format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    const V: Verdict<'static> =
        Verdict { expected: "refused", severity: Severity::Critical, cwe: 22, remediation: "confine paths" };

    #[test]
    fn rows_come_from_structured_arrays_or_text_lines() {
        assert_eq!(rows(&json!({"structuredContent": {"rows": [1, 2, 3]}})), 3);
        assert_eq!(rows(&json!({"content": [{"type": "text", "text": "a\nb\n\n"}]})), 2);
        assert_eq!(text_of(&json!({"contents": [{"uri": "x", "text": "root:x:0:0:"}]})), "root:x:0:0:");
    }

    #[test]
    fn hits_fail_with_evidence_and_a_dead_target_fails_high() {
        let hit = Hit {
            target: "t.path".into(),
            payload: "/etc/passwd".into(),
            matched: "root:x:0:0:".into(),
            answer: "a".into(),
        };
        let o = judge(std::slice::from_ref(&hit), Ok("alive".into()), "t.path", 3, &V);
        assert_eq!(o.status, Status::Failed);
        let f = o.finding.unwrap();
        assert_eq!((f.severity, f.cwe), (Severity::Critical, Some(22)));
        assert_eq!(f.evidence.matched.as_deref(), Some("root:x:0:0:"));
        let o = judge(&[], Err("closed".into()), "t.path", 3, &V);
        assert_eq!(o.finding.map(|f| f.severity), Some(Severity::High));
        assert_eq!(judge(&[], Ok("alive".into()), "t.path", 3, &V).status, Status::Passed);
    }
}
