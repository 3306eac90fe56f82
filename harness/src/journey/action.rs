//! One step's action on one session: the request(s) it sends and the answer its assertions address.

use std::time::{Duration, Instant};

use mcp_harness_suites::journey::{Action, CallAction, ListKind, ListenAction, Step};
use serde_json::{Map, Value, json};

use super::assert::Answer;
use crate::session::{Blocker, ClientAnswers, RpcReply, Session, SessionError};

/// Pages a `list` step follows at most.
const MAX_PAGES: usize = 100;
/// Input-required rounds a `call` or `get` step answers at most.
const MAX_ROUNDS: usize = 10;

/// A session of a journey, with the notifications it received that no expectation has used yet.
#[derive(Debug)]
pub(super) struct JourneySession {
    /// The session.
    pub session: Session,
    /// Notifications received and not yet matched or set aside.
    pub inbox: Vec<Value>,
    /// When the session's standalone stream (HTTP, stateful era) was opened, if the server offered one. The
    /// harness reads such a stream for one request timeout, then it is opened again (see
    /// [`JourneySession::refresh_stream`]).
    pub stream_since: Option<Instant>,
    /// The server offers no standalone stream (it answered the `GET` otherwise); it is not asked again.
    pub no_stream: bool,
}

impl JourneySession {
    /// Opens the session's standalone stream (`GET`, Streamable HTTP in the stateful era), where servers send what
    /// relates to no request (a resource update caused by another session), when it is not open yet or the
    /// harness has stopped reading the previous one (after `timeout`). Servers without one (405) are fine.
    pub(super) async fn refresh_stream(&mut self, timeout: Duration) {
        if self.no_stream
            || self.session.revision().era() != crate::protocol::Era::Stateful
            || self.stream_since.is_some_and(|t| t.elapsed() < timeout)
        {
            return;
        }
        if let Some(http) = self.session.connection().http() {
            match http.open_get_stream().await {
                Ok(true) => self.stream_since = Some(Instant::now()),
                Ok(false) => self.no_stream = true,
                // A transport failure here is the next request's to report.
                Err(_) => {}
            }
        }
    }

    /// Moves what the session received into the inbox, reading the connection for up to `wait`.
    pub(super) async fn gather(&mut self, wait: Duration) {
        let got = self.session.collect_notifications(wait, |_| false).await;
        self.inbox.extend(got);
        self.inbox.extend(self.session.take_notifications());
    }
}

/// What an action produced.
#[derive(Debug)]
pub(super) struct Performed {
    /// The answer, unless the action expects none (a raw notification).
    pub answer: Option<Answer>,
    /// What is worth reporting (pages followed, input rounds answered, requests the server sent).
    pub notes: Vec<String>,
}

