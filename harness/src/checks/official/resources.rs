//! Scenarios `resources-read-text`, `resources-read-binary`, `resources-templates-read` (the fixture resources
//! `test://static-text`, `test://static-binary`, template `test://template/{id}/data`) and
//! `sep-2164-resource-not-found` (2026-07-28).

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{is_base64, result_of, scenario, show, truthy, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::evidence::brief;
use crate::protocol::Revision;

/// `resources-read-text`.
pub(crate) const READ_TEXT: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.resources-read-text"),
        title: "official fixture resource test://static-text reads as contents whose first item has uri, mimeType and text",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.read.request", "resources.read.contents", "resources.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Resources),
        tags: &[TAG, "resources"],
    },
    run: check_fn!(read_text),
};

async fn read_text(cx: &mut CheckContext) -> Conclusion {
    let expected = "resources/read test://static-text: a non-empty `contents` array whose first item has non-empty `uri`, \
                    `mimeType` and `text` (the fixture answers text/plain \"This is the content of the static text resource.\")";
    let result = result_of(cx.session()?, "resources/read", json!({"uri": "test://static-text"}), expected).await?;
    let mut problems = contents_problems(&result, true);
    let first = first_content(&result);
    if let Some(c) = first {
        push_missing(c, "text", "Content missing text field", &mut problems);
    }
    let seen = first
        .map(|c| format!("mimeType {}, text {:?}", show(c.get("mimeType")), show(c.get("text"))))
        .unwrap_or_default();
    Ok(verdict(expected, &problems, seen, &result))
}

/// `resources-read-binary`.
pub(crate) const READ_BINARY: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.resources-read-binary"),
        title: "official fixture resource test://static-binary reads as contents whose first item has uri, mimeType and a base64 blob",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.read.request", "resources.binary-encoding", "resources.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Resources),
        tags: &[TAG, "resources"],
    },
    run: check_fn!(read_binary),
};

async fn read_binary(cx: &mut CheckContext) -> Conclusion {
    let expected = "resources/read test://static-binary: a non-empty `contents` array whose first item has non-empty `uri`, \
                    `mimeType` and `blob` (base64; the fixture answers a PNG)";
    let result = result_of(cx.session()?, "resources/read", json!({"uri": "test://static-binary"}), expected).await?;
    let problems = binary_problems(&result);
    let seen = first_content(&result)
        .map(|c| {
            format!(
                "mimeType {}, blob of {} characters",
                show(c.get("mimeType")),
                c.get("blob").and_then(Value::as_str).map_or(0, str::len)
            )
        })
        .unwrap_or_default();
    Ok(verdict(expected, &problems, seen, &result))
}

/// The official `resources-read-binary` assertions, plus the spec's "properly encoded" (the blob decodes).
fn binary_problems(result: &Value) -> Vec<String> {
    let mut p = contents_problems(result, false);
    if let Some(c) = first_content(result) {
        push_missing(c, "blob", "Content missing blob field", &mut p);
        let blob = c.get("blob").and_then(Value::as_str).unwrap_or_default();
        if !blob.is_empty() && !is_base64(blob) {
            p.push("blob is not valid base64".to_owned());
        }
    }
    p
}

/// `resources-templates-read`.
pub(crate) const TEMPLATES_READ: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.resources-templates-read"),
        title: "official fixture template test://template/{id}/data reads test://template/123/data with the id substituted into the content",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.templates", "resources.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Resources),
        tags: &[TAG, "resources"],
    },
    run: check_fn!(templates_read),
};

async fn templates_read(cx: &mut CheckContext) -> Conclusion {
    let expected = "resources/read test://template/123/data: a non-empty `contents` array whose first item has a `uri` and a \
                    `text` (or `blob`) that contains \"123\"";
    let result =
        result_of(cx.session()?, "resources/read", json!({"uri": "test://template/123/data"}), expected).await?;
    let problems = template_problems(&result);
    let seen = first_content(&result).map(|c| format!("text {:?}", show(c.get("text")))).unwrap_or_default();
    Ok(verdict(expected, &problems, seen, &result))
}

/// The official `resources-templates-read` assertions (a blob counts as "[binary]", which has no "123").
fn template_problems(result: &Value) -> Vec<String> {
    let mut p = Vec::new();
    if !truthy(result.get("contents")) {
        p.push("Missing contents array".to_owned());
    }
    if result.get("contents").and_then(Value::as_array).is_some_and(Vec::is_empty) {
        p.push("contents array is empty".to_owned());
    }
    if let Some(c) = first_content(result) {
        push_missing(c, "uri", "Content missing uri", &mut p);
        let text = match (c.get("text"), c.get("blob")) {
            (Some(t), _) => t.as_str().map(str::to_owned),
            (None, Some(_)) => Some("[binary]".to_owned()),
            (None, None) => {
                p.push("Content missing text or blob".to_owned());
                Some(String::new())
            }
        };
        if text.is_some_and(|t| !t.contains("123")) {
            p.push("Parameter substitution not reflected in content".to_owned());
        }
    }
    p
}

