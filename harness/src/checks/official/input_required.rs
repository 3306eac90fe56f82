//! Scenarios `input-required-result-*` (2026-07-28, SEP-2322 multi-round-trip requests): fixture tools that answer
//! an `InputRequiredResult` and complete once called again with `inputResponses` (and the echoed `requestState`).
//!
//! The harness answers each input request the way it answers server→client requests on 2025 wires, from the
//! session's [`crate::session::ClientAnswers`]: elicitations accepted with values synthesised from the requested
//! schema, sampling with a canned assistant message, `roots/list` with the harness's root.

use serde_json::{Map, Value, json};

use super::TAG;
use super::fixture::{scenario, truthy, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::evidence::brief;
use crate::protocol::Revision;
use crate::session::{ClientAnswers, Session};

/// Every scenario: 2026-07-28 on, a server with tools.
const APPLIES: crate::check::Applicability = scenario(Revision::V2026_07_28, None, Capability::Tools);

/// `input-required-result-basic-elicitation`.
pub(crate) const BASIC_ELICITATION: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.input-required-result-basic-elicitation"),
        title: "official fixture `test_input_required_result_elicitation` asks for input `user_name` (elicitation/create), then completes with content",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["mrtr.server-requests", "mrtr.input-request-types"],
        applies: APPLIES,
        tags: &[TAG, "tools", "mrtr"],
    },
    run: check_fn!(basic_elicitation),
};

async fn basic_elicitation(cx: &mut CheckContext) -> Conclusion {
    basic(cx, "test_input_required_result_elicitation", Some("user_name"), "elicitation/create", true).await
}

/// `input-required-result-basic-sampling`.
pub(crate) const BASIC_SAMPLING: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.input-required-result-basic-sampling"),
        title: "official fixture `test_input_required_result_sampling` asks for a sampling/createMessage input, then completes",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["mrtr.server-requests", "mrtr.input-request-types"],
        applies: APPLIES,
        tags: &[TAG, "tools", "mrtr"],
    },
    run: check_fn!(basic_sampling),
};

async fn basic_sampling(cx: &mut CheckContext) -> Conclusion {
    basic(cx, "test_input_required_result_sampling", None, "sampling/createMessage", false).await
}

/// `input-required-result-basic-list-roots`.
pub(crate) const BASIC_LIST_ROOTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.input-required-result-basic-list-roots"),
        title: "official fixture `test_input_required_result_list_roots` asks for a roots/list input, then completes",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["mrtr.server-requests", "mrtr.input-request-types"],
        applies: APPLIES,
        tags: &[TAG, "tools", "mrtr"],
    },
    run: check_fn!(basic_list_roots),
};

async fn basic_list_roots(cx: &mut CheckContext) -> Conclusion {
    basic(cx, "test_input_required_result_list_roots", None, "roots/list", false).await
}