/// Runs `step`'s action on `js`, waiting at most `timeout` per request. `token` is the progress token a `call` with
/// `progress: true` sends.
pub(super) async fn perform(
    js: &mut JourneySession,
    step: &Step,
    timeout: Duration,
    token: &str,
) -> Result<Performed, SessionError> {
    let action = step
        .action()
        .map_err(|_| SessionError::Blocked(Blocker::Harness("a journey step without one action".to_owned())))?;
    let mut notes = Vec::new();
    let started = Instant::now();
    let s = &mut js.session;
    let reply = match action {
        Action::List(kind) => return list(s, kind, timeout, started).await,
        Action::Call(c) => with_rounds(s, "tools/call", call_params(c, token), timeout, &mut notes).await?,
        Action::Read(uri) => s.request_within("resources/read", Some(json!({"uri": uri})), timeout).await?,
        Action::Get(g) => {
            let mut params = json!({"name": g.prompt});
            if let Some(a) = &g.arguments {
                params["arguments"] = a.clone();
            }
            with_rounds(s, "prompts/get", params, timeout, &mut notes).await?
        }
        Action::Complete(c) => {
            let reference = match (&c.prompt, &c.resource) {
                (Some(p), _) => json!({"type": "ref/prompt", "name": p}),
                (None, r) => json!({"type": "ref/resource", "uri": r.clone().unwrap_or_default()}),
            };
            let mut params = json!({"ref": reference, "argument": {"name": c.argument, "value": c.value}});
            if !c.context.is_empty() {
                params["context"] = json!({"arguments": c.context});
            }
            s.request_within("completion/complete", Some(params), timeout).await?
        }
        Action::Subscribe(uri) => s.request_within("resources/subscribe", Some(json!({"uri": uri})), timeout).await?,
        Action::Unsubscribe(uri) => {
            s.request_within("resources/unsubscribe", Some(json!({"uri": uri})), timeout).await?
        }
        Action::SetLevel(level) => {
            s.request_within("logging/setLevel", Some(json!({"level": level.as_str()})), timeout).await?
        }
        Action::Ping => s.request_within("ping", None, timeout).await?,
        Action::Listen(l) => {
            let is_ack =
                |n: &Value| n.get("method").and_then(Value::as_str) == Some("notifications/subscriptions/acknowledged");
            match s.open_stream("subscriptions/listen", Some(listen_params(l)), timeout, is_ack).await? {
                Ok(ack) => {
                    let doc = ack.get("params").cloned().unwrap_or(Value::Null);
                    let answer = Answer { doc, error: None, latency: started.elapsed() };
                    return Ok(Performed { answer: Some(answer), notes });
                }
                Err(reply) => reply,
            }
        }
        Action::Raw(msg) => {
            if msg.get("id").is_some() && msg.get("method").is_some() {
                s.exchange(msg, timeout).await?
            } else {
                s.connection().send(msg).await?;
                return Ok(Performed {
                    answer: None,
                    notes: vec!["sent; a message without an id gets no answer".into()],
                });
            }
        }
    };
    let answer = answer_of(&reply, started.elapsed());
    Ok(Performed { answer: Some(answer), notes })
}

/// The answer a reply gives: its result, or its error object.
fn answer_of(reply: &RpcReply, latency: Duration) -> Answer {
    match &reply.outcome {
        Ok(result) => Answer { doc: result.clone(), error: None, latency },
        Err(e) => Answer {
            doc: reply.raw.get("error").cloned().unwrap_or(Value::Null),
            error: Some((e.code, e.message.clone())),
            latency,
        },
    }
}

/// `tools/call` params for a `call` action.
fn call_params(c: &CallAction, token: &str) -> Value {
    let mut params = json!({"name": c.tool, "arguments": c.arguments.clone().unwrap_or_else(|| json!({}))});
    if c.progress {
        params["_meta"] = json!({"progressToken": token});
    }
    params
}

/// `subscriptions/listen` params for a `listen` action.
fn listen_params(l: &ListenAction) -> Value {
    let mut filter = Map::new();
    if !l.resources.is_empty() {
        filter.insert("resourceSubscriptions".into(), json!(l.resources));
    }
    for (on, key) in [
        (l.tools_list_changed, "toolsListChanged"),
        (l.prompts_list_changed, "promptsListChanged"),
        (l.resources_list_changed, "resourcesListChanged"),
    ] {
        if on {
            filter.insert(key.into(), json!(true));
        }
    }
    json!({"notifications": filter})
}

/// Every page of a list: the first page's result with all pages' items.
async fn list(s: &mut Session, kind: ListKind, timeout: Duration, started: Instant) -> Result<Performed, SessionError> {
    let (method, member) = kind.method_and_member();
    let mut first: Option<Value> = None;
    let mut items = Vec::new();
    let mut cursor: Option<Value> = None;
    let mut notes = Vec::new();
    for page in 1..=MAX_PAGES {
        let params = cursor.take().map(|c| json!({"cursor": c}));
        let reply = s.request_within(method, params, timeout).await?;
        let Some(result) = reply.result() else {
            return Ok(Performed { answer: Some(answer_of(&reply, started.elapsed())), notes });
        };
        items.extend(result.get(member).and_then(Value::as_array).into_iter().flatten().cloned());
        cursor = result.get("nextCursor").filter(|c| !c.is_null()).cloned();
        first.get_or_insert_with(|| result.clone());
        if cursor.is_none() {
            if page > 1 {
                notes.push(format!("{page} pages"));
            }
            break;
        }
        if page == MAX_PAGES {
            notes.push(format!("stopped after {MAX_PAGES} pages; the list goes on"));
        }
    }
    let mut doc = first.unwrap_or_else(|| json!({}));
    if let Some(m) = doc.as_object_mut() {
        m.insert(member.to_owned(), Value::Array(items));
        m.remove("nextCursor");
    }
    Ok(Performed { answer: Some(Answer { doc, error: None, latency: started.elapsed() }), notes })
}

