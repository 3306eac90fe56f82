//! The observed answer of a recorded step, written as editable expectations.
//!
//! A JSON-RPC error becomes `error: <code>` (messages are prose and change). A result is pinned with `equals`
//! where it is stable and with a type where it is not: the pinned part is the tool result's `structuredContent`
//! (else its `content`, and `is-error: true` when it was an error result), a read's `contents`, a prompt's
//! `messages`, a completion's `values`, a list's items by name or URI (`contains`, so additions pass), a raw
//! request's whole result. A part that holds an unstable value is split into its members, down to the value,
//! which is checked by JSON type only. Unstable: a value captured by the same step, a timestamp or UUID (in a
//! string, also inside a longer text), and any number or string under a time-like member name (`createdAt`,
//! `updated_at_ms`, `elapsed`, …).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use mcp_harness_suites::journey::{Assertion, unlocated};

use super::exchange::Answer;
use super::values::{Captured, Segment, json_path, snake_case, with_variables};

/// The most assertions written for one answer; beyond it the remaining parts are only required to exist.
const MAX_ASSERTIONS: usize = 40;

/// How deep an unstable part is split; deeper it is only required to exist.
const MAX_DEPTH: usize = 8;

static TIMESTAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}").expect("a valid regex"));
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("a valid regex")
});
static TIMESTAMP_WHOLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$").expect("a valid regex")
});
static TIMESTAMP_SPAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?").expect("a valid regex")
});
static UUID_WHOLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").expect("a valid regex")
});

/// What stands for an unstable value while a JSON text's pattern is built.
const HOLE: &str = "\u{0}mcp-harness-unstable\u{0}";

static TIME_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(^|_)(at|ms|ts|time|timestamp|date|datetime|created|updated|modified|expires|expiry|now|elapsed|duration|latency|uptime|nonce)$",
    )
    .expect("a valid regex")
});

/// Where the pinned part of a method's result is, and how lists name their items.
enum Pinned {
    /// `equals` on this member (or the whole result when empty).
    Member(&'static [&'static str]),
    /// A list: `contains` on the items' identifying member.
    List { items: &'static str, key: &'static str },
    /// Nothing beyond the implicit "a result, not an error".
    Nothing,
}

fn pinned(method: &str, result: &Value) -> Pinned {
    match method {
        "tools/call" if result.get("structuredContent").is_some() => Pinned::Member(&["structuredContent"]),
        "tools/call" => Pinned::Member(&["content"]),
        "resources/read" => Pinned::Member(&["contents"]),
        "prompts/get" => Pinned::Member(&["messages"]),
        "completion/complete" => Pinned::Member(&["completion", "values"]),
        "tools/list" => Pinned::List { items: "tools", key: "name" },
        "prompts/list" => Pinned::List { items: "prompts", key: "name" },
        "resources/list" => Pinned::List { items: "resources", key: "uri" },
        "resources/templates/list" => Pinned::List { items: "resourceTemplates", key: "uriTemplate" },
        "resources/subscribe" | "resources/unsubscribe" | "logging/setLevel" | "ping" | "subscriptions/listen" => {
            Pinned::Nothing
        }
        _ => Pinned::Member(&[]),
    }
}

/// The assertions pinning `answer` to `method`'s request. `captured_here` are the values this step captures
/// (unstable here), `captured_before` those of earlier steps (written as their variables).
pub fn expectations(
    method: &str,
    answer: &Answer,
    captured_here: &[Captured],
    captured_before: &[Captured],
) -> Vec<Assertion> {
    let result = match answer {
        Answer::Error(e) => {
            return e
                .get("code")
                .and_then(Value::as_i64)
                .map(|code| vec![Assertion { error: Some(code), ..Default::default() }])
                .unwrap_or_default();
        }
        Answer::Result(r) => r,
    };
    let mut out = Vec::new();
    if method == "tools/call" && result.get("isError").and_then(Value::as_bool) == Some(true) {
        out.push(Assertion { is_error: Some(true), ..Default::default() });
    }
    match pinned(method, result) {
        Pinned::Nothing => {}
        Pinned::List { items, key } => {
            let named: Vec<Value> = result
                .get(items)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|i| i.get(key))
                        .map(|k| json!({key: with_variables(k, captured_before)}))
                        .collect()
                })
                .unwrap_or_default();
            if !named.is_empty() {
                out.push(Assertion {
                    path: Some(format!("$.{items}")),
                    contains: Some(Value::Array(named)),
                    ..Default::default()
                });
            }
        }
        Pinned::Member(members) => {
            let segments: Vec<Segment> = members.iter().map(|m| Segment::Member((*m).to_owned())).collect();
            let target = members.iter().try_fold(result, |v, m| v.get(*m));
            if let Some(target) = target {
                let pin = Pin { captured_here, captured_before, out: &mut out };
                pin.part(target, &mut segments.clone(), None, 0);
            }
        }
    }
    out
}

