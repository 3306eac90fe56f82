//! JSON Schema → a proptest strategy of the values the schema accepts ([`input_space`]).
//!
//! The schema is read once and every node becomes a strategy: `$ref` and `allOf` are folded into the node they
//! appear in, a `oneOf`/`anyOf` becomes a union of its branches (each merged with the node's other keywords), and
//! the node's types become ordinary values, edge values (about one draw in four, always within the node's own
//! bounds) and the node's `default`/`examples`. Sizes stay small (strings up to 200 characters unless `minLength`
//! demands more, arrays up to 8 items unless `minItems` does, at most 3 additional properties), and from nesting
//! depth 6 only what the schema demands is generated, which bounds recursive schemas.
//!
//! Every value then passes a final filter, the schema compiled with `jsonschema`: an approximation here can only
//! cost rejected draws, never yield an invalid value. What the generator could not honour is listed, with its JSON
//! Pointer, in [`InputSpace::unsupported`].

use std::sync::Arc;

use proptest::strategy::{Just, NewTree, SBoxedStrategy, Strategy, Union, ValueTree};
use proptest::test_runner::TestRunner;
use proptest::{collection, option, sample};
use serde_json::{Map, Value};

/// Nesting depth (objects and arrays) from which only what the schema demands is generated: required properties
/// and `minItems` items, no optional properties or additional items.
const MINIMAL_FROM_DEPTH: usize = 6;
/// Nesting depth at which a branch gives up (a recursion that demands ever deeper values).
const MAX_DEPTH: usize = 16;
/// `$ref`, `allOf`, `oneOf` and `anyOf` steps allowed without a nesting level in between (more is a cycle).
const MAX_HOPS: usize = 32;
/// Schema nodes read (flattened or built) before the rest is built minimal.
const SOFT_NODE_BUDGET: usize = 2_000;
/// Schema nodes read before generation gives up on the rest.
const HARD_NODE_BUDGET: usize = 10_000;
/// Longest ordinary string, in code points, unless `minLength` demands more.
const TYPICAL_STRING: usize = 200;
/// Length of the long-string edge value when `maxLength` is absent.
const LONG_STRING: usize = 1_000;
/// Most items of an ordinary array, unless `minItems` demands more.
const TYPICAL_ITEMS: usize = 8;
/// Most properties an object gets beyond the ones its schema names.
const MAX_EXTRA_PROPERTIES: usize = 3;
/// Relative weight of ordinary values.
const ORDINARY_WEIGHT: u32 = 6;
/// Relative weight of edge values (2 in 8: about one draw in four).
const EDGE_WEIGHT: u32 = 2;
/// Relative weight of the schema's own `default` and `examples`.
const EXAMPLE_WEIGHT: u32 = 1;
/// The schema that accepts any value.
static ANY_VALUE: Value = Value::Bool(true);

/// Strategies for the values a JSON Schema accepts.
#[derive(Debug)]
pub struct InputSpace {
    /// Valid values: every value it yields validates against the schema (checked with `jsonschema` in a final
    /// filter, so an approximation can never yield an invalid value). Shrinks toward simple values.
    ///
    /// When the schema does not compile, or no value could be built for it, this strategy rejects every draw
    /// (drawing from it fails with a rejection, it never yields a value) and [`InputSpace::unsupported`] says why.
    pub valid: SBoxedStrategy<Value>,
    /// Schema features the generator could not honour (e.g. "`not` at /properties/a", "pattern `(?=x)` at
    /// /properties/b: look-around is not supported"), each naming the JSON Pointer; empty when fully supported.
    /// Never silently skipped.
    pub unsupported: Vec<String>,
}

/// The values `schema` accepts, as a proptest strategy, and what of the schema it could not honour.
pub fn input_space(schema: &Value) -> InputSpace {
    let validator = match jsonschema::validator_for(schema) {
        Ok(validator) => Arc::new(validator),
        Err(error) => {
            return InputSpace {
                valid: never("the schema does not compile"),
                unsupported: vec![format!("the schema does not compile: {error}")],
            };
        }
    };
    let mut builder = Builder::new(schema);
    let valid = match builder.node(schema, "", Level::ROOT) {
        Some(strategy) => {
            strategy.prop_filter("must validate against the schema", move |value| validator.is_valid(value)).sboxed()
        }
        None => {
            builder.note("no value could be generated for the schema".to_owned());
            never("no value could be generated for the schema")
        }
    };
    InputSpace { valid, unsupported: builder.unsupported }
}

/// The constraints of `schema` (a node of `root`) with its `$ref` and `allOf` folded in; `None` when the node
/// accepts nothing (`false`). Unsupported features are ignored here.
pub(super) fn constraints(root: &Value, schema: &Value) -> Option<Map<String, Value>> {
    Builder::new(root).flatten(schema, "", 0).map(|(map, _)| map)
}

/// A JSON type as the `type` keyword names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A number with no fractional part.
    Integer,
    /// Any number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    /// The type `name` stands for in the `type` keyword.
    fn parse(name: &str) -> Option<JsonType> {
        Some(match name {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    /// The name the `type` keyword uses for this type.
    pub(super) fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }

    /// Whether `value` is of this type (`integer` accepts integral floats, as JSON Schema does).
    pub(super) fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (JsonType::Null, Value::Null)
            | (JsonType::Boolean, Value::Bool(_))
            | (JsonType::Number, Value::Number(_))
            | (JsonType::String, Value::String(_))
            | (JsonType::Array, Value::Array(_))
            | (JsonType::Object, Value::Object(_)) => true,
            (JsonType::Integer, Value::Number(n)) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        }
    }
}

/// The types the `type` keyword of `map` names; `None` when it is absent or names no known type.
pub(super) fn declared_types(map: &Map<String, Value>) -> Option<Vec<JsonType>> {
    let types: Vec<JsonType> = match map.get("type")? {
        Value::String(name) => JsonType::parse(name).into_iter().collect(),
        Value::Array(names) => names.iter().filter_map(Value::as_str).filter_map(JsonType::parse).collect(),
        _ => Vec::new(),
    };
    (!types.is_empty()).then_some(types)
}

/// A strategy that rejects every draw (for a schema nothing can be generated for).
fn never(reason: &'static str) -> SBoxedStrategy<Value> {
    Just(Value::Null).prop_filter(reason, |_| false).sboxed()
}

/// How deep a node sits: nesting levels of values, and combinator or `$ref` steps since the last level.
#[derive(Debug, Clone, Copy)]
struct Level {
    depth: usize,
    hops: usize,
}

impl Level {
    const ROOT: Level = Level { depth: 0, hops: 0 };

    /// The level of a property or an item of a value at this level.
    fn nested(self) -> Level {
        Level { depth: self.depth + 1, hops: 0 }
    }

    /// The level of a branch (`oneOf`, `anyOf`) of a node at this level.
    fn hop(self) -> Level {
        Level { depth: self.depth, hops: self.hops + 1 }
    }
}

/// Ordinary values of one type, and the edge values of that type the node allows.
struct Piece {
    ordinary: SBoxedStrategy<Value>,
    edges: Vec<Value>,
}

/// Turns schema nodes into strategies, noting what it cannot honour.
struct Builder<'s> {
    root: &'s Value,
    unsupported: Vec<String>,
    built: usize,
}

