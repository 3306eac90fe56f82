//! `resources/read`: listed resources can be read; unknown ones are an error.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::{json, Value};

use crate::check::{Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite};
use crate::check_fn;
use crate::checks::evidence::brief;
use crate::checks::pagination::walk::list_all;
use crate::checks::resources::list::MAX_PAGES;
use crate::protocol::{Era, Revision};

/// Resources read at most.
const MAX_READS: usize = 10;

/// Standard Base64, padding optional.
const BASE64: GeneralPurpose =
    GeneralPurpose::new(&base64::alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent));

/// Listed resources read back as well-formed contents.
pub(crate) const READ_LISTED: Check = Check {
    meta: CheckMeta {
        id: CheckId("resources.read.listed"),
        title: "reading a listed resource returns contents, each with a uri and either text or base64 blob",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &[
            "resources.read.contents",
            "resources.binary-encoding",
            "resources.list.result",
        ],
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
        match (c.get("text"), c.get("blob")) {
            (Some(Value::String(_)), None) => {}
            (None, Some(Value::String(b))) => {
                if BASE64.decode(b.as_bytes()).is_err() {
                    out.push(format!("contents[{i}]: `blob` is not valid base64: {}", crate::session::clip_json(&json!(b), 80)));
                }
            }
            (Some(_), Some(_)) => out.push(format!("contents[{i}]: has both `text` and `blob`")),
            _ => out.push(format!("contents[{i}]: needs a string `text` or a string `blob`: {}", brief(c))),
        }
    }
    out
}

async fn read_listed(cx: &mut CheckContext) -> Conclusion {
    let expected = "resources/read of a listed resource: a result with `contents`, each {uri, text | base64 blob, mimeType?}";
    let session = cx.session()?;
    let listing = list_all(session, "resources/list", "resources", MAX_PAGES, expected).await?;
    let uris: Vec<String> = listing.items.iter().filter_map(|r| r.get("uri").and_then(Value::as_str)).map(str::to_owned).take(MAX_READS).collect();
    if uris.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no resources"));
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for uri in &uris {
        let reply = session.request("resources/read", Some(json!({"uri": uri}))).await.map_err(|e| Outcome::from_session(e, expected))?;
        match &reply.outcome {
            Ok(r) if r.get("resultType").and_then(Value::as_str) == Some("input_required") => notes.push(format!("`{uri}` asked for input")),
            Ok(r) => problems.extend(contents_problems(r).into_iter().map(|p| format!("`{uri}`: {p}"))),
            // The server contradicts its own list: it says the resource is not there.
            Err(e) if matches!(e.code, Some(-32601 | -32602 | -32002)) => {
                problems.push(format!("`{uri}` is listed but reading it answered {}", reply.brief()));
            }
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
        applies: Applicability { capability: Some(Capability::Resources), since: Revision::V2026_07_28, ..Applicability::ALWAYS },
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
        applies: Applicability { capability: Some(Capability::Resources), until: Some(Revision::V2026_07_28), ..Applicability::ALWAYS },
        tags: &["resources", "errors", "negative"],
    },
    run: check_fn!(not_found),
};

/// A URI for a resource that does not exist, in the scheme of the first listed resource when there is one.
fn unknown_uri(listed: &[Value]) -> String {
    let scheme = listed
        .iter()
        .filter_map(|r| r.get("uri").and_then(Value::as_str))
        .find_map(|u| u.split_once("://").map(|(s, _)| s.to_owned()))
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .unwrap_or_else(|| "mcp-harness".to_owned());
    format!("{scheme}://mcp-harness-no-such-resource-7f3a9c")
}

/// Both checks: the code depends on the revision (the level, MUST or SHOULD, is the check's).
async fn not_found(cx: &mut CheckContext) -> Conclusion {
    let modern = cx.revision().era() == Era::Stateless;
    let expected_code = if modern { -32602 } else { -32002 };
    let session = cx.session()?;
    let listed = list_all(session, "resources/list", "resources", 1, "a resources/list result").await.map(|l| l.items).unwrap_or_default();
    let uri = unknown_uri(&listed);
    let expected = format!("resources/read `{uri}`: a JSON-RPC error with code {expected_code}");
    let reply = session.request("resources/read", Some(json!({"uri": uri}))).await.map_err(|e| Outcome::from_session(e, &expected))?;
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
    fn unknown_uris_keep_the_listed_scheme() {
        assert_eq!(unknown_uri(&[json!({"uri":"test://static-text"})]), "test://mcp-harness-no-such-resource-7f3a9c");
        assert_eq!(unknown_uri(&[]), "mcp-harness://mcp-harness-no-such-resource-7f3a9c");
    }
}
