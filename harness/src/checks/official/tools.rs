//! Scenarios `tools-call-{simple-text, image, audio, embedded-resource, mixed-content, error}`: a fixture tool
//! called without arguments returns the content the scenario names.

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{result_of, scenario, show, truthy, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Suite};
use crate::check_fn;
use crate::protocol::Revision;

/// `tools-call-simple-text`: `test_simple_text` returns a text item.
pub(crate) const SIMPLE_TEXT: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-simple-text"),
        title: "official fixture `test_simple_text` returns a non-empty content array with a text item that has text",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.call.content", "tools.call.request", "tools.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Tools),
        tags: &[TAG, "tools"],
    },
    run: check_fn!(simple_text),
};

async fn simple_text(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_simple_text` (no arguments): `content` is a non-empty array with a {type: \"text\"} item \
                    whose `text` is non-empty (the fixture answers \"This is a simple text response for testing.\")";
    // The scenario sends no `arguments` at all.
    let result = result_of(cx.session()?, "tools/call", json!({"name": "test_simple_text"}), expected).await?;
    let problems = simple_text_problems(&result);
    let text = first_of_type(&result, "text").map(|t| show(t.get("text"))).unwrap_or_default();
    Ok(verdict(expected, &problems, format!("text {text:?}"), &result))
}

/// The official `tools-call-simple-text` assertions.
fn simple_text_problems(result: &Value) -> Vec<String> {
    let mut p = array_problems(result);
    match first_of_type(result, "text") {
        None => p.push("No text content found".to_owned()),
        Some(t) if !truthy(t.get("text")) => p.push("Text content missing text field".to_owned()),
        Some(_) => {}
    }
    p
}

/// `tools-call-image`: `test_image_content` returns an image item.
pub(crate) const IMAGE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-image"),
        title: "official fixture `test_image_content` returns an image item with data and a mimeType",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.call.content", "tools.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Tools),
        tags: &[TAG, "tools"],
    },
    run: check_fn!(image),
};

async fn image(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_image_content`: `content` has a {type: \"image\"} item with non-empty `data` and `mimeType` \
                    (the fixture answers a base64 PNG, image/png)";
    let result = call_without_arguments(cx, "test_image_content", expected).await?;
    let problems = image_problems(&result);
    let seen = first_of_type(&result, "image")
        .map(|i| format!("image, mimeType {}", show(i.get("mimeType"))))
        .unwrap_or_default();
    Ok(verdict(expected, &problems, seen, &result))
}

/// The official `tools-call-image` assertions.
fn image_problems(result: &Value) -> Vec<String> {
    let mut p = Vec::new();
    if !truthy(result.get("content")) {
        p.push("Missing content array".to_owned());
    }
    media_problems(result, "image", "Image", "mimeType", &mut p);
    p
}

/// `tools-call-audio`: `test_audio_content` returns a WAV audio item.
pub(crate) const AUDIO: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-audio"),
        title: "official fixture `test_audio_content` returns an audio item with data and mimeType audio/wav",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.call.content", "tools.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Tools),
        tags: &[TAG, "tools"],
    },
    run: check_fn!(audio),
};

