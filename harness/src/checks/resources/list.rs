//! `resources/list` and `resources/templates/list` result shapes.

use serde_json::Value;

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::pagination::walk::list_all;

/// Pages followed at most (pagination itself is judged by its own check).
pub(crate) const MAX_PAGES: usize = 50;

/// Every listed resource has a uri and a name.
pub(crate) const LIST_SHAPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("resources.list.shape"),
        title: "resources/list returns resources that each have a string uri and name (mimeType, if any, a string)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.resource-uri", "resources.resource-name", "resources.list.result"],
        applies: Applicability { capability: Some(Capability::Resources), ..Applicability::ALWAYS },
        tags: &["resources"],
    },
    run: check_fn!(list_shape),
};

/// Every listed template has a uriTemplate and a name.
pub(crate) const TEMPLATES_SHAPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("resources.templates.shape"),
        title: "resources/templates/list returns templates that each have a string uriTemplate and name",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.templates", "resources.list.result"],
        applies: Applicability { capability: Some(Capability::Resources), ..Applicability::ALWAYS },
        tags: &["resources"],
    },
    run: check_fn!(templates_shape),
};

/// Problems with one listed item: `fields` must be non-empty strings, `optional` strings when present.
pub(crate) fn item_problems(item: &Value, label: &str, fields: &[&str], optional: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if !item.is_object() {
        out.push(format!("{label} is not an object: {}", crate::checks::evidence::brief(item)));
        return out;
    }
    for f in fields {
        if !item.get(*f).is_some_and(Value::is_string) {
            out.push(format!("{label}: `{f}` is missing or not a string"));
        }
    }
    for f in optional {
        if item.get(*f).is_some_and(|v| !v.is_string()) {
            out.push(format!("{label}: `{f}` is not a string"));
        }
    }
    out
}

async fn shape_of(cx: &mut CheckContext, method: &str, key: &str, fields: &[&str], optional: &[&str]) -> Conclusion {
    let expected =
        format!("a `{method}` result whose `{key}` array holds objects with string {}", fields.join(" and "));
    let listing = list_all(cx.session()?, method, key, MAX_PAGES, &expected).await?;
    let mut problems = Vec::new();
    for (i, item) in listing.items.iter().enumerate() {
        let label =
            item.get(fields[0]).and_then(Value::as_str).map_or_else(|| format!("item #{i}"), |u| format!("`{u}`"));
        problems.extend(item_problems(item, &label, fields, optional));
    }
    if problems.is_empty() {
        Ok(Outcome::pass_with(format!("{} {key}", listing.items.len())))
    } else {
        Ok(Outcome::violated(expected, problems.join("\n")))
    }
}

async fn list_shape(cx: &mut CheckContext) -> Conclusion {
    shape_of(cx, "resources/list", "resources", &["uri", "name"], &["mimeType", "title", "description"]).await
}

async fn templates_shape(cx: &mut CheckContext) -> Conclusion {
    // A server with resources but no templates may not implement the method at all (nothing requires it).
    let probe = cx.session()?.request("resources/templates/list", None).await;
    if let Ok(reply) = &probe
        && reply.error_code() == Some(-32601)
    {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "the server does not implement resources/templates/list (-32601): it offers no templates",
        ));
    }
    shape_of(
        cx,
        "resources/templates/list",
        "resourceTemplates",
        &["uriTemplate", "name"],
        &["mimeType", "title", "description"],
    )
    .await
}
