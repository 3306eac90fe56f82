//! A recorded session as a journey: one step per client request, in order, with the mapping below.
//!
//! | client message | step |
//! |---|---|
//! | `initialize`, `notifications/initialized`, `server/discover` | none: every journey session does its own handshake |
//! | `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list` | `list` (later pages fold into it) |
//! | `tools/call` | `call` (`progress: true` when it sent a progress token) |
//! | `resources/read`, `prompts/get`, `completion/complete` | `read`, `get`, `complete` |
//! | `resources/subscribe`, `resources/unsubscribe`, `logging/setLevel`, `ping` | the action of that name |
//! | any other request, and client notifications but `notifications/cancelled` | `raw` |
//!
//! The server's requests during a step (`elicitation/create`, `sampling/createMessage`, `roots/list`) and the
//! client's replies become the step's `answers`; a `2026-07-28` input-required result and the repeated request
//! that answered it fold into one step whose `answers` are the client's `inputResponses`. Resource updates and
//! `list_changed` notifications become the step's expected `notifications`. Answers become expectations
//! ([`super::expect`]), values the client sends back become captures ([`super::values`]). A request the server
//! never answered is left out, with a note.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use mcp_harness_suites::journey::{
    Answers, Assertion, CallAction, CompleteAction, GetAction, Journey, ListKind, LogLevel, NotificationExpectation,
    Ping, Revisions, Spanned, Step, unlocated,
};

use super::exchange::{Answer, Exchange, ServerRequest, SessionLog};
use super::expect::{expectations, located};
use super::values::{
    Captured, is_candidate, json_path, string_leaves, text_with_variables, value_uses, variable_name, with_variables,
};

/// The first revision of the stateless era.
const STATELESS_ERA: &str = Revisions::STATELESS_ERA;

/// A recorded journey and what the recording could not express.
#[derive(Debug, Clone)]
pub struct RecordedJourney {
    /// The journey.
    pub journey: Journey,
    /// What was left out or approximated, for the user.
    pub notes: Vec<String>,
    /// The protocol revision the session spoke, when the handshake was seen.
    pub revision: Option<String>,
}

/// One step to write: the request, its answer and what happened during it (after folding).
struct Planned<'a> {
    exchange: &'a Exchange,
    /// The final answer (for a folded input-required exchange, the last round's).
    answer: Answer,
    /// Server requests and their replies, all rounds.
    server_requests: Vec<&'a ServerRequest>,
    /// `inputResponses` the client sent in later rounds, with the method each answered.
    input_responses: Vec<(String, Value)>,
    /// Notifications of all rounds.
    notifications: Vec<&'a (String, Value)>,
    /// Items of later pages of a list.
    extra_items: Vec<Value>,
}

/// Builds the journey `name` from the session in `log`.
pub fn journey_from(log: &SessionLog, name: &str, description: Option<String>) -> RecordedJourney {
    let mut notes = log.notes();
    let exchanges = log.exchanges();
    let revision = negotiated_revision(exchanges);
    let planned = plan(exchanges, &mut notes);

    // Values flow: which answer strings later requests send back.
    let params_of = |p: &Planned| p.exchange.params.clone().unwrap_or(Value::Null);
    let mut captures: Vec<Vec<Captured>> = vec![Vec::new(); planned.len()];
    let mut all: Vec<Captured> = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let Answer::Result(result) = &p.answer else { continue };
        if !matches!(
            p.exchange.method.as_str(),
            "tools/call" | "resources/read" | "prompts/get" | "completion/complete"
        ) && action_of(p.exchange).is_some()
        {
            continue;
        }
        for (segments, s) in string_leaves(result) {
            if !is_candidate(s) || all.iter().any(|c| c.value == s) {
                continue;
            }
            let sent_before = planned[..=i].iter().any(|q| value_uses(&params_of(q), s));
            let used_later = planned[i + 1..].iter().any(|q| value_uses(&params_of(q), s));
            if sent_before || !used_later {
                continue;
            }
            let taken: Vec<String> = all.iter().map(|c| c.name.clone()).collect();
            let c = Captured {
                name: variable_name(&segments, &taken),
                path: json_path("$", &segments),
                value: s.to_owned(),
            };
            captures[i].push(c.clone());
            all.push(c);
        }
    }

    let mut steps = Vec::new();
    let mut before: Vec<Captured> = Vec::new();
    for (p, here) in planned.iter().zip(&captures) {
        match step_for(p, here, &before, &mut notes) {
            Some(step) => steps.push(unlocated(step)),
            None => notes.push(format!("`{}` could not be written as a step; left out", p.exchange.method)),
        }
        before.extend(here.iter().cloned());
    }
    if steps.is_empty() {
        notes.push("the session had no request to replay; the journey has a single `ping`".to_owned());
        steps.push(unlocated(Step { ping: Some(Ping), ..Default::default() }));
    }
    let revisions = revision.as_deref().map(Revisions::era_of);
    let journey = Journey {
        name: name.to_owned(),
        description,
        tags: vec!["recorded".to_owned()],
        revisions,
        transport: Default::default(),
        capabilities: Vec::new(),
        sessions: Vec::new(),
        setup: Vec::new(),
        steps,
        teardown: Vec::new(),
    };
    RecordedJourney { journey, notes, revision }
}

