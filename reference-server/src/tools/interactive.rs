//! Legacy-era tools that send requests to the client mid-call: sampling,
//! elicitation (with defaults and every enum shape) and roots. On 2026-07-28
//! these flows use input-required results instead (see `input_required`).

#![allow(deprecated)] // sampling and roots are SEP-2577-deprecated but current on legacy wires.

use rmcp::model::{
    CreateMessageRequestParams, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    SamplingMessage,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Availability, Invocation, ToolFuture, ToolSpec, read_only, text, tool_error, tool_with_input, tool_without_input,
};

#[derive(Deserialize, schemars::JsonSchema)]
struct SamplingArgs {
    /// The prompt to send to the client's model.
    prompt: String,
    /// Maximum tokens to generate.
    #[serde(default, rename = "maxTokens")]
    max_tokens: Option<u32>,
}

/// Input schema of `test_elicitation`; `message` is optional at run time.
#[derive(Deserialize, schemars::JsonSchema)]
#[expect(dead_code, reason = "only the derived schema is used")]
struct ElicitationArgs {
    /// The message shown to the user.
    message: String,
}

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            tool_with_input::<SamplingArgs>("test_sampling", "Asks the client's model to answer `prompt` (sampling)")
                .annotate(read_only("Sampling")),
            Availability::Legacy,
            sampling,
        ),
        ToolSpec::new(
            tool_with_input::<SamplingArgs>(
                "trigger-sampling-request",
                "Asks the client's model to answer `prompt` (sampling)",
            )
            .annotate(read_only("Trigger sampling request")),
            Availability::Legacy,
            sampling,
        ),
        ToolSpec::new(
            tool_with_input::<ElicitationArgs>(
                "test_elicitation",
                "Asks the user for a username and email (elicitation)",
            )
            .annotate(read_only("Elicitation")),
            Availability::Legacy,
            elicitation,
        ),
        ToolSpec::new(
            tool_without_input("trigger-elicitation-request", "Asks the user for contact details (elicitation)")
                .annotate(read_only("Trigger elicitation request")),
            Availability::Legacy,
            elicitation,
        ),
        ToolSpec::new(
            tool_without_input(
                "test_elicitation_sep1034_defaults",
                "Elicits values whose fields all have defaults (SEP-1034)",
            )
            .annotate(read_only("Elicitation defaults")),
            Availability::Legacy,
            elicitation_defaults,
        ),
        ToolSpec::new(
            tool_without_input("test_elicitation_sep1330_enums", "Elicits every enum shape of SEP-1330")
                .annotate(read_only("Elicitation enums")),
            Availability::Legacy,
            elicitation_enums,
        ),
        ToolSpec::new(
            tool_without_input("get-roots-list", "Lists the client's roots (roots/list)").annotate(read_only("Roots")),
            Availability::Legacy,
            roots,
        ),
    ]
}

fn sampling(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: SamplingArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        let params = CreateMessageRequestParams::new(
            vec![SamplingMessage::user_text(args.prompt)],
            args.max_tokens.unwrap_or(100),
        );
        match inv.cx.peer.create_message(params).await {
            Ok(result) => {
                let value = serde_json::to_value(&result).unwrap_or_default();
                let reply = value
                    .pointer("/content/text")
                    .or_else(|| value.pointer("/content/0/text"))
                    .and_then(Value::as_str)
                    .unwrap_or("(no text in response)");
                text(format!("LLM response: {reply}"))
            }
            Err(error) => Ok(tool_error(format!("Sampling error: {error}"))),
        }
    })
}

async fn elicit(inv: &Invocation, message: &str, schema: Value) -> Result<ElicitResult, String> {
    let schema: ElicitationSchema =
        serde_json::from_value(schema).map_err(|e| format!("invalid elicitation schema: {e}"))?;
    inv.cx
        .peer
        .create_elicitation(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: message.to_owned(),
            requested_schema: schema,
        })
        .await
        .map_err(|e| e.to_string())
}

fn action(result: &ElicitResult) -> &'static str {
    match result.action {
        ElicitationAction::Accept => "accept",
        ElicitationAction::Decline => "decline",
        ElicitationAction::Cancel => "cancel",
        _ => "unknown",
    }
}

/// `PREFIX: action=…, content=…`, the text the official fixtures answer an elicitation with.
fn elicitation_report(prefix: &str, result: ElicitResult) -> String {
    let action = action(&result);
    let content = result.content.map(|c| c.to_string()).unwrap_or_else(|| "null".into());
    format!("{prefix}: action={action}, content={content}")
}

fn elicitation(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let message =
            inv.args.get("message").and_then(Value::as_str).unwrap_or("Please provide your information").to_owned();
        let schema = json!({
            "type": "object",
            "properties": {
                "username": { "type": "string", "description": "User's response" },
                "email": { "type": "string", "description": "User's email address" }
            },
            "required": ["username", "email"]
        });
        match elicit(&inv, &message, schema).await {
            Ok(result) => text(elicitation_report("User response", result)),
            Err(error) => Ok(tool_error(format!("Elicitation error: {error}"))),
        }
    })
}

fn elicitation_defaults(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": { "type": "string", "description": "User's name", "default": "John Doe" },
                "age": { "type": "integer", "description": "User's age", "default": 30 },
                "score": { "type": "number", "description": "User's score", "default": 95.5 },
                "status": {
                    "type": "string", "description": "User's status",
                    "enum": ["active", "inactive", "pending"], "default": "active"
                },
                "verified": { "type": "boolean", "description": "Whether user is verified", "default": true }
            }
        });
        match elicit(&inv, "Please provide values (all have defaults)", schema).await {
            Ok(result) => text(elicitation_report("Elicitation completed", result)),
            Err(error) => Ok(tool_error(format!("Elicitation error: {error}"))),
        }
    })
}

fn elicitation_enums(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let schema = json!({
            "type": "object",
            "properties": {
                "untitledSingle": { "type": "string", "enum": ["option1", "option2", "option3"] },
                "titledSingle": {
                    "type": "string",
                    "oneOf": [
                        { "const": "value1", "title": "First Option" },
                        { "const": "value2", "title": "Second Option" },
                        { "const": "value3", "title": "Third Option" }
                    ]
                },
                "legacyEnum": {
                    "type": "string",
                    "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"]
                },
                "untitledMulti": {
                    "type": "array",
                    "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
                },
                "titledMulti": {
                    "type": "array",
                    "items": {
                        "anyOf": [
                            { "const": "value1", "title": "First Choice" },
                            { "const": "value2", "title": "Second Choice" },
                            { "const": "value3", "title": "Third Choice" }
                        ]
                    }
                }
            }
        });
        match elicit(&inv, "Test enum schema improvements", schema).await {
            Ok(result) => text(format!("Enum elicitation completed: action={}", action(&result))),
            Err(error) => Ok(tool_error(format!("Elicitation error: {error}"))),
        }
    })
}

fn roots(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        match inv.cx.peer.list_roots().await {
            Ok(result) => {
                let uris: Vec<String> = result.roots.iter().map(|root| root.uri.clone()).collect();
                text(format!("Client roots: [{}]", uris.join(", ")))
            }
            Err(error) => Ok(tool_error(format!("roots/list failed: {error}"))),
        }
    })
}