impl<'s> Builder<'s> {
    fn new(root: &'s Value) -> Builder<'s> {
        Builder { root, unsupported: Vec::new(), built: 0 }
    }

    /// Records a feature the generator could not honour (once).
    fn note(&mut self, message: String) {
        if !self.unsupported.contains(&message) {
            self.unsupported.push(message);
        }
    }

    /// Whether a node at `level` gets only what its schema demands.
    fn minimal(&self, level: Level) -> bool {
        level.depth >= MINIMAL_FROM_DEPTH || self.built >= SOFT_NODE_BUDGET
    }

    /// The strategy of the schema node `schema` at JSON Pointer `pointer`; `None` when it can yield no value.
    fn node(&mut self, schema: &Value, pointer: &str, level: Level) -> Option<SBoxedStrategy<Value>> {
        if level.depth > MAX_DEPTH {
            self.note(format!("recursion at {}: no value within {MAX_DEPTH} levels of nesting", at(pointer)));
            return None;
        }
        let (map, pointer) = self.flatten(schema, pointer, 0)?;
        self.node_from(&map, &pointer, level)
    }

    /// `schema`'s own constraints with its `$ref` and `allOf` folded in, and the pointer they were read at;
    /// `None` when the node accepts nothing.
    fn flatten(&mut self, schema: &Value, pointer: &str, hops: usize) -> Option<(Map<String, Value>, String)> {
        let map = match schema {
            Value::Bool(true) => return Some((Map::new(), pointer.to_owned())),
            Value::Bool(false) => return None,
            Value::Object(map) => map,
            _ => {
                self.note(format!("schema at {} is neither an object nor a boolean", at(pointer)));
                return Some((Map::new(), pointer.to_owned()));
            }
        };
        self.built += 1;
        if self.built > HARD_NODE_BUDGET {
            self.note(format!("schema too large: gave up at {} after {HARD_NODE_BUDGET} nodes", at(pointer)));
            return None;
        }
        if hops > MAX_HOPS {
            self.note(format!("`$ref`/`allOf` cycle at {}", at(pointer)));
            return None;
        }
        let mut own = map.clone();
        own.remove("$ref");
        own.remove("allOf");
        let mut folded = own.clone();
        let mut pointer = pointer.to_owned();
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            match resolve(self.root, reference) {
                Some((target, target_pointer)) => {
                    let (mut base, _) = self.flatten(target, &target_pointer, hops + 1)?;
                    merge_into(&mut base, &own);
                    folded = base;
                    pointer = target_pointer;
                }
                None => self.note(format!(
                    "`$ref` `{reference}` at {}: only local references (`#`, `#/$defs/…`, `#/definitions/…`) are supported",
                    at(&pointer)
                )),
            }
        }
        if let Some(Value::Array(branches)) = map.get("allOf") {
            for (index, branch) in branches.iter().enumerate() {
                let branch_pointer = child(&pointer, &["allOf", &index.to_string()]);
                let (branch, _) = self.flatten(branch, &branch_pointer, hops + 1)?;
                merge_into(&mut folded, &branch);
            }
        }
        Some((folded, pointer))
    }

