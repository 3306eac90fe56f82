//! Arguments synthesised from a tool's `inputSchema`: required properties only, each from its `default`, `const`,
//! first `enum` value or `examples` entry, else a value of its type within its bounds.
//!
//! The result is not guaranteed to validate (a `pattern` cannot be satisfied in general); callers check it with
//! [`is_valid_for`] and treat a tool whose arguments cannot be synthesised as "nothing to test".

use serde_json::{Map, Value, json};

/// How deep nested objects, arrays and `$ref`s are followed.
const MAX_DEPTH: usize = 8;

/// Arguments for a tool whose input schema is `schema` (an object of its required properties).
pub(crate) fn synthesize(schema: &Value) -> Value {
    let v = value_for(schema, schema, 0);
    if v.is_object() { v } else { json!({}) }
}

/// Whether `instance` validates against `schema` (a schema that does not compile counts as "not valid").
pub(crate) fn is_valid_for(schema: &Value, instance: &Value) -> bool {
    jsonschema::validator_for(schema).map(|v| v.is_valid(instance)).unwrap_or(false)
}

/// Arguments that violate `schema`, with a description of the violation: a required property left out, or a
/// typed property given a value of another type. `None` when no violation can be built.
pub(crate) fn violating(schema: &Value) -> Option<(Value, String)> {
    let valid = synthesize(schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for name in &required {
        let mut args = valid.clone();
        if let Some(obj) = args.as_object_mut() {
            obj.remove(*name);
        }
        if !is_valid_for(schema, &args) {
            return Some((args, format!("required argument `{name}` left out")));
        }
    }
    let props = schema.get("properties").and_then(Value::as_object)?;
    for (name, prop) in props {
        let wrong = match prop.get("type").and_then(Value::as_str) {
            Some("string") => json!({"mcp-harness": "not a string"}),
            Some("integer" | "number") => json!("not-a-number"),
            Some("boolean") => json!("not-a-boolean"),
            Some("array") => json!("not-an-array"),
            Some("object") => json!(12345),
            _ => continue,
        };
        let mut args = valid.clone();
        if let Some(obj) = args.as_object_mut() {
            obj.insert(name.clone(), wrong.clone());
        }
        if !is_valid_for(schema, &args) {
            return Some((args, format!("argument `{name}` given {wrong} (wrong type)")));
        }
    }
    None
}

fn value_for(schema: &Value, root: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let Some(obj) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(target) = obj.get("$ref").and_then(Value::as_str).and_then(|r| resolve_local(root, r)) {
        return value_for(target, root, depth + 1);
    }
    for key in ["default", "const"] {
        if let Some(v) = obj.get(key) {
            return v.clone();
        }
    }
    for key in ["enum", "examples"] {
        if let Some(first) = obj.get(key).and_then(Value::as_array).and_then(|a| a.first()) {
            return first.clone();
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = obj.get(key).and_then(Value::as_array).and_then(|a| a.first()) {
            return value_for(first, root, depth + 1);
        }
    }
    let ty = match obj.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if obj.contains_key("properties") => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut out = Map::new();
            let required = obj.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
            let props = obj.get("properties").and_then(Value::as_object);
            for name in required.iter().filter_map(Value::as_str) {
                let prop = props.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
                out.insert(name.to_owned(), value_for(prop, root, depth + 1));
            }
            Value::Object(out)
        }
        "array" => {
            let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0).min(8);
            let item = obj.get("items").unwrap_or(&Value::Null);
            Value::Array((0..min).map(|_| value_for(item, root, depth + 1)).collect())
        }
        "integer" => json!(integer_in(obj)),
        "number" => json!(number_in(obj)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(string_for(obj)),
    }
}

fn integer_in(obj: &Map<String, Value>) -> i64 {
    let lo = obj.get("minimum").and_then(Value::as_f64).map(|m| m.ceil() as i64);
    let lo = lo.or_else(|| obj.get("exclusiveMinimum").and_then(Value::as_f64).map(|m| m.floor() as i64 + 1));
    let hi = obj.get("maximum").and_then(Value::as_f64).map(|m| m.floor() as i64);
    let hi = hi.or_else(|| obj.get("exclusiveMaximum").and_then(Value::as_f64).map(|m| m.ceil() as i64 - 1));
    match (lo, hi) {
        (Some(l), _) => l,
        (None, Some(h)) => h.min(1),
        (None, None) => 1,
    }
}

fn number_in(obj: &Map<String, Value>) -> f64 {
    if let Some(m) = obj.get("minimum").and_then(Value::as_f64) {
        return m;
    }
    if let Some(m) = obj.get("exclusiveMinimum").and_then(Value::as_f64) {
        return m + 1.0;
    }
    match obj
        .get("maximum")
        .and_then(Value::as_f64)
        .or_else(|| obj.get("exclusiveMaximum").and_then(Value::as_f64).map(|m| m - 1.0))
    {
        Some(h) => h.min(1.0),
        None => 1.0,
    }
}

fn string_for(obj: &Map<String, Value>) -> String {
    let base = match obj.get("format").and_then(Value::as_str) {
        Some("email") => "harness@example.com",
        Some("uri" | "url" | "iri") => "https://example.com/",
        Some("date") => "2026-01-01",
        Some("date-time") => "2026-01-01T00:00:00Z",
        Some("time") => "00:00:00Z",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("ipv4") => "127.0.0.1",
        Some("hostname") => "example.com",
        _ => "mcp-harness",
    };
    let min = obj.get("minLength").and_then(Value::as_u64).unwrap_or(0).min(256) as usize;
    let max = obj.get("maxLength").and_then(Value::as_u64).map_or(usize::MAX, |m| m as usize);
    let mut s = base.to_owned();
    while s.chars().count() < min {
        s.push('x');
    }
    if s.chars().count() > max {
        s = s.chars().take(max.max(min)).collect();
    }
    s
}

/// A local `$ref` (`#/$defs/x`, `#/definitions/x`), resolved as a JSON pointer into `root`.
fn resolve_local<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() { Some(root) } else { root.pointer(pointer) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_properties_get_values_within_their_constraints() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 15},
                "count": {"type": "integer", "minimum": 3, "maximum": 9},
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "ratio": {"type": "number", "exclusiveMaximum": 0.5},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "when": {"$ref": "#/$defs/date"},
                "optional": {"type": "string"}
            },
            "required": ["name", "count", "mode", "ratio", "tags", "when"],
            "$defs": {"date": {"type": "string", "format": "date"}}
        });
        let args = synthesize(&schema);
        assert_eq!(args["count"], 3);
        assert_eq!(args["mode"], "fast");
        assert_eq!(args["when"], "2026-01-01");
        assert!(args.get("optional").is_none());
        assert!(is_valid_for(&schema, &args), "{args}");
    }

    #[test]
    fn violations_leave_out_required_or_change_types() {
        let schema = json!({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]});
        let (args, why) = violating(&schema).unwrap();
        assert_eq!(args, json!({}));
        assert!(why.contains("left out"));
        let schema = json!({"type":"object","properties":{"n":{"type":"integer"}}});
        let (args, _) = violating(&schema).unwrap();
        assert_eq!(args["n"], "not-a-number");
        assert!(violating(&json!({"type":"object"})).is_none());
    }
}
