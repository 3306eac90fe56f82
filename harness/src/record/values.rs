//! Value flow between recorded steps: a string the server returned (an id, a URI) that the client later sent back
//! becomes a captured variable, so the journey replays against a server that hands out different values.
//!
//! A value is captured when it appears in an answer, was not sent by the client before that answer, and is sent
//! by the client in a later request: the whole argument, or a part of a longer string bounded by non-alphanumeric
//! characters (`data://records/rec-1` uses `rec-1`, `rec-10` does not). Only strings of at least
//! [`MIN_CAPTURED_LEN`] characters count; numbers and booleans are too ambiguous to follow.

use serde_json::Value;

use mcp_harness_suites::journey::{escape_variables, is_variable_name};

/// The shortest string followed from an answer to a later request.
pub const MIN_CAPTURED_LEN: usize = 3;

/// The longest string followed (longer ones are texts, not identifiers).
const MAX_CAPTURED_LEN: usize = 256;

/// A value one step captures for later steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The variable name.
    pub name: String,
    /// The JSONPath into the capturing step's answer.
    pub path: String,
    /// The value observed.
    pub value: String,
}

/// A JSONPath segment: a member or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object member.
    Member(String),
    /// An array element.
    Index(usize),
}

/// `$` followed by the segments, in RFC 9535 normalised-enough form: `.name` for plain names, `['…']` otherwise.
pub fn json_path(base: &str, segments: &[Segment]) -> String {
    let mut out = base.to_owned();
    for s in segments {
        match s {
            Segment::Member(name) if is_shorthand(name) => {
                out.push('.');
                out.push_str(name);
            }
            Segment::Member(name) => {
                out.push_str("['");
                for c in name.chars() {
                    match c {
                        '\'' => out.push_str("\\'"),
                        '\\' => out.push_str("\\\\"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push_str("']");
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Whether `name` may be written `.name` in a JSONPath.
fn is_shorthand(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every string leaf of `value` with its path, in document order.
pub fn string_leaves(value: &Value) -> Vec<(Vec<Segment>, &str)> {
    fn walk<'a>(v: &'a Value, at: &mut Vec<Segment>, out: &mut Vec<(Vec<Segment>, &'a str)>, depth: usize) {
        if depth > 32 {
            return;
        }
        match v {
            Value::String(s) => out.push((at.clone(), s)),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    at.push(Segment::Index(i));
                    walk(item, at, out, depth + 1);
                    at.pop();
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    if k == "_meta" {
                        continue;
                    }
                    at.push(Segment::Member(k.clone()));
                    walk(item, at, out, depth + 1);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out, 0);
    out
}

/// Whether `text` contains `value` as itself or as a part bounded by non-alphanumeric characters.
pub fn uses(text: &str, value: &str) -> bool {
    text == value || occurrences(text, value).next().is_some()
}

/// The byte offsets where `value` occurs in `text` bounded by non-alphanumeric characters (or the ends).
fn occurrences<'a>(text: &'a str, value: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(value).map(|(at, _)| at).filter(move |&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + value.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Whether any string in `value` uses `candidate`.
pub fn value_uses(value: &Value, candidate: &str) -> bool {
    string_leaves(value).iter().any(|(_, s)| uses(s, candidate))
}

/// Whether `candidate` may be followed at all.
pub fn is_candidate(candidate: &str) -> bool {
    (MIN_CAPTURED_LEN..=MAX_CAPTURED_LEN).contains(&candidate.chars().count())
}

/// A variable name for a value found at `segments`: the last member name, made a valid name, unique among
/// `taken` (`id`, `id_2`, …).
pub fn variable_name(segments: &[Segment], taken: &[String]) -> String {
    let base = segments
        .iter()
        .rev()
        .find_map(|s| match s {
            Segment::Member(m) => Some(m.as_str()),
            Segment::Index(_) => None,
        })
        .map(snake_case)
        .filter(|n| is_variable_name(n))
        .unwrap_or_else(|| "value".to_owned());
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// `recordId` → `record_id`; anything but letters, digits and `_` → `_`.
pub(crate) fn snake_case(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) { format!("v_{trimmed}") } else { trimmed.to_owned() }
}

/// `value` written for a journey: every string escaped (`${` → `$${`) and every use of a captured value replaced
/// by its `${name}`.
pub fn with_variables(value: &Value, captured: &[Captured]) -> Value {
    match value {
        Value::String(s) => Value::String(text_with_variables(s, captured)),
        Value::Array(items) => Value::Array(items.iter().map(|v| with_variables(v, captured)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), with_variables(v, captured))).collect())
        }
        other => other.clone(),
    }
}

/// One string written for a journey (see [`with_variables`]).
pub fn text_with_variables(text: &str, captured: &[Captured]) -> String {
    // Longest values first, so `rec-10` is not cut into `${a}0` by a capture of `rec-1`.
    let mut by_length: Vec<&Captured> = captured.iter().collect();
    by_length.sort_by_key(|c| std::cmp::Reverse(c.value.len()));
    for c in &by_length {
        if text == c.value {
            return format!("${{{}}}", c.name);
        }
    }
    let mut out = String::new();
    let mut rest = text;
    // The earliest use of any value; at the same offset the longest value.
    while let Some((at, c)) = by_length
        .iter()
        .filter_map(|c| occurrences(rest, &c.value).next().map(|at| (at, *c)))
        .min_by_key(|(at, c)| (*at, std::cmp::Reverse(c.value.len())))
    {
        out.push_str(&escape_variables(&rest[..at]));
        out.push_str(&format!("${{{}}}", c.name));
        rest = &rest[at + c.value.len()..];
    }
    out.push_str(&escape_variables(rest));
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cap(name: &str, value: &str) -> Captured {
        Captured { name: name.into(), path: "$.x".into(), value: value.into() }
    }

    #[test]
    fn paths_use_shorthand_only_for_plain_names() {
        let segs = [Segment::Member("structuredContent".into()), Segment::Member("a b'c".into()), Segment::Index(2)];
        assert_eq!(json_path("$", &segs), "$.structuredContent['a b\\'c'][2]");
    }

    #[test]
    fn uses_respects_word_boundaries() {
        assert!(uses("rec-1", "rec-1"));
        assert!(uses("data://records/rec-1", "rec-1"));
        assert!(!uses("data://records/rec-10", "rec-1"));
        assert!(!uses("precise", "rec"));
    }

    #[test]
    fn captured_values_become_variables_and_other_text_is_escaped() {
        let caps = [cap("id", "rec-1"), cap("id_2", "rec-10")];
        assert_eq!(text_with_variables("rec-1", &caps), "${id}");
        assert_eq!(text_with_variables("data://records/rec-10/x/rec-1", &caps), "data://records/${id_2}/x/${id}");
        assert_eq!(text_with_variables("cost ${x} rec-1", &caps), "cost $${x} ${id}");
        let v = with_variables(&json!({"id": "rec-1", "n": 3, "l": ["a ${b}"]}), &caps);
        assert_eq!(v, json!({"id": "${id}", "n": 3, "l": ["a $${b}"]}));
    }

    #[test]
    fn variable_names_come_from_the_member_and_are_unique() {
        let segs = [Segment::Member("structuredContent".into()), Segment::Member("recordId".into())];
        assert_eq!(variable_name(&segs, &[]), "record_id");
        assert_eq!(variable_name(&segs, &["record_id".into()]), "record_id_2");
        assert_eq!(variable_name(&[Segment::Index(0)], &[]), "value");
        assert_eq!(variable_name(&[Segment::Member("2fa".into())], &[]), "v_2fa");
    }
}
