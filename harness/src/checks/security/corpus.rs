//! The metadata corpus: every text a server publishes about itself, each with where it came from, collected once
//! per check over the shared session (`tools/list`, `prompts/list`, `resources/list`, `resources/templates/list`,
//! every page up to a bound, plus the handshake's `instructions` and `serverInfo`). The `security.meta.*` checks
//! scan it; none calls a tool.

use serde_json::Value;

use crate::check::{Capability, CheckContext, Outcome};
use crate::checks::pagination::walk::{Ended, list_all};

/// Pages followed at most per list method.
const MAX_PAGES: usize = 20;

/// What kind of text an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// A tool, prompt, resource or argument name.
    Name,
    /// A `title`.
    Title,
    /// A `description` (of a tool, prompt, resource, argument or schema property).
    Description,
    /// A schema `enum`, `const`, `default` or `examples` string.
    SchemaValue,
    /// The handshake's `instructions`.
    Instructions,
    /// A `serverInfo` string.
    ServerInfo,
}

/// One published text and where it came from (`tools[echo].inputSchema.properties.path.description`).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Where it came from, as a path a reader can find it by.
    pub location: String,
    /// The kind of text.
    pub field: Field,
    /// The tool it belongs to, for tool items.
    pub tool: Option<String>,
    /// The text.
    pub text: String,
}

/// The server's listings and every text in them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Corpus {
    /// Every listed tool, in order.
    pub tools: Vec<Value>,
    /// Every listed prompt.
    pub prompts: Vec<Value>,
    /// Every listed resource.
    pub resources: Vec<Value>,
    /// Every listed resource template.
    pub templates: Vec<Value>,
    /// The handshake's `serverInfo`.
    pub server_info: Value,
    /// Every text, with its location.
    pub items: Vec<Item>,
    /// What could not be read whole (a list that failed, a bound reached), for the report.
    pub gaps: Vec<String>,
}

impl Corpus {
    /// Lists everything the server advertises on the shared session and collects its texts. A list method that
    /// fails is noted in [`Corpus::gaps`] (its own conformance checks judge it), not an error of the caller.
    pub(crate) async fn collect(cx: &mut CheckContext) -> Result<Corpus, Outcome> {
        let profile = cx.profile().clone();
        let mut corpus = Corpus { server_info: profile.server_info.clone(), ..Corpus::default() };
        let session = cx.session()?;
        for (method, key, cap) in [
            ("tools/list", "tools", Capability::Tools),
            ("prompts/list", "prompts", Capability::Prompts),
            ("resources/list", "resources", Capability::Resources),
            ("resources/templates/list", "resourceTemplates", Capability::Resources),
        ] {
            if !profile.has(cap) {
                continue;
            }
            let expected = format!("a {method} result with a `{key}` array");
            let items = match list_all(session, method, key, MAX_PAGES, &expected).await {
                Ok(l) => {
                    if l.ended != Ended::Done {
                        corpus.gaps.push(format!("{method}: stopped after {} pages", l.pages.len()));
                    }
                    l.items
                }
                Err(o) => {
                    let why = o.reason.unwrap_or_default();
                    corpus.gaps.push(format!("{method} could not be listed: {why}"));
                    continue;
                }
            };
            match key {
                "tools" => corpus.tools = items,
                "prompts" => corpus.prompts = items,
                "resources" => corpus.resources = items,
                _ => corpus.templates = items,
            }
        }
        corpus.items = texts(&corpus, profile.instructions.as_deref());
        Ok(corpus)
    }

    /// Whether the server published nothing to scan.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The names of the listed tools.
    pub(crate) fn tool_names(&self) -> Vec<&str> {
        self.tools.iter().filter_map(|t| t.get("name").and_then(Value::as_str)).collect()
    }

    /// A note on what was scanned, for a passing outcome.
    pub(crate) fn summary(&self) -> String {
        let mut s = format!(
            "{} texts scanned ({} tools, {} prompts, {} resources, {} templates, instructions, serverInfo)",
            self.items.len(),
            self.tools.len(),
            self.prompts.len(),
            self.resources.len(),
            self.templates.len()
        );
        for g in &self.gaps {
            s.push_str(&format!("; {g}"));
        }
        s
    }
}

/// The name of a listed item (its `name`, else its `uri`/`uriTemplate`, else its index).
pub(crate) fn label(item: &Value, index: usize) -> String {
    ["name", "uri", "uriTemplate"]
        .iter()
        .find_map(|k| item.get(*k).and_then(Value::as_str))
        .map_or_else(|| format!("#{index}"), str::to_owned)
}