/// The three basic scenarios: round 1 asks for one input of `method` (under `key`, or the first key), round 2 —
/// with that input answered and any `requestState` echoed — completes (`content_needed`: with non-empty content).
async fn basic(cx: &mut CheckContext, tool: &str, key: Option<&str>, method: &str, content_needed: bool) -> Conclusion {
    let expected = format!(
        "tools/call `{tool}`: round 1 answers resultType \"input_required\" with inputRequests{} holding a {method} \
         request; round 2 (inputResponses for it, requestState echoed) answers a complete result{}",
        key.map(|k| format!(" key {k:?}")).unwrap_or_default(),
        if content_needed { " with non-empty content" } else { "" }
    );
    let answers = cx.session_options().answers;
    let s = cx.session()?;
    let r1 = match round(s, tool, None, None, &expected).await? {
        Err(problem) => return Ok(fail(&expected, "round 1", problem, &Value::Null)),
        Ok(r) => r,
    };
    let mut problems = Vec::new();
    if !is_input_required(&r1) {
        problems.push("Expected InputRequiredResult but got a complete result. Server should return resultType: \"input_required\" with inputRequests.".to_owned());
    } else if !truthy(r1.get("inputRequests")) {
        problems.push("InputRequiredResult missing inputRequests".to_owned());
    } else {
        let requests = r1.get("inputRequests").and_then(Value::as_object);
        let chosen = match key {
            Some(k) => requests.and_then(|r| r.get(k)).filter(|r| truthy(Some(r))),
            None => requests.and_then(|r| r.values().next()),
        };
        match (chosen, key) {
            (None, Some(k)) => problems.push(format!("inputRequests missing expected key \"{k}\"")),
            (None, None) => problems.push("inputRequests map is empty".to_owned()),
            (Some(r), _) if r.get("method").and_then(Value::as_str) != Some(method) => {
                problems
                    .push(format!("Expected method \"{method}\", got \"{}\"", super::fixture::show(r.get("method"))));
            }
            _ => {}
        }
    }
    if !problems.is_empty() {
        return Ok(fail(&expected, "round 1", problems.join("; "), &r1));
    }
    let responses = respond(&answers, &r1, key.map(|k| vec![k.to_owned()]));
    let r2 = match round(s, tool, Some(responses), r1.get("requestState").cloned(), &expected).await? {
        Err(problem) => return Ok(fail(&expected, "round 2", problem, &r1)),
        Ok(r) => r,
    };
    if is_input_required(&r2) {
        return Ok(fail(
            &expected,
            "round 2",
            "Expected complete result after retry with inputResponses".to_owned(),
            &r2,
        ));
    }
    if content_needed && r2.get("content").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        return Ok(fail(&expected, "round 2", "Complete result missing content array".to_owned(), &r2));
    }
    Ok(Outcome::pass_with(format!("round 2 completed: {}", brief(&r2))))
}

/// `input-required-result-request-state`.
pub(crate) const REQUEST_STATE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.input-required-result-request-state"),
        title: "official fixture `test_input_required_result_request_state` asks for input with a string requestState and completes when it is echoed",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["mrtr.at-least-one", "mrtr.server-requests"],
        applies: APPLIES,
        tags: &[TAG, "tools", "mrtr"],
    },
    run: check_fn!(request_state),
};

async fn request_state(cx: &mut CheckContext) -> Conclusion {
    let tool = "test_input_required_result_request_state";
    let expected = format!(
        "tools/call `{tool}`: round 1 answers input_required with inputRequests and a string requestState; round 2 (the \
         first input answered, requestState echoed) answers a complete result"
    );
    let answers = cx.session_options().answers;
    let s = cx.session()?;
    let r1 = match round(s, tool, None, None, &expected).await? {
        Err(problem) => return Ok(fail(&expected, "round 1", problem, &Value::Null)),
        Ok(r) => r,
    };
    let mut problems = Vec::new();
    if !is_input_required(&r1) {
        problems.push("Expected InputRequiredResult".to_owned());
    } else {
        if !truthy(r1.get("requestState")) {
            problems.push("InputRequiredResult missing requestState".to_owned());
        }
        if !r1.get("requestState").is_some_and(Value::is_string) {
            problems.push("requestState must be a string".to_owned());
        }
        if !truthy(r1.get("inputRequests")) {
            problems.push("InputRequiredResult missing inputRequests".to_owned());
        }
    }
    if !problems.is_empty() {
        return Ok(fail(&expected, "round 1", problems.join("; "), &r1));
    }
    let responses = respond(&answers, &r1, Some(first_key(&r1).into_iter().collect()));
    finish(
        s,
        tool,
        responses,
        r1.get("requestState").cloned(),
        &expected,
        "Expected complete result after retry with requestState",
    )
    .await
}

