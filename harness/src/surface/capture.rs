//! Listing a live server's surface (following pagination) and turning what it lists into lock records; used by
//! `mcp-harness surface` to write a lock and by the `surface.*` checks to compare against one.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::lock::{
    FORMAT_VERSION, LockedArgument, LockedPrompt, LockedResource, LockedTemplate, LockedText, LockedTool,
    ServerIdentity, SurfaceLock, sorted_keys, sorted_map,
};
use crate::check::{Capability, Outcome, Status};
use crate::checks::pagination::walk::{Ended, list_all};
use crate::session::Session;

/// Pages followed at most per list method. A surface longer than this cannot be locked (nor compared).
const MAX_PAGES: usize = 100;

/// Annotation keys left out of the lock: they change with the content, not with the surface.
const VOLATILE_ANNOTATIONS: &[&str] = &["lastModified"];

/// The four kinds of item a surface has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `tools/list`.
    Tools,
    /// `resources/list`.
    Resources,
    /// `resources/templates/list`.
    Templates,
    /// `prompts/list`.
    Prompts,
}

impl Kind {
    /// Every kind, in lock-file order.
    pub const ALL: [Kind; 4] = [Kind::Tools, Kind::Resources, Kind::Templates, Kind::Prompts];

    /// The list method.
    pub fn method(self) -> &'static str {
        match self {
            Kind::Tools => "tools/list",
            Kind::Resources => "resources/list",
            Kind::Templates => "resources/templates/list",
            Kind::Prompts => "prompts/list",
        }
    }

    /// The key of the list method's result that holds the items.
    pub fn result_key(self) -> &'static str {
        match self {
            Kind::Tools => "tools",
            Kind::Resources => "resources",
            Kind::Templates => "resourceTemplates",
            Kind::Prompts => "prompts",
        }
    }

    /// One item, in prose (`resource template`).
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Tools => "tool",
            Kind::Resources => "resource",
            Kind::Templates => "resource template",
            Kind::Prompts => "prompt",
        }
    }

    /// Several items, in prose (`resource templates`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Tools => "tools",
            Kind::Resources => "resources",
            Kind::Templates => "resource templates",
            Kind::Prompts => "prompts",
        }
    }

    /// The capability a server advertises when it has items of this kind.
    pub fn capability(self) -> Capability {
        match self {
            Kind::Tools => Capability::Tools,
            Kind::Resources | Kind::Templates => Capability::Resources,
            Kind::Prompts => Capability::Prompts,
        }
    }

    /// The field that identifies an item in a listing (`name`, `uri`, `uriTemplate`).
    pub fn key_field(self) -> &'static str {
        match self {
            Kind::Tools | Kind::Prompts => "name",
            Kind::Resources => "uri",
            Kind::Templates => "uriTemplate",
        }
    }
}

/// How a lock is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureOptions {
    /// Store each title and description beside its hash (`false`: `--hash-only`).
    pub store_text: bool,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions { store_text: true }
    }
}

/// Why a surface could not be recorded.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The harness could not get a listing it can use: the target stopped answering, went away, or paged
    /// without end.
    #[error("failed to list the server's {what}: {reason}")]
    Blocked {
        /// What was being listed.
        what: &'static str,
        /// Why it could not be.
        reason: String,
    },
    /// The server answered a list request wrongly (an error, a result without its array, …).
    #[error("the server answered {method} wrongly: {evidence}")]
    Misbehaved {
        /// The list method.
        method: &'static str,
        /// What it answered.
        evidence: String,
    },
}

impl CaptureError {
    /// Whether the harness could not test (rather than the server answering wrongly).
    pub fn is_blocked(&self) -> bool {
        matches!(self, CaptureError::Blocked { .. })
    }
}

/// A recorded surface, with notes on what the listing contained that a lock cannot hold (items without a key,
/// keys listed twice).
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// The lock to write.
    pub lock: SurfaceLock,
    /// One line per item left out.
    pub notes: Vec<String>,
}

