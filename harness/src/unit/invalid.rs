//! Invalid tool arguments: variants of one valid value that each break exactly one constraint of the schema
//! ([`invalid_cases`]).
//!
//! The constraints read are those of the schema's root and of its properties, at the top level and one nesting
//! level down: `type`, `required`, `enum`, `const`, numeric bounds, string length, `pattern`, `format`, item
//! counts and `additionalProperties: false`. A candidate is kept only when the whole value no longer validates
//! and the changed part still satisfies the rest of its own schema (the schema without the keyword it breaks),
//! so each case breaks the constraint it names and no other of that schema.

use serde_json::{Map, Value};

use super::inputs::{JsonType, constraints, declared_types, usize_keyword};

/// Levels of nested objects below the top level whose constraints are broken too.
const NESTED_LEVELS: usize = 1;
/// Root keywords a sub-schema needs to compile on its own: its definitions and its dialect.
const CONTEXT_KEYWORDS: &[&str] = &["$schema", "$defs", "definitions"];

/// An input that breaks exactly one constraint of the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidCase {
    /// The tool arguments: the valid value with one part changed.
    pub arguments: Value,
    /// The constraint broken, naming the property, e.g. "required property `id` left out", "`count` = 101 above
    /// maximum 100", "`name` given 12345 (type string)"; the whole value is "arguments".
    pub broken: String,
}

/// Invalid variants of `valid` (a value that validates against `schema`), at most `limit`, each verified INVALID
/// with jsonschema (a candidate that still validates is dropped).
///
/// The cases are ordered so that the first of each kind of constraint comes before the second of any kind: a
/// small `limit` still covers many kinds. None when `schema` does not compile or `valid` does not validate.
pub fn invalid_cases(schema: &Value, valid: &Value, limit: usize) -> Vec<InvalidCase> {
    let Ok(validator) = jsonschema::validator_for(schema) else { return Vec::new() };
    if limit == 0 || !validator.is_valid(valid) {
        return Vec::new();
    }
    let Some(root) = constraints(schema, schema) else { return Vec::new() };
    let mut finder = Finder { schema, valid, validator, found: Vec::new() };
    finder.value(&root, Some(valid), &[]);
    if let Value::Object(object) = valid {
        finder.object(&root, object, &[], NESTED_LEVELS);
    }
    finder.into_cases(limit)
}

/// The kind of constraint a case breaks (orders the cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    AdditionalProperty,
    Const,
    Enum,
    ExclusiveMaximum,
    ExclusiveMinimum,
    Format,
    MaxItems,
    MaxLength,
    Maximum,
    MinItems,
    MinLength,
    Minimum,
    Pattern,
    Required,
    Type,
}

/// One constraint of one part of the value: where, which keyword of which (flattened) schema, and its kind.
struct Constraint<'a> {
    path: &'a [String],
    schema: &'a Map<String, Value>,
    keyword: &'static str,
    kind: Kind,
}

/// Collects the cases of one schema and value.
struct Finder<'s> {
    schema: &'s Value,
    valid: &'s Value,
    validator: jsonschema::Validator,
    found: Vec<(Kind, InvalidCase)>,
}