/// `input-required-result-multiple-input-requests`.
pub(crate) const MULTIPLE_INPUT_REQUESTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.input-required-result-multiple-input-requests"),
        title: "official fixture `test_input_required_result_multiple_inputs` asks for elicitation, sampling and roots inputs at once, then completes",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["mrtr.input-request-types", "mrtr.input-request-keys-unique"],
        applies: APPLIES,
        tags: &[TAG, "tools", "mrtr"],
    },
    run: check_fn!(multiple_input_requests),
};

async fn multiple_input_requests(cx: &mut CheckContext) -> Conclusion {
    let tool = "test_input_required_result_multiple_inputs";
    let expected = format!(
        "tools/call `{tool}`: round 1 answers input_required with a requestState and at least 3 inputRequests covering \
         elicitation/create, sampling/createMessage and roots/list; round 2 (all answered, requestState echoed) completes"
    );
    let answers = cx.session_options().answers;
    let s = cx.session()?;
    let r1 = match round(s, tool, None, None, &expected).await? {
        Err(problem) => return Ok(fail(&expected, "round 1", problem, &Value::Null)),
        Ok(r) => r,
    };
    let problems = multiple_problems(&r1);
    if !problems.is_empty() {
        return Ok(fail(&expected, "round 1", problems.join("; "), &r1));
    }
    let responses = respond(&answers, &r1, None);
    finish(
        s,
        tool,
        responses,
        r1.get("requestState").cloned(),
        &expected,
        "Expected complete result after providing all inputResponses",
    )
    .await
}

/// The official round-1 assertions of `input-required-result-multiple-input-requests`.
fn multiple_problems(r1: &Value) -> Vec<String> {
    if !is_input_required(r1) {
        return vec!["Expected InputRequiredResult".to_owned()];
    }
    let Some(requests) = r1.get("inputRequests").and_then(Value::as_object).filter(|_| truthy(r1.get("inputRequests")))
    else {
        return vec!["InputRequiredResult missing inputRequests".to_owned()];
    };
    let mut p = Vec::new();
    if !truthy(r1.get("requestState")) {
        p.push("InputRequiredResult missing requestState".to_owned());
    }
    if requests.len() < 3 {
        p.push(format!("Expected at least 3 inputRequests, got {}", requests.len()));
    }
    let methods: std::collections::BTreeSet<&str> =
        requests.values().filter_map(|r| r.get("method").and_then(Value::as_str)).collect();
    for (m, what) in [
        ("elicitation/create", "an elicitation/create"),
        ("sampling/createMessage", "a sampling/createMessage"),
        ("roots/list", "a roots/list"),
    ] {
        if !methods.contains(m) {
            p.push(format!("Expected {what} inputRequest"));
        }
    }
    if methods.len() < 3 {
        p.push("Expected inputRequests with different method types (elicitation + sampling + roots/list)".to_owned());
    }
    p
}

/// `input-required-result-multi-round`.
pub(crate) const MULTI_ROUND: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.input-required-result-multi-round"),
        title: "official fixture `test_input_required_result_multi_round` asks for input twice, with a new requestState in round 2, and completes in round 3",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["mrtr.server-requests", "mrtr.at-least-one"],
        applies: APPLIES,
        tags: &[TAG, "tools", "mrtr"],
    },
    run: check_fn!(multi_round),
};

