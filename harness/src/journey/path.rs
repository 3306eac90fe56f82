//! JSONPath (RFC 9535, `serde_json_path`) as journeys use it: a singular path (only names and indices) selects one
//! value or nothing; any other path selects a list of nodes.

use serde_json::Value;
use serde_json_path::JsonPath;

/// A compiled JSONPath.
#[derive(Debug, Clone)]
pub(super) struct Query {
    text: String,
    path: JsonPath,
    singular: bool,
}

/// What a query selected.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Selected {
    /// A singular path that matched: its value.
    One(Value),
    /// A singular path that matched nothing.
    Nothing,
    /// A non-singular path: the nodes it selected (maybe none).
    Many(Vec<Value>),
}

impl Selected {
    /// The value assertions compare: the node of a singular path, the list of a non-singular one.
    pub(super) fn value(&self) -> Option<Value> {
        match self {
            Selected::One(v) => Some(v.clone()),
            Selected::Nothing => None,
            Selected::Many(nodes) => Some(Value::Array(nodes.clone())),
        }
    }

    /// Whether anything was selected.
    pub(super) fn exists(&self) -> bool {
        match self {
            Selected::One(_) => true,
            Selected::Nothing => false,
            Selected::Many(nodes) => !nodes.is_empty(),
        }
    }

    /// The value a capture binds: the node of a singular path, the list of a non-singular one that selected
    /// something; `None` when nothing was selected.
    pub(super) fn captured(&self) -> Option<Value> {
        self.exists().then(|| self.value()).flatten()
    }
}

impl Query {
    /// Parses `text`; `Err` says why it is not a JSONPath.
    pub(super) fn parse(text: &str) -> Result<Query, String> {
        let path = JsonPath::parse(text).map_err(|e| format!("`{text}` is not a JSONPath (RFC 9535): {e}"))?;
        Ok(Query { text: text.to_owned(), path, singular: is_singular(text) })
    }

    /// The path as written.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// What the path selects in `doc`.
    pub(super) fn select(&self, doc: &Value) -> Selected {
        let nodes: Vec<Value> = self.path.query(doc).all().into_iter().cloned().collect();
        if self.singular {
            nodes.into_iter().next().map_or(Selected::Nothing, Selected::One)
        } else {
            Selected::Many(nodes)
        }
    }

    /// Replaces every node the path selects in `doc` with `with`.
    pub(super) fn replace(&self, doc: &mut Value, with: &Value) {
        let pointers: Vec<String> = self.path.query_located(doc).locations().map(|l| l.to_json_pointer()).collect();
        for p in pointers {
            if let Some(node) = doc.pointer_mut(&p) {
                *node = with.clone();
            }
        }
    }
}

/// Whether `text` is a singular query: `$` followed only by `.name`, `['name']`, `["name"]` and `[index]` segments.
fn is_singular(text: &str) -> bool {
    let Some(mut rest) = text.trim().strip_prefix('$') else { return false };
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return true;
        }
        if let Some(after) = rest.strip_prefix('.') {
            if after.starts_with('.') || after.starts_with('*') {
                return false;
            }
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return false;
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let after = after.trim_start();
            let (inside_end, quoted) = match after.chars().next() {
                Some(q @ ('\'' | '"')) => match closing_quote(&after[1..], q) {
                    Some(i) => (i + 2, true),
                    None => return false,
                },
                _ => (after.find(']').unwrap_or(after.len()), false),
            };
            let inside = &after[..inside_end];
            if !quoted && inside.trim().parse::<i64>().is_err() {
                return false;
            }
            let Some(tail) = after[inside_end..].trim_start().strip_prefix(']') else { return false };
            rest = tail;
        } else {
            return false;
        }
    }
}

/// The index of the quote closing a string that began before `s`, skipping escaped characters.
fn closing_quote(s: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn singular_paths_select_one_value_others_a_list() {
        for p in ["$", "$.a", "$.a.b[0]", "$['a b'][\"c\"]", "$.content[0].text", "$[-1]"] {
            assert!(is_singular(p), "{p}");
        }
        for p in ["$.a[*]", "$..a", "$.a[0:2]", "$.a[?@.x == 1]", "$.a[0,1]", "$.*"] {
            assert!(!is_singular(p), "{p}");
        }
        let doc = json!({"tools": [{"name": "a"}, {"name": "b"}], "x": null});
        let q = |p: &str| Query::parse(p).unwrap().select(&doc);
        assert_eq!(q("$.tools[1].name"), Selected::One(json!("b")));
        assert_eq!(q("$.x"), Selected::One(json!(null)));
        assert_eq!(q("$.nope"), Selected::Nothing);
        assert_eq!(q("$.tools[*].name"), Selected::Many(vec![json!("a"), json!("b")]));
        assert!(!q("$.tools[?@.name == 'c']").exists());
        assert!(Query::parse("$[").is_err());
    }

    #[test]
    fn replace_rewrites_every_selected_node() {
        let mut doc = json!({"rows": [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]});
        Query::parse("$.rows[*].id").unwrap().replace(&mut doc, &json!("[redacted]"));
        assert_eq!(doc, json!({"rows": [{"id": "[redacted]", "v": "a"}, {"id": "[redacted]", "v": "b"}]}));
    }
}
