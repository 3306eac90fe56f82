//! Scenarios `prompts-get-{simple, with-args, embedded-resource, with-image}`: the fixture prompts
//! `test_simple_prompt`, `test_prompt_with_arguments`, `test_prompt_with_embedded_resource` and
//! `test_prompt_with_image`.

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{is_base64, result_of, scenario, truthy, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Suite};
use crate::check_fn;
use crate::protocol::Revision;

/// `prompts-get-simple`.
pub(crate) const SIMPLE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.prompts-get-simple"),
        title: "official fixture prompt `test_simple_prompt` returns a non-empty messages array, each message with role and content",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["prompts.get.request", "prompts.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Prompts),
        tags: &[TAG, "prompts"],
    },
    run: check_fn!(simple),
};

async fn simple(cx: &mut CheckContext) -> Conclusion {
    let expected = "prompts/get `test_simple_prompt` (no arguments): a non-empty `messages` array whose messages each have \
                    `role` and `content` (the fixture answers one user text message)";
    let result = result_of(cx.session()?, "prompts/get", json!({"name": "test_simple_prompt"}), expected).await?;
    let problems = simple_problems(&result);
    Ok(verdict(expected, &problems, format!("{} messages", messages(&result).len()), &result))
}

/// The official `prompts-get-simple` assertions.
fn simple_problems(result: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let m = result.get("messages");
    if !truthy(m) {
        p.push("Missing messages array".to_owned());
    }
    if !m.is_some_and(Value::is_array) {
        p.push("messages is not an array".to_owned());
    }
    if m.and_then(Value::as_array).is_some_and(Vec::is_empty) {
        p.push("messages array is empty".to_owned());
    }
    for (i, msg) in messages(result).iter().enumerate() {
        if !truthy(msg.get("role")) {
            p.push(format!("Message {i}: missing role"));
        }
        if !truthy(msg.get("content")) {
            p.push(format!("Message {i}: missing content"));
        }
    }
    p
}

/// `prompts-get-with-args`.
pub(crate) const WITH_ARGS: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.prompts-get-with-args"),
        title: "official fixture prompt `test_prompt_with_arguments` substitutes both arguments (arg1, arg2) into its messages",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["prompts.get.request", "prompts.get.argument-completion", "prompts.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Prompts),
        tags: &[TAG, "prompts"],
    },
    run: check_fn!(with_args),
};

async fn with_args(cx: &mut CheckContext) -> Conclusion {
    let expected = "prompts/get `test_prompt_with_arguments` {arg1: \"testValue1\", arg2: \"testValue2\"}: a non-empty `messages` \
                    array whose text contains both values";
    let params =
        json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "testValue1", "arg2": "testValue2"}});
    let result = result_of(cx.session()?, "prompts/get", params, expected).await?;
    let problems = with_args_problems(&result);
    Ok(verdict(expected, &problems, "both arguments substituted", &result))
}

/// The official `prompts-get-with-args` assertions.
fn with_args_problems(result: &Value) -> Vec<String> {
    let mut p = Vec::new();
    if !truthy(result.get("messages")) {
        p.push("Missing messages array".to_owned());
    }
    if result.get("messages").and_then(Value::as_array).is_some_and(Vec::is_empty) {
        p.push("messages array is empty".to_owned());
    }
    let text = result.get("messages").map(Value::to_string).unwrap_or_default();
    for (arg, value) in [("arg1", "testValue1"), ("arg2", "testValue2")] {
        if !text.contains(value) {
            p.push(format!("{arg} not substituted in prompt"));
        }
    }
    p
}

/// `prompts-get-embedded-resource`.
pub(crate) const EMBEDDED_RESOURCE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.prompts-get-embedded-resource"),
        title: "official fixture prompt `test_prompt_with_embedded_resource` returns a message with an embedded resource (uri and text or blob)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["prompts.embedded-resources", "prompts.embedded-resource-fields", "prompts.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Prompts),
        tags: &[TAG, "prompts"],
    },
    run: check_fn!(embedded_resource),
};