/// The walk that pins one part.
struct Pin<'a> {
    captured_here: &'a [Captured],
    captured_before: &'a [Captured],
    out: &'a mut Vec<Assertion>,
}

impl Pin<'_> {
    fn part(self, value: &Value, at: &mut Vec<Segment>, key: Option<&str>, depth: usize) -> Self {
        let mut this = self;
        let path = json_path("$", at);
        if this.out.len() >= MAX_ASSERTIONS || depth > MAX_DEPTH {
            this.out.push(Assertion { path: Some(path), exists: Some(true), ..Default::default() });
            return this;
        }
        if !this.is_unstable(value, key) {
            let expected = strip_meta(&with_variables(value, this.captured_before));
            this.out.push(Assertion { path: Some(path), equals: Some(expected), ..Default::default() });
            return this;
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter().filter(|(k, _)| *k != "_meta") {
                    at.push(Segment::Member(k.clone()));
                    this = this.part(v, at, Some(k), depth + 1);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    at.push(Segment::Index(i));
                    this = this.part(v, at, key, depth + 1);
                    at.pop();
                }
            }
            Value::String(text) if !key.is_some_and(is_time_like) && !this.is_volatile_whole(text) => {
                let pattern = this.pattern(text);
                this.out.push(Assertion { path: Some(path), matches: Some(pattern), ..Default::default() });
            }
            leaf => this.out.push(Assertion {
                path: Some(path),
                schema: Some(json!({"type": json_type(leaf)})),
                ..Default::default()
            }),
        }
        this
    }

    /// Whether the whole of `text` is one unstable value (then only its type is checked).
    fn is_volatile_whole(&self, text: &str) -> bool {
        self.captured_here.iter().chain(self.captured_before).any(|c| c.value == text)
            || TIMESTAMP_WHOLE.is_match(text)
            || UUID_WHOLE.is_match(text)
    }

    /// A regular expression matching `text` with its unstable parts left open: in JSON text (compact, as servers
    /// write it) every unstable member value, elsewhere every timestamp, UUID and captured value.
    fn pattern(&self, text: &str) -> String {
        if let Some(parsed) = embedded_json(text) {
            let opened = self.open_unstable(&parsed, None);
            if let Ok(compact) = serde_json::to_string(&opened) {
                let escaped = regex::escape(&compact);
                let hole = regex::escape(&serde_json::to_string(HOLE).unwrap_or_default());
                return format!("^{}$", escaped.replace(&hole, r#"(?:"(?:[^"\\]|\\.)*"|[-+.0-9eE]+|true|false|null)"#));
            }
        }
        let mut spans: Vec<(usize, usize)> =
            TIMESTAMP_SPAN.find_iter(text).chain(UUID.find_iter(text)).map(|m| (m.start(), m.end())).collect();
        for c in self.captured_here.iter().chain(self.captured_before) {
            spans.extend(text.match_indices(c.value.as_str()).map(|(at, v)| (at, at + v.len())));
        }
        spans.sort_unstable();
        let mut out = String::from("^");
        let mut done = 0;
        for (start, end) in spans {
            if start < done {
                continue;
            }
            out.push_str(&regex::escape(&text[done..start]));
            out.push_str(".+?");
            done = end;
        }
        out.push_str(&regex::escape(&text[done..]));
        out.push('$');
        out
    }

    /// `value` with every unstable leaf replaced by [`HOLE`].
    fn open_unstable(&self, value: &Value, key: Option<&str>) -> Value {
        match value {
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.open_unstable(v, Some(k)))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.open_unstable(v, key)).collect()),
            leaf if self.is_unstable(leaf, key) || matches!(leaf, Value::String(s) if self.is_volatile_whole(s)) => {
                Value::String(HOLE.to_owned())
            }
            leaf => leaf.clone(),
        }
    }

    /// Whether `value` (under member `key`) holds anything unstable.
    fn is_unstable(&self, value: &Value, key: Option<&str>) -> bool {
        match value {
            Value::String(s) => {
                self.captured_here.iter().any(|c| super::values::uses(s, &c.value))
                    || TIMESTAMP.is_match(s)
                    || UUID.is_match(s)
                    || key.is_some_and(is_time_like)
                    || embedded_json(s).is_some_and(|v| self.is_unstable(&v, None))
            }
            Value::Number(_) => key.is_some_and(is_time_like),
            Value::Array(items) => items.iter().any(|v| self.is_unstable(v, key)),
            Value::Object(map) => map.iter().filter(|(k, _)| *k != "_meta").any(|(k, v)| self.is_unstable(v, Some(k))),
            Value::Bool(_) | Value::Null => false,
        }
    }
}

/// The JSON object or array `text` holds, when it is written compactly (as servers serialise structured data
/// into a text content item), so that a pattern can be built from it.
fn embedded_json(text: &str) -> Option<Value> {
    if !(text.starts_with('{') || text.starts_with('[')) {
        return None;
    }
    let parsed: Value = serde_json::from_str(text).ok()?;
    (serde_json::to_string(&parsed).ok()? == text).then_some(parsed)
}