impl Finder<'_> {
    /// The cases of the value at `path` (`current`, absent for a property `valid` leaves out) against `map`.
    fn value(&mut self, map: &Map<String, Value>, current: Option<&Value>, path: &[String]) {
        let name = display(path);
        let at = |keyword, kind| Constraint { path, schema: map, keyword, kind };
        let types = declared_types(map);
        let may_be = |ty: JsonType| types.as_ref().is_none_or(|types| types.contains(&ty));
        if let Some(types) = &types {
            let list = types.iter().map(|ty| ty.name()).collect::<Vec<_>>().join(" or ");
            self.first_invalid(at("type", Kind::Type), wrong_types(types), |v| {
                format!("{name} given {} (type {list})", brief(v))
            });
        }
        if let Some(constant) = map.get("const") {
            let candidates = outside(std::slice::from_ref(constant));
            self.first_invalid(at("const", Kind::Const), candidates, |v| {
                format!("{name} = {} differs from const {}", brief(v), brief(constant))
            });
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            let shown = brief(&Value::Array(values.clone()));
            self.first_invalid(at("enum", Kind::Enum), outside(values), |v| {
                format!("{name} = {} not in enum {shown}", brief(v))
            });
        }
        if may_be(JsonType::Number) || may_be(JsonType::Integer) {
            let integral = !may_be(JsonType::Number);
            self.numeric_cases(map, path, &name, integral);
        }
        if may_be(JsonType::String) {
            self.string_cases(map, current.and_then(Value::as_str), path, &name);
        }
        if may_be(JsonType::Array) {
            self.array_cases(map, current.and_then(Value::as_array), path, &name);
        }
    }

    /// Numeric bounds crossed: by one for integers, by a small delta for numbers; exclusive bounds hit exactly.
    fn numeric_cases(&mut self, map: &Map<String, Value>, path: &[String], name: &str, integral: bool) {
        let at = |keyword, kind| Constraint { path, schema: map, keyword, kind };
        let shown = |keyword: &str| map.get(keyword).map(brief).unwrap_or_default();
        let step = |bound: f64| if integral { 1.0 } else { (bound.abs() * 1e-9).max(1e-3) };
        if let Some(minimum) = map.get("minimum").and_then(Value::as_f64) {
            let below = if integral && minimum.fract() != 0.0 { minimum.floor() } else { minimum - step(minimum) };
            let limit = shown("minimum");
            self.first_invalid(at("minimum", Kind::Minimum), vec![number(below), number(minimum - 1.0)], |v| {
                format!("{name} = {} below minimum {limit}", brief(v))
            });
        }
        if let Some(maximum) = map.get("maximum").and_then(Value::as_f64) {
            let above = if integral && maximum.fract() != 0.0 { maximum.ceil() } else { maximum + step(maximum) };
            let limit = shown("maximum");
            self.first_invalid(at("maximum", Kind::Maximum), vec![number(above), number(maximum + 1.0)], |v| {
                format!("{name} = {} above maximum {limit}", brief(v))
            });
        }
        for (keyword, inclusive, kind, relation) in [
            ("exclusiveMinimum", "minimum", Kind::ExclusiveMinimum, "greater"),
            ("exclusiveMaximum", "maximum", Kind::ExclusiveMaximum, "less"),
        ] {
            let bound = match map.get(keyword) {
                Some(Value::Number(bound)) => bound.as_f64(),
                Some(Value::Bool(true)) => map.get(inclusive).and_then(Value::as_f64),
                _ => None,
            };
            let Some(bound) = bound else { continue };
            let hit = if integral && bound.fract() != 0.0 {
                if relation == "greater" { bound.floor() } else { bound.ceil() }
            } else {
                bound
            };
            self.first_invalid(at(keyword, kind), vec![number(hit)], |v| {
                format!("{name} = {} at {keyword} {} (must be {relation})", brief(v), brief(&number(bound)))
            });
        }
    }

    /// String length one below `minLength` or one above `maxLength`; a string not matching `pattern` or `format`.
    fn string_cases(&mut self, map: &Map<String, Value>, current: Option<&str>, path: &[String], name: &str) {
        let at = |keyword, kind| Constraint { path, schema: map, keyword, kind };
        let current = current.unwrap_or("");
        let repeat = |c: char, count: usize| Value::String(std::iter::repeat_n(c, count).collect());
        if let Some(min) = usize_keyword(map, "minLength").filter(|min| *min > 0) {
            let prefix = Value::String(current.chars().take(min - 1).collect());
            let candidates = vec![prefix, repeat('a', min - 1), repeat('0', min - 1), repeat('A', min - 1)];
            self.first_invalid(at("minLength", Kind::MinLength), candidates, |_| {
                format!("{name} length {} below minLength {min}", min - 1)
            });
        }
        if let Some(max) = usize_keyword(map, "maxLength").filter(|max| *max < 1_000_000) {
            let last = current.chars().last().unwrap_or('a');
            let extended = Value::String(current.chars().chain(std::iter::repeat(last)).take(max + 1).collect());
            let candidates = vec![extended, repeat('a', max + 1), repeat('0', max + 1), repeat('A', max + 1)];
            self.first_invalid(at("maxLength", Kind::MaxLength), candidates, |_| {
                format!("{name} length {} above maxLength {max}", max + 1)
            });
        }
        if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
            let mut candidates: Vec<Value> = ["", " ", "!", "0", "a", "A", "_", "-", "🙂", "!!!!!!!!", "not matching"]
                .into_iter()
                .map(Value::from)
                .collect();
            candidates.extend([
                Value::from(format!("{current}!")),
                Value::from(format!("!{current}")),
                Value::from(format!(" {current}")),
            ]);
            self.first_invalid(at("pattern", Kind::Pattern), candidates, |v| {
                format!("{name} = {} does not match pattern `{pattern}`", brief(v))
            });
        }
        if let Some(format) = map.get("format").and_then(Value::as_str) {
            let candidates = vec![Value::from(format!("not a {format}")), Value::from("%%"), Value::from("x")];
            self.first_invalid(at("format", Kind::Format), candidates, |v| {
                format!("{name} = {} is not a valid {format}", brief(v))
            });
        }
    }

    /// Arrays one item below `minItems` or one above `maxItems`.
    fn array_cases(&mut self, map: &Map<String, Value>, current: Option<&Vec<Value>>, path: &[String], name: &str) {
        let at = |keyword, kind| Constraint { path, schema: map, keyword, kind };
        let current = current.map(Vec::as_slice).unwrap_or_default();
        if let Some(min) = usize_keyword(map, "minItems").filter(|min| *min > 0 && *min <= current.len() + 1) {
            let candidates = vec![Value::Array(current.iter().take(min - 1).cloned().collect())];
            self.first_invalid(at("minItems", Kind::MinItems), candidates, |_| {
                format!("{name} has {} items, below minItems {min}", min - 1)
            });
        }
        if let Some(max) = usize_keyword(map, "maxItems").filter(|max| *max < 10_000) {
            let filled = |item: Value| Value::Array(vec![item; max + 1]);
            let mut candidates: Vec<Value> = Vec::new();
            if !current.is_empty() {
                candidates.push(Value::Array(current.iter().cycle().take(max + 1).cloned().collect()));
            }
            candidates.extend([
                filled(Value::from("a")),
                filled(Value::from(0)),
                filled(Value::Null),
                filled(Value::Object(Map::new())),
            ]);
            self.first_invalid(at("maxItems", Kind::MaxItems), candidates, |_| {
                format!("{name} has {} items, above maxItems {max}", max + 1)
            });
        }
    }

    /// The cases of an object: required properties left out, an extra property where none are allowed, and the
    /// cases of each property (recursing into objects `levels` more times).
    fn object(&mut self, map: &Map<String, Value>, current: &Map<String, Value>, path: &[String], levels: usize) {
        let at = |keyword, kind| Constraint { path, schema: map, keyword, kind };
        if let Some(Value::Array(required)) = map.get("required") {
            for name in required.iter().filter_map(Value::as_str).filter(|name| current.contains_key(*name)) {
                let mut without = current.clone();
                without.retain(|key, _| key != name);
                let shown = display_name(path, name);
                self.first_invalid(at("required", Kind::Required), vec![Value::Object(without)], |_| {
                    format!("required property {shown} left out")
                });
            }
        }
        let empty = Map::new();
        let properties = map.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            let extra = (0..)
                .map(|n| if n == 0 { "unexpected".to_owned() } else { format!("unexpected_{n}") })
                .find(|name| !properties.contains_key(name) && !current.contains_key(name))
                .unwrap_or_default();
            let mut with = current.clone();
            with.insert(extra.clone(), Value::from("unexpected"));
            let shown = display_name(path, &extra);
            self.first_invalid(at("additionalProperties", Kind::AdditionalProperty), vec![Value::Object(with)], |_| {
                format!("extra property {shown} not allowed (additionalProperties false)")
            });
        }
        for (name, schema) in properties {
            let Some(property) = constraints(self.schema, schema) else { continue };
            let property_path: Vec<String> = path.iter().cloned().chain([name.clone()]).collect();
            let value = current.get(name);
            self.value(&property, value, &property_path);
            if let (Some(Value::Object(inner)), true) = (value, levels > 0) {
                self.object(&property, inner, &property_path, levels - 1);
            }
        }
    }

    /// Keeps the first candidate for the value at `constraint.path` that makes the whole value invalid while
    /// satisfying the rest of its schema (the schema without `constraint.keyword`).
    fn first_invalid(
        &mut self,
        constraint: Constraint<'_>,
        candidates: Vec<Value>,
        describe: impl Fn(&Value) -> String,
    ) {
        let rest = self.rest_validator(constraint.schema, constraint.keyword);
        for candidate in candidates {
            let Some(arguments) = replaced(self.valid, constraint.path, candidate.clone()) else { return };
            if self.validator.is_valid(&arguments) || rest.as_ref().is_some_and(|rest| !rest.is_valid(&candidate)) {
                continue;
            }
            self.found.push((constraint.kind, InvalidCase { arguments, broken: describe(&candidate) }));
            return;
        }
    }

    /// `schema` without `keyword`, compiled with the root's definitions and dialect; `None` when it does not
    /// compile on its own (the candidate is then judged by the whole schema only).
    fn rest_validator(&self, schema: &Map<String, Value>, keyword: &str) -> Option<jsonschema::Validator> {
        let mut rest = schema.clone();
        rest.remove(keyword);
        for context in CONTEXT_KEYWORDS {
            if let Some(value) = self.schema.get(context).filter(|_| !rest.contains_key(*context)) {
                rest.insert((*context).to_owned(), value.clone());
            }
        }
        jsonschema::validator_for(&Value::Object(rest)).ok()
    }

    /// The cases found, without repeated arguments, the first of each kind first, at most `limit`.
    fn into_cases(self, limit: usize) -> Vec<InvalidCase> {
        let mut unique: Vec<(usize, InvalidCase)> = Vec::new();
        let mut seen_kinds: Vec<Kind> = Vec::new();
        for (kind, case) in self.found {
            if unique.iter().any(|(_, kept)| kept.arguments == case.arguments) {
                continue;
            }
            let rank = seen_kinds.iter().filter(|seen| **seen == kind).count();
            seen_kinds.push(kind);
            unique.push((rank, case));
        }
        unique.sort_by_key(|(rank, _)| *rank);
        unique.into_iter().take(limit).map(|(_, case)| case).collect()
    }
}