async fn embedded_resource(cx: &mut CheckContext) -> Conclusion {
    let expected = "prompts/get `test_prompt_with_embedded_resource` {resourceUri: \"test://example-resource\"}: a message whose \
                    content is {type: \"resource\", resource: {uri, text | blob}}";
    let params =
        json!({"name": "test_prompt_with_embedded_resource", "arguments": {"resourceUri": "test://example-resource"}});
    let result = result_of(cx.session()?, "prompts/get", params, expected).await?;
    let problems = embedded_problems(&result);
    Ok(verdict(expected, &problems, "embedded resource found", &result))
}

/// The official `prompts-get-embedded-resource` assertions, plus the fields the spec requires of the resource.
fn embedded_problems(result: &Value) -> Vec<String> {
    if !truthy(result.get("messages")) {
        return vec!["Missing messages array".to_owned()];
    }
    let embedded: Vec<&Value> = messages(result)
        .iter()
        .filter_map(|m| m.get("content"))
        .filter(|c| c.get("type").and_then(Value::as_str) == Some("resource") || c.get("resource").is_some())
        .collect();
    if embedded.is_empty() {
        return vec!["No embedded resource found in prompt".to_owned()];
    }
    let complete = embedded.iter().any(|c| {
        c.get("resource").is_some_and(|r| {
            r.get("uri").is_some_and(Value::is_string)
                && (r.get("text").is_some_and(Value::is_string) || r.get("blob").is_some_and(Value::is_string))
        })
    });
    if complete {
        Vec::new()
    } else {
        vec!["the embedded resource lacks a string `uri` and a string `text` or `blob`".to_owned()]
    }
}

/// `prompts-get-with-image`.
pub(crate) const WITH_IMAGE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.prompts-get-with-image"),
        title: "official fixture prompt `test_prompt_with_image` returns a message with image content (base64 data and a mimeType)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["prompts.image-base64", "prompts.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Prompts),
        tags: &[TAG, "prompts"],
    },
    run: check_fn!(with_image),
};

async fn with_image(cx: &mut CheckContext) -> Conclusion {
    let expected = "prompts/get `test_prompt_with_image` (no arguments): a message whose content is {type: \"image\", data \
                    (base64), mimeType}";
    let result = result_of(cx.session()?, "prompts/get", json!({"name": "test_prompt_with_image"}), expected).await?;
    let problems = image_problems(&result);
    Ok(verdict(expected, &problems, "image content found", &result))
}

/// The official `prompts-get-with-image` assertions, plus the spec's base64 requirement.
fn image_problems(result: &Value) -> Vec<String> {
    if !truthy(result.get("messages")) {
        return vec!["Missing messages array".to_owned()];
    }
    let image = messages(result).iter().filter_map(|m| m.get("content")).find(|c| {
        c.get("type").and_then(Value::as_str) == Some("image") && truthy(c.get("data")) && truthy(c.get("mimeType"))
    });
    match image {
        None => vec!["No image content found in prompt".to_owned()],
        Some(c) if !c.get("data").and_then(Value::as_str).is_some_and(is_base64) => {
            vec!["image data is not valid base64".to_owned()]
        }
        Some(_) => Vec::new(),
    }
}

/// The `messages` (empty when not an array).
fn messages(result: &Value) -> &[Value] {
    result.get("messages").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_prompts_pass_and_wrong_ones_fail() {
        let simple = json!({"messages": [{"role": "user", "content": {"type": "text", "text": "This is a simple prompt for testing."}}]});
        assert!(simple_problems(&simple).is_empty());
        assert_eq!(simple_problems(&json!({"messages": []})), vec!["messages array is empty"]);
        let args = json!({"messages": [{"role": "user", "content": {"type": "text", "text": "arg1='testValue1', arg2='testValue2'"}}]});
        assert!(with_args_problems(&args).is_empty());
        assert_eq!(
            with_args_problems(&simple),
            vec!["arg1 not substituted in prompt", "arg2 not substituted in prompt"]
        );
        let embedded = json!({"messages": [{"role": "user", "content": {"type": "resource", "resource": {"uri": "test://example-resource", "text": "x"}}}]});
        assert!(embedded_problems(&embedded).is_empty());
        assert_eq!(embedded_problems(&simple), vec!["No embedded resource found in prompt"]);
        let image = json!({"messages": [{"role": "user", "content": {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}}]});
        assert!(image_problems(&image).is_empty());
        assert_eq!(image_problems(&simple), vec!["No image content found in prompt"]);
    }
}
