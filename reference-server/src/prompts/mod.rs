//! Prompts: the conformance fixtures, the "everything" prompts and a 2026
//! input-required prompt.

use rmcp::{
    ErrorData, RoleServer,
    model::{
        CacheScope, ContentBlock, GetPromptRequestParams, GetPromptResponse, GetPromptResult, ImageContent,
        InputRequests, InputRequiredResult, ListPromptsResult, Prompt, PromptArgument, PromptMessage, Role,
    },
    service::RequestContext,
};
use serde_json::{Value, json};

use crate::{
    content::TINY_PNG_BASE64,
    server::{Era, LIST_TTL_MS, paginate},
    tools::input_required::{content_field, elicitation, response},
};

const INPUT_REQUIRED_PROMPT: &str = "test_input_required_result_prompt";

fn arg(name: &str, description: &str, required: bool) -> PromptArgument {
    PromptArgument::new(name).with_description(description).with_required(required)
}

fn prompts(era: Era) -> Vec<Prompt> {
    let mut prompts = vec![
        Prompt::new("test_simple_prompt", Some("A simple test prompt with no arguments"), None),
        Prompt::new(
            "test_prompt_with_arguments",
            Some("A test prompt that accepts arguments"),
            Some(vec![arg("arg1", "First test argument", true), arg("arg2", "Second test argument", false)]),
        ),
        Prompt::new(
            "test_prompt_with_embedded_resource",
            Some("A test prompt that embeds the resource named by resourceUri"),
            Some(vec![arg("resourceUri", "URI of the resource to embed", true)]),
        ),
        Prompt::new("test_prompt_with_image", Some("A test prompt that includes an image"), None),
        Prompt::new("simple-prompt", Some("A prompt without arguments"), None),
        Prompt::new(
            "args-prompt",
            Some("A prompt with arguments"),
            Some(vec![arg("city", "Name of the city", true), arg("state", "Name of the state", false)]),
        ),
        Prompt::new(
            "completable-prompt",
            Some("A prompt whose arguments support completion"),
            Some(vec![arg("department", "Department name", true), arg("name", "Person in the department", true)]),
        ),
        Prompt::new(
            "resource-prompt",
            Some("A prompt that embeds a dynamic resource by id"),
            Some(vec![arg("resourceId", "Id of test://template/{id}/data", true)]),
        ),
    ];
    if era == Era::Modern {
        prompts.push(Prompt::new(
            INPUT_REQUIRED_PROMPT,
            Some("A prompt that first asks the user for context (input-required result)"),
            None,
        ));
    }
    prompts.into_iter().map(|p| p.with_icons(crate::content::icons())).collect()
}

/// `prompts/list`.
pub(crate) fn list(era: Era, cursor: Option<&str>, page_size: usize) -> Result<ListPromptsResult, ErrorData> {
    let (page, next) = paginate(&prompts(era), "prompts", cursor, page_size)?;
    let mut result =
        ListPromptsResult::with_all_items(page).with_ttl_ms(LIST_TTL_MS).with_cache_scope(CacheScope::Public);
    result.next_cursor = next;
    Ok(result)
}

fn required<'a>(args: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a str, ErrorData> {
    args.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| ErrorData::invalid_params(format!("missing required argument `{name}`"), None))
}