/// Every text of the corpus's listings, the instructions and serverInfo.
fn texts(c: &Corpus, instructions: Option<&str>) -> Vec<Item> {
    let mut out = Vec::new();
    for (kind, list) in
        [("tools", &c.tools), ("prompts", &c.prompts), ("resources", &c.resources), ("resourceTemplates", &c.templates)]
    {
        for (i, item) in list.iter().enumerate() {
            let at = format!("{kind}[{}]", label(item, i));
            let tool = (kind == "tools").then(|| label(item, i));
            let mut push = |location: String, field: Field, text: &str| {
                out.push(Item { location, field, tool: tool.clone(), text: text.to_owned() });
            };
            if let Some(name) = item.get("name").and_then(Value::as_str) {
                push(format!("{at}.name"), Field::Name, name);
            }
            for (key, field) in [("title", Field::Title), ("description", Field::Description)] {
                if let Some(t) = item.get(key).and_then(Value::as_str) {
                    push(format!("{at}.{key}"), field, t);
                }
            }
            if let Some(t) = item.pointer("/annotations/title").and_then(Value::as_str) {
                push(format!("{at}.annotations.title"), Field::Title, t);
            }
            if let Some(args) = item.get("arguments").and_then(Value::as_array) {
                for (j, arg) in args.iter().enumerate() {
                    let arg_at = format!("{at}.arguments[{}]", label(arg, j));
                    for (key, field) in [("title", Field::Title), ("description", Field::Description)] {
                        if let Some(t) = arg.get(key).and_then(Value::as_str) {
                            push(format!("{arg_at}.{key}"), field, t);
                        }
                    }
                }
            }
            for schema in ["inputSchema", "outputSchema"] {
                if let Some(s) = item.get(schema) {
                    schema_texts(s, &format!("{at}.{schema}"), 0, &mut push);
                }
            }
        }
    }
    if let Some(text) = instructions {
        out.push(Item {
            location: "instructions".to_owned(),
            field: Field::Instructions,
            tool: None,
            text: text.into(),
        });
    }
    if let Some(info) = c.server_info.as_object() {
        for (key, value) in info {
            if let Some(text) = value.as_str() {
                let location = format!("serverInfo.{key}");
                out.push(Item { location, field: Field::ServerInfo, tool: None, text: text.to_owned() });
            }
        }
    }
    out
}

/// Schema depth walked at most.
const MAX_DEPTH: usize = 16;

/// The texts of a JSON Schema: every `title`, `description`, and the strings of `enum`, `const`, `default`,
/// `examples`, at any depth (bounded).
fn schema_texts(schema: &Value, at: &str, depth: usize, push: &mut impl FnMut(String, Field, &str)) {
    if depth > MAX_DEPTH {
        return;
    }
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                let here = format!("{at}.{key}");
                match (key.as_str(), value) {
                    ("title", Value::String(t)) => push(here, Field::Title, t),
                    ("description", Value::String(t)) => push(here, Field::Description, t),
                    ("enum" | "examples", Value::Array(values)) => {
                        for (i, v) in values.iter().enumerate() {
                            if let Some(t) = v.as_str() {
                                push(format!("{here}[{i}]"), Field::SchemaValue, t);
                            }
                        }
                    }
                    ("const" | "default", Value::String(t)) => push(here, Field::SchemaValue, t),
                    // A property named `description` or `title` is a schema, not a text.
                    (_, Value::Object(_) | Value::Array(_)) => schema_texts(value, &here, depth + 1, push),
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                schema_texts(v, &format!("{at}[{i}]"), depth + 1, push);
            }
        }
        _ => {}
    }
}

/// `text` around byte range `start..end`, at most `around` characters either side, on one line.
pub(crate) fn excerpt(text: &str, start: usize, end: usize, around: usize) -> String {
    let before: String = text[..start].chars().rev().take(around).collect::<Vec<_>>().into_iter().rev().collect();
    let after: String = text[end..].chars().take(around).collect();
    let lead = if before.len() < start { "…" } else { "" };
    let tail = if after.len() < text.len() - end { "…" } else { "" };
    format!("{lead}{before}«{}»{after}{tail}", &text[start..end]).replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn texts_name_their_location() {
        let c = Corpus {
            tools: vec![json!({"name": "echo", "description": "d", "inputSchema": {"type": "object",
                "properties": {"path": {"type": "string", "description": "p", "enum": ["a", 1]},
                               "description": {"type": "string", "default": "x"}}}})],
            server_info: json!({"name": "srv", "version": "1"}),
            ..Corpus::default()
        };
        let items = texts(&c, Some("hi"));
        let locs: Vec<&str> = items.iter().map(|i| i.location.as_str()).collect();
        assert!(locs.contains(&"tools[echo].description"), "{locs:?}");
        assert!(locs.contains(&"tools[echo].inputSchema.properties.path.description"), "{locs:?}");
        assert!(locs.contains(&"tools[echo].inputSchema.properties.path.enum[0]"), "{locs:?}");
        assert!(locs.contains(&"tools[echo].inputSchema.properties.description.default"), "{locs:?}");
        assert!(locs.contains(&"instructions") && locs.contains(&"serverInfo.name"), "{locs:?}");
        assert_eq!(items.iter().filter(|i| i.tool.as_deref() == Some("echo")).count(), 5);
    }

    #[test]
    fn excerpts_mark_the_span() {
        assert_eq!(excerpt("abc def ghi", 4, 7, 2), "…c «def» g…");
        assert_eq!(excerpt("def", 0, 3, 5), "«def»");
    }
}
