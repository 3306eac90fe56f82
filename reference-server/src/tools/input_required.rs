//! 2026-07-28 multi-round-trip tools (SEP-2322): instead of sending requests to
//! the client, they answer with an input-required result listing what they
//! need, and the client retries the call with `inputResponses` and the echoed
//! `requestState`.
//!
//! `requestState` is sealed with HMAC-SHA256 ([`rmcp::model::RequestStateCodec`],
//! a random key per process unless `--request-state-key` gives one) bound to the
//! request — the tool name and its arguments, in canonical JSON — and valid for
//! ten minutes: it is untrusted input on the way back, and a tampered state, or
//! one issued for another tool or other arguments, is rejected with `-32602`.

use std::time::Duration;

use rmcp::model::{
    CreateMessageRequest, CreateMessageRequestParams, ElicitRequest, ElicitRequestParams, ErrorData, InputRequest,
    InputRequests, InputRequiredResult, JsonObject, ListRootsRequest, SamplingMessage, SealOptions,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};

use super::{Availability, Invocation, ToolFn, ToolFuture, ToolResult, ToolSpec, read_only, text, tool_without_input};

const STATE_TTL: Duration = Duration::from_secs(600);

pub(super) fn specs() -> Vec<ToolSpec> {
    let tools: [(&'static str, &'static str, ToolFn); 8] = [
        (
            "test_input_required_result_elicitation",
            "Asks for the user's name through an elicitation input request",
            elicitation_tool,
        ),
        (
            "test_input_required_result_sampling",
            "Asks the client's model a question through a sampling input request",
            sampling_tool,
        ),
        (
            "test_input_required_result_list_roots",
            "Asks for the client's roots through a roots/list input request",
            list_roots_tool,
        ),
        (
            "test_input_required_result_request_state",
            "Round-trips an integrity-protected requestState",
            request_state_tool,
        ),
        (
            "test_input_required_result_tampered_state",
            "Rejects a tampered requestState with -32602",
            request_state_tool,
        ),
        (
            "test_input_required_result_multiple_inputs",
            "Needs elicitation, sampling and roots inputs in one round",
            multiple_inputs_tool,
        ),
        (
            "test_input_required_result_multi_round",
            "Needs two rounds of input, carrying state between them",
            multi_round_tool,
        ),
        (
            "test_input_required_result_capabilities",
            "Only requests inputs the client declared capabilities for",
            capabilities_tool,
        ),
    ];
    tools
        .into_iter()
        .map(|(name, description, run)| {
            ToolSpec::new(tool_without_input(name, description).annotate(read_only(name)), Availability::Modern, run)
        })
        .collect()
}

/// The elicitation the fixtures ask first: "What is your name?" with a required string `name`.
pub(crate) fn ask_name() -> InputRequest {
    elicitation("What is your name?", json!({ "name": { "type": "string" } }), &["name"])
}

/// A form elicitation input request with string `properties`.
pub(crate) fn elicitation(message: &str, properties: Value, required: &[&str]) -> InputRequest {
    let schema = json!({ "type": "object", "properties": properties, "required": required });
    InputRequest::Elicitation(ElicitRequest::new(ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: message.into(),
        requested_schema: serde_json::from_value(schema).expect("fixture elicitation schemas are valid"),
    }))
}

fn sampling(prompt: &str) -> InputRequest {
    InputRequest::CreateMessage(CreateMessageRequest::new(CreateMessageRequestParams::new(
        vec![SamplingMessage::user_text(prompt)],
        100,
    )))
}

fn list_roots() -> InputRequest {
    InputRequest::ListRoots(ListRootsRequest::default())
}

/// The client's response to input request `key`, if it is an object; anything
/// else counts as missing and is requested again.
pub(crate) fn response<'a>(
    inv_responses: Option<&'a rmcp::model::InputResponses>,
    key: &str,
) -> Option<&'a Map<String, Value>> {
    inv_responses.and_then(|r| r.get(key)).and_then(Value::as_object)
}

/// A string field of an elicitation response's `content`.
pub(crate) fn content_field<'a>(response: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    response.get("content").and_then(|c| c.get(field)).and_then(Value::as_str)
}

fn need(requests: InputRequests, state: Option<String>) -> ToolResult {
    Ok(InputRequiredResult::new(Some(requests), state).into())
}

fn one(key: &str, request: InputRequest) -> InputRequests {
    let mut requests = InputRequests::new();
    requests.insert(key.into(), request);
    requests
}

impl Invocation {
    /// Seals `state` for a later round of this tool.
    fn seal<T: Serialize>(&self, state: &T) -> Result<String, ErrorData> {
        let bound = binding(&self.name, &self.args);
        let options = SealOptions::new().associated_data(&bound).ttl(STATE_TTL);
        self.shared()
            .request_state
            .seal_json_with(state, &options)
            .map_err(|e| ErrorData::internal_error(format!("failed to seal requestState: {e}"), None))
    }

