//! `resources/read`: listed resources can be read; unknown ones are an error.

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::evidence::brief;
use crate::checks::pagination::walk::list_all;
use crate::checks::resources::list::MAX_PAGES;
use crate::protocol::{Era, Revision};

/// Resources read at most.
const MAX_READS: usize = 10;

/// Standard Base64, padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Listed resources read back as well-formed contents.
pub(crate) const READ_LISTED: Check = Check {
    meta: CheckMeta {
        id: CheckId("resources.read.listed"),
        title: "reading a listed resource returns contents, each with a uri and either text or base64 blob",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.read.contents", "resources.binary-encoding", "resources.list.result"],
        applies: Applicability { capability: Some(Capability::Resources), ..Applicability::ALWAYS },
        tags: &["resources"],
    },
    run: check_fn!(read_listed),
};

/// Problems with the `contents` of a `resources/read` result.
pub(crate) fn contents_problems(result: &Value) -> Vec<String> {
    let Some(contents) = result.get("contents").and_then(Value::as_array) else {
        return vec![format!("`contents` is missing or not an array: {}", brief(result))];
    };
    let mut out = Vec::new();
    for (i, c) in contents.iter().enumerate() {
        if !c.get("uri").is_some_and(Value::is_string) {
            out.push(format!("contents[{i}]: `uri` is missing or not a string"));
        }
        if c.get("mimeType").is_some_and(|m| !m.is_string()) {
            out.push(format!("contents[{i}]: `mimeType` is not a string"));
        }
        // The schema's contents are text or blob resource contents (anyOf): at least one of them, as typed.
        let (text, blob) = (c.get("text"), c.get("blob"));
        if text.is_some_and(|t| !t.is_string())
            || blob.is_some_and(|b| !b.is_string())
            || (text.is_none() && blob.is_none())
        {
            out.push(format!("contents[{i}]: needs a string `text` or a string `blob`: {}", brief(c)));
        }
        if let Some(Value::String(b)) = blob
            && BASE64.decode(b.as_bytes()).is_err()
        {
            out.push(format!(
                "contents[{i}]: `blob` is not valid base64: {}",
                crate::session::clip_json(&json!(b), 80)
            ));
        }
    }
    out
}

async fn read_listed(cx: &mut CheckContext) -> Conclusion {
    let expected =
        "resources/read of a listed resource: a result with `contents`, each {uri, text | base64 blob, mimeType?}";
    let session = cx.session()?;
    let listing = list_all(session, "resources/list", "resources", MAX_PAGES, expected).await?;
    let uris: Vec<String> = listing
        .items
        .iter()
        .filter_map(|r| r.get("uri").and_then(Value::as_str))
        .map(str::to_owned)
        .take(MAX_READS)
        .collect();
    if uris.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no resources"));
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for uri in &uris {
        let reply = session
            .request("resources/read", Some(json!({"uri": uri})))
            .await
            .map_err(|e| Outcome::from_session(e, expected))?;
        match &reply.outcome {
            Ok(r) if r.get("resultType").and_then(Value::as_str) == Some("input_required") => {
                notes.push(format!("`{uri}` asked for input"))
            }
            Ok(r) => problems.extend(contents_problems(r).into_iter().map(|p| format!("`{uri}`: {p}"))),
            // No rule makes a listed resource readable (it may have gone since it was listed): not judged.
            Err(_) => notes.push(format!("`{uri}`: {}", reply.brief())),
        }
    }
    if problems.is_empty() {
        let mut seen = format!("{} resources read", uris.len() - notes.len());
        if !notes.is_empty() {
            seen.push_str(&format!("; not judged: {}", notes.join("; ")));
        }
        Ok(Outcome::pass_with(seen))
    } else {
        Ok(Outcome::violated(expected, problems.join("\n")))
    }
}

/// Unknown resources are an error.
///
/// The requirement's strength depends on the revision: up to 2025-11-25 the spec RECOMMENDS `-32002` (a deviation
/// is a warning); 2026-07-28 REQUIRES `-32602` and forbids an empty `contents` (a deviation fails). The check's
/// Reading an unknown resource is an error (2026-07-28: -32602, never empty contents).
pub(crate) const NOT_FOUND: Check = Check {
    meta: CheckMeta {
        id: CheckId("resources.read.not-found"),
        title: "reading an unknown resource is a JSON-RPC error with code -32602, never empty contents",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.not-found", "resources.not-found-no-empty-contents"],
        applies: Applicability {
            capability: Some(Capability::Resources),
            since: Revision::V2026_07_28,
            ..Applicability::ALWAYS
        },
        tags: &["resources", "errors", "negative"],
    },
    run: check_fn!(not_found),
};

/// Reading an unknown resource should be answered with -32002 (up to 2025-11-25, where it is a SHOULD).
pub(crate) const NOT_FOUND_CODE: Check = Check {
    meta: CheckMeta {
        id: CheckId("resources.read.not-found-code"),
        title: "reading an unknown resource is answered with the JSON-RPC error -32002 (Resource not found)",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["resources.not-found"],
        applies: Applicability {
            capability: Some(Capability::Resources),
            until: Some(Revision::V2026_07_28),
            ..Applicability::ALWAYS
        },
        tags: &["resources", "errors", "negative"],
    },
    run: check_fn!(not_found),
};

