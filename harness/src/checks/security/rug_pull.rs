//! The tools a server lists do not change behind the client's back: listed, listed again after harmless
//! requests, and listed once more on a fresh session, every tool's fingerprint stays the same unless the server
//! declared `listChanged` and sent `notifications/tools/list_changed` first.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity,
    SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::pagination::walk::list_all;
use crate::session::Session;

/// What to change when the check fails.
const REMEDIATION: &str = "keep tool definitions stable for the life of a deployment; when they must change, declare \
     capabilities.tools.listChanged and send notifications/tools/list_changed so clients re-approve them";

/// Pages followed at most.
const MAX_PAGES: usize = 20;

/// The fields of a tool that make its fingerprint.
const FINGERPRINTED: &[&str] = &["name", "title", "description", "inputSchema", "outputSchema", "annotations"];

/// The list-changed notification.
const LIST_CHANGED: &str = "notifications/tools/list_changed";

/// Tool definitions do not change silently.
///
/// MUST level: a definition that changes after the client listed (and its user approved) it, with no
/// `listChanged` capability and no `notifications/tools/list_changed` first, is the rug pull (OWASP MCP03's
/// "schema changes at runtime"); with `listChanged` declared but no notification seen, the change breaks the SHOULD
/// of `security.list-changed` and warns.
pub(crate) const RUG_PULL: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.meta.rug-pull"),
        title: "tool definitions stay the same across lists and sessions unless list_changed is announced",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.tool-poisoning", "security.list-changed"],
        applies: Applicability { capability: Some(Capability::Tools), ..Applicability::ALWAYS },
        tags: &["security", "metadata", "rug-pull", "passive"],
    },
    run: check_fn!(rug_pull),
};

/// `value` as canonical JSON: object keys sorted, no whitespace.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            let body: Vec<String> =
                sorted.into_iter().map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v))).collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// A tool's fingerprint: SHA-256 over the canonical JSON of its fingerprinted fields.
fn fingerprint(tool: &Value) -> String {
    let picked: serde_json::Map<String, Value> =
        FINGERPRINTED.iter().filter_map(|k| tool.get(*k).map(|v| ((*k).to_owned(), v.clone()))).collect();
    let digest = Sha256::digest(canonical(&Value::Object(picked)).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// One listing: name → (fingerprint, tool).
type Snapshot = BTreeMap<String, (String, Value)>;

async fn snapshot(s: &mut Session) -> Result<Snapshot, Outcome> {
    // A listing that fails is judged by the tools.list and wire checks (it breaks its own rule); here it only
    // means there is nothing to compare.
    let listing = list_all(s, "tools/list", "tools", MAX_PAGES, "a tools/list result with a `tools` array")
        .await
        .map_err(|o| {
            let why = o.reason.unwrap_or_default();
            Outcome::skip(
                SkipReason::NothingToTest,
                format!("tools/list could not be read ({why}): nothing to compare"),
            )
        })?;
    Ok(listing
        .items
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let name = t.get("name").and_then(Value::as_str).map_or_else(|| format!("#{i}"), str::to_owned);
            (name, (fingerprint(&t), t))
        })
        .collect())
}

/// What differs between two listings, one line per tool.
fn differences(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for (name, (fp, tool)) in before {
        match after.get(name) {
            None => out.push(format!("`{name}` disappeared")),
            Some((fp2, tool2)) if fp2 != fp => {
                let fields: Vec<String> = FINGERPRINTED
                    .iter()
                    .filter(|k| tool.get(**k) != tool2.get(**k))
                    .map(|k| match (tool.get(*k), tool2.get(*k)) {
                        (Some(Value::String(a)), Some(Value::String(b))) => format!("{k}: {a:?} → {b:?}"),
                        _ => format!("{k} changed"),
                    })
                    .collect();
                out.push(format!("`{name}` changed (sha256 {}… → {}…): {}", &fp[..12], &fp2[..12], fields.join("; ")));
            }
            Some(_) => {}
        }
    }
    out.extend(after.keys().filter(|n| !before.contains_key(*n)).map(|n| format!("`{n}` appeared")));
    out
}

fn announced(notifications: &[Value]) -> bool {
    notifications.iter().any(|n| n.get("method").and_then(Value::as_str) == Some(LIST_CHANGED))
}

async fn rug_pull(cx: &mut CheckContext) -> Conclusion {
    let list_changed = cx.profile().capabilities.pointer("/tools/listChanged").and_then(Value::as_bool) == Some(true);
    let caps: Vec<&str> = [(Capability::Resources, "resources/list"), (Capability::Prompts, "prompts/list")]
        .into_iter()
        .filter(|(c, _)| cx.profile().has(*c))
        .map(|(_, m)| m)
        .collect();
    let s = cx.session()?;
    let _ = s.take_notifications();
    let first = snapshot(s).await?;
    if first.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no tools"));
    }
    // Harmless requests only: the liveness probe and the other lists.
    let (method, params) = crate::checks::tools::call::harmless(s);
    let _ = s.request(method, params).await;
    for m in &caps {
        let _ = s.request(m, None).await;
    }
    let second = snapshot(s).await?;
    let mut notified = announced(&s.take_notifications());
    let mut fresh = cx.fresh_session().await?;
    let third = snapshot(&mut fresh).await;
    notified |= announced(&fresh.take_notifications());
    fresh.close().await;
    let third = third?;

    let mut changes: Vec<String> =
        differences(&first, &second).into_iter().map(|d| format!("same session, second list: {d}")).collect();
    changes.extend(differences(&second, &third).into_iter().map(|d| format!("fresh session: {d}")));
    if changes.is_empty() {
        return Ok(Outcome::pass_with(format!(
            "{} tools listed three times (twice on the shared session, once on a fresh one) with identical SHA-256 \
             fingerprints",
            first.len()
        )));
    }
    if notified && list_changed {
        return Ok(Outcome::pass_with(format!(
            "the tools changed after notifications/tools/list_changed (listChanged declared): {}",
            changes.join("; ")
        )));
    }
    let why = if list_changed {
        "listChanged is declared, but no notifications/tools/list_changed came first"
    } else {
        "the server does not declare capabilities.tools.listChanged"
    };
    let finding = Finding::new(Severity::High, Some(345), REMEDIATION)
        .matched(changes.join("\n"))
        .request(format!("tools/list; {method}; {}; tools/list; a fresh session's tools/list", caps.join("; ")));
    let outcome = Outcome::violated(
        "identical tool definitions, or a change announced by notifications/tools/list_changed under listChanged",
        format!("tool definitions changed silently ({why}):\n{}", changes.join("\n")),
    )
    .with_finding(finding);
    Ok(if list_changed { outcome.breaking("security.list-changed", Level::Should) } else { outcome })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fingerprints_ignore_key_order_and_other_fields() {
        let a = json!({"name": "x", "description": "d", "inputSchema": {"type": "object", "properties": {}}});
        let b =
            json!({"inputSchema": {"properties": {}, "type": "object"}, "description": "d", "name": "x", "_meta": 1});
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = json!({"name": "x", "description": "d2", "inputSchema": {"type": "object", "properties": {}}});
        assert_ne!(fingerprint(&a), fingerprint(&c));
        let snap = |t: &Value| -> Snapshot { [("x".to_owned(), (fingerprint(t), t.clone()))].into() };
        let d = differences(&snap(&a), &snap(&c));
        assert!(d[0].contains(r#"description: "d" → "d2""#), "{d:?}");
    }
}
