//! Cache keys: SHA-256 of the tool name and canonical JSON arguments.

use std::fmt::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// `"<tool>:<hex sha256(tool \0 canonical-json(args) \0 scope)>"`.
///
/// `scope` distinguishes otherwise equal calls whose answer depends on other
/// state, e.g. the store generation for queries over mutable data.
pub(crate) fn cache_key(tool: &str, args: &Value, scope: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(tool.as_bytes());
    hasher.update([0]);
    let mut canonical = String::new();
    write_canonical(args, &mut canonical);
    hasher.update(canonical.as_bytes());
    hasher.update([0]);
    hasher.update(scope.as_bytes());
    let digest = hasher.finalize();
    let mut key = String::with_capacity(tool.len() + 65);
    key.push_str(tool);
    key.push(':');
    for byte in digest {
        let _ = write!(key, "{byte:02x}");
    }
    key
}

/// Serialises `value` with object keys sorted, recursively, and no whitespace.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn key_ignores_argument_order() {
        let a = cache_key("t", &json!({"x": 1, "y": {"b": 2, "a": [1, {"d": 0, "c": 1}]}}), "");
        let b = cache_key("t", &json!({"y": {"a": [1, {"c": 1, "d": 0}], "b": 2}, "x": 1}), "");
        assert_eq!(a, b);
    }

    #[test]
    fn key_depends_on_tool_arguments_and_scope() {
        let base = cache_key("t", &json!({"x": 1}), "g1");
        assert_ne!(base, cache_key("u", &json!({"x": 1}), "g1"));
        assert_ne!(base, cache_key("t", &json!({"x": 2}), "g1"));
        assert_ne!(base, cache_key("t", &json!({"x": 1}), "g2"));
        assert!(base.starts_with("t:") && base.len() == 2 + 64);
    }
}