/// A URI for a resource that does not exist and that no listed template can produce: in the scheme of the first
/// listed resource when there is one. `None` when every candidate matches a template (the server may then serve
/// it, so "not found" cannot be judged).
fn unknown_uri(listed: &[Value], templates: &[String]) -> Option<String> {
    let scheme = listed
        .iter()
        .filter_map(|r| r.get("uri").and_then(Value::as_str))
        .find_map(|u| u.split_once("://").map(|(s, _)| s.to_owned()))
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .unwrap_or_else(|| "mcp-harness".to_owned());
    [
        format!("{scheme}://mcp-harness-no-such-resource-7f3a9c"),
        format!("{scheme}://mcp-harness/no/such/resource/7f3a9c.none"),
        "mcp-harness-unknown://no-such-resource-7f3a9c".to_owned(),
    ]
    .into_iter()
    .find(|uri| !templates.iter().any(|t| template_matches(t, uri)))
}

/// Whether the RFC 6570 template `template` can expand to `uri` (simple `{x}` matches one or more characters but
/// `/`, reserved `{+x}` and fragment `{#x}` any, query and other operators are optional).
fn template_matches(template: &str, uri: &str) -> bool {
    let Some(open) = template.find('{') else { return template == uri };
    let Some(close) = template[open..].find('}').map(|c| open + c) else { return template == uri };
    let (literal, expression, rest) = (&template[..open], &template[open + 1..close], &template[close + 1..]);
    let Some(after) = uri.strip_prefix(literal) else { return false };
    match expression.chars().next() {
        Some('?' | '&' | ';' | '.' | '/') => {
            // Optional expansions: with or without them.
            template_matches(rest, after)
                || (1..=after.len()).any(|n| after.is_char_boundary(n) && template_matches(rest, &after[n..]))
        }
        first => {
            let any = matches!(first, Some('+' | '#'));
            (1..=after.len())
                .filter(|n| after.is_char_boundary(*n))
                .take_while(|n| any || !after[..*n].contains('/'))
                .any(|n| template_matches(rest, &after[n..]))
        }
    }
}

/// Both checks: the code depends on the revision (the level, MUST or SHOULD, is the check's).
async fn not_found(cx: &mut CheckContext) -> Conclusion {
    let modern = cx.revision().era() == Era::Stateless;
    let expected_code = if modern { -32602 } else { -32002 };
    let session = cx.session()?;
    let listed = list_all(session, "resources/list", "resources", 1, "a resources/list result")
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    let templates: Vec<String> =
        list_all(session, "resources/templates/list", "resourceTemplates", 1, "a templates result")
            .await
            .map(|l| l.items)
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.get("uriTemplate").and_then(Value::as_str).map(str::to_owned))
            .collect();
    let Some(uri) = unknown_uri(&listed, &templates) else {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "every URI the harness would make up matches one of the server's resource templates",
        ));
    };
    let expected = format!("resources/read `{uri}`: a JSON-RPC error with code {expected_code}");
    let reply = session
        .request("resources/read", Some(json!({"uri": uri})))
        .await
        .map_err(|e| Outcome::from_session(e, &expected))?;
    match (&reply.outcome, reply.error_code()) {
        (Err(_), Some(code)) if code == expected_code => Ok(Outcome::pass_with(format!("error {code}"))),
        (Ok(r), _) if r.get("contents").and_then(Value::as_array).is_some_and(Vec::is_empty) => Ok(Outcome::violated(
            &expected,
            format!("an empty `contents` array for a resource that does not exist: {}", brief(r)),
        )),
        _ => Ok(Outcome::violated(&expected, format!("answered {}", reply.brief()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_need_uri_and_text_or_base64_blob() {
        assert!(contents_problems(&json!({"contents":[{"uri":"a://b","text":"x"}]})).is_empty());
        assert!(contents_problems(&json!({"contents":[{"uri":"a://b","blob":"aGk="}]})).is_empty());
        assert!(!contents_problems(&json!({"contents":[{"uri":"a://b","blob":"not base64!"}]})).is_empty());
        assert!(!contents_problems(&json!({"contents":[{"text":"x"}]})).is_empty());
        assert!(!contents_problems(&json!({"contents":"x"})).is_empty());
    }

    #[test]
    fn unknown_uris_keep_the_listed_scheme_and_avoid_templates() {
        let listed = [json!({"uri":"test://static-text"})];
        assert_eq!(unknown_uri(&listed, &[]).unwrap(), "test://mcp-harness-no-such-resource-7f3a9c");
        assert_eq!(unknown_uri(&[], &[]).unwrap(), "mcp-harness://mcp-harness-no-such-resource-7f3a9c");
        let catch_all = ["test://{name}".to_owned()];
        assert_eq!(unknown_uri(&listed, &catch_all).unwrap(), "test://mcp-harness/no/such/resource/7f3a9c.none");
        let everything = ["{+uri}".to_owned()];
        assert_eq!(unknown_uri(&listed, &everything), None);
    }

    #[test]
    fn templates_match_like_rfc_6570_expansions() {
        assert!(template_matches("test://template/{id}/data", "test://template/7/data"));
        assert!(!template_matches("test://template/{id}/data", "test://template/a/b/data"));
        assert!(template_matches("file:///{+path}", "file:///a/b/c"));
        assert!(template_matches("demo://r/{id}{?q}", "demo://r/1"));
        assert!(template_matches("demo://r/{id}{?q}", "demo://r/1?q=2"));
        assert!(!template_matches("demo://r/{id}", "other://r/1"));
        assert!(template_matches("exact://x", "exact://x"));
    }
}