/// The revision the session spoke: `initialize`'s answer, or the stateless era when the client discovered.
fn negotiated_revision(exchanges: &[Exchange]) -> Option<String> {
    exchanges.iter().find_map(|e| match (e.method.as_str(), &e.answer) {
        ("initialize", Some(Answer::Result(r))) => r.get("protocolVersion").and_then(Value::as_str).map(str::to_owned),
        ("server/discover", Some(Answer::Result(_))) => Some(STATELESS_ERA.to_owned()),
        _ => None,
    })
}

/// The exchanges that become steps, with list pages and input-required rounds folded.
fn plan<'a>(exchanges: &'a [Exchange], notes: &mut Vec<String>) -> Vec<Planned<'a>> {
    let mut out: Vec<Planned<'a>> = Vec::new();
    for e in exchanges {
        match e.method.as_str() {
            "initialize" | "notifications/initialized" | "server/discover" => continue,
            "notifications/cancelled" => {
                notes.push(
                    "a `notifications/cancelled` was left out (a replay cannot cancel at the same moment)".into(),
                );
                continue;
            }
            _ => {}
        }
        let params = e.params.as_ref();
        // A later page of a list folds into the list step before it.
        if list_kind(&e.method).is_some() && params.and_then(|p| p.get("cursor")).is_some() {
            if let Some(prev) = out.iter_mut().rev().find(|p| p.exchange.method == e.method)
                && let Some(Answer::Result(r)) = &e.answer
            {
                let (_, member) = list_kind(&e.method).map(ListKind::method_and_member).unwrap_or_default();
                prev.extra_items.extend(r.get(member).and_then(Value::as_array).cloned().unwrap_or_default());
            }
            continue;
        }
        // The next round of an input-required request folds into the step it continues.
        if let Some(responses) = params.and_then(|p| p.get("inputResponses")).and_then(Value::as_object)
            && let Some(prev) = out.last_mut()
            && prev.exchange.method == e.method
            && is_input_required(&prev.answer)
        {
            let requests = match &prev.answer {
                Answer::Result(r) => r.get("inputRequests").cloned().unwrap_or(Value::Null),
                Answer::Error(_) => Value::Null,
            };
            for (key, response) in responses {
                let method =
                    requests.get(key).and_then(|r| r.get("method")).and_then(Value::as_str).unwrap_or_default();
                prev.input_responses.push((method.to_owned(), response.clone()));
            }
            match &e.answer {
                Some(a) => prev.answer = a.clone(),
                None => notes
                    .push(format!("the last round of `{}` had no answer; the step keeps the round before", e.method)),
            }
            prev.server_requests.extend(&e.server_requests);
            prev.notifications.extend(&e.notifications);
            continue;
        }
        let answer = match (&e.id, &e.answer) {
            (Some(_), Some(a)) => a.clone(),
            (Some(id), None) => {
                notes.push(format!("`{}` (id {id}) was never answered; left out", e.method));
                continue;
            }
            (None, _) => Answer::Result(Value::Null),
        };
        out.push(Planned {
            exchange: e,
            answer,
            server_requests: e.server_requests.iter().collect(),
            input_responses: Vec::new(),
            notifications: e.notifications.iter().collect(),
            extra_items: Vec::new(),
        });
    }
    out
}

fn is_input_required(a: &Answer) -> bool {
    matches!(a, Answer::Result(r) if r.get("resultType").and_then(Value::as_str) == Some("input_required"))
}

fn list_kind(method: &str) -> Option<ListKind> {
    match method {
        "tools/list" => Some(ListKind::Tools),
        "resources/list" => Some(ListKind::Resources),
        "resources/templates/list" => Some(ListKind::Templates),
        "prompts/list" => Some(ListKind::Prompts),
        _ => None,
    }
}

/// The step's action for the methods that have one (`None`: a raw message).
fn action_of(e: &Exchange) -> Option<&'static str> {
    let m = e.method.as_str();
    if list_kind(m).is_some() {
        return Some("list");
    }
    Some(match m {
        "tools/call" => "call",
        "resources/read" => "read",
        "prompts/get" => "get",
        "completion/complete" => "complete",
        "resources/subscribe" => "subscribe",
        "resources/unsubscribe" => "unsubscribe",
        "logging/setLevel" => "set-level",
        "ping" => "ping",
        _ => return None,
    })
}