/// Whether a member name says its value is a time, a duration or a nonce.
fn is_time_like(key: &str) -> bool {
    TIME_LIKE.is_match(&snake_case(key))
}

/// `value` without `_meta` members (they carry per-request data).
fn strip_meta(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().filter(|(k, _)| *k != "_meta").map(|(k, v)| (k.clone(), strip_meta(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(strip_meta).collect()),
        other => other.clone(),
    }
}

/// The JSON Schema type of a leaf.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Wraps assertions for a step.
pub fn located(assertions: Vec<Assertion>) -> Vec<mcp_harness_suites::journey::Spanned<Assertion>> {
    assertions.into_iter().map(unlocated).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(a: &[Assertion]) -> Vec<String> {
        a.iter().map(|a| serde_json::to_string(a).unwrap()).collect()
    }

    #[test]
    fn a_stable_structured_result_is_pinned_whole() {
        let answer = Answer::Result(json!({"content": [], "structuredContent": {"sum": 3}, "_meta": {"x": 1}}));
        let a = expectations("tools/call", &answer, &[], &[]);
        assert_eq!(paths(&a), [r#"{"path":"$.structuredContent","equals":{"sum":3}}"#]);
    }

    #[test]
    fn unstable_parts_are_split_down_to_a_type() {
        let captured = [Captured { name: "id".into(), path: "$.structuredContent.id".into(), value: "rec-1".into() }];
        let answer = Answer::Result(json!({"structuredContent": {
            "id": "rec-1", "data": {"title": "Hi"}, "created_at_ms": 1765000000000u64,
            "stamp": "made 2026-12-07T06:00:00Z", "tags": ["a"]
        }}));
        let a = expectations("tools/call", &answer, &captured, &[]);
        assert_eq!(
            paths(&a),
            [
                r#"{"path":"$.structuredContent.id","schema":{"type":"string"}}"#,
                r#"{"path":"$.structuredContent.data","equals":{"title":"Hi"}}"#,
                r#"{"path":"$.structuredContent.created_at_ms","schema":{"type":"integer"}}"#,
                r#"{"path":"$.structuredContent.stamp","matches":"^made .+?$"}"#,
                r#"{"path":"$.structuredContent.tags","equals":["a"]}"#,
            ]
        );
        // A later step writes the captured value as its variable.
        let later = expectations(
            "tools/call",
            &Answer::Result(json!({"content": [{"type": "text", "text": "rec-1"}]})),
            &[],
            &captured,
        );
        assert_eq!(paths(&later), [r#"{"path":"$.content","equals":[{"type":"text","text":"${id}"}]}"#]);
    }

    #[test]
    fn json_text_with_unstable_members_is_matched_by_a_pattern() {
        let captured = [Captured { name: "id".into(), path: "$.x".into(), value: "rec-1".into() }];
        let text = r#"{"id":"rec-1","title":"a.b","createdAtMs":17}"#;
        let answer = Answer::Result(json!({"contents": [{"uri": "data://records/rec-1", "text": text}]}));
        let a = expectations("resources/read", &answer, &[], &captured);
        let pattern = a.iter().find_map(|a| a.matches.clone()).unwrap();
        let re = Regex::new(&pattern).unwrap();
        assert!(re.is_match(text), "{pattern}");
        assert!(re.is_match(r#"{"id":"rec-7","title":"a.b","createdAtMs":99}"#), "{pattern}");
        assert!(!re.is_match(r#"{"id":"rec-7","title":"axb","createdAtMs":99}"#), "{pattern}");
        assert!(paths(&a).iter().any(|p| p.contains(r#""equals":"data://records/${id}""#)), "{:?}", paths(&a));
        let plain = Answer::Result(json!({"content": [{"type": "text", "text": "at 2026-12-07T06:00:00Z (ok)"}]}));
        let a = expectations("tools/call", &plain, &[], &[]);
        assert_eq!(a.iter().find_map(|a| a.matches.clone()).unwrap(), r"^at .+? \(ok\)$");
    }

    #[test]
    fn errors_lists_and_error_results() {
        let err = Answer::Error(json!({"code": -32602, "message": "bad"}));
        assert_eq!(paths(&expectations("tools/call", &err, &[], &[])), [r#"{"error":-32602}"#]);
        let list = Answer::Result(json!({"tools": [{"name": "a", "inputSchema": {}}, {"name": "b"}]}));
        assert_eq!(
            paths(&expectations("tools/list", &list, &[], &[])),
            [r#"{"path":"$.tools","contains":[{"name":"a"},{"name":"b"}]}"#]
        );
        let failed = Answer::Result(json!({"isError": true, "content": [{"type": "text", "text": "no"}]}));
        assert_eq!(
            paths(&expectations("tools/call", &failed, &[], &[])),
            [r#"{"is-error":true}"#, r#"{"path":"$.content","equals":[{"type":"text","text":"no"}]}"#]
        );
        assert!(expectations("ping", &Answer::Result(json!({})), &[], &[]).is_empty());
    }
}