    /// The strategy of a flattened node.
    fn node_from(&mut self, map: &Map<String, Value>, pointer: &str, level: Level) -> Option<SBoxedStrategy<Value>> {
        self.built += 1;
        if self.built > HARD_NODE_BUDGET {
            self.note(format!("schema too large: gave up at {} after {HARD_NODE_BUDGET} nodes", at(pointer)));
            return None;
        }
        if level.hops > MAX_HOPS {
            self.note(format!("`oneOf`/`anyOf` cycle at {}", at(pointer)));
            return None;
        }
        for combinator in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = map.get(combinator) {
                return self.branches(map, combinator, branches, pointer, level);
            }
        }
        self.note_unhonoured(map, pointer);
        if let Some(value) = map.get("const") {
            return Some(Just(value.clone()).sboxed());
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            if values.is_empty() {
                self.note(format!("empty `enum` at {}", at(pointer)));
                return None;
            }
            return Some(sample::select(values.clone()).sboxed());
        }
        let pieces = match inferred_types(map) {
            Inferred::Any => vec![self.any(level)],
            Inferred::Unknown => {
                self.note(format!("`type` at {} names no known type", at(pointer)));
                return None;
            }
            Inferred::Types(types) => types.into_iter().filter_map(|ty| self.piece(ty, map, pointer, level)).collect(),
        };
        if pieces.is_empty() {
            return None;
        }
        Some(with_specials(pieces, examples(map)))
    }

    /// A union of the branches of `combinator`, each merged with the rest of `map`.
    fn branches(
        &mut self,
        map: &Map<String, Value>,
        combinator: &str,
        branches: &[Value],
        pointer: &str,
        level: Level,
    ) -> Option<SBoxedStrategy<Value>> {
        let mut rest = map.clone();
        rest.remove(combinator);
        let mut arms = Vec::new();
        for (index, branch) in branches.iter().enumerate() {
            let branch_pointer = child(pointer, &[combinator, &index.to_string()]);
            let Some((branch, _)) = self.flatten(branch, &branch_pointer, 0) else { continue };
            let mut merged = rest.clone();
            merge_into(&mut merged, &branch);
            arms.extend(self.node_from(&merged, &branch_pointer, level.hop()));
        }
        if arms.is_empty() {
            self.note(format!("no branch of `{combinator}` at {} can yield a value", at(pointer)));
            return None;
        }
        Some(Union::new(arms).sboxed())
    }

    /// Notes the keywords of `map` the generator does not honour (the final filter still enforces them).
    fn note_unhonoured(&mut self, map: &Map<String, Value>, pointer: &str) {
        const UNHONOURED: &[&str] = &[
            "not",
            "if",
            "dependentRequired",
            "dependentSchemas",
            "dependencies",
            "patternProperties",
            "propertyNames",
            "contains",
            "unevaluatedProperties",
            "unevaluatedItems",
            "$dynamicRef",
            "$recursiveRef",
        ];
        for keyword in UNHONOURED.iter().filter(|keyword| map.contains_key(**keyword)) {
            let keyword = if *keyword == "if" { "if`/`then`/`else" } else { keyword };
            self.note(format!("`{keyword}` at {}", at(pointer)));
        }
    }

    /// The values of one type the node allows; `None` when it allows none.
    fn piece(&mut self, ty: JsonType, map: &Map<String, Value>, pointer: &str, level: Level) -> Option<Piece> {
        match ty {
            JsonType::Null => Some(Piece { ordinary: Just(Value::Null).sboxed(), edges: Vec::new() }),
            JsonType::Boolean => {
                Some(Piece { ordinary: proptest::bool::ANY.prop_map(Value::Bool).sboxed(), edges: Vec::new() })
            }
            JsonType::Integer => self.integer(map, pointer),
            JsonType::Number => self.number(map, pointer),
            JsonType::String => self.string(map, pointer),
            JsonType::Array => self.array(map, pointer, level),
            JsonType::Object => self.object(map, pointer, level),
        }
    }

    /// Any JSON value, kept small (a node with no type and no keyword that implies one).
    fn any(&self, level: Level) -> Piece {
        let leaf = Union::new([
            Just(Value::Null).sboxed(),
            proptest::bool::ANY.prop_map(Value::Bool).sboxed(),
            (-100i64..=100).prop_map(Value::from).sboxed(),
            (-1000.0f64..1000.0).prop_map(Value::from).sboxed(),
            collection::vec(proptest::char::range('a', 'z'), 0..=12)
                .prop_map(|chars| Value::String(chars.into_iter().collect()))
                .sboxed(),
        ])
        .sboxed();
        let ordinary = if self.minimal(level) {
            leaf
        } else {
            let array = collection::vec(leaf.clone(), 0..=3).prop_map(Value::Array).sboxed();
            let object = collection::vec((property_name(), leaf.clone()), 0..=3)
                .prop_map(|entries| Value::Object(entries.into_iter().collect()))
                .sboxed();
            Union::new_weighted(vec![(4, leaf), (1, array), (1, object)]).sboxed()
        };
        let edges = vec![
            Value::from(0),
            Value::from(""),
            Value::from("🙂"),
            Value::Array(Vec::new()),
            Value::Object(Map::new()),
        ];
        Piece { ordinary, edges }
    }

    /// Integers within the node's bounds and `multipleOf`.
    fn integer(&mut self, map: &Map<String, Value>, pointer: &str) -> Option<Piece> {
        let bounds = NumericBounds::of(map);
        let low = bounds.low.map_or(i128::from(i64::MIN), |(bound, exclusive)| {
            if exclusive { (bound.floor() as i128).saturating_add(1) } else { bound.ceil() as i128 }
        });
        let high = bounds.high.map_or(i128::from(i64::MAX), |(bound, exclusive)| {
            if exclusive { (bound.ceil() as i128).saturating_sub(1) } else { bound.floor() as i128 }
        });
        let (Ok(low), Ok(high)) =
            (i64::try_from(low.max(i128::from(i64::MIN))), i64::try_from(high.min(i128::from(i64::MAX))))
        else {
            self.note(format!("integer range at {} lies beyond 64 bits", at(pointer)));
            return None;
        };
        if low > high {
            self.note(format!("empty integer range at {}", at(pointer)));
            return None;
        }
        // Integers are generated as multiples of `step` (1 without an integral `multipleOf`).
        let step = integral_multiple_of(map).unwrap_or(1);
        let (k_low, k_high) = (div_ceil(low, step), div_floor(high, step));
        if k_low > k_high {
            self.note(format!("no multiple of {step} in the integer range at {}", at(pointer)));
            return None;
        }
        let candidates = [0, 1, -1, low, high, 1 << 31, -(1 << 31), 1 << 53, -(1 << 53), i64::MIN, i64::MAX];
        let mut edges: Vec<i64> = Vec::new();
        for edge in candidates.into_iter().filter(|v| (low..=high).contains(v) && v % step == 0) {
            if !edges.contains(&(edge / step)) {
                edges.push(edge / step);
            }
        }
        // The edges are drawn inside the integer tree, so an edge value shrinks like any other.
        let ordinary = Integers { low: k_low, high: k_high, edges }.prop_map(move |k| Value::from(k * step)).sboxed();
        Some(Piece { ordinary, edges: Vec::new() })
    }

    /// Numbers (integral or not) within the node's bounds and `multipleOf`.
    fn number(&mut self, map: &Map<String, Value>, pointer: &str) -> Option<Piece> {
        let bounds = NumericBounds::of(map);
        let low = bounds.low.map_or(f64::MIN, |(bound, exclusive)| if exclusive { bound.next_up() } else { bound });
        let high = bounds.high.map_or(f64::MAX, |(bound, exclusive)| if exclusive { bound.next_down() } else { bound });
        if low.is_nan() || high.is_nan() || low > high {
            self.note(format!("empty number range at {}", at(pointer)));
            return None;
        }
        let multiple = map.get("multipleOf").and_then(Value::as_f64).filter(|m| *m > 0.0 && m.is_finite());
        let ordinary = match multiple {
            Some(multiple) => {
                let k_low = (low / multiple).ceil().max(-1e12);
                let k_high = (high / multiple).floor().min(1e12);
                if k_low > k_high {
                    self.note(format!("no multiple of {multiple} in the number range at {}", at(pointer)));
                    return None;
                }
                let inverse = 1.0 / multiple;
                let exact_inverse = inverse.fract() == 0.0 && inverse <= 1e15;
                int_in(k_low as i64, k_high as i64)
                    .prop_map(move |k| {
                        let value = if exact_inverse { k as f64 / inverse } else { k as f64 * multiple };
                        if value.fract() == 0.0 && value.abs() < 9e15 {
                            Value::from(value as i64)
                        } else {
                            Value::from(value)
                        }
                    })
                    .sboxed()
            }
            None => {
                // Every number, ordinary or edge, shrinks by binary search in the float tree: `b = 2^31` shrinks
                // to the boundary a defect hides behind, `1e308` to just past a threshold.
                let candidates = [0.0, 1.0, -1.0, 0.5, -0.0, low, high, 2f64.powi(31), -(2f64.powi(31))]
                    .into_iter()
                    .chain([2f64.powi(53), -(2f64.powi(53)), 1e308, -1e308]);
                let mut edges: Vec<f64> = Vec::new();
                for edge in candidates.filter(|v| (low..=high).contains(v) && *v != f64::MIN && *v != f64::MAX) {
                    if !edges.iter().any(|e| e.to_bits() == edge.to_bits()) {
                        edges.push(edge);
                    }
                }
                let ordinary = Numbers { low, high, ordinary: ordinary_numbers(low, high), edges }.sboxed();
                return Some(Piece { ordinary, edges: Vec::new() });
            }
        };
        // Simplest first: an edge value shrinks toward the edges before it.
        let candidates =
            [0.0, 1.0, -1.0, 0.5, -0.0, low, high, 2f64.powi(31), 2f64.powi(53), -(2f64.powi(53)), 1e308, -1e308];
        let edges = candidates
            .into_iter()
            .filter(|v| (low..=high).contains(v) && *v != f64::MIN && *v != f64::MAX)
            .filter(|v| multiple.is_none_or(|m| (v / m).fract() == 0.0))
            .map(number_value)
            .collect();
        Some(Piece { ordinary, edges: dedup(edges) })
    }

    /// Strings within the node's length bounds, matching its `pattern` or `format` when it can.
    fn string(&mut self, map: &Map<String, Value>, pointer: &str) -> Option<Piece> {
        let min = usize_keyword(map, "minLength").unwrap_or(0);
        let max = usize_keyword(map, "maxLength");
        if max.is_some_and(|max| max < min) {
            self.note(format!("maxLength below minLength at {}", at(pointer)));
            return None;
        }
        let within = move |s: &str| {
            let count = s.chars().count();
            count >= min && max.is_none_or(|max| count <= max)
        };
        let pattern = map.get("pattern").and_then(Value::as_str);
        let format = map.get("format").and_then(Value::as_str);
        let shaped: Option<(SBoxedStrategy<String>, Vec<String>)> = if let Some(pattern) = pattern {
            match pattern_strategy(pattern) {
                Ok(strategy) => Some((strategy, pattern_edges(pattern))),
                Err(reason) => {
                    self.note(format!("pattern `{pattern}` at {}: {reason}", at(pointer)));
                    None
                }
            }
        } else if let Some(format) = format {
            match format_strategy(format) {
                Some(strategy) => Some((strategy, format_edges(format).iter().map(|s| (*s).to_owned()).collect())),
                None => {
                    self.note(format!("format `{format}` at {}", at(pointer)));
                    None
                }
            }
        } else {
            None
        };
        let (ordinary, edges) = match shaped {
            Some((strategy, edges)) => {
                let strategy = strategy.prop_filter("length within minLength/maxLength", move |s| within(s)).sboxed();
                (strategy, edges)
            }
            None => (plain_string(min, max), string_edges(min, max)),
        };
        let edges = edges.into_iter().filter(|s| within(s)).map(Value::String).collect();
        Some(Piece { ordinary: ordinary.prop_map(Value::String).sboxed(), edges: dedup(edges) })
    }

    /// Arrays: tuple prefixes (`prefixItems`, or draft-07 `items` as an array), then `items` (or `additionalItems`).
    fn array(&mut self, map: &Map<String, Value>, pointer: &str, level: Level) -> Option<Piece> {
        let min = usize_keyword(map, "minItems").unwrap_or(0);
        let max = usize_keyword(map, "maxItems");
        if max.is_some_and(|max| max < min) {
            self.note(format!("maxItems below minItems at {}", at(pointer)));
            return None;
        }
        let (prefix_key, rest_key) = match (map.get("prefixItems"), map.get("items")) {
            (Some(Value::Array(_)), _) => ("prefixItems", "items"),
            (_, Some(Value::Array(_))) => ("items", "additionalItems"),
            _ => ("prefixItems", "items"),
        };
        let mut prefix = Vec::new();
        if let Some(Value::Array(schemas)) = map.get(prefix_key) {
            for (index, schema) in schemas.iter().enumerate() {
                match self.node(schema, &child(pointer, &[prefix_key, &index.to_string()]), level.nested()) {
                    Some(strategy) => prefix.push(strategy),
                    None => break,
                }
            }
        }
        let rest = match map.get(rest_key) {
            Some(schema) => self.node(schema, &child(pointer, &[rest_key]), level.nested()),
            None => Some(self.any(level.nested()).ordinary),
        };
        let typical = TYPICAL_ITEMS.max(min);
        let mut upper = max.map_or(typical, |max| max.min(typical));
        if self.minimal(level) {
            upper = min;
        }
        if rest.is_none() {
            upper = upper.min(prefix.len());
        }
        if upper < min {
            self.note(format!("no array of {min} items can be built at {}", at(pointer)));
            return None;
        }
        let unique = map.get("uniqueItems") == Some(&Value::Bool(true));
        let prefix_len = prefix.len();
        let keep = min.min(prefix_len)..=upper.min(prefix_len);
        let rest_len = min.saturating_sub(prefix_len)..=upper.saturating_sub(prefix_len);
        let rest = match rest {
            Some(rest) => collection::vec(rest, rest_len).sboxed(),
            None => Just(Vec::new()).sboxed(),
        };
        let ordinary = (prefix, keep, rest)
            .prop_map(move |(mut items, keep, rest)| {
                if keep < items.len() {
                    items.truncate(keep);
                } else {
                    items.extend(rest);
                }
                Value::Array(if unique { dedup(items) } else { items })
            })
            .sboxed();
        let edges = if min == 0 { vec![Value::Array(Vec::new())] } else { Vec::new() };
        Some(Piece { ordinary, edges })
    }

    /// Objects: required properties always, optional ones present or absent, a few additional ones when allowed.
    fn object(&mut self, map: &Map<String, Value>, pointer: &str, level: Level) -> Option<Piece> {
        let empty = Map::new();
        let properties = map.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let required: Vec<&str> = match map.get("required") {
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let additional = map.get("additionalProperties");
        let minimal = self.minimal(level);
        let mut fixed: Vec<SBoxedStrategy<Option<(String, Value)>>> = Vec::new();
        for (name, schema) in properties {
            let is_required = required.contains(&name.as_str());
            if !is_required && minimal {
                continue;
            }
            let property_pointer = child(pointer, &["properties", name]);
            let Some(strategy) = self.node(schema, &property_pointer, level.nested()) else {
                if is_required {
                    self.note(format!("required property `{name}` at {} can have no value", at(pointer)));
                    return None;
                }
                continue;
            };
            let name = name.clone();
            fixed.push(if is_required {
                strategy.prop_map(move |value| Some((name.clone(), value))).sboxed()
            } else {
                option::of(strategy).prop_map(move |value| value.map(|value| (name.clone(), value))).sboxed()
            });
        }
        let additional_schema = match additional {
            Some(Value::Bool(false)) => None,
            Some(schema @ Value::Object(_)) => Some(schema),
            _ => Some(&ANY_VALUE),
        };
        for name in required.iter().filter(|name| !properties.contains_key(**name)) {
            let schema = additional_schema.unwrap_or(&ANY_VALUE);
            let strategy = self.node(schema, &child(pointer, &["additionalProperties"]), level.nested())?;
            let name = (*name).to_owned();
            fixed.push(strategy.prop_map(move |value| Some((name.clone(), value))).sboxed());
        }
        let declared: Vec<String> =
            properties.keys().cloned().chain(required.iter().map(|name| (*name).to_owned())).collect();
        let min_properties = usize_keyword(map, "minProperties").unwrap_or(0);
        let needed = min_properties.saturating_sub(declared.len());
        let room =
            usize_keyword(map, "maxProperties").map_or(MAX_EXTRA_PROPERTIES, |max| max.saturating_sub(required.len()));
        let extras = match additional_schema {
            Some(schema) if !minimal || needed > 0 => {
                let value = self.node(schema, &child(pointer, &["additionalProperties"]), level.nested());
                match value {
                    Some(value) => {
                        let taken = declared.clone();
                        let name = property_name()
                            .prop_filter("a name the schema does not declare", move |name| !taken.contains(name))
                            .sboxed();
                        let entry = (name, value);
                        let most = needed.max(MAX_EXTRA_PROPERTIES.min(room));
                        Union::new_weighted(vec![
                            (3, collection::vec(entry.clone(), needed..=needed).sboxed()),
                            (1, collection::vec(entry, needed..=most).sboxed()),
                        ])
                        .sboxed()
                    }
                    None => Just(Vec::new()).sboxed(),
                }
            }
            _ => Just(Vec::new()).sboxed(),
        };
        let ordinary = (fixed, extras)
            .prop_map(|(fixed, extras)| {
                let mut object: Map<String, Value> = fixed.into_iter().flatten().collect();
                for (name, value) in extras {
                    object.entry(name).or_insert(value);
                }
                Value::Object(object)
            })
            .sboxed();
        let edges =
            if required.is_empty() && min_properties == 0 { vec![Value::Object(Map::new())] } else { Vec::new() };
        Some(Piece { ordinary, edges })
    }
}