/// A string member of the params.
fn param_str<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params.get(key).and_then(Value::as_str)
}

/// Writes one step; `None` when the request lacks what its action needs.
fn step_for(p: &Planned, here: &[Captured], before: &[Captured], notes: &mut Vec<String>) -> Option<Step> {
    let e = p.exchange;
    let params = e.params.clone().unwrap_or(Value::Null);
    let text = |s: &str| text_with_variables(s, before);
    let mut step = Step::default();
    let mut method = e.method.as_str();
    match action_of(e) {
        Some("list") => step.list = list_kind(method),
        Some("call") => {
            step.call = Some(CallAction {
                tool: param_str(&params, "name")?.to_owned(),
                arguments: params
                    .get("arguments")
                    .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))
                    .map(|a| with_variables(a, before)),
                progress: params.pointer("/_meta/progressToken").is_some(),
            });
        }
        Some("read") => step.read = Some(text(param_str(&params, "uri")?)),
        Some("get") => {
            step.get = Some(GetAction {
                prompt: param_str(&params, "name")?.to_owned(),
                arguments: params
                    .get("arguments")
                    .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))
                    .map(|a| with_variables(a, before)),
            });
        }
        Some("complete") => {
            let r = params.get("ref")?;
            let argument = params.get("argument")?;
            let context: BTreeMap<String, String> = params
                .pointer("/context/arguments")
                .and_then(Value::as_object)
                .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), text(v)))).collect())
                .unwrap_or_default();
            step.complete = Some(CompleteAction {
                prompt: (param_str(r, "type") == Some("ref/prompt"))
                    .then(|| param_str(r, "name").map(str::to_owned))
                    .flatten(),
                resource: (param_str(r, "type") == Some("ref/resource"))
                    .then(|| param_str(r, "uri").map(text))
                    .flatten(),
                argument: param_str(argument, "name")?.to_owned(),
                value: param_str(argument, "value").map(text).unwrap_or_default(),
                context,
            });
        }
        Some("subscribe") => step.subscribe = Some(text(param_str(&params, "uri")?)),
        Some("unsubscribe") => step.unsubscribe = Some(text(param_str(&params, "uri")?)),
        Some("set-level") => {
            let level: LogLevel = serde_json::from_value(params.get("level")?.clone()).ok()?;
            step.set_level = Some(level);
        }
        Some(_) => step.ping = Some(Ping),
        None => {
            let mut raw = Map::new();
            raw.insert("jsonrpc".into(), "2.0".into());
            if let Some(id) = &e.id {
                raw.insert("id".into(), id.clone());
            }
            raw.insert("method".into(), e.method.clone().into());
            if let Some(params) = &e.params {
                raw.insert("params".into(), with_variables(params, before));
            }
            step.raw = Some(Value::Object(raw));
            if e.id.is_none() {
                method = "";
            }
        }
    }
    step.answers = answers(p, notes);
    if !method.is_empty() {
        let mut answer = p.answer.clone();
        if !p.extra_items.is_empty()
            && let Answer::Result(Value::Object(r)) = &mut answer
            && let Some((_, member)) = list_kind(method).map(ListKind::method_and_member)
            && let Some(Value::Array(items)) = r.get_mut(member)
        {
            items.extend(p.extra_items.iter().cloned());
        }
        step.expect = located(expectations(method, &answer, here, before));
    }
    step.capture = here.iter().map(|c| (c.name.clone(), c.path.clone())).collect();
    step.notifications = notifications(p, before);
    Some(step)
}

/// The client's replies to the server's requests, as the step's scripted answers.
fn answers(p: &Planned, notes: &mut Vec<String>) -> Option<Answers> {
    let mut out = Answers::default();
    let mut replies = Vec::new();
    for r in &p.server_requests {
        match &r.reply {
            Some(Answer::Result(v)) => replies.push((r.method.clone(), v.clone())),
            Some(Answer::Error(_)) => {
                notes.push(format!("the client refused `{}` with an error; a replay answers it by default", r.method));
            }
            None => {}
        }
    }
    replies.extend(p.input_responses.iter().cloned());
    let mut seen = HashSet::new();
    for (method, reply) in replies {
        if !seen.insert(method.clone()) {
            notes.push(format!(
                "`{method}` was asked more than once in one step; the journey answers every one like the first"
            ));
            continue;
        }
        let reply = with_variables(&reply, &[]);
        match method.as_str() {
            "elicitation/create" => out.elicitation = Some(reply),
            "sampling/createMessage" => out.sampling = Some(reply),
            "roots/list" => out.roots = reply.get("roots").and_then(Value::as_array).cloned(),
            _ => {}
        }
    }
    (out != Answers::default()).then_some(out)
}