async fn multi_round(cx: &mut CheckContext) -> Conclusion {
    let tool = "test_input_required_result_multi_round";
    let expected = format!(
        "tools/call `{tool}`: round 1 answers input_required with inputRequests and requestState; round 2 another \
         input_required with inputRequests and a different requestState; round 3 a complete result"
    );
    let answers = cx.session_options().answers;
    let s = cx.session()?;
    let r1 = match round(s, tool, None, None, &expected).await? {
        Err(problem) => return Ok(fail(&expected, "round 1", problem, &Value::Null)),
        Ok(r) => r,
    };
    if !(is_input_required(&r1) && truthy(r1.get("inputRequests")) && truthy(r1.get("requestState"))) {
        return Ok(fail(
            &expected,
            "round 1",
            "Expected InputRequiredResult with inputRequests and requestState".to_owned(),
            &r1,
        ));
    }
    let responses = respond(&answers, &r1, Some(first_key(&r1).into_iter().collect()));
    let r2 = match round(s, tool, Some(responses), r1.get("requestState").cloned(), &expected).await? {
        Err(problem) => return Ok(fail(&expected, "round 2", problem, &r1)),
        Ok(r) => r,
    };
    let renewed = truthy(r2.get("requestState")) && r2.get("requestState") != r1.get("requestState");
    if !(is_input_required(&r2) && truthy(r2.get("inputRequests")) && renewed) {
        return Ok(fail(
            &expected,
            "round 2",
            "Expected new InputRequiredResult with different requestState".to_owned(),
            &r2,
        ));
    }
    let responses = respond(&answers, &r2, Some(first_key(&r2).into_iter().collect()));
    finish(s, tool, responses, r2.get("requestState").cloned(), &expected, "Expected complete result after final retry")
        .await
}

/// `input-required-result-tampered-state`.
pub(crate) const TAMPERED_STATE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.input-required-result-tampered-state"),
        title: "official fixture `test_input_required_result_tampered_state` rejects its requestState with a JSON-RPC error once it was altered",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["mrtr.request-state-integrity", "mrtr.request-state-untrusted"],
        applies: APPLIES,
        tags: &[TAG, "tools", "mrtr", "negative"],
    },
    run: check_fn!(tampered_state),
};

async fn tampered_state(cx: &mut CheckContext) -> Conclusion {
    let tool = "test_input_required_result_tampered_state";
    let expected = format!(
        "tools/call `{tool}`: round 1 answers input_required with a requestState; called again with that state plus \
         \"-TAMPERED\", a JSON-RPC error (e.g. -32602), not a result"
    );
    let answers = cx.session_options().answers;
    let s = cx.session()?;
    let r1 = match round(s, tool, None, None, &expected).await? {
        Err(problem) => {
            return Ok(fail(&expected, "round 1", format!("Prerequisite failed: {problem}"), &Value::Null));
        }
        Ok(r) => r,
    };
    if !is_input_required(&r1) {
        return Ok(fail(
            &expected,
            "round 1",
            "Prerequisite failed: could not get initial InputRequiredResult with requestState".to_owned(),
            &r1,
        ));
    }
    let Some(state) = r1.get("requestState").filter(|s| truthy(Some(s))) else {
        return Ok(fail(
            &expected,
            "round 1",
            "Server did not include requestState in InputRequiredResult".to_owned(),
            &r1,
        ));
    };
    let tampered = json!(format!("{}-TAMPERED", state.as_str().map_or_else(|| state.to_string(), str::to_owned)));
    let responses = respond(&answers, &r1, Some(first_key(&r1).into_iter().collect()));
    let params = call_params(tool, Some(responses), Some(tampered));
    let reply = s.request("tools/call", Some(params)).await.map_err(|e| Outcome::from_session(e, &expected))?;
    Ok(match &reply.outcome {
        Err(_) => Outcome::pass_with(format!("tampered state rejected: {}", reply.brief())),
        Ok(r) if !is_input_required(r) => fail(
            &expected,
            "round 2",
            "Server accepted tampered requestState and returned complete result. Servers MUST reject state that fails integrity verification.".to_owned(),
            r,
        ),
        Ok(r) => fail(
            &expected,
            "round 2",
            "Server did not return a JSON-RPC error for tampered requestState. Servers MUST reject state that fails integrity verification.".to_owned(),
            r,
        ),
    })
}

/// `tools/call` params for one round.
pub(crate) fn call_params(tool: &str, responses: Option<Value>, state: Option<Value>) -> Value {
    let mut params = json!({"name": tool, "arguments": {}});
    if let Some(r) = responses {
        params["inputResponses"] = r;
    }
    if let Some(s) = state {
        params["requestState"] = s;
    }
    params
}