/// The URI the official `sep-2164` scenario reads.
const NONEXISTENT: &str = "test://nonexistent-resource-for-conformance-testing";

/// `sep-2164-resource-not-found` (2026-07-28).
pub(crate) const NOT_FOUND: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.sep-2164-resource-not-found"),
        title: "reading the official scenario's unknown resource is a JSON-RPC error, never a result with empty contents \
                (-32602 and data.uri are noted when missing: SHOULDs there)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.not-found-no-empty-contents", "resources.not-found"],
        applies: scenario(Revision::V2026_07_28, None, Capability::Resources),
        tags: &[TAG, "resources", "errors", "negative"],
    },
    run: check_fn!(not_found),
};

async fn not_found(cx: &mut CheckContext) -> Conclusion {
    let expected = format!(
        "resources/read {NONEXISTENT}: a JSON-RPC error (not a result; a result with empty `contents` is forbidden), \
         preferably -32602 with data.uri = the URI"
    );
    let reply = cx
        .session()?
        .request("resources/read", Some(json!({"uri": NONEXISTENT})))
        .await
        .map_err(|e| Outcome::from_session(e, &expected))?;
    Ok(match &reply.outcome {
        Ok(result) => {
            let empty = result.get("contents").and_then(Value::as_array).is_none_or(Vec::is_empty);
            let what = if empty {
                "a result with an empty `contents` array; servers MUST NOT return that for a non-existent resource"
            } else {
                "a result instead of a JSON-RPC error"
            };
            Outcome::violated(&expected, format!("answered {what}\nresult: {}", brief(result)))
        }
        Err(e) => {
            let mut notes = Vec::new();
            if e.code != Some(-32602) {
                notes.push(format!(
                    "code {} instead of -32602 (SHOULD)",
                    e.code.map_or_else(|| "(none)".to_owned(), |c| c.to_string())
                ));
            }
            let data_uri = e.data.as_ref().and_then(|d| d.get("uri"));
            if data_uri.and_then(Value::as_str) != Some(NONEXISTENT) {
                notes.push(format!("data.uri is {} instead of the requested URI (SHOULD)", show(data_uri)));
            }
            let mut seen = reply.brief();
            if !notes.is_empty() {
                seen.push_str(&format!("; {}", notes.join("; ")));
            }
            Outcome::pass_with(seen)
        }
    })
}

/// The first item of `contents`.
fn first_content(result: &Value) -> Option<&Value> {
    result.get("contents").and_then(Value::as_array).and_then(|c| c.first())
}

/// `Missing contents array`, `contents is not an array` (text only), `contents array is empty`, and the first
/// item's `uri` and `mimeType`.
fn contents_problems(result: &Value, check_array: bool) -> Vec<String> {
    let mut p = Vec::new();
    let contents = result.get("contents");
    if !truthy(contents) {
        p.push("Missing contents array".to_owned());
    }
    if check_array && !contents.is_some_and(Value::is_array) {
        p.push("contents is not an array".to_owned());
    }
    if contents.and_then(Value::as_array).is_some_and(Vec::is_empty) {
        p.push("contents array is empty".to_owned());
    }
    if let Some(c) = first_content(result) {
        push_missing(c, "uri", "Content missing uri", &mut p);
        push_missing(c, "mimeType", "Content missing mimeType", &mut p);
    }
    p
}

/// Adds `message` when `item[key]` is falsy.
fn push_missing(item: &Value, key: &str, message: &str, p: &mut Vec<String>) {
    if !truthy(item.get(key)) {
        p.push(message.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_contents_pass_and_wrong_ones_fail() {
        let text = json!({"contents": [{"uri": "test://static-text", "mimeType": "text/plain", "text": "x"}]});
        assert!(contents_problems(&text, true).is_empty());
        let no_mime = json!({"contents": [{"uri": "test://static-text", "text": "x"}]});
        assert_eq!(contents_problems(&no_mime, true), vec!["Content missing mimeType"]);
        let blob =
            json!({"contents": [{"uri": "test://static-binary", "mimeType": "image/png", "blob": "iVBORw0KGgo="}]});
        assert!(binary_problems(&blob).is_empty());
        let as_text = json!({"contents": [{"uri": "test://static-binary", "mimeType": "image/png", "text": "png"}]});
        assert_eq!(binary_problems(&as_text), vec!["Content missing blob field"]);
        let tpl = json!({"contents": [{"uri": "test://template/123/data", "text": "{\"id\":\"123\"}"}]});
        assert!(template_problems(&tpl).is_empty());
        let unsubstituted = json!({"contents": [{"uri": "test://template/123/data", "text": "{\"id\":\"{id}\"}"}]});
        assert_eq!(template_problems(&unsubstituted), vec!["Parameter substitution not reflected in content"]);
    }
}
