//! One request of a unit check, on a session of the check's own, classified: a result, a JSON-RPC error, a crash
//! or silence. A server process that exits instead of answering an input has answered before on the same session
//! (the handshake at least), so the input is what broke it: a verdict. A request still unanswered when the timeout
//! ends is not: MCP sets no deadline, and a slow tool is not a broken one, so silence is "could not test" (the
//! evidence says whether a follow-up `ping` was answered). Each check opens its own session, so a crash never
//! reaches another check; after a crash or silence the next request opens a new one.

use std::time::Duration;

use serde_json::Value;

use crate::check::{CheckContext, Outcome, SkipReason};
use crate::surface::LockedTool;

use super::set::UnitItem;
use crate::session::{Session, SessionError, Violation};

/// How long the follow-up `ping` after a silent request may take.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// What became of one request.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// A JSON-RPC result.
    Result(Value),
    /// A JSON-RPC error.
    Error {
        /// Its code, when an integer.
        code: Option<i64>,
        /// Its message.
        message: String,
    },
    /// No answer: the server process exited, or closed the connection, after the request (it had answered before
    /// on this session).
    Crashed(String),
    /// No answer within the timeout (not a verdict: it may be slow).
    Silent(String),
    /// A result that breaks the revision's schema for the method's result (each line one violation).
    Malformed(Vec<String>),
    /// The answer broke a protocol rule (judged by the session).
    Violation(Box<Violation>),
}

/// Answers received in a run, by request (method and params); results and errors only, so a crash is always
/// observed afresh. Bounded: past [`MAX_CACHED`] entries nothing more is kept.
#[derive(Debug, Default)]
pub(crate) struct AnswerCache(std::sync::Mutex<std::collections::HashMap<String, Answer>>);

/// The most answers an [`AnswerCache`] keeps.
const MAX_CACHED: usize = 20_000;

impl AnswerCache {
    fn get(&self, key: &str) -> Option<Answer> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }

    fn put(&self, key: String, answer: &Answer) {
        if matches!(answer, Answer::Result(_) | Answer::Error { .. } | Answer::Malformed(_)) {
            let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() < MAX_CACHED {
                map.insert(key, answer.clone());
            }
        }
    }
}

/// Sessions for a unit check: one at a time, replaced after a crash.
pub(crate) struct Prober {
    session: Option<Session>,
    /// Answers already received in the run; `None` for a stateful sequence, whose answers depend on what came
    /// before.
    cache: Option<&'static AnswerCache>,
}

impl Prober {
    pub(crate) fn new(cx: &CheckContext) -> Prober {
        Prober { session: None, cache: Some(&cx.unit_set().answers) }
    }

    /// A prober that sends every request (a stateful sequence: the same call may answer differently).
    pub(crate) fn uncached(_cx: &CheckContext) -> Prober {
        Prober { session: None, cache: None }
    }

    /// Sends `method` with `params` on the check's session (opening one when needed). `Err` when no session could
    /// be opened: could not test.
    pub(crate) async fn ask(&mut self, cx: &mut CheckContext, method: &str, params: Value) -> Result<Answer, Outcome> {
        let key = format!("{method} {params}");
        if let Some(answer) = self.cache.and_then(|c| c.get(&key)) {
            return Ok(answer);
        }
        if self.session.is_none() {
            self.session = Some(cx.fresh_session().await.map_err(Outcome::from)?);
        }
        let Some(session) = self.session.as_mut() else { return Err(Outcome::error("harness bug: no session")) };
        // A 2026-07-28 input-required result is answered with the harness's defaults and the request repeated,
        // so the answer judged is the complete result.
        let timeout = session.timeout();
        let answer = match crate::journey::with_rounds(session, method, params, timeout, &mut Vec::new()).await {
            Ok(reply) => match reply.outcome {
                Ok(result) => match schema_violations(cx, method, &result) {
                    found if found.is_empty() => Answer::Result(result),
                    found => Answer::Malformed(found),
                },
                Err(e) => Answer::Error { code: e.code, message: e.message },
            },
            Err(SessionError::Misbehaved(v)) => {
                if session.is_alive() {
                    Answer::Violation(Box::new(v))
                } else {
                    Answer::Crashed(format!("the server exited instead of answering: {}", v.evidence()))
                }
            }
            Err(SessionError::Blocked(b)) => {
                if !session.is_alive() {
                    Answer::Crashed(format!("the server exited instead of answering ({b})"))
                } else {
                    match session.request_within("ping", None, PING_TIMEOUT).await {
                        Ok(_) => Answer::Silent(format!("no answer ({b}), though a follow-up ping was answered")),
                        Err(_) => Answer::Silent(format!("no answer ({b}), and none to a follow-up ping either")),
                    }
                }
            }
            Err(SessionError::Handshake(why)) => return Err(Outcome::error(format!("could not run: {why}"))),
        };
        if matches!(answer, Answer::Crashed(_) | Answer::Silent(_))
            && let Some(s) = self.session.take()
        {
            s.close().await;
        }
        if let Some(cache) = self.cache {
            cache.put(key, &answer);
        }
        Ok(answer)
    }