/// One round: `Ok(Ok(result))`, `Ok(Err(problem))` when the server answered a JSON-RPC error, `Err` when the
/// harness could not get an answer.
async fn round(
    s: &mut Session,
    tool: &str,
    responses: Option<Value>,
    state: Option<Value>,
    expected: &str,
) -> Result<Result<Value, String>, Outcome> {
    let reply = s
        .request("tools/call", Some(call_params(tool, responses, state)))
        .await
        .map_err(|e| Outcome::from_session(e, expected))?;
    Ok(match &reply.outcome {
        Ok(r) => Ok(r.clone()),
        Err(e) => Err(format!("JSON-RPC error: {} ({})", e.message, reply.brief())),
    })
}

/// The last round: it must answer a complete result.
async fn finish(
    s: &mut Session,
    tool: &str,
    responses: Value,
    state: Option<Value>,
    expected: &str,
    incomplete: &str,
) -> Conclusion {
    let r = match round(s, tool, Some(responses), state, expected).await? {
        Err(problem) => return Ok(fail(expected, "final round", problem, &Value::Null)),
        Ok(r) => r,
    };
    if is_input_required(&r) {
        return Ok(fail(expected, "final round", incomplete.to_owned(), &r));
    }
    Ok(Outcome::pass_with(format!("completed: {}", brief(&r))))
}

/// Whether a result asks for input.
pub(crate) fn is_input_required(r: &Value) -> bool {
    r.get("resultType").and_then(Value::as_str) == Some("input_required")
}

/// The first key of `inputRequests`.
fn first_key(r: &Value) -> Option<String> {
    r.get("inputRequests").and_then(Value::as_object).and_then(|m| m.keys().next().cloned())
}

/// `inputResponses` for the input requests of `r` (only `keys`, when given), answered from `answers`. Requests the
/// harness does not handle are left out (the server then asks again, and the check says so).
pub(crate) fn respond(answers: &ClientAnswers, r: &Value, keys: Option<Vec<String>>) -> Value {
    let mut out = Map::new();
    let Some(requests) = r.get("inputRequests").and_then(Value::as_object) else {
        return Value::Object(out);
    };
    for (key, request) in requests {
        if keys.as_ref().is_some_and(|k| !k.contains(key)) {
            continue;
        }
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
        if let Ok(answer) = answers.answer(method, request.get("params")) {
            out.insert(key.clone(), answer);
        }
    }
    Value::Object(out)
}

/// A violation in `round`.
fn fail(expected: &str, round: &str, problem: String, evidence: &Value) -> Outcome {
    verdict(expected, &[format!("{round}: {problem}")], "", evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_requests_are_answered_from_the_client_answers() {
        let r1 = json!({"resultType": "input_required", "requestState": "s1", "inputRequests": {
            "user_name": {"method": "elicitation/create", "params": {"message": "?", "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}}},
            "greeting": {"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 50}},
            "client_roots": {"method": "roots/list", "params": {}}
        }});
        let all = respond(&ClientAnswers::default(), &r1, None);
        assert_eq!(all["user_name"]["action"], "accept");
        assert!(all["user_name"]["content"]["name"].is_string());
        assert_eq!(all["greeting"]["role"], "assistant");
        assert!(all["client_roots"]["roots"].is_array());
        let one = respond(&ClientAnswers::default(), &r1, Some(vec!["greeting".into()]));
        assert_eq!(one.as_object().unwrap().len(), 1);
        assert!(multiple_problems(&r1).is_empty());
        let two = json!({"resultType": "input_required", "requestState": "s", "inputRequests": {"a": {"method": "roots/list"}}});
        assert_eq!(multiple_problems(&two).len(), 4, "{:?}", multiple_problems(&two));
        assert_eq!(call_params("t", None, Some(json!("s")))["requestState"], "s");
    }
}