/// Values of a type none of `types` accepts, the most telling first (`[]` for an object, `12345` for a string).
fn wrong_types(types: &[JsonType]) -> Vec<Value> {
    let preferred = match types.first() {
        Some(JsonType::Object) => Value::Array(Vec::new()),
        Some(JsonType::Array) => Value::Object(Map::new()),
        Some(JsonType::String) => Value::from(12345),
        Some(JsonType::Integer) => Value::from(0.5),
        Some(JsonType::Number) => Value::from("12345"),
        Some(JsonType::Boolean) => Value::from("true"),
        Some(JsonType::Null) | None => Value::from(0),
    };
    let others = [
        Value::from(12345),
        Value::from("12345"),
        Value::Bool(true),
        Value::Null,
        Value::Array(Vec::new()),
        Value::Object(Map::new()),
        Value::from(0.5),
    ];
    let mut candidates: Vec<Value> = Vec::new();
    for candidate in std::iter::once(preferred).chain(others) {
        if !types.iter().any(|ty| ty.accepts(&candidate)) && !candidates.contains(&candidate) {
            candidates.push(candidate);
        }
    }
    candidates
}

/// Values not among `values`, those of the same type first.
fn outside(values: &[Value]) -> Vec<Value> {
    let mut candidates = Vec::new();
    for value in values {
        match value {
            Value::String(text) => candidates.extend([
                Value::from(format!("{text}_other")),
                Value::from(text.to_uppercase()),
                Value::from(""),
            ]),
            Value::Number(n) => {
                let largest = values.iter().filter_map(Value::as_f64).fold(f64::MIN, f64::max);
                candidates.extend([number(largest + 1.0), n.as_f64().map_or(Value::from(0), |n| number(n + 0.5))]);
            }
            Value::Bool(flag) => candidates.push(Value::Bool(!flag)),
            Value::Array(_) => candidates.push(Value::Array(Vec::new())),
            Value::Object(_) => candidates.push(Value::Object(Map::new())),
            Value::Null => candidates.push(Value::from(0)),
        }
    }
    candidates.extend([Value::from("other"), Value::from(0), Value::Null, Value::Bool(true)]);
    let mut unique: Vec<Value> = Vec::new();
    for candidate in candidates {
        if !values.contains(&candidate) && !unique.contains(&candidate) {
            unique.push(candidate);
        }
    }
    unique
}