/// Whether `s` starts with a URI scheme (`scheme:`, RFC 3986 §3.1).
fn has_uri_scheme(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// `prompts/get`; unknown prompts and missing required arguments are `-32602`.
pub(crate) fn get(
    request: GetPromptRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<GetPromptResponse, ErrorData> {
    let era = Era::of(context);
    let args = request.arguments.clone().unwrap_or_default();
    let optional = |name: &str| args.get(name).and_then(Value::as_str).unwrap_or("").to_owned();
    let result = match request.name.as_str() {
        "test_simple_prompt" => {
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, "This is a simple test prompt.")])
                .with_description("A simple test prompt")
        }
        "test_prompt_with_arguments" => GetPromptResult::new(vec![PromptMessage::new_text(
            Role::User,
            format!("Prompt with arguments: arg1='{}', arg2='{}'", required(&args, "arg1")?, optional("arg2")),
        )])
        .with_description("A prompt with arguments"),
        "test_prompt_with_embedded_resource" => {
            let uri = required(&args, "resourceUri")?;
            // It becomes the embedded resource's `uri`, which must be a URI: reject anything without a scheme.
            if !has_uri_scheme(uri) {
                return Err(ErrorData::invalid_params(
                    format!("argument `resourceUri` must be an absolute URI, got {uri:?}"),
                    None,
                ));
            }
            GetPromptResult::new(vec![
                PromptMessage::new_resource(
                    Role::User,
                    uri.to_owned(),
                    Some("text/plain".into()),
                    Some("Embedded resource content for testing.".into()),
                    None,
                    None,
                    None,
                ),
                PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
            ])
            .with_description("A prompt with an embedded resource")
        }
        "test_prompt_with_image" => GetPromptResult::new(vec![
            PromptMessage::new(Role::User, ContentBlock::Image(ImageContent::new(TINY_PNG_BASE64, "image/png"))),
            PromptMessage::new_text(Role::User, "Please analyze the image above."),
        ])
        .with_description("A prompt with an image"),
        "simple-prompt" => GetPromptResult::new(vec![PromptMessage::new_text(
            Role::User,
            "This is a simple prompt without arguments.",
        )]),
        "args-prompt" => {
            let city = required(&args, "city")?;
            let state = optional("state");
            let location = if state.is_empty() { city.to_owned() } else { format!("{city}, {state}") };
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, format!("What's weather in {location}?"))])
        }
        "completable-prompt" => GetPromptResult::new(vec![PromptMessage::new_text(
            Role::User,
            format!(
                "Please promote {} to the head of the {} team.",
                required(&args, "name")?,
                required(&args, "department")?
            ),
        )]),
        "resource-prompt" => {
            let id = required(&args, "resourceId")?;
            let uri = format!("test://template/{id}/data");
            let body = json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") }).to_string();
            GetPromptResult::new(vec![
                PromptMessage::new_text(Role::User, format!("This prompt includes the resource {uri}:")),
                PromptMessage::new_resource(
                    Role::User,
                    uri,
                    Some("application/json".into()),
                    Some(body),
                    None,
                    None,
                    None,
                ),
            ])
        }
        INPUT_REQUIRED_PROMPT if era == Era::Modern => {
            return Ok(match response(request.input_responses.as_ref(), "user_context") {
                Some(answer) => GetPromptResult::new(vec![PromptMessage::new_text(
                    Role::User,
                    format!("Prompt with elicited context: {}", content_field(answer, "context").unwrap_or("(none)")),
                )])
                .with_description("A prompt built from elicited context")
                .into(),
                None => {
                    let mut requests = InputRequests::new();
                    requests.insert(
                        "user_context".into(),
                        elicitation(
                            "What context should the prompt use?",
                            json!({ "context": { "type": "string" } }),
                            &["context"],
                        ),
                    );
                    InputRequiredResult::from_input_requests(requests).into()
                }
            });
        }
        other => {
            return Err(ErrorData::invalid_params(format!("unknown prompt: {other}"), Some(json!({ "name": other }))));
        }
    };
    Ok(result.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_has_a_description() {
        assert!(prompts(Era::Modern).iter().all(|p| p.description.is_some()));
    }

    #[test]
    fn input_required_prompt_is_modern_only() {
        assert!(!prompts(Era::Legacy).iter().any(|p| p.name == INPUT_REQUIRED_PROMPT));
        assert!(prompts(Era::Modern).iter().any(|p| p.name == INPUT_REQUIRED_PROMPT));
    }
}