async fn audio(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_audio_content`: a non-empty `content` array with a {type: \"audio\"} item with non-empty \
                    `data` and mimeType \"audio/wav\"";
    let result = call_without_arguments(cx, "test_audio_content", expected).await?;
    let problems = audio_problems(&result);
    let seen = first_of_type(&result, "audio")
        .map(|a| format!("audio, mimeType {}", show(a.get("mimeType"))))
        .unwrap_or_default();
    Ok(verdict(expected, &problems, seen, &result))
}

/// The official `tools-call-audio` assertions.
fn audio_problems(result: &Value) -> Vec<String> {
    let mut p = array_problems(result);
    media_problems(result, "audio", "Audio", "mimeType field", &mut p);
    if let Some(a) = first_of_type(result, "audio")
        && a.get("mimeType").and_then(Value::as_str) != Some("audio/wav")
    {
        p.push(format!("Expected mimeType 'audio/wav', got '{}'", show(a.get("mimeType"))));
    }
    p
}

/// `tools-call-embedded-resource`: `test_embedded_resource` returns an embedded resource.
pub(crate) const EMBEDDED_RESOURCE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-embedded-resource"),
        title: "official fixture `test_embedded_resource` returns a resource item whose resource has uri, mimeType and text or blob",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.call.content", "tools.embedded-resources", "tools.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Tools),
        tags: &[TAG, "tools"],
    },
    run: check_fn!(embedded_resource),
};

async fn embedded_resource(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_embedded_resource`: a non-empty `content` array with a {type: \"resource\"} item whose \
                    `resource` has `uri`, `mimeType` and `text` or `blob` (the fixture embeds test://embedded-resource)";
    let result = call_without_arguments(cx, "test_embedded_resource", expected).await?;
    let problems = embedded_resource_problems(&result);
    let seen = first_of_type(&result, "resource")
        .and_then(|r| r.get("resource"))
        .map(|r| format!("resource {}", show(r.get("uri"))))
        .unwrap_or_default();
    Ok(verdict(expected, &problems, seen, &result))
}

/// The official `tools-call-embedded-resource` assertions.
fn embedded_resource_problems(result: &Value) -> Vec<String> {
    let mut p = array_problems(result);
    match first_of_type(result, "resource") {
        None => p.push("No resource content found".to_owned()),
        Some(item) => match item.get("resource").filter(|r| truthy(Some(r))) {
            None => p.push("Resource content missing resource field".to_owned()),
            Some(r) => {
                if !truthy(r.get("uri")) {
                    p.push("Resource missing uri field".to_owned());
                }
                if !truthy(r.get("mimeType")) {
                    p.push("Resource missing mimeType field".to_owned());
                }
                if !truthy(r.get("text")) && !truthy(r.get("blob")) {
                    p.push("Resource missing both text and blob fields".to_owned());
                }
            }
        },
    }
    p
}

/// `tools-call-mixed-content`: `test_multiple_content_types` returns text, image and resource items.
pub(crate) const MIXED_CONTENT: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-mixed-content"),
        title: "official fixture `test_multiple_content_types` returns several content items: text, image and resource",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.call.content", "tools.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Tools),
        tags: &[TAG, "tools"],
    },
    run: check_fn!(mixed_content),
};

async fn mixed_content(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_multiple_content_types`: `content` with at least two items, among them a text, an image \
                    and a resource item";
    let result = call_without_arguments(cx, "test_multiple_content_types", expected).await?;
    let problems = mixed_content_problems(&result);
    let types: Vec<String> = items(&result).iter().map(|c| show(c.get("type"))).collect();
    Ok(verdict(expected, &problems, format!("content types {types:?}"), &result))
}

/// The official `tools-call-mixed-content` assertions.
fn mixed_content_problems(result: &Value) -> Vec<String> {
    let mut p = Vec::new();
    if !truthy(result.get("content")) {
        p.push("Missing content array".to_owned());
    }
    let content = items(result);
    if truthy(result.get("content")) && content.len() < 2 {
        p.push("Expected multiple content items".to_owned());
    }
    for (ty, what) in [("text", "text"), ("image", "image"), ("resource", "resource")] {
        if first_of_type(result, ty).is_none() {
            p.push(format!("Missing {what} content"));
        }
    }
    p
}

/// `tools-call-error`: `test_error_handling` reports a tool execution error.
pub(crate) const ERROR: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-error"),
        title: "official fixture `test_error_handling` answers a result with isError: true and an error message as first content item",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.call.execution-error", "tools.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Tools),
        tags: &[TAG, "tools", "errors"],
    },
    run: check_fn!(error),
};

async fn error(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_error_handling`: a result (not a JSON-RPC error) with `isError: true` whose first content \
                    item has non-empty `text`";
    let result = call_without_arguments(cx, "test_error_handling", expected).await?;
    let problems = error_problems(&result);
    let text = items(&result).first().map(|c| show(c.get("text"))).unwrap_or_default();
    Ok(verdict(expected, &problems, format!("isError: true, text {text:?}"), &result))
}

/// The official `tools-call-error` assertion (one message, as the scenario words it).
fn error_problems(result: &Value) -> Vec<String> {
    let is_error = result.get("isError") == Some(&Value::Bool(true));
    let has_message = items(result).first().is_some_and(|c| truthy(c.get("text")));
    if !is_error {
        vec!["Tool did not return isError: true".to_owned()]
    } else if !has_message {
        vec!["Error result missing error message".to_owned()]
    } else {
        Vec::new()
    }
}