/// The types a node's values may take.
enum Inferred {
    /// Any JSON value: no `type` and no keyword that implies one.
    Any,
    /// `type` is present but names no known type.
    Unknown,
    /// These types.
    Types(Vec<JsonType>),
}

/// The node's types: its `type`, or the types its keywords imply (`properties` → object, `items` → array, …).
fn inferred_types(map: &Map<String, Value>) -> Inferred {
    if map.contains_key("type") {
        return declared_types(map).map_or(Inferred::Unknown, Inferred::Types);
    }
    const HINTS: &[(JsonType, &[&str])] = &[
        (JsonType::Object, &["properties", "required", "additionalProperties", "minProperties", "maxProperties"]),
        (JsonType::Array, &["items", "prefixItems", "minItems", "maxItems", "uniqueItems"]),
        (JsonType::String, &["minLength", "maxLength", "pattern", "format"]),
        (JsonType::Number, &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]),
    ];
    let types: Vec<JsonType> = HINTS
        .iter()
        .filter(|(_, keywords)| keywords.iter().any(|keyword| map.contains_key(*keyword)))
        .map(|(ty, _)| *ty)
        .collect();
    if types.is_empty() { Inferred::Any } else { Inferred::Types(types) }
}

/// A node's bounds as `(bound, exclusive)`, from `minimum`/`maximum`, `exclusiveMinimum`/`exclusiveMaximum`
/// (number form) and the draft-04 boolean form.
struct NumericBounds {
    low: Option<(f64, bool)>,
    high: Option<(f64, bool)>,
}

impl NumericBounds {
    fn of(map: &Map<String, Value>) -> NumericBounds {
        let bound = |inclusive: &str, exclusive: &str, tighter: fn(f64, f64) -> bool| {
            let inclusive = map.get(inclusive).and_then(Value::as_f64);
            match (inclusive, map.get(exclusive)) {
                (Some(bound), Some(Value::Bool(true))) => Some((bound, true)),
                (Some(bound), Some(Value::Number(other))) => match other.as_f64() {
                    Some(other) if tighter(bound, other) => Some((bound, false)),
                    Some(other) => Some((other, true)),
                    None => Some((bound, false)),
                },
                (None, Some(Value::Number(other))) => other.as_f64().map(|other| (other, true)),
                (inclusive, _) => inclusive.map(|bound| (bound, false)),
            }
        };
        NumericBounds {
            low: bound("minimum", "exclusiveMinimum", |inclusive, exclusive| inclusive > exclusive),
            high: bound("maximum", "exclusiveMaximum", |inclusive, exclusive| inclusive < exclusive),
        }
    }
}

/// `multipleOf` when it is an integer from 2 to 2^53 (integers are then generated as its multiples).
fn integral_multiple_of(map: &Map<String, Value>) -> Option<i64> {
    let multiple = map.get("multipleOf")?.as_f64()?;
    (multiple.fract() == 0.0 && (2.0..=9_007_199_254_740_992.0).contains(&multiple)).then_some(multiple as i64)
}

fn div_ceil(value: i64, step: i64) -> i64 {
    (-((-i128::from(value)).div_euclid(i128::from(step)))) as i64
}

fn div_floor(value: i64, step: i64) -> i64 {
    i128::from(value).div_euclid(i128::from(step)) as i64
}

/// Integers in `low..=high`, mostly near zero (or the bound nearest zero), sometimes anywhere in the range.
fn int_in(low: i64, high: i64) -> SBoxedStrategy<i64> {
    let centre = 0i64.clamp(low, high);
    let near = centre.saturating_sub(100).max(low)..=centre.saturating_add(100).min(high);
    Union::new_weighted(vec![(3, near.sboxed()), (1, (low..=high).sboxed())]).sboxed()
}

/// Integers in `low..=high` with edge values weighted in (one draw in four), each shrinking by binary search
/// toward the value nearest zero: an edge value shrinks as far as an ordinary one.
#[derive(Debug)]
struct Integers {
    low: i64,
    high: i64,
    edges: Vec<i64>,
}