    /// Ends the session.
    pub(crate) async fn close(mut self) {
        if let Some(s) = self.session.take() {
            s.close().await;
        }
    }
}

impl Answer {
    /// The answer in words, for evidence.
    pub(crate) fn describe(&self) -> String {
        match self {
            Answer::Result(r) => format!("a result {}", show(r, 300)),
            Answer::Error { code, message } => format!("JSON-RPC error {code:?}: {message}"),
            Answer::Crashed(why) | Answer::Silent(why) => why.clone(),
            Answer::Malformed(found) => format!("a result that breaks the schema: {}", found.join("; ")),
            Answer::Violation(v) => v.evidence(),
        }
    }

    /// The outcome when the request `what` was not answered with a usable result or error: a crash (fails the
    /// reply rule), a malformed result or a protocol violation (fail their rules), silence (could not test).
    /// `None` for a result or an error, which the check judges itself.
    pub(crate) fn unusable(&self, what: &str) -> Option<Outcome> {
        match self {
            Answer::Result(_) | Answer::Error { .. } => None,
            Answer::Crashed(why) => Some(
                Outcome::violated("an answer to every request", format!("{what} → {why}"))
                    .breaking("jsonrpc.reply-required", crate::check::Level::Must),
            ),
            Answer::Silent(why) => Some(silent(what, why)),
            Answer::Malformed(found) => Some(malformed(what, found)),
            Answer::Violation(v) => Some(Outcome::misbehaved(v, format!("a well-formed answer to {what}"))),
        }
    }
}

/// How `result`, the answer to `method`, breaks the schema of the run's revision (empty when it does not, or when
/// the schema cannot judge it).
fn schema_violations(cx: &CheckContext, method: &str, result: &Value) -> Vec<String> {
    let Ok(schema) = crate::protocol_schema::RevisionSchema::of(cx.revision()) else { return Vec::new() };
    let message = serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": result});
    schema.message_violations(&message, Some(method)).unwrap_or_default().into_iter().take(5).collect()
}

/// The outcome of a result that breaks the revision's schema: failed, naming the schema's authority.
fn malformed(what: &str, found: &[String]) -> Outcome {
    Outcome::violated(
        "a result valid against the revision's schema",
        format!("{what} → a result that breaks the schema: {}", found.join("; ")),
    )
    .breaking("schema.authoritative", crate::check::Level::Must)
}

/// The outcome of a request that got no answer in time: could not test, with the input and how to allow more
/// time.
pub(crate) fn silent(what: &str, why: &str) -> Outcome {
    Outcome::error(format!(
        "could not test: {what}: {why}; a tool slower than the request timeout needs a larger --timeout-ms"
    ))
}

/// The tool of the running unit check, when the run may call it: `Err` with a skip (not read-only without
/// `--call-tools`) or a harness error.
pub(crate) fn callable_tool(cx: &CheckContext) -> Result<(crate::check::CheckId, LockedTool), Outcome> {
    let (id, tool) = match (cx.check_id(), cx.current_unit_item()) {
        (Some(id), Some(UnitItem::Tool { tool, .. })) => (id, (**tool).clone()),
        _ => return Err(Outcome::error("harness bug: the running check has no tool")),
    };
    let listed = serde_json::json!({"name": tool.name, "annotations": tool.annotations, "execution": tool.execution});
    if !crate::checks::tools::catalog::may_call(cx, &listed) {
        return Err(Outcome::skip(
            SkipReason::OptInRequired,
            format!("tool `{}` is not annotated read-only: it is called only with --call-tools", tool.name),
        ));
    }
    Ok((id, tool))
}

/// The surface the unit suite discovered, or the error outcome of a check that needs it (`unit.surface` says
/// why it is missing).
pub(crate) fn discovered(cx: &CheckContext) -> Result<&'static crate::surface::SurfaceLock, Outcome> {
    cx.unit_set()
        .surface
        .as_ref()
        .ok_or_else(|| Outcome::error("the unit suite's surface was not discovered (see unit.surface)"))
}

/// The seed of a tool's checks: the tool's, not the check's, so its checks draw the same inputs (and share answers).
pub(crate) fn tool_seed(cx: &CheckContext, id: crate::check::CheckId) -> u64 {
    let scope = id.as_str().rsplit_once('.').map_or(id.as_str(), |(tool, _)| tool);
    cx.options().unit.seed_for(scope)
}

/// A compact rendering of a value for evidence, at most `max` characters.
pub(crate) fn show(v: &Value, max: usize) -> String {
    let text = v.to_string();
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