/// Calls fixture tool `name` with `arguments: {}` on the run's session.
async fn call_without_arguments(
    cx: &mut CheckContext,
    name: &str,
    expected: &str,
) -> Result<Value, crate::check::Outcome> {
    result_of(cx.session()?, "tools/call", json!({"name": name, "arguments": {}}), expected).await
}

/// The `content` items (empty when `content` is not an array).
fn items(result: &Value) -> &[Value] {
    result.get("content").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The first content item of type `ty`.
fn first_of_type<'a>(result: &'a Value, ty: &str) -> Option<&'a Value> {
    items(result).iter().find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
}

/// The shape assertions several scenarios start with: `content` present, an array, not empty.
fn array_problems(result: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let content = result.get("content");
    if !truthy(content) {
        p.push("Missing content array".to_owned());
    }
    if !content.is_some_and(Value::is_array) {
        p.push("content is not an array".to_owned());
    }
    if content.and_then(Value::as_array).is_some_and(Vec::is_empty) {
        p.push("content array is empty".to_owned());
    }
    p
}

/// An item of type `ty` with `data` and `mimeType` (`label` and `mime_field` word the messages as the scenario does).
fn media_problems(result: &Value, ty: &str, label: &str, mime_field: &str, p: &mut Vec<String>) {
    match first_of_type(result, ty) {
        None => p.push(format!("No {ty} content found")),
        Some(item) => {
            if !truthy(item.get("data")) {
                p.push(format!("{label} content missing data field"));
            }
            if !truthy(item.get("mimeType")) {
                p.push(format!("{label} content missing {mime_field}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_results_pass_and_wrong_ones_fail() {
        assert!(
            simple_text_problems(
                &json!({"content":[{"type":"text","text":"This is a simple text response for testing."}]})
            )
            .is_empty()
        );
        assert_eq!(
            simple_text_problems(&json!({"content":[{"type":"text","text":""}]})),
            vec!["Text content missing text field"]
        );
        assert_eq!(
            simple_text_problems(&json!({"content":[]})),
            vec!["content array is empty", "No text content found"]
        );
        assert!(image_problems(&json!({"content":[{"type":"image","data":"iVBO","mimeType":"image/png"}]})).is_empty());
        assert_eq!(image_problems(&json!({"content":[{"type":"text","text":"x"}]})), vec!["No image content found"]);
        assert!(audio_problems(&json!({"content":[{"type":"audio","data":"UklG","mimeType":"audio/wav"}]})).is_empty());
        assert_eq!(
            audio_problems(&json!({"content":[{"type":"audio","data":"UklG","mimeType":"audio/mpeg"}]})),
            vec!["Expected mimeType 'audio/wav', got 'audio/mpeg'"]
        );
        let embedded = json!({"content":[{"type":"resource","resource":{"uri":"test://embedded-resource","mimeType":"text/plain","text":"x"}}]});
        assert!(embedded_resource_problems(&embedded).is_empty());
        let bare = json!({"content":[{"type":"resource","resource":{"uri":"test://embedded-resource","text":""}}]});
        assert_eq!(
            embedded_resource_problems(&bare),
            vec!["Resource missing mimeType field", "Resource missing both text and blob fields"]
        );
        let mixed = json!({"content":[{"type":"text","text":"a"},{"type":"image","data":"x","mimeType":"image/png"},{"type":"resource","resource":{"uri":"u","text":"t"}}]});
        assert!(mixed_content_problems(&mixed).is_empty());
        assert_eq!(
            mixed_content_problems(
                &json!({"content":[{"type":"text","text":"a"},{"type":"image","data":"x","mimeType":"image/png"}]})
            ),
            vec!["Missing resource content"]
        );
        assert!(error_problems(&json!({"isError":true,"content":[{"type":"text","text":"boom"}]})).is_empty());
        assert_eq!(
            error_problems(&json!({"content":[{"type":"text","text":"boom"}]})),
            vec!["Tool did not return isError: true"]
        );
    }
}
