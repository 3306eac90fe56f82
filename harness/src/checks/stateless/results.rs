//! Results in the stateless era: `resultType` on every result, caching hints on cacheable ones.

use serde_json::{Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, Suite,
};
use crate::check_fn;
use crate::checks::evidence::brief;
use crate::checks::pagination::walk::list_all;
use crate::protocol::Revision;
use crate::session::Session;

/// Pages followed at most per list.
const MAX_PAGES: usize = 50;

/// Stateless era only.
const STATELESS: Applicability =
    Applicability { eras: Eras::Stateless, since: Revision::V2026_07_28, ..Applicability::ALWAYS };

/// The cacheable list methods with their result keys and capabilities.
const LISTS: &[(Capability, &str, &str)] = &[
    (Capability::Tools, "tools/list", "tools"),
    (Capability::Resources, "resources/list", "resources"),
    (Capability::Resources, "resources/templates/list", "resourceTemplates"),
    (Capability::Prompts, "prompts/list", "prompts"),
];

/// Every result carries `resultType`.
pub(crate) const RESULT_TYPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("stateless.result-type"),
        title: "every result carries resultType \"complete\" (discover, lists, resources/read)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.result-type"],
        applies: STATELESS,
        tags: &["stateless", "results"],
    },
    run: check_fn!(result_type),
};

/// The results of a handful of harmless calls: (what was called, its result).
async fn sample_results(cx: &mut CheckContext, whole_lists: bool) -> Result<Vec<(String, Value)>, Outcome> {
    let profile = cx.profile().clone();
    let session = cx.session()?;
    let mut out = Vec::new();
    let expected = "a result";
    let params = session.stateless_params(None);
    let reply =
        session.request("server/discover", Some(params)).await.map_err(|e| Outcome::from_session(e, expected))?;
    match reply.result() {
        Some(r) => out.push(("server/discover".to_owned(), r.clone())),
        None => return Err(Outcome::violated(expected, format!("server/discover answered {}", reply.brief()))),
    }
    let mut first_uri = None;
    for (cap, method, key) in LISTS {
        if !profile.has(*cap) {
            continue;
        }
        let pages = if whole_lists { MAX_PAGES } else { 1 };
        let listing = list_all(session, method, key, pages, &format!("a {method} result")).await?;
        if *method == "resources/list" {
            first_uri = listing.items.iter().find_map(|r| r.get("uri").and_then(Value::as_str)).map(str::to_owned);
        }
        for (i, page) in listing.pages.into_iter().enumerate() {
            out.push((format!("{method} page {}", i + 1), page));
        }
    }
    if let Some(uri) = first_uri
        && let Some(r) = read(session, &uri).await?
    {
        out.push((format!("resources/read {uri}"), r));
    }
    Ok(out)
}

/// The result of reading `uri`, `None` when the server answered with an error (judged by other checks).
async fn read(session: &mut Session, uri: &str) -> Result<Option<Value>, Outcome> {
    let reply = session
        .request("resources/read", Some(json!({"uri": uri})))
        .await
        .map_err(|e| Outcome::from_session(e, "a result"))?;
    Ok(reply.result().cloned())
}

async fn result_type(cx: &mut CheckContext) -> Conclusion {
    let results = sample_results(cx, false).await?;
    let problems: Vec<String> = results
        .iter()
        .filter_map(|(what, r)| match r.get("resultType").and_then(Value::as_str) {
            // `input_required` is the other defined result type (a server may ask for input on any of these).
            Some("complete" | "input_required") => None,
            Some(other) => Some(format!("{what}: resultType {other:?}, neither \"complete\" nor \"input_required\"")),
            None => Some(format!("{what}: no resultType string: {}", brief(r))),
        })
        .collect();
    if problems.is_empty() {
        Ok(Outcome::pass_with(format!("{} results", results.len())))
    } else {
        Ok(Outcome::violated(
            "a defined resultType (\"complete\" or \"input_required\") on each result",
            problems.join("\n"),
        ))
    }
}

/// Cacheable results carry `ttlMs` and `cacheScope`.
pub(crate) const CACHING_HINTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("stateless.caching-hints"),
        title: "discover, list and resources/read results carry ttlMs >= 0 and cacheScope public|private, the same on every page",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["caching.hints-required", "caching.ttl-non-negative", "caching.scope-consistent-pages"],
        applies: STATELESS,
        tags: &["stateless", "caching"],
    },
    run: check_fn!(caching_hints),
};

/// Problems with one result's caching hints.
fn hint_problems(r: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match r.get("ttlMs") {
        Some(Value::Number(n)) if n.as_f64().is_some_and(|v| v >= 0.0) => {}
        Some(other) => out.push(format!("ttlMs {other} is not a number >= 0")),
        None => out.push("no ttlMs".to_owned()),
    }
    match r.get("cacheScope").and_then(Value::as_str) {
        Some("public" | "private") => {}
        _ => out.push(format!(
            "cacheScope {} is not \"public\" or \"private\"",
            r.get("cacheScope").map_or("(absent)".to_owned(), Value::to_string)
        )),
    }
    out
}

async fn caching_hints(cx: &mut CheckContext) -> Conclusion {
    let results = sample_results(cx, true).await?;
    let mut problems = Vec::new();
    let mut scope_of_list: Vec<(String, Value)> = Vec::new();
    for (what, r) in &results {
        if r.get("resultType").and_then(Value::as_str).is_some_and(|t| t != "complete") {
            continue;
        }
        problems.extend(hint_problems(r).into_iter().map(|p| format!("{what}: {p}")));
        if let Some((method, _)) = what.split_once(" page ") {
            let scope = r.get("cacheScope").cloned().unwrap_or(Value::Null);
            match scope_of_list.iter().find(|(m, _)| m == method) {
                Some((_, first)) if *first != scope => {
                    problems.push(format!("{what}: cacheScope {scope} differs from the first page's {first}"));
                }
                Some(_) => {}
                None => scope_of_list.push((method.to_owned(), scope)),
            }
        }
    }
    if problems.is_empty() {
        Ok(Outcome::pass_with(format!("{} results with hints", results.len())))
    } else {
        Ok(Outcome::violated(
            "ttlMs >= 0 and cacheScope public|private on each cacheable result, constant across pages",
            problems.join("\n"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_need_a_non_negative_ttl_and_a_known_scope() {
        assert!(hint_problems(&json!({"ttlMs": 0, "cacheScope": "public"})).is_empty());
        assert_eq!(hint_problems(&json!({"ttlMs": -1, "cacheScope": "private"})).len(), 1);
        assert_eq!(hint_problems(&json!({"cacheScope": "shared"})).len(), 2);
    }
}
