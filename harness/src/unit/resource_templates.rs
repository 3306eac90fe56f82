//! `unit.resource.templates`: every resource template the server lists (at most [`MAX_TEMPLATES`]) instantiated and
//! read. A variable's value comes from `completion/complete` when the server offers completions (its first
//! suggestion), else the word `example`; values are percent-encoded into the URI (RFC 6570 simple expansion).
//! Each read must be answered: a result valid against the revision's schema (with base64 blobs), or an error (the
//! value may name nothing: not a verdict). A crash fails; silence is "could not test".

use serde_json::{Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Outcome, SkipReason,
    Suite,
};

use super::probe::{Answer, Prober, discovered};

/// Templates read at most per run.
const MAX_TEMPLATES: usize = 20;

/// The check record.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("unit.resource.templates"),
        title: "every resource template, instantiated with completed or sample values, is read without a crash or a malformed result",
        suite: Suite::Unit,
        level: Level::Must,
        requirements: &["resources.read.contents", "jsonrpc.reply-required"],
        applies: Applicability {
            capability: Some(Capability::Resources),
            needs: Needs::Session,
            ..Applicability::ALWAYS
        },
        tags: &["unit", "resources"],
    },
    run: crate::check_fn!(templates),
};

async fn templates(cx: &mut CheckContext) -> Conclusion {
    let surface = match discovered(cx) {
        Ok(surface) => surface,
        Err(outcome) => return Ok(outcome),
    };
    if surface.resource_templates.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no resource templates"));
    }
    let completions = cx.profile().has(Capability::Completions);
    let mut prober = Prober::new(cx);
    let mut completed = 0;
    let mut targets = Vec::new();
    for template in surface.resource_templates.iter().take(MAX_TEMPLATES) {
        let pattern = template.uri_template.as_str();
        let mut values = Vec::new();
        for name in variables(pattern) {
            let mut value = "example".to_owned();
            if completions {
                let params =
                    json!({"ref": {"type": "ref/resource", "uri": pattern}, "argument": {"name": name, "value": ""}});
                if let Answer::Result(r) = prober.ask(cx, "completion/complete", params).await?
                    && let Some(first) = r.pointer("/completion/values/0").and_then(Value::as_str)
                {
                    value = first.to_owned();
                    completed += 1;
                }
            }
            values.push((name, value));
        }
        let uri = expand(pattern, &values);
        targets.push((uri.clone(), format!("resources/read `{uri}` (template `{pattern}`)")));
    }
    let read = read_each(cx, &mut prober, targets).await;
    prober.close().await;
    let (read, refused) = match read? {
        Ok(counts) => counts,
        Err(outcome) => return Ok(outcome),
    };
    let mut note = format!("{read} template instantiations read ({completed} values from completion/complete)");
    if !refused.is_empty() {
        note.push_str(&format!("; refused (the sample values may name nothing): {}", refused.join("; ")));
    }
    Ok(Outcome::pass_with(note))
}

/// Reads each `(uri, what)` in turn: `Ok(Ok((read, refusals)))` when every answer was a good result or an error
/// (noted, not judged: the resource may be gone, a sample value may name nothing); `Ok(Err(outcome))` for the
/// first verdict (a crash, a malformed result, a blob that is not base64) or silence; the outer `Err` when no
/// session could be opened.
pub(crate) async fn read_each(
    cx: &mut CheckContext,
    prober: &mut Prober,
    targets: Vec<(String, String)>,
) -> Result<Result<(usize, Vec<String>), Outcome>, Outcome> {
    let (mut read, mut refused) = (0, Vec::new());
    for (uri, what) in targets {
        match prober.ask(cx, "resources/read", json!({"uri": uri})).await? {
            Answer::Result(r) => {
                let bad_blob = r
                    .get("contents")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.get("blob").and_then(Value::as_str))
                    .find(|b| !crate::checks::official::fixture::is_base64(b));
                if let Some(blob) = bad_blob {
                    let shown: String = blob.chars().take(60).collect();
                    return Ok(Err(Outcome::violated(
                        "binary resource contents as base64 in `blob`",
                        format!("{what} → a blob that is not base64: {shown:?}"),
                    )
                    .breaking("resources.read.contents", Level::Must)));
                }
                read += 1;
            }
            Answer::Error { code, message } => refused.push(format!("`{uri}` → {code:?} {message}")),
            other => {
                return Ok(Err(other
                    .unusable(&what)
                    .unwrap_or_else(|| Outcome::error("harness bug: unjudged answer"))));
            }
        }
    }
    Ok(Ok((read, refused)))
}

/// The variable names of a URI template, in order (`{a}`, `{+a}`, `{/a,b}` …; modifiers dropped).
fn variables(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        let expression = rest[start + 1..start + end].trim_start_matches(['+', '#', '.', '/', ';', '?', '&']);
        for name in expression.split(',') {
            let name = name.trim_end_matches('*').split(':').next().unwrap_or_default();
            if !name.is_empty() && !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        }
        rest = &rest[start + end + 1..];
    }
    out
}

/// `template` with each expression replaced by its variables' values, percent-encoded and comma-joined.
fn expand(template: &str, values: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        out.push_str(&rest[..start]);
        let expression = rest[start + 1..start + end].trim_start_matches(['+', '#', '.', '/', ';', '?', '&']);
        let expanded: Vec<String> = expression
            .split(',')
            .filter_map(|name| {
                let name = name.trim_end_matches('*').split(':').next().unwrap_or_default();
                values.iter().find(|(n, _)| n == name).map(|(_, v)| encode(v))
            })
            .collect();
        out.push_str(&expanded.join(","));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Percent-encoding of everything but the unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_expanded_with_encoded_values() {
        assert_eq!(variables("test://template/{id}/data"), ["id"]);
        assert_eq!(variables("x://{+path}{?q,page}"), ["path", "q", "page"]);
        let values = [("id".to_owned(), "a b".to_owned())];
        assert_eq!(expand("test://template/{id}/data", &values), "test://template/a%20b/data");
    }
}