impl Strategy for Integers {
    type Tree = IntegerTree;
    type Value = i64;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let ordinary = int_in(self.low, self.high);
        let start = if self.edges.is_empty() {
            ordinary.new_tree(runner)?.current()
        } else {
            let edges = sample::select(self.edges.clone()).sboxed();
            Union::new_weighted(vec![(ORDINARY_WEIGHT, ordinary), (EDGE_WEIGHT, edges)]).new_tree(runner)?.current()
        };
        Ok(IntegerTree::new(self.low, start, self.high))
    }
}

/// Binary search over a distance, from the drawn one toward zero: proptest's integer shrinking. A failing
/// candidate moves the upper end down, a passing one the lower end up; the search ends when they meet.
#[derive(Debug, Clone)]
struct Bisect {
    lo: u128,
    curr: u128,
    hi: u128,
}

impl Bisect {
    fn from(distance: u128) -> Bisect {
        Bisect { lo: 0, curr: distance, hi: distance }
    }

    fn within(lo: u128, hi: u128) -> Bisect {
        Bisect { lo, curr: hi, hi }
    }

    fn reposition(&mut self) -> bool {
        let mid = self.lo + (self.hi - self.lo) / 2;
        if mid == self.curr {
            return false;
        }
        self.curr = mid;
        true
    }

    fn simplify(&mut self) -> bool {
        if self.hi <= self.lo {
            return false;
        }
        self.hi = self.curr;
        self.reposition()
    }

    fn complicate(&mut self) -> bool {
        if self.hi <= self.lo {
            return false;
        }
        self.lo = self.curr + 1;
        self.reposition()
    }
}

/// Binary search from a drawn integer toward the value of its range nearest zero (proptest's integer shrinking,
/// over the distance to that value).
#[derive(Debug, Clone)]
struct IntegerTree {
    target: i128,
    sign: i128,
    search: Bisect,
}

impl IntegerTree {
    fn new(low: i64, start: i64, high: i64) -> IntegerTree {
        let target = i128::from(0i64.clamp(low, high));
        let offset = i128::from(start) - target;
        IntegerTree { target, sign: offset.signum(), search: Bisect::from(offset.unsigned_abs()) }
    }
}

impl ValueTree for IntegerTree {
    type Value = i64;

    fn current(&self) -> i64 {
        // Between the target and the drawn value, so within `i64`.
        (self.target + self.sign * self.search.curr as i128) as i64
    }

    fn simplify(&mut self) -> bool {
        self.search.simplify()
    }

    fn complicate(&mut self) -> bool {
        self.search.complicate()
    }
}

/// A number as JSON: an integer when it is one (and exactly representable), else a float; `-0.0` stays a float.
fn number_value(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 && !(v == 0.0 && v.is_sign_negative()) {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// Numbers in `low..=high` with edge values weighted in, each shrinking by binary search toward the value of the
/// range nearest zero ([`FloatTree`]).
#[derive(Debug)]
struct Numbers {
    low: f64,
    high: f64,
    ordinary: SBoxedStrategy<Value>,
    edges: Vec<f64>,
}

impl Strategy for Numbers {
    type Tree = FloatTree;
    type Value = Value;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let start = if self.edges.is_empty() {
            self.ordinary.new_tree(runner)?.current()
        } else {
            let edges = sample::select(self.edges.clone()).prop_map(Value::from).sboxed();
            Union::new_weighted(vec![(ORDINARY_WEIGHT, self.ordinary.clone()), (EDGE_WEIGHT, edges)])
                .new_tree(runner)?
                .current()
        };
        let start = start.as_f64().unwrap_or(0.0).clamp(self.low, self.high);
        Ok(FloatTree::new(self.low, start, self.high))
    }
}

/// Binary search from a drawn number toward the value of its range nearest zero, over the bit patterns of the
/// magnitudes (which order like the magnitudes): at most 64 halvings reach any boundary exactly.
#[derive(Debug, Clone)]
struct FloatTree {
    negative: bool,
    search: Bisect,
}

impl FloatTree {
    fn new(low: f64, start: f64, high: f64) -> FloatTree {
        let target = 0f64.clamp(low, high);
        // The range excludes zero only on one side, so the target and the start share a sign.
        let (from, to) = (u128::from(target.abs().to_bits()), u128::from(start.abs().to_bits()));
        FloatTree { negative: start.is_sign_negative(), search: Bisect::within(from.min(to), to) }
    }
}

impl ValueTree for FloatTree {
    type Value = Value;

    fn current(&self) -> Value {
        // Between the two bit patterns, so within `u64`.
        let magnitude = f64::from_bits(self.search.curr as u64);
        number_value(if self.negative { -magnitude } else { magnitude })
    }

    fn simplify(&mut self) -> bool {
        self.search.simplify()
    }

    fn complicate(&mut self) -> bool {
        self.search.complicate()
    }
}

/// Numbers in `low..=high`: small integers, two-decimal values and uniform floats.
fn ordinary_numbers(low: f64, high: f64) -> SBoxedStrategy<Value> {
    let mut arms: Vec<(u32, SBoxedStrategy<Value>)> = Vec::new();
    let (window_low, window_high) = (low.max(-1000.0), high.min(1000.0));
    if window_low.ceil() <= window_high.floor() {
        arms.push((2, int_in(window_low.ceil() as i64, window_high.floor() as i64).prop_map(Value::from).sboxed()));
    }
    if (window_low * 100.0).ceil() <= (window_high * 100.0).floor() {
        let cents = int_in((window_low * 100.0).ceil() as i64, (window_high * 100.0).floor() as i64);
        let decimals = cents
            .prop_map(|cents| cents as f64 / 100.0)
            .prop_filter("within the bounds", move |v| (low..=high).contains(v));
        arms.push((2, decimals.prop_map(Value::from).sboxed()));
    }
    let (mut wide_low, mut wide_high) = (low.max(-1e9), high.min(1e9));
    if wide_low > wide_high {
        (wide_low, wide_high) = (low, high);
    }
    // Wide values in hundredths, drawn by the integer tree so that a failing one shrinks by binary search (a float
    // range would not shrink toward a threshold).
    let (cents_low, cents_high) = ((wide_low * 100.0).ceil(), (wide_high * 100.0).floor());
    let wide = if wide_low == wide_high {
        Just(Value::from(wide_low)).sboxed()
    } else if cents_low <= cents_high && cents_low.abs() < 9e15 && cents_high.abs() < 9e15 {
        Integers { low: cents_low as i64, high: cents_high as i64, edges: Vec::new() }
            .prop_map(|cents| Value::from(cents as f64 / 100.0))
            .prop_filter("within the bounds", move |v| v.as_f64().is_some_and(|v| (low..=high).contains(&v)))
            .sboxed()
    } else {
        (wide_low..=wide_high).prop_map(Value::from).sboxed()
    };
    arms.push((1, wide));
    Union::new_weighted(arms).sboxed()
}

/// Strings of `min` to `max` code points (at most about 200 unless `min` demands more), mostly short ASCII; about
/// one character in thirty is any Unicode scalar value.
fn plain_string(min: usize, max: Option<usize>) -> SBoxedStrategy<String> {
    let typical = TYPICAL_STRING.max(min);
    let upper = max.map_or(typical, |max| max.min(typical));
    let chars = Union::new_weighted(vec![
        (20, proptest::char::range('a', 'z').sboxed()),
        (8, proptest::char::range(' ', '~').sboxed()),
        (1, proptest::char::any().sboxed()),
    ]);
    let short = collection::vec(chars.clone(), min..=upper.min(min + 12));
    let any_length = collection::vec(chars, min..=upper);
    Union::new_weighted(vec![(3, short.sboxed()), (1, any_length.sboxed())])
        .prop_map(|chars| chars.into_iter().collect())
        .sboxed()
}

/// Edge strings (filtered by the node's length bounds afterwards), simplest first, as an edge shrinks toward the
/// edges before it: empty, one character, `minLength` long, whitespace-only, non-ASCII (accented, combining,
/// CJK, emoji, right-to-left), with a quote, a backslash and a newline, and `maxLength` long (1000 unbounded).
fn string_edges(min: usize, max: Option<usize>) -> Vec<String> {
    let long = max.unwrap_or(LONG_STRING.max(min));
    let filler = |len: usize| "abcdefghij".chars().cycle().take(len).collect::<String>();
    let mut edges = vec![String::new(), "a".to_owned(), filler(min), " ".to_owned()];
    edges.extend(
        ["é", "e\u{301}", "漢字", "🙂", "שלום", "مرحبا", " \t\n ", "say \"hi\"\\\n"].into_iter().map(str::to_owned),
    );
    edges.push(filler(long));
    edges
}

/// A property name for additional properties.
fn property_name() -> SBoxedStrategy<String> {
    let rest = collection::vec(
        Union::new([
            proptest::char::range('a', 'z').sboxed(),
            proptest::char::range('0', '9').sboxed(),
            Just('_').sboxed(),
        ]),
        0..=9,
    );
    (proptest::char::range('a', 'z'), rest)
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
        .sboxed()
}

/// Strings matching an ECMA-262 `pattern` (unanchored, as JSON Schema reads it); `Err` says why it cannot.
fn pattern_strategy(pattern: &str) -> Result<SBoxedStrategy<String>, String> {
    let core = pattern.strip_prefix('^').unwrap_or(pattern);
    let core = match core.strip_suffix('$') {
        Some(stripped) if !ends_in_escape(stripped) => stripped,
        _ => core,
    };
    proptest::string::string_regex(&ecma_to_rust(core))
        .map(|strategy| strategy.sboxed())
        .map_err(|error| regex_reason(&error.to_string()))
}

/// Whether `text` ends in an odd number of backslashes (so a character after it is escaped).
fn ends_in_escape(text: &str) -> bool {
    text.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1
}

/// The edge strings that match `pattern` (checked with the `regex` crate; none when it cannot read the pattern).
fn pattern_edges(pattern: &str) -> Vec<String> {
    let Ok(regex) = regex::Regex::new(&ecma_to_rust(pattern)) else { return Vec::new() };
    string_edges(0, None).into_iter().filter(|edge| regex.is_match(edge)).collect()
}

/// Rewrites an ECMA-262 pattern for regex-syntax: `\d` and `\w` (and their negations) are ASCII in ECMA-262 but
/// Unicode in regex-syntax, and `[`, `&` and `~` inside a class are literals in ECMA-262 but class syntax in
/// regex-syntax.
fn ecma_to_rust(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escape @ ('d' | 'D' | 'w' | 'W')) => {
                    let class = if escape.eq_ignore_ascii_case(&'d') { "digit" } else { "word" };
                    let negation = if escape.is_ascii_uppercase() { "^" } else { "" };
                    if in_class {
                        out.push_str(&format!("[:{negation}{class}:]"));
                    } else {
                        out.push_str(&format!("[[:{negation}{class}:]]"));
                    }
                }
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' if in_class => out.push_str("\\["),
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The one-line reason of a regex-syntax or proptest error message.
fn regex_reason(message: &str) -> String {
    message
        .lines()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .or_else(|| message.lines().map(str::trim).find(|line| !line.is_empty()))
        .map_or_else(
            || "the pattern cannot be generated".to_owned(),
            |reason| reason.replace(", including look-ahead and look-behind,", ""),
        )
}

/// Strings in a common `format`; `None` for a format the generator does not know.
fn format_strategy(format: &str) -> Option<SBoxedStrategy<String>> {
    const DATE: &str = r"(19[7-9][0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])";
    const TIME: &str = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])";
    const OCTET: &str = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    // One hyphen at most, inside the label: `--` at the third and fourth characters is reserved (RFC 5891).
    const LABEL: &str = r"[a-z]([a-z0-9]{0,5}(-[a-z0-9]{1,5})?)?";
    let regex = match format {
        "date-time" => format!("{DATE}T{TIME}"),
        "date" => DATE.to_owned(),
        "time" => TIME.to_owned(),
        "email" | "idn-email" => r"[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?@[a-z0-9]{1,12}\.(com|org|net|io)".to_owned(),
        "uri" | "iri" | "uri-reference" | "iri-reference" => {
            r"(https?://[a-z0-9]{1,12}\.(com|org|example)(/[a-z0-9]{1,8}){0,3}(\?[a-z]{1,5}=[a-z0-9]{1,5})?|urn:[a-z]{3}:[a-z0-9]{1,10})".to_owned()
        }
        "uuid" => r"[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}".to_owned(),
        "ipv4" => format!(r"{OCTET}(\.{OCTET}){{3}}"),
        "ipv6" => r"([0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}|fe80::[0-9a-f]{1,4}|::1)".to_owned(),
        "hostname" | "idn-hostname" => format!(r"{LABEL}(\.{LABEL}){{0,3}}"),
        _ => return None,
    };
    proptest::string::string_regex(&regex).ok().map(|strategy| strategy.sboxed())
}