/// A request whose 2026-07-28 input-required results are answered and the request repeated until it completes.
pub(crate) async fn with_rounds(
    s: &mut Session,
    method: &str,
    mut params: Value,
    timeout: Duration,
    notes: &mut Vec<String>,
) -> Result<RpcReply, SessionError> {
    for round in 1..=MAX_ROUNDS + 1 {
        let reply = s.request_within(method, Some(params.clone()), timeout).await?;
        let Some(result) = reply.result().filter(|r| is_input_required(r)) else { return Ok(reply) };
        if round > MAX_ROUNDS {
            notes.push(format!("still input-required after {MAX_ROUNDS} rounds"));
            return Ok(reply);
        }
        let (responses, asked) = respond(s.answers(), result);
        notes.push(format!("round {round}: input requested ({asked}), answered"));
        params["inputResponses"] = responses;
        match result.get("requestState") {
            Some(state) => params["requestState"] = state.clone(),
            None => {
                if let Some(m) = params.as_object_mut() {
                    m.remove("requestState");
                }
            }
        }
    }
    Err(SessionError::Blocked(Blocker::Harness("input-required rounds exhausted".to_owned())))
}

/// Whether a result asks for input (2026-07-28).
fn is_input_required(r: &Value) -> bool {
    r.get("resultType").and_then(Value::as_str) == Some("input_required")
}

/// `inputResponses` for every input request of `r`, answered from `answers`, and the requests in words.
fn respond(answers: &ClientAnswers, r: &Value) -> (Value, String) {
    let mut out = Map::new();
    let mut asked = Vec::new();
    for (key, request) in r.get("inputRequests").and_then(Value::as_object).into_iter().flatten() {
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
        asked.push(format!("{key}: {method}"));
        if let Ok(answer) = answers.answer(method, request.get("params")) {
            out.insert(key.clone(), answer);
        }
    }
    (Value::Object(out), asked.join(", "))
}

/// The answers for a step: the run's, with the step's scripted ones in place (a `sampling` string becomes an
/// assistant text message).
pub(super) fn step_answers(base: &ClientAnswers, step: &Step) -> ClientAnswers {
    let mut answers = base.clone();
    if let Some(a) = &step.answers {
        if let Some(e) = &a.elicitation {
            answers.elicitation = Some(e.clone());
        }
        if let Some(sampling) = &a.sampling {
            answers.sampling = Some(match sampling {
                Value::String(text) => json!({
                    "role": "assistant",
                    "content": {"type": "text", "text": text},
                    "model": "mcp-harness-journey",
                    "stopReason": "endTurn"
                }),
                other => other.clone(),
            });
        }
        if let Some(roots) = &a.roots {
            answers.roots = roots.clone();
        }
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_requests_are_answered_from_the_step_answers() {
        let step: Step = serde_json::from_value(json!({
            "call": {"tool": "t"},
            "answers": {"elicitation": {"action": "accept", "content": {"name": "Ada"}}, "sampling": "Paris"}
        }))
        .unwrap();
        let answers = step_answers(&ClientAnswers::default(), &step);
        let r = json!({"resultType": "input_required", "inputRequests": {
            "who": {"method": "elicitation/create", "params": {"message": "?", "requestedSchema": {}}},
            "q": {"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 5}}
        }});
        let (responses, asked) = respond(&answers, &r);
        assert_eq!(responses["who"]["content"]["name"], "Ada");
        assert_eq!(responses["q"]["content"]["text"], "Paris");
        assert_eq!(asked, "who: elicitation/create, q: sampling/createMessage");
        assert_eq!(
            listen_params(&ListenAction { resources: vec!["a://b".into()], ..Default::default() }),
            json!({"notifications": {"resourceSubscriptions": ["a://b"]}})
        );
    }
}