/// Lists everything `session`'s server offers (each kind whose capability it advertises, every page) and records
/// it as a lock.
pub async fn capture(session: &mut Session, options: &CaptureOptions) -> Result<Captured, CaptureError> {
    let mut notes = Vec::new();
    let tools = list_live(session, Kind::Tools).await.map_err(|o| capture_error(Kind::Tools, &o))?;
    let resources = list_live(session, Kind::Resources).await.map_err(|o| capture_error(Kind::Resources, &o))?;
    let templates = list_live(session, Kind::Templates).await.map_err(|o| capture_error(Kind::Templates, &o))?;
    let prompts = list_live(session, Kind::Prompts).await.map_err(|o| capture_error(Kind::Prompts, &o))?;
    let profile = &session.profile;
    let text = |key: &str| profile.server_info.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut lock = SurfaceLock {
        schema: None,
        format_version: FORMAT_VERSION,
        protocol_version: profile.revision.as_str().to_owned(),
        server: ServerIdentity { name: text("name"), version: text("version") },
        tools: records(Kind::Tools, &tools, options.store_text, &mut notes),
        resources: records(Kind::Resources, &resources, options.store_text, &mut notes),
        resource_templates: records(Kind::Templates, &templates, options.store_text, &mut notes),
        prompts: records(Kind::Prompts, &prompts, options.store_text, &mut notes),
    };
    lock.sort();
    Ok(Captured { lock, notes })
}

/// Every item of `kind` the session's server lists, all pages; nothing (without asking) when the server does not
/// advertise the kind's capability. A list that could not be walked to its end is an `error` outcome (a partial
/// list would show items as removed); a wrong answer is a violation.
pub(crate) async fn list_live(session: &mut Session, kind: Kind) -> Result<Vec<Value>, Outcome> {
    if !session.profile.has(kind.capability()) {
        return Ok(Vec::new());
    }
    let expected = format!("a {} result with a `{}` array", kind.method(), kind.result_key());
    let listing = list_all(session, kind.method(), kind.result_key(), MAX_PAGES, &expected).await?;
    match listing.ended {
        Ended::Done => Ok(listing.items),
        Ended::RepeatedCursor(cursor) => Err(Outcome::error(format!(
            "could not list every {}: {} handed out cursor {cursor:?} twice (pagination.terminates judges that)",
            kind.noun(),
            kind.method()
        ))),
        Ended::PageLimit(pages) => Err(Outcome::error(format!(
            "could not list every {}: {} still handed out cursors after {pages} pages",
            kind.noun(),
            kind.method()
        ))),
    }
}

/// A lock record made from a listed item.
pub(crate) trait Record: Sized {
    /// The record of `item`, or `None` when it has no string key.
    fn from_listed(item: &Value, store_text: bool) -> Option<Self>;
    /// The item's key.
    fn key(&self) -> &str;
}

/// The records of `items`: each keyed item once (the first listing of a key wins), in listing order; what was
/// left out is noted in `notes`.
pub(crate) fn records<T: Record>(kind: Kind, items: &[Value], store_text: bool, notes: &mut Vec<String>) -> Vec<T> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(record) = T::from_listed(item, store_text) else {
            notes.push(format!("{} #{i} has no string `{}`: left out", kind.noun(), kind.key_field()));
            continue;
        };
        if !seen.insert(record.key().to_owned()) {
            notes.push(format!(
                "{} `{}` is listed more than once: the first listing counts",
                kind.noun(),
                record.key()
            ));
            continue;
        }
        out.push(record);
    }
    out
}

impl Record for LockedTool {
    fn from_listed(item: &Value, store_text: bool) -> Option<Self> {
        Some(LockedTool {
            name: string(item, "name")?,
            title: text(item, "title", store_text),
            description: text(item, "description", store_text),
            input_schema: item.get("inputSchema").map_or_else(|| Value::Object(Map::new()), sorted_keys),
            output_schema: item.get("outputSchema").map(sorted_keys),
            annotations: annotations(item),
            execution: item.get("execution").map(sorted_keys),
        })
    }

    fn key(&self) -> &str {
        &self.name
    }
}

impl Record for LockedResource {
    fn from_listed(item: &Value, store_text: bool) -> Option<Self> {
        Some(LockedResource {
            uri: string(item, "uri")?,
            name: string(item, "name"),
            title: text(item, "title", store_text),
            description: text(item, "description", store_text),
            mime_type: string(item, "mimeType"),
            annotations: annotations(item),
        })
    }

    fn key(&self) -> &str {
        &self.uri
    }
}