/// Edge values of a common `format`.
fn format_edges(format: &str) -> &'static [&'static str] {
    match format {
        "date-time" => &["1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999+05:30"],
        "date" => &["1970-01-01", "2024-02-29"],
        "time" => &["00:00:00Z", "23:59:59.999-08:00"],
        "email" | "idn-email" => &["a@b.co", "first.last+tag@example.com"],
        "uri" | "iri" | "uri-reference" | "iri-reference" => {
            &["https://example.com", "https://example.com/a%20b?q=1#frag"]
        }
        "uuid" => &["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff"],
        "ipv4" => &["0.0.0.0", "255.255.255.255", "127.0.0.1"],
        "ipv6" => &["::", "::1", "2001:db8::8a2e:370:7334"],
        "hostname" | "idn-hostname" => &["localhost", "a", "a-b.example"],
        _ => &[],
    }
}

/// The node's `default` and `examples`.
fn examples(map: &Map<String, Value>) -> Vec<Value> {
    let mut values: Vec<Value> = map.get("default").cloned().into_iter().collect();
    if let Some(Value::Array(examples)) = map.get("examples") {
        values.extend(examples.iter().cloned());
    }
    dedup(values)
}

/// The union of the pieces' ordinary values, weighted with their edges and the node's examples.
fn with_specials(pieces: Vec<Piece>, examples: Vec<Value>) -> SBoxedStrategy<Value> {
    let mut edges = Vec::new();
    let mut ordinary = Vec::new();
    for piece in pieces {
        ordinary.push(piece.ordinary);
        edges.extend(piece.edges);
    }
    let ordinary = if ordinary.len() == 1 { ordinary.remove(0) } else { Union::new(ordinary).sboxed() };
    let mut arms = vec![(ORDINARY_WEIGHT, ordinary)];
    let edges = dedup(edges);
    if !edges.is_empty() {
        arms.push((EDGE_WEIGHT, sample::select(edges).sboxed()));
    }
    if !examples.is_empty() {
        arms.push((EXAMPLE_WEIGHT, sample::select(examples).sboxed()));
    }
    if arms.len() == 1 { arms.remove(0).1 } else { Union::new_weighted(arms).sboxed() }
}

/// Merges `extra` into `base` so that both nodes' constraints hold where that is easy: properties and `required`
/// are united, `type` and `enum` intersected, lower bounds raised and upper bounds lowered; for other keywords the
/// first one wins (the final filter enforces the other).
fn merge_into(base: &mut Map<String, Value>, extra: &Map<String, Value>) {
    for (key, value) in extra {
        let Some(existing) = base.get_mut(key) else {
            base.insert(key.clone(), value.clone());
            continue;
        };
        match (key.as_str(), existing, value) {
            ("properties", Value::Object(properties), Value::Object(more)) => {
                for (name, schema) in more {
                    match properties.get_mut(name) {
                        Some(present) if present != schema => {
                            *present = serde_json::json!({ "allOf": [present.clone(), schema.clone()] })
                        }
                        Some(_) => {}
                        None => {
                            properties.insert(name.clone(), schema.clone());
                        }
                    }
                }
            }
            ("required", Value::Array(names), Value::Array(more)) => {
                for name in more {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            }
            ("type", existing, value) => {
                let as_list = |v: &Value| match v {
                    Value::Array(names) => names.clone(),
                    other => vec![other.clone()],
                };
                let right = as_list(value);
                let both = as_list(existing)
                    .into_iter()
                    .filter_map(|name| {
                        let numeric = |n: &Value| n == "integer" || n == "number";
                        if right.contains(&name) {
                            Some(name)
                        } else if numeric(&name) && right.iter().any(numeric) {
                            Some(Value::from("integer"))
                        } else {
                            None
                        }
                    })
                    .collect();
                *existing = Value::Array(dedup(both));
            }
            ("enum", Value::Array(values), Value::Array(allowed)) => values.retain(|v| allowed.contains(v)),
            (
                "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties",
                Value::Number(a),
                Value::Number(b),
            ) if b.as_f64() > a.as_f64() => *a = b.clone(),
            (
                "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties",
                Value::Number(a),
                Value::Number(b),
            ) if b.as_f64() < a.as_f64() => *a = b.clone(),
            _ => {}
        }
    }
}

/// The node a local `$ref` points at, and its JSON Pointer: `#`, `#/$defs/…`, `#/definitions/…` or any `#/…`.
fn resolve<'s>(root: &'s Value, reference: &str) -> Option<(&'s Value, String)> {
    let pointer = reference.strip_prefix('#')?;
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return None;
    }
    root.pointer(pointer).map(|target| (target, pointer.to_owned()))
}

