//! Which tools the injection checks may call, and which of their arguments carry the payload
//! (`../shared/reference/security-checks.md` §3.2, §4.1).
//!
//! Eligible: with `--tool-allow GLOB` (repeatable), the tools it matches, whatever their annotations; without an
//! allowlist, tools annotated `readOnlyHint: true` whose name and description state no destroying or acting verb
//! (annotations are untrusted: this protects the operator, not the target). Tools that require task-augmented
//! execution are never called. A target is one string property of an eligible tool, chosen by its name's words
//! (`filePath` → file, path) or its `format` (`uri`, `uri-reference`); the other required properties get the
//! values the argument synthesis gives them.

use globset::Glob;
use regex::Regex;
use serde_json::{Value, json};

use crate::check::{CheckContext, Outcome, SkipReason};
use crate::checks::security::annotations::{DESTRUCTIVE, MUTATING, MUTATING_NAME, destructive_verb, name_tokens};
use crate::checks::tools::arguments::synthesize;
use crate::checks::tools::catalog::{is_read_only, list_tools, name_of};

/// Tools probed at most by one check.
pub(crate) const MAX_TOOLS: usize = 8;

/// What kind of value a property names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// A file-system path (`path`, `file`, `filename`, `dir`, `folder`).
    Path,
    /// A URL the server may fetch (`url`, `uri`, `endpoint`, `webhook`, or `format: uri`).
    Url,
    /// A query or filter (`query`, `sql`, `where`, `filter`).
    Query,
    /// Something that may reach a command line (`cmd`, `command`, `args`, `host`, `branch`, `ref`).
    Command,
}

impl Family {
    /// The family a property's name words say, if any.
    fn of_word(word: &str) -> Option<Family> {
        Some(match word {
            "path" | "paths" | "file" | "files" | "filename" | "filepath" | "dir" | "directory" | "folder" => {
                Family::Path
            }
            "url" | "uri" | "endpoint" | "webhook" | "href" | "link" | "callback" => Family::Url,
            "query" | "sql" | "where" | "filter" | "q" => Family::Query,
            "cmd" | "command" | "args" | "arg" | "argv" | "host" | "hostname" | "branch" | "ref" | "revision"
            | "script" => Family::Command,
            _ => return None,
        })
    }
}

/// One string property of one tool that a payload goes into.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    /// The tool's name.
    pub tool: String,
    /// The property.
    pub property: String,
    /// Arguments for the other required properties (synthesised from the schema).
    pub base: Value,
}

impl Target {
    /// The arguments with `payload` in the target property.
    pub fn arguments(&self, payload: &str) -> Value {
        let mut args = self.base.clone();
        if !args.is_object() {
            args = json!({});
        }
        args[&self.property] = Value::from(payload);
        args
    }

    /// `tool.property`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.tool, self.property)
    }
}

/// The tools the run allows the injection checks to call, and how they were chosen (for the report).
pub(crate) struct Eligible {
    /// The tools.
    pub tools: Vec<Value>,
    /// How they were chosen: the allowlist, or the read-only rule.
    pub rule: String,
}

/// The eligible tools of the server (lists tools on the shared session).
pub(crate) async fn eligible(cx: &mut CheckContext) -> Result<Eligible, Outcome> {
    let allow = cx.options().tool_allow.clone();
    let tools = list_tools(cx).await?;
    Ok(choose(tools, &allow))
}

/// The tools of `tools` that `allow` (globs) admits, or without globs the read-only ones stating no destroying or
/// acting verb.
pub(crate) fn choose(tools: Vec<Value>, allow: &[String]) -> Eligible {
    let callable = |t: &Value| t.pointer("/execution/taskSupport").and_then(Value::as_str) != Some("required");
    if !allow.is_empty() {
        let globs: Vec<_> = allow.iter().filter_map(|g| Glob::new(g).ok()).map(|g| g.compile_matcher()).collect();
        let tools = tools.into_iter().filter(|t| callable(t) && globs.iter().any(|g| g.is_match(name_of(t)))).collect();
        return Eligible { tools, rule: format!("--tool-allow {}", allow.join(", ")) };
    }
    let rules = [(DESTRUCTIVE, DESTRUCTIVE), (MUTATING_NAME, MUTATING)]
        .map(|(n, d)| (Regex::new(n).expect("verb pattern compiles"), Regex::new(d).expect("verb pattern compiles")));
    let tools = tools
        .into_iter()
        .filter(|t| callable(t) && is_read_only(t))
        .filter(|t| rules.iter().all(|(n, d)| destructive_verb(t, n, d).is_none()))
        .collect();
    Eligible { tools, rule: "readOnlyHint: true and no destroying or acting verb (no --tool-allow)".to_owned() }
}