    /// Opens the echoed `requestState`; `None` on the first round.
    fn open<T: DeserializeOwned>(&self) -> Result<Option<T>, ErrorData> {
        let Some(sealed) = self.request_state.as_deref() else {
            return Ok(None);
        };
        self.shared()
            .request_state
            .open_json_with(sealed, &binding(&self.name, &self.args))
            .map(Some)
            .map_err(|_| ErrorData::invalid_params("requestState failed integrity verification", None))
    }
}

/// What a state is bound to: the tool's name and its arguments as canonical JSON (keys sorted at every level), so
/// a state answers only the request that received it.
fn binding(name: &str, args: &JsonObject) -> Vec<u8> {
    fn canonical(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(k.as_str()).to_string());
                    out.push(':');
                    canonical(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::from(name);
    out.push('\0');
    canonical(&Value::Object(args.clone()), &mut out);
    out.into_bytes()
}

fn elicitation_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        match response(inv.input_responses.as_ref(), "user_name") {
            Some(answer) => text(format!("Hello, {}!", content_field(answer, "name").unwrap_or("friend"))),
            None => need(one("user_name", ask_name()), None),
        }
    })
}

fn sampling_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        match response(inv.input_responses.as_ref(), "capital_question") {
            Some(answer) => {
                let reply = answer
                    .get("content")
                    .and_then(|c| c.get("text").or_else(|| c.get(0).and_then(|c| c.get("text"))))
                    .and_then(Value::as_str)
                    .unwrap_or("(no text)");
                text(format!("Sampling response: {reply}"))
            }
            None => need(one("capital_question", sampling("What is the capital of France?")), None),
        }
    })
}

fn list_roots_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        match response(inv.input_responses.as_ref(), "client_roots") {
            Some(answer) => {
                let roots: Vec<&str> = answer
                    .get("roots")
                    .and_then(Value::as_array)
                    .map(|roots| roots.iter().filter_map(|r| r.get("uri").and_then(Value::as_str)).collect())
                    .unwrap_or_default();
                text(format!("Client roots: [{}]", roots.join(", ")))
            }
            None => need(one("client_roots", list_roots()), None),
        }
    })
}

fn request_state_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        match inv.open::<Value>()? {
            Some(_) => text("Confirmed: state-ok"),
            None => {
                let state = inv.seal(&json!({ "stage": "confirm" }))?;
                need(
                    one("confirm", elicitation("Please confirm", json!({ "ok": { "type": "boolean" } }), &["ok"])),
                    Some(state),
                )
            }
        }
    })
}

fn multiple_inputs_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let had_state = inv.open::<Value>()?.is_some();
        let responses = inv.input_responses.as_ref();
        let complete = ["user_name", "greeting", "client_roots"].iter().all(|key| response(responses, key).is_some());
        if complete && had_state {
            return text("All inputs received");
        }
        let mut requests = InputRequests::new();
        requests.insert("user_name".into(), ask_name());
        requests.insert("greeting".into(), sampling("Generate a greeting"));
        requests.insert("client_roots".into(), list_roots());
        need(requests, Some(inv.seal(&json!({ "stage": "gather" }))?))
    })
}

fn multi_round_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let round = inv.open::<Value>()?.and_then(|s| s.get("round").and_then(Value::as_u64)).unwrap_or(0);
        match round {
            0 => need(
                one(
                    "step1",
                    elicitation("Step 1: What is your name?", json!({ "name": { "type": "string" } }), &["name"]),
                ),
                Some(inv.seal(&json!({ "round": 1 }))?),
            ),
            1 => need(
                one(
                    "step2",
                    elicitation(
                        "Step 2: What is your favorite color?",
                        json!({ "color": { "type": "string" } }),
                        &["color"],
                    ),
                ),
                Some(inv.seal(&json!({ "round": 2 }))?),
            ),
            _ => text("Multi-round flow complete"),
        }
    })
}

fn capabilities_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        if inv.input_responses.is_some() {
            return text("Capability-aware flow complete");
        }
        let declared = inv.cx.meta.client_capabilities().unwrap_or_default();
        let mut requests = InputRequests::new();
        if declared.elicitation.is_some() {
            requests.insert("user_name".into(), ask_name());
        }
        if declared.sampling.is_some() {
            requests.insert("greeting".into(), sampling("Generate a greeting"));
        }
        if declared.roots.is_some() {
            requests.insert("client_roots".into(), list_roots());
        }
        if requests.is_empty() { text("Client declared no input-capable capabilities") } else { need(requests, None) }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(v: Value) -> JsonObject {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn states_are_bound_to_the_tool_and_its_arguments_whatever_the_key_order() {
        let a = binding("t", &object(json!({"x": 1, "y": {"b": 2, "a": [1, "s"]}})));
        assert_eq!(a, binding("t", &object(json!({"y": {"a": [1, "s"], "b": 2}, "x": 1}))));
        assert_ne!(a, binding("t", &object(json!({"x": 2, "y": {"b": 2, "a": [1, "s"]}}))));
        assert_ne!(a, binding("u", &object(json!({"x": 1, "y": {"b": 2, "a": [1, "s"]}}))));
    }
}