/// Resource updates and list changes the step saw, as expected notifications.
fn notifications(p: &Planned, before: &[Captured]) -> Vec<Spanned<NotificationExpectation>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (method, params) in &p.notifications {
        let expect = match method.as_str() {
            "notifications/resources/updated" => match params.get("uri").and_then(Value::as_str) {
                Some(uri) => vec![Assertion {
                    path: Some("$.uri".into()),
                    equals: Some(Value::String(text_with_variables(uri, before))),
                    ..Default::default()
                }],
                None => Vec::new(),
            },
            m if m.ends_with("/list_changed") && m.starts_with("notifications/") => Vec::new(),
            _ => continue,
        };
        if !seen.insert((method.clone(), serde_json::to_string(&expect).unwrap_or_default())) {
            continue;
        }
        out.push(unlocated(NotificationExpectation {
            method: method.clone(),
            session: None,
            within_ms: None,
            expect: located(expect),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::record::Direction;

    fn feed(log: &mut SessionLog, d: Direction, m: Value) {
        log.feed(d, &m);
    }

    fn yaml(j: &RecordedJourney) -> String {
        let file = mcp_harness_suites::journey::JourneyFile { journeys: vec![unlocated(j.journey.clone())] };
        mcp_harness_suites::journey::journey_file_to_yaml(&file, "s.json", &[], "r.journey.yaml").expect("it loads")
    }

    #[test]
    fn stateless_rounds_pages_notifications_and_raw_messages() {
        let c = Direction::ClientToServer;
        let s = Direction::ServerToClient;
        let mut log = SessionLog::new();
        feed(&mut log, c, json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {}}));
        feed(&mut log, s, json!({"jsonrpc": "2.0", "id": 1, "result": {"supportedVersions": ["2026-07-28"]}}));
        // Two pages of tools.
        feed(&mut log, c, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": {"x": 1}}}));
        feed(&mut log, s, json!({"jsonrpc": "2.0", "id": 2, "result": {"tools": [{"name": "a"}], "nextCursor": "p2"}}));
        feed(&mut log, c, json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"cursor": "p2"}}));
        feed(&mut log, s, json!({"jsonrpc": "2.0", "id": 3, "result": {"tools": [{"name": "b"}]}}));
        // An input-required round, answered by the client's repeated call.
        let call = json!({"name": "ask", "arguments": {"q": 1}, "_meta": {"progressToken": 5}});
        feed(&mut log, c, json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": call}));
        feed(
            &mut log,
            s,
            json!({"jsonrpc": "2.0", "id": 4, "result": {"resultType": "input_required", "requestState": "st",
                   "inputRequests": {"n": {"method": "elicitation/create", "params": {}}}}}),
        );
        let again = json!({"name": "ask", "arguments": {"q": 1}, "requestState": "st",
                           "inputResponses": {"n": {"action": "accept", "content": {"name": "Ada"}}}});
        feed(&mut log, c, json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": again}));
        feed(
            &mut log,
            s,
            json!({"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "m://x"}}),
        );
        feed(
            &mut log,
            s,
            json!({"jsonrpc": "2.0", "id": 5, "result": {"resultType": "complete", "content": [{"type": "text", "text": "Hi Ada"}]}}),
        );
        // A method without an action, a client notification, a request never answered.
        feed(&mut log, c, json!({"jsonrpc": "2.0", "id": 6, "method": "vendor/thing", "params": {"k": "v"}}));
        feed(&mut log, s, json!({"jsonrpc": "2.0", "id": 6, "error": {"code": -32601, "message": "no"}}));
        feed(&mut log, c, json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"}));
        feed(&mut log, c, json!({"jsonrpc": "2.0", "id": 7, "method": "ping"}));

        let j = journey_from(&log, "recorded", None);
        let text = yaml(&j);
        assert_eq!(j.revision.as_deref(), Some("2026-07-28"));
        assert_eq!(j.journey.steps.len(), 4, "{text}");
        assert!(text.contains("revisions: '>=2026-07-28'") || text.contains("revisions: \">=2026-07-28\""), "{text}");
        assert!(text.contains("contains:\n      - name: a\n      - name: b"), "pages fold into one list: {text}");
        assert!(text.contains("progress: true"), "{text}");
        assert!(text.contains("elicitation:\n        action: accept"), "the round's answer is scripted: {text}");
        assert!(text.contains("text: Hi Ada"), "the last round's result is the answer: {text}");
        assert!(text.contains("method: notifications/resources/updated"), "{text}");
        assert!(text.contains("method: vendor/thing") && text.contains("error: -32601"), "{text}");
        assert!(text.contains("method: notifications/roots/list_changed"), "{text}");
        assert!(j.notes.iter().any(|n| n.contains("`ping` (id 7) was never answered")), "{:?}", j.notes);
    }
}