/// The targets among `tools` whose family is one of `families`: at most one property per tool (the first), at
/// most [`MAX_TOOLS`] tools.
pub(crate) fn targets(tools: &[Value], families: &[Family]) -> Vec<Target> {
    let mut out = Vec::new();
    for tool in tools {
        let schema = tool.get("inputSchema").cloned().unwrap_or_else(|| json!({}));
        let Some(props) = schema.get("properties").and_then(Value::as_object) else { continue };
        let found = props.iter().find(|(name, prop)| {
            let is_string = match prop.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            is_string && family(name, prop).is_some_and(|f| families.contains(&f))
        });
        if let Some((property, _)) = found {
            out.push(Target { tool: name_of(tool).to_owned(), property: property.clone(), base: synthesize(&schema) });
        }
        if out.len() == MAX_TOOLS {
            break;
        }
    }
    out
}

/// The family of property `name` with schema `prop`: by its `format`, else by the first word of its name that
/// names one.
fn family(name: &str, prop: &Value) -> Option<Family> {
    if matches!(prop.get("format").and_then(Value::as_str), Some("uri" | "uri-reference" | "iri" | "iri-reference")) {
        return Some(Family::Url);
    }
    name_tokens(name).iter().find_map(|w| Family::of_word(&w.to_lowercase()))
}

/// The outcome when no target was found.
pub(crate) fn nothing_to_probe(e: &Eligible, what: &str) -> Outcome {
    const LISTED: usize = 12;
    let names: Vec<&str> = e.tools.iter().map(name_of).take(LISTED).collect();
    let more = e.tools.len().saturating_sub(LISTED);
    let listed = match (names.is_empty(), more) {
        (true, _) => "none".to_owned(),
        (false, 0) => names.join(", "),
        (false, n) => format!("{} and {n} more", names.join(", ")),
    };
    Outcome::skip(SkipReason::NothingToTest, format!("no eligible tool has {what}; eligible ({}): {listed}", e.rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, desc: &str, read_only: bool, props: Value) -> Value {
        json!({"name": name, "description": desc, "annotations": {"readOnlyHint": read_only},
               "inputSchema": {"type": "object", "properties": props, "required": ["n"]}})
    }

    #[test]
    fn without_allowlist_only_read_only_tools_without_destroying_verbs() {
        let tools = vec![
            tool("read_file", "Reads a file", true, json!({"path": {"type": "string"}})),
            tool("delete_file", "Deletes a file", true, json!({"path": {"type": "string"}})),
            tool("runCommand", "Executes a command", false, json!({"cmd": {"type": "string"}})),
            tool("fetch", "Execute a fetch", true, json!({"url": {"type": "string"}})),
        ];
        let e = choose(tools.clone(), &[]);
        let names: Vec<&str> = e.tools.iter().map(name_of).collect();
        assert_eq!(names, ["read_file"]);
        let e = choose(tools, &["run*".to_owned(), "fetch".to_owned()]);
        let names: Vec<&str> = e.tools.iter().map(name_of).collect();
        assert_eq!(names, ["runCommand", "fetch"]);
        assert!(e.rule.contains("run*"));
    }

    #[test]
    fn targets_are_string_properties_named_or_formatted_for_the_family() {
        let tools = vec![
            tool(
                "a",
                "",
                true,
                json!({"n": {"type": "integer"}, "filePath": {"type": "string"}, "webhook": {"type": "string"}}),
            ),
            tool("b", "", true, json!({"n": {"type": "integer"}, "target": {"type": "string", "format": "uri"}})),
            tool("c", "", true, json!({"path": {"type": "integer"}, "text": {"type": "string"}})),
        ];
        let t = targets(&tools, &[Family::Path]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].label(), "a.filePath");
        assert_eq!(t[0].arguments("x")["filePath"], "x");
        assert!(t[0].arguments("x")["n"].is_number(), "other required properties are synthesised");
        let t = targets(&tools, &[Family::Url]);
        let labels: Vec<String> = t.iter().map(Target::label).collect();
        assert_eq!(labels, ["a.webhook", "b.target"]);
        assert!(targets(&tools, &[Family::Query]).is_empty());
    }
}