impl Record for LockedTemplate {
    fn from_listed(item: &Value, store_text: bool) -> Option<Self> {
        Some(LockedTemplate {
            uri_template: string(item, "uriTemplate")?,
            name: string(item, "name"),
            title: text(item, "title", store_text),
            description: text(item, "description", store_text),
            mime_type: string(item, "mimeType"),
            annotations: annotations(item),
        })
    }

    fn key(&self) -> &str {
        &self.uri_template
    }
}

impl Record for LockedPrompt {
    fn from_listed(item: &Value, store_text: bool) -> Option<Self> {
        let mut seen = HashSet::new();
        let mut arguments: Vec<LockedArgument> = item
            .get("arguments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| {
                Some(LockedArgument {
                    name: string(a, "name")?,
                    title: text(a, "title", store_text),
                    description: text(a, "description", store_text),
                    required: a.get("required").and_then(Value::as_bool).unwrap_or(false),
                })
            })
            .filter(|a| seen.insert(a.name.clone()))
            .collect();
        arguments.sort_by(|a, b| a.name.cmp(&b.name));
        Some(LockedPrompt {
            name: string(item, "name")?,
            title: text(item, "title", store_text),
            description: text(item, "description", store_text),
            arguments,
        })
    }

    fn key(&self) -> &str {
        &self.name
    }
}

fn string(item: &Value, key: &str) -> Option<String> {
    item.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn text(item: &Value, key: &str, store_text: bool) -> Option<LockedText> {
    item.get(key).and_then(Value::as_str).map(|t| LockedText::of(t, store_text))
}

/// `annotations` with sorted keys and without the volatile ones; `None` when nothing is left.
fn annotations(item: &Value) -> Option<Map<String, Value>> {
    let mut map = sorted_map(item.get("annotations")?.as_object()?);
    for key in VOLATILE_ANNOTATIONS {
        map.remove(*key);
    }
    (!map.is_empty()).then_some(map)
}

/// A failed listing as a capture error: a violation is the server's, anything else is "could not list".
fn capture_error(kind: Kind, outcome: &Outcome) -> CaptureError {
    let detail = outcome.observed.clone().or_else(|| outcome.reason.clone()).unwrap_or_default();
    match outcome.status {
        Status::Failed | Status::Warning => CaptureError::Misbehaved { method: kind.method(), evidence: detail },
        _ => CaptureError::Blocked { what: kind.plural(), reason: detail },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn records_keep_the_first_of_each_key_and_note_what_they_leave_out() {
        let items = vec![
            json!({"name": "b", "inputSchema": {"type": "object"}}),
            json!({"inputSchema": {}}),
            json!({"name": "a", "description": "first"}),
            json!({"name": "a", "description": "second"}),
        ];
        let mut notes = Vec::new();
        let tools: Vec<LockedTool> = records(Kind::Tools, &items, true, &mut notes);
        assert_eq!(tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(tools[1].description.as_ref().and_then(|d| d.text.as_deref()), Some("first"));
        assert_eq!(tools[1].input_schema, json!({}), "a tool without a schema is recorded with the empty schema");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("tool #1") && notes[1].contains("`a` is listed more than once"), "{notes:?}");
    }

    #[test]
    fn resources_drop_volatile_annotations_and_prompts_default_required_to_false() {
        let r = LockedResource::from_listed(
            &json!({"uri": "u://x", "annotations": {"lastModified": "2026-01-01T00:00:00Z", "priority": 0.5}}),
            true,
        )
        .unwrap();
        assert_eq!(r.annotations, json!({"priority": 0.5}).as_object().cloned());
        let only_volatile =
            LockedResource::from_listed(&json!({"uri": "u://x", "annotations": {"lastModified": "x"}}), true).unwrap();
        assert_eq!(only_volatile.annotations, None);
        let p = LockedPrompt::from_listed(
            &json!({"name": "p", "arguments": [{"name": "z"}, {"name": "a", "required": true}, {"name": "z"}]}),
            false,
        )
        .unwrap();
        assert_eq!(
            p.arguments.iter().map(|a| (a.name.as_str(), a.required)).collect::<Vec<_>>(),
            [("a", true), ("z", false)]
        );
    }

    #[test]
    fn hash_only_records_keep_the_hash_and_drop_the_text() {
        let t = LockedTool::from_listed(&json!({"name": "t", "description": "d"}), false).unwrap();
        let d = t.description.unwrap();
        assert_eq!(d.text, None);
        assert_eq!(d.sha256, super::super::lock::sha256_hex("d"));
    }
}