/// `pointer` extended with `segments`, each escaped as RFC 6901 says.
fn child(pointer: &str, segments: &[&str]) -> String {
    let mut out = pointer.to_owned();
    for segment in segments {
        out.push('/');
        out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// A JSON Pointer as messages show it (the empty pointer is the root).
fn at(pointer: &str) -> &str {
    if pointer.is_empty() { "the root" } else { pointer }
}

/// The value of a non-negative integer keyword.
pub(super) fn usize_keyword(map: &Map<String, Value>, keyword: &str) -> Option<usize> {
    let value = map.get(keyword)?;
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64))
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// `values` without repeats, in their first order.
fn dedup(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::strategy::ValueTree;
    use serde_json::json;

    use super::*;
    use crate::unit::seeded_runner;

    /// `count` values drawn from `strategy` by a runner seeded with `seed`.
    fn draws(strategy: &SBoxedStrategy<Value>, seed: u64, count: usize) -> Vec<Value> {
        let mut runner = seeded_runner(seed);
        (0..count)
            .map(|i| strategy.new_tree(&mut runner).unwrap_or_else(|e| panic!("draw {i}: {e}")).current())
            .collect()
    }

    /// Tool input schemas shaped like the MCP reference servers' (name, schema).
    fn realistic_schemas() -> Vec<(&'static str, Value)> {
        vec![
            (
                "add",
                json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}),
            ),
            (
                "enum",
                json!({"type": "object", "properties": {
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
                    "level": {"enum": ["debug", "info", 3, null]}
                }, "required": ["unit"]}),
            ),
            (
                "pattern",
                json!({"type": "object", "properties": {"code": {"type": "string", "pattern": "^[a-z]{3}-\\d+$"}}, "required": ["code"]}),
            ),
            (
                "formats",
                json!({"type": "object", "properties": {
                    "when": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"},
                    "at": {"type": "string", "format": "time"}, "email": {"type": "string", "format": "email"},
                    "url": {"type": "string", "format": "uri"}, "id": {"type": "string", "format": "uuid"},
                    "ip": {"type": "string", "format": "ipv4"}, "ip6": {"type": "string", "format": "ipv6"},
                    "host": {"type": "string", "format": "hostname"}
                }, "required": ["when", "day", "at", "email", "url", "id", "ip", "ip6", "host"]}),
            ),
            (
                "nested objects",
                json!({"type": "object", "properties": {"user": {"type": "object", "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "address": {"type": "object", "properties": {
                        "city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}
                    }, "required": ["city"]}
                }, "required": ["name"]}}, "required": ["user"]}),
            ),
            (
                "arrays",
                json!({"type": "object", "properties": {
                    "paths": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "edits": {"type": "array", "maxItems": 4, "items": {"type": "object", "properties": {
                        "oldText": {"type": "string"}, "newText": {"type": "string"}
                    }, "required": ["oldText", "newText"], "additionalProperties": false}}
                }, "required": ["paths", "edits"]}),
            ),
            (
                "combinators",
                json!({"type": "object", "properties": {
                    "target": {"oneOf": [{"type": "string", "maxLength": 8}, {"type": "integer", "minimum": 0}]},
                    "mode": {"anyOf": [{"const": "fast"}, {"type": "null"}]},
                    "v": {"oneOf": [{"type": "integer"}, {"type": "number"}]}
                }, "allOf": [
                    {"properties": {"x": {"type": "number"}}, "required": ["x"]},
                    {"properties": {"y": {"type": "boolean"}}, "required": ["y"]}
                ], "required": ["target"]}),
            ),
            (
                "recursive $defs",
                json!({"$defs": {"node": {"type": "object", "properties": {
                    "name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}
                }, "required": ["name"]}}, "type": "object", "properties": {"root": {"$ref": "#/$defs/node"}}, "required": ["root"]}),
            ),
            (
                "recursive #",
                json!({"type": "object", "properties": {"value": {"type": "integer"}, "next": {"$ref": "#"}}, "required": ["value"]}),
            ),
            (
                "closed",
                json!({"type": "object", "properties": {
                    "query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
                }, "required": ["query"], "additionalProperties": false}),
            ),
            (
                "draft-07",
                json!({"$schema": "http://json-schema.org/draft-07/schema#",
                    "definitions": {"point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}}, "required": ["x", "y"]}},
                    "type": "object", "properties": {
                        "from": {"$ref": "#/definitions/point"}, "to": {"$ref": "#/definitions/point"},
                        "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}
                    }, "required": ["from"]}),
            ),
            (
                "numbers",
                json!({"type": "object", "properties": {
                    "count": {"type": "integer", "minimum": -5, "maximum": 100, "multipleOf": 5},
                    "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                    "price": {"type": "number", "minimum": 0, "multipleOf": 0.01}
                }, "required": ["count", "ratio", "price"]}),
            ),
            (
                "short names",
                json!({"type": "object", "properties": {"name": {"type": "string", "minLength": 2, "maxLength": 5}}, "required": ["name"]}),
            ),
            (
                "tuples and sets",
                json!({"type": "object", "properties": {
                    "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}], "items": false, "minItems": 2},
                    "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "uniqueItems": true, "maxItems": 3}
                }, "required": ["pair"]}),
            ),
            (
                "draft-04 exclusive",
                json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "properties": {
                    "n": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true}
                }, "required": ["n"]}),
            ),
            (
                "loose",
                json!({"type": "object", "properties": {"note": {"type": ["string", "null"]}, "anything": {}, "flag": true},
                    "additionalProperties": {"type": "integer"}, "minProperties": 1}),
            ),
            ("no arguments", json!({"type": "object", "properties": {}})),
        ]
    }

    #[test]
    fn every_value_validates_for_realistic_tool_schemas() {
        for (name, schema) in realistic_schemas() {
            let space = input_space(&schema);
            assert!(space.unsupported.is_empty(), "{name}: {:?}", space.unsupported);
            // Formats checked too, although the generator's own filter follows the dialect's default.
            let strict = jsonschema::options().should_validate_formats(true).build(&schema).expect("schema compiles");
            let values = draws(&space.valid, 42, 250);
            for value in &values {
                assert!(strict.is_valid(value), "{name}: {value} does not validate");
            }
            let floor = if name == "no arguments" { 1 } else { 20 };
            assert!(dedup(values).len() >= floor, "{name}: fewer than {floor} distinct values");
        }
    }

    #[test]
    fn optional_properties_are_sometimes_present_and_sometimes_absent() {
        let schema = realistic_schemas()
            .into_iter()
            .find(|(name, _)| *name == "closed")
            .map(|(_, schema)| schema)
            .unwrap_or_default();
        let values = draws(&input_space(&schema).valid, 5, 200);
        let with_limit = values.iter().filter(|value| value.get("limit").is_some()).count();
        assert!(values.iter().all(|value| value.get("query").is_some()));
        assert!((20..180).contains(&with_limit), "`limit` present in {with_limit} of 200");
    }

    #[test]
    fn recursive_schemas_nest_but_stay_bounded() {
        let schema = json!({"type": "object", "properties": {"value": {"type": "integer"}, "next": {"$ref": "#"}}, "required": ["value"]});
        let depth = |value: &Value| std::iter::successors(Some(value), |v| v.get("next")).count();
        let depths: Vec<usize> = draws(&input_space(&schema).valid, 9, 300).iter().map(depth).collect();
        assert!(depths.iter().any(|d| *d >= 3), "never nested: {depths:?}");
        assert!(depths.iter().all(|d| *d <= MINIMAL_FROM_DEPTH + 1), "too deep: {depths:?}");
    }

    #[test]
    fn patterns_follow_ecma_digits() {
        let schema = json!({"type": "string", "pattern": "^[a-z]{3}-\\d+$"});
        let shape = regex::Regex::new("^[a-z]{3}-[0-9]+$").expect("regex");
        for value in draws(&input_space(&schema).valid, 11, 200) {
            assert!(value.as_str().is_some_and(|s| shape.is_match(s)), "{value}");
        }
    }

    #[test]
    fn integer_edges_appear() {
        let values = draws(&input_space(&json!({"type": "integer"})).valid, 1, 400);
        assert!(values.contains(&json!(0)));
        let big = [json!(i64::MAX), json!(1i64 << 53), json!(-(1i64 << 53))];
        assert!(values.iter().any(|v| big.contains(v)), "no i64::MAX or ±2^53");
    }

    #[test]
    fn number_edges_appear() {
        let values = draws(&input_space(&json!({"type": "number"})).valid, 2, 400);
        let edges = [json!(0.5), json!(-0.0), json!(1e308)];
        assert!(values.iter().any(|v| edges.contains(v)), "no 0.5, -0.0 or 1e308");
        assert!(values.iter().any(|v| v.as_f64().is_some_and(|f| f.fract() != 0.0)), "only integral numbers");
    }

    #[test]
    fn string_edges_appear_within_max_length() {
        let values = draws(&input_space(&json!({"type": "string", "maxLength": 10})).valid, 3, 400);
        assert!(values.contains(&json!("")));
        assert!(values.iter().any(|v| v.as_str().is_some_and(|s| !s.is_ascii())), "no non-ASCII string");
        assert!(values.iter().all(|v| v.as_str().is_some_and(|s| s.chars().count() <= 10)));
        assert!(values.contains(&json!("abcdefghij")), "no string at maxLength");
    }

    #[test]
    fn bounded_schemas_keep_edges_within_bounds() {
        let integers = draws(&input_space(&json!({"type": "integer", "minimum": 10, "maximum": 20})).valid, 4, 300);
        assert!(integers.iter().all(|v| v.as_i64().is_some_and(|n| (10..=20).contains(&n))));
        assert!(integers.contains(&json!(10)) && integers.contains(&json!(20)), "bounds never drawn");
        let numbers =
            draws(&input_space(&json!({"type": "number", "minimum": -1.5, "exclusiveMaximum": 2.5})).valid, 4, 300);
        assert!(numbers.iter().all(|v| v.as_f64().is_some_and(|n| (-1.5..2.5).contains(&n))));
        assert!(numbers.contains(&json!(-1.5)), "minimum never drawn");
        let strings = draws(&input_space(&json!({"type": "string", "minLength": 2, "maxLength": 5})).valid, 4, 300);
        assert!(strings.iter().all(|v| v.as_str().is_some_and(|s| (2..=5).contains(&s.chars().count()))));
        assert!(strings.iter().any(|v| v.as_str().is_some_and(|s| !s.is_ascii())), "no non-ASCII string");
        let arrays =
            draws(&input_space(&json!({"type": "array", "items": {"type": "integer"}, "maxItems": 0})).valid, 4, 50);
        assert!(arrays.iter().all(|v| *v == json!([])));
    }

    #[test]
    fn unsupported_names_not_and_regex_with_their_pointers() {
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "string", "not": {"const": "x"}},
            "b": {"type": "string", "pattern": "(?=x)x"}
        }, "required": ["a"]});
        let space = input_space(&schema);
        assert!(space.unsupported.contains(&"`not` at /properties/a".to_owned()), "{:?}", space.unsupported);
        assert!(
            space
                .unsupported
                .iter()
                .any(|m| m.starts_with("pattern `(?=x)x` at /properties/b: ") && m.contains("look-around")),
            "{:?}",
            space.unsupported
        );
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        assert!(draws(&space.valid, 6, 100).iter().all(|v| validator.is_valid(v)));
    }

    #[test]
    fn a_schema_that_does_not_compile_yields_nothing() {
        let space = input_space(&json!({"type": 12}));
        assert!(
            space.unsupported.iter().any(|m| m.starts_with("the schema does not compile")),
            "{:?}",
            space.unsupported
        );
        assert!(space.valid.new_tree(&mut seeded_runner(0)).is_err());
    }

    #[test]
    fn a_recursion_without_a_finite_value_is_reported() {
        let space =
            input_space(&json!({"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]}));
        assert!(
            space.unsupported.iter().any(|m| m.starts_with("recursion at /properties/next")),
            "{:?}",
            space.unsupported
        );
        assert!(space.valid.new_tree(&mut seeded_runner(0)).is_err());
    }

    #[test]
    fn false_schemas_and_empty_enums_yield_nothing() {
        assert!(input_space(&json!(false)).valid.new_tree(&mut seeded_runner(0)).is_err());
        let space = input_space(&json!({"type": "object", "properties": {"gone": false, "here": {"enum": []}}}));
        assert!(
            space.unsupported.iter().any(|m| m.contains("empty `enum` at /properties/here")),
            "{:?}",
            space.unsupported
        );
        let values = draws(&space.valid, 1, 100);
        assert!(values.iter().all(|v| v.get("gone").is_none() && v.get("here").is_none()));
    }

    #[test]
    fn pathological_schemas_end_quickly() {
        let schemas = [
            json!({"type": "object", "properties": {
                "a": {"$ref": "#"}, "b": {"$ref": "#"}, "c": {"$ref": "#"}, "d": {"$ref": "#"}, "e": {"$ref": "#"}
            }}),
            json!({"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}),
            json!({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}),
            json!({"type": "string", "minLength": 5, "maxLength": 2}),
            json!({"type": "integer", "minimum": 1e300}),
            json!({"type": "number", "minimum": 1e300, "multipleOf": 1e-300}),
        ];
        for schema in schemas {
            let started = std::time::Instant::now();
            let space = input_space(&schema);
            let validator = jsonschema::validator_for(&schema).expect("schema compiles");
            let mut runner = seeded_runner(0);
            for _ in 0..20 {
                if let Ok(tree) = space.valid.new_tree(&mut runner) {
                    assert!(validator.is_valid(&tree.current()));
                }
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "{schema}: {:?}", started.elapsed());
        }
    }

    #[test]
    fn ecma_escapes_become_ascii_classes() {
        assert_eq!(ecma_to_rust(r"\d+[\w-]"), "[[:digit:]]+[[:word:]-]");
        assert_eq!(ecma_to_rust(r"\D[\W&]"), "[[:^digit:]][[:^word:]\\&]");
    }

    #[test]
    fn a_float_shrinks_by_binary_search_to_a_threshold() {
        let mut tree = FloatTree::new(f64::MIN, 1e308, f64::MAX);
        let fails = |v: &Value| v.as_f64().is_some_and(|v| v > 1000.0);
        let mut best = tree.current();
        let mut steps = 0;
        if tree.simplify() {
            loop {
                steps += 1;
                assert!(steps < 200, "ends");
                let c = tree.current();
                if fails(&c) {
                    best = c;
                    if !tree.simplify() {
                        break;
                    }
                } else if !tree.complicate() {
                    break;
                }
            }
        }
        assert_eq!(best.as_f64(), Some(1000f64.next_up()), "after {steps} steps");
        let mut negative = FloatTree::new(-10.0, -4.0, -2.0);
        assert_eq!(negative.current(), Value::from(-4));
        while negative.simplify() {}
        assert_eq!(negative.current(), Value::from(-2), "toward the bound nearest zero");
    }
}