/// `value` with the part at `path` (object keys) set to `replacement`; `None` when a parent on the path is not an
/// object.
fn replaced(value: &Value, path: &[String], replacement: Value) -> Option<Value> {
    let Some((last, parents)) = path.split_last() else { return Some(replacement) };
    let mut out = value.clone();
    let mut node = &mut out;
    for key in parents {
        node = node.as_object_mut()?.get_mut(key)?;
    }
    node.as_object_mut()?.insert(last.clone(), replacement);
    Some(out)
}

/// A number as JSON: an integer when it is one (and fits), else a float.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9e15 { Value::from(value as i64) } else { Value::from(value) }
}

/// How a case names the part at `path`: "arguments" for the whole value, else "`a.b`".
fn display(path: &[String]) -> String {
    if path.is_empty() { "arguments".to_owned() } else { format!("`{}`", path.join(".")) }
}

/// How a case names the property `name` of the object at `path`.
fn display_name(path: &[String], name: &str) -> String {
    let mut full = path.to_vec();
    full.push(name.to_owned());
    display(&full)
}

/// `value` as compact JSON, cut to 60 characters.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 { text } else { format!("{}…", text.chars().take(60).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::{Strategy, ValueTree};
    use serde_json::json;

    use super::*;
    use crate::unit::{input_space, seeded_runner};

    fn rich_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z]{3}-\\d+$"},
                "name": {"type": "string", "minLength": 2, "maxLength": 5},
                "count": {"type": "integer", "minimum": 0, "maximum": 100},
                "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                "unit": {"type": "string", "enum": ["c", "f"]},
                "kind": {"const": "point"},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
                "owner": {
                    "type": "object",
                    "properties": {"email": {"type": "string"}, "age": {"type": "integer", "minimum": 18}},
                    "required": ["email"],
                    "additionalProperties": false
                }
            },
            "required": ["id", "name", "count", "tags", "owner"],
            "additionalProperties": false
        })
    }

    fn rich_valid() -> Value {
        json!({"id": "abc-1", "name": "bob", "count": 5, "ratio": 0.5, "unit": "c", "kind": "point", "tags": ["x"],
            "owner": {"email": "a@b.c", "age": 30}})
    }

    #[test]
    fn a_rich_schema_yields_one_case_per_broken_constraint() {
        let schema = rich_schema();
        let cases = invalid_cases(&schema, &rich_valid(), 100);
        let broken: Vec<&str> = cases.iter().map(|case| case.broken.as_str()).collect();
        let expected = [
            "arguments given [] (type object)",
            "required property `id` left out",
            "required property `owner` left out",
            "`name` given 12345 (type string)",
            "`count` given 0.5 (type integer)",
            "`ratio` given \"12345\" (type number)",
            "`count` = -1 below minimum 0",
            "`count` = 101 above maximum 100",
            "`ratio` = 0 at exclusiveMinimum 0 (must be greater)",
            "`ratio` = 1 at exclusiveMaximum 1 (must be less)",
            "`name` length 1 below minLength 2",
            "`name` length 6 above maxLength 5",
            "`id` = \"\" does not match pattern `^[a-z]{3}-\\d+$`",
            "`unit` = \"c_other\" not in enum [\"c\",\"f\"]",
            "`kind` = \"point_other\" differs from const \"point\"",
            "`tags` has 0 items, below minItems 1",
            "`tags` has 4 items, above maxItems 3",
            "extra property `unexpected` not allowed (additionalProperties false)",
            "required property `owner.email` left out",
            "`owner.age` = 17 below minimum 18",
            "extra property `owner.unexpected` not allowed (additionalProperties false)",
        ];
        for text in expected {
            assert!(broken.contains(&text), "missing {text:?} in {broken:#?}");
        }
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        for case in &cases {
            let errors = validator.iter_errors(&case.arguments).count();
            assert_eq!(errors, 1, "{}: {} errors for {}", case.broken, errors, case.arguments);
            assert!(
                case.broken.starts_with("arguments") || case.broken.contains('`'),
                "{} names no property",
                case.broken
            );
        }
        for (index, case) in cases.iter().enumerate() {
            assert!(
                !cases[..index].iter().any(|earlier| earlier.arguments == case.arguments),
                "{} repeats arguments",
                case.broken
            );
        }
    }

    #[test]
    fn the_limit_caps_the_cases_and_keeps_kinds_apart() {
        let cases = invalid_cases(&rich_schema(), &rich_valid(), 4);
        assert_eq!(cases.len(), 4);
        assert!(
            !cases.iter().any(|case| case.broken == "required property `name` left out"),
            "a second `required` before other kinds"
        );
    }

    #[test]
    fn an_invalid_starting_value_or_schema_yields_nothing() {
        assert!(invalid_cases(&rich_schema(), &json!({"id": "abc-1"}), 10).is_empty());
        assert!(invalid_cases(&json!({"type": 12}), &json!({}), 10).is_empty());
    }

    #[test]
    fn references_and_draft_07_are_followed() {
        let schema = json!({"$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {"point": {"type": "object", "properties": {"x": {"type": "number", "maximum": 10}}, "required": ["x"]}},
            "type": "object", "properties": {"from": {"$ref": "#/definitions/point"}}, "required": ["from"]});
        let cases = invalid_cases(&schema, &json!({"from": {"x": 1}}), 20);
        let broken: Vec<&str> = cases.iter().map(|case| case.broken.as_str()).collect();
        assert!(broken.contains(&"`from.x` given \"12345\" (type number)"), "{broken:#?}");
        assert!(broken.contains(&"required property `from.x` left out"), "{broken:#?}");
        assert!(broken.contains(&"`from.x` = 10.001 above maximum 10"), "{broken:#?}");
    }

    #[test]
    fn every_case_from_generated_values_is_invalid() {
        let schema = rich_schema();
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let space = input_space(&schema);
        let mut runner = seeded_runner(21);
        for _ in 0..50 {
            let valid = space.valid.new_tree(&mut runner).expect("a value").current();
            let cases = invalid_cases(&schema, &valid, 50);
            assert!(cases.len() >= 10, "only {} cases for {valid}", cases.len());
            for case in cases {
                assert!(!validator.is_valid(&case.arguments), "{} still validates: {}", case.broken, case.arguments);
            }
        }
    }
}
