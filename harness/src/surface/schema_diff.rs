//! Comparing two JSON Schemas a server published for the same thing (a tool's `inputSchema` or `outputSchema`):
//! what changed, and whether the change breaks the side that relies on it.
//!
//! # Rules
//!
//! A change is judged by how it moves the set of values the schema accepts. For an **input** schema (what callers
//! send) the new schema must accept every call the locked one accepted: accepting less is *breaking*, accepting
//! more is an *addition*. For an **output** schema (what callers read) it is mirrored: allowing more is *breaking*
//! (a caller meets a value it was never promised), allowing less is an addition.
//!
//! | change | input | output |
//! |---|---|---|
//! | property added (optional, or required in an output) | addition | addition |
//! | property added and required | breaking | addition |
//! | property removed | breaking | breaking |
//! | property became required | breaking | addition |
//! | property no longer required | addition | breaking |
//! | `type` narrowed (a type dropped; `number` → `integer`), or restricted where there was none | breaking | addition |
//! | `type` widened (`integer` → `number`, a type added, the restriction dropped) | addition | breaking |
//! | `type` swapped (`string` → `number`: some dropped, some added) | breaking | breaking |
//! | `enum`/`const` lost values, or added where there was none | breaking | addition |
//! | `enum` gained values, or dropped | addition | breaking |
//! | `additionalProperties` turned `false` (or constrained to a schema) | breaking | addition |
//! | `additionalProperties` no longer `false` (or no longer constrained) | addition | breaking |
//! | a bound tightened or added (`minimum`↑, `maximum`↓, `minLength`, `maxItems`, …) | breaking | addition |
//! | a bound loosened or dropped | addition | breaking |
//! | `pattern`, `format`, `multipleOf`, `uniqueItems`, `contentMediaType` added / dropped | breaking / addition | addition / breaking |
//! | `anyOf` keeps every alternative and gains some | addition | breaking |
//! | `title`, `description`, `examples`, `default`, `deprecated`, `readOnly`, `writeOnly`, `$comment` changed | drift | drift |
//! | anything else changed: `pattern` or `format` changed to another, `oneOf`, `allOf`, `not`, `if`/`then`/`else`, `patternProperties`, `prefixItems`, tuple `items`, an `anyOf` that lost or changed an alternative, an unresolvable `$ref`, unknown keywords | changed, not judged | changed, not judged |
//!
//! The walk follows `properties`, `additionalProperties` and `items` into nested schemas and reports each change
//! at its JSON Pointer (`/properties/address/properties/zip`). A `$ref` to a definition of the same document
//! (`#`, `#/$defs/…`, `#/definitions/…`) is replaced by its target before comparing, its sibling keywords laid
//! over the target's (so an inline schema and the same schema moved into `$defs` compare equal); recursive
//! definitions are compared once per pair of references. Booleans are schemas too: `true` is `{}`, `false`
//! accepts nothing. The comparison never guesses: what it does not model is reported as changed, not judged.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

/// Nesting followed at most; deeper differences are reported as not judged.
const MAX_DEPTH: usize = 64;

/// `$ref` hops followed at most from one node (a chain of references to references).
const MAX_REF_HOPS: usize = 16;

/// Schema nodes compared at most in one comparison: references can make a small document expand into a huge tree
/// (a definition that refers to the next one twice, forty times over), and a server's schema must not be able to
/// stall the run. Past the budget the rest is reported as not judged.
const MAX_NODES: usize = 20_000;

/// Characters of a value or text shown in a change.
const SHOWN_CHARS: usize = 160;

/// Keywords that describe rather than constrain.
const ANNOTATIONS: &[&str] =
    &["title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment"];

/// Bounds where a larger value accepts less.
const LOWER_BOUNDS: &[&str] = &["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"];

/// Bounds where a smaller value accepts less.
const UPPER_BOUNDS: &[&str] = &["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"];

/// Keywords whose presence accepts less and whose change to another value is not judged.
const RESTRICTIONS: &[&str] = &["pattern", "format", "contentMediaType", "contentEncoding"];

/// Which way the values a schema describes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Callers send them (`inputSchema`): the new schema must accept what the old one accepted.
    Input,
    /// Callers read them (`outputSchema`): the new schema must allow nothing the old one did not.
    Output,
}

/// What a change means for callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Verdict {
    /// Callers that relied on the old schema can break.
    Breaking,
    /// Changed in a way the comparison does not model.
    Unjudged,
    /// A description, title, example or default changed.
    Drift,
    /// More is possible than before, and nothing callers relied on went away.
    Addition,
}

/// One change between two schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaChange {
    /// What it means for callers.
    pub verdict: Verdict,
    /// Where, as a JSON Pointer into the schema (`""` is the schema itself).
    pub path: String,
    /// What changed, in words.
    pub what: String,
}

/// Every change from `old` to `new`, in a stable order (depth first, keywords alphabetical).
pub(crate) fn diff(old: &Value, new: &Value, direction: Direction) -> Vec<SchemaChange> {
    let mut walker = Walker {
        direction,
        old_root: old,
        new_root: new,
        expanding: Vec::new(),
        changes: Vec::new(),
        budget: MAX_NODES,
    };
    walker.node("", old, new, 0);
    walker.changes
}

/// How a change moves the set of accepted values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Accepts less.
    Narrowed,
    /// Accepts more.
    Widened,
    /// Accepts some values it did not and refuses some it accepted.
    Swapped,
    /// A property is no longer described.
    Removed,
    /// A property is described that was not.
    Added,
    /// Changed in a way not modelled.
    Changed,
    /// A describing keyword changed.
    Annotation,
}

impl Effect {
    fn verdict(self, direction: Direction) -> Verdict {
        match (self, direction) {
            (Effect::Narrowed, Direction::Input) | (Effect::Widened, Direction::Output) => Verdict::Breaking,
            (Effect::Widened, Direction::Input) | (Effect::Narrowed, Direction::Output) => Verdict::Addition,
            (Effect::Swapped | Effect::Removed, _) => Verdict::Breaking,
            (Effect::Added, _) => Verdict::Addition,
            (Effect::Changed, _) => Verdict::Unjudged,
            (Effect::Annotation, _) => Verdict::Drift,
        }
    }
}

/// A schema node, as far as the comparison reads it.
enum Shape<'v> {
    /// `false`: accepts nothing.
    Nothing,
    /// An object schema (`true` is the empty one).
    Keywords(Cow<'v, Map<String, Value>>),
    /// Not a schema at all.
    Other,
}

fn shape(v: &Value) -> Shape<'_> {
    match v {
        Value::Bool(false) => Shape::Nothing,
        Value::Bool(true) => Shape::Keywords(Cow::Owned(Map::new())),
        Value::Object(m) => Shape::Keywords(Cow::Borrowed(m)),
        _ => Shape::Other,
    }
}

/// `true` as a schema: what an absent `items` or `additionalProperties` means.
static ANYTHING: Value = Value::Bool(true);

struct Walker<'a> {
    direction: Direction,
    old_root: &'a Value,
    new_root: &'a Value,
    /// The pairs of references being expanded, outermost first: a pair met again is a recursion, compared once.
    expanding: Vec<(Option<String>, Option<String>)>,
    changes: Vec<SchemaChange>,
    /// Nodes left to compare (see [`MAX_NODES`]).
    budget: usize,
}

impl Walker<'_> {
    fn push(&mut self, effect: Effect, path: &str, what: String) {
        self.changes.push(SchemaChange { verdict: effect.verdict(self.direction), path: path.to_owned(), what });
    }

    /// Compares two schema nodes at `path`, resolving local references first.
    fn node(&mut self, path: &str, old: &Value, new: &Value, depth: usize) {
        if self.budget == 0 {
            return;
        }
        self.budget -= 1;
        if self.budget == 0 {
            let what = format!("more than {MAX_NODES} schema nodes to compare: the rest is not compared");
            self.push(Effect::Changed, path, what);
            return;
        }
        if depth > MAX_DEPTH {
            if old != new {
                self.push(Effect::Changed, path, format!("nested deeper than {MAX_DEPTH} levels: not compared"));
            }
            return;
        }
        let (old, old_ref) = resolve(old, self.old_root);
        let (new, new_ref) = resolve(new, self.new_root);
        let pair = (old_ref, new_ref);
        let expands = pair.0.is_some() || pair.1.is_some();
        if expands {
            if self.expanding.contains(&pair) {
                return;
            }
            self.expanding.push(pair);
        }
        self.compare(path, &old, &new, depth);
        if expands {
            self.expanding.pop();
        }
    }

    fn compare(&mut self, path: &str, old: &Value, new: &Value, depth: usize) {
        if old == new && !self.refs_differ(old) {
            return;
        }
        match (shape(old), shape(new)) {
            (Shape::Nothing, Shape::Nothing) => {}
            (_, Shape::Nothing) => self.push(Effect::Narrowed, path, "accepts nothing now (schema `false`)".to_owned()),
            (Shape::Nothing, _) => {
                self.push(Effect::Widened, path, "accepted nothing (schema `false`), now accepts values".to_owned())
            }
            (Shape::Keywords(o), Shape::Keywords(n)) => self.keywords(path, &o, &n, depth),
            _ => self.push(
                Effect::Changed,
                path,
                format!("not a JSON Schema (an object or a boolean): {} → {}, not judged", show(old), show(new)),
            ),
        }
    }

    fn keywords(&mut self, path: &str, o: &Map<String, Value>, n: &Map<String, Value>, depth: usize) {
        let keys: BTreeSet<&str> = o.keys().chain(n.keys()).map(String::as_str).collect();
        let (mut values_done, mut object_done) = (false, false);
        for k in keys {
            let (ov, nv) = (o.get(k), n.get(k));
            match k {
                "type" => self.types(path, ov, nv),
                "enum" | "const" if !values_done => {
                    values_done = true;
                    self.values(path, o, n);
                }
                "enum" | "const" => {}
                "properties" | "required" | "additionalProperties" if !object_done => {
                    object_done = true;
                    self.object(path, o, n, depth);
                }
                "properties" | "required" | "additionalProperties" => {}
                "items" => self.items(path, ov, nv, depth),
                "anyOf" => self.any_of(path, ov, nv),
                "uniqueItems" => self.unique_items(path, ov, nv),
                "multipleOf" => self.multiple_of(path, ov, nv),
                // The document's definitions are reached through `$ref`; an unused one is no part of what the
                // schema accepts. Definitions nested deeper are not addressable by a local reference: compared as
                // they are.
                "$defs" | "definitions" if path.is_empty() => {}
                k if ANNOTATIONS.contains(&k) => self.annotation(path, k, ov, nv),
                k if LOWER_BOUNDS.contains(&k) => self.bound(path, k, ov, nv, true),
                k if UPPER_BOUNDS.contains(&k) => self.bound(path, k, ov, nv, false),
                k if RESTRICTIONS.contains(&k) => self.restriction(path, k, ov, nv),
                k => self.opaque(path, k, ov, nv),
            }
        }
    }

    fn types(&mut self, path: &str, ov: Option<&Value>, nv: Option<&Value>) {
        let (Ok(o), Ok(n)) = (type_set(ov), type_set(nv)) else { return self.opaque(path, "type", ov, nv) };
        match (o, n) {
            (None, None) => {}
            (None, Some(n)) => self.push(Effect::Narrowed, path, format!("type restricted to {}", show_types(&n))),
            (Some(o), None) => {
                self.push(Effect::Widened, path, format!("type {} no longer restricted", show_types(&o)))
            }
            (Some(o), Some(n)) => {
                let lost = o.iter().any(|t| !covers(&n, t));
                let gained = n.iter().any(|t| !covers(&o, t));
                let (o, n) = (show_types(&o), show_types(&n));
                match (lost, gained) {
                    (true, true) => self.push(Effect::Swapped, path, format!("type changed: {o} → {n}")),
                    (true, false) => self.push(Effect::Narrowed, path, format!("type narrowed: {o} → {n}")),
                    (false, true) => self.push(Effect::Widened, path, format!("type widened: {o} → {n}")),
                    (false, false) => {}
                }
            }
        }
    }

    /// `enum` and `const` together: the set of allowed values.
    fn values(&mut self, path: &str, o: &Map<String, Value>, n: &Map<String, Value>) {
        let (Ok(old), Ok(new)) = (value_set(o), value_set(n)) else {
            self.opaque(path, "enum", o.get("enum"), n.get("enum"));
            return self.opaque(path, "const", o.get("const"), n.get("const"));
        };
        match (old, new) {
            (None, None) => {}
            (None, Some(n)) => self.push(Effect::Narrowed, path, format!("values restricted to {}", show_list(&n))),
            (Some(o), None) => {
                self.push(Effect::Widened, path, format!("values no longer restricted (were {})", show_list(&o)))
            }
            (Some(o), Some(n)) => {
                let lost: Vec<&Value> = o.iter().filter(|v| !n.contains(v)).collect();
                let gained: Vec<&Value> = n.iter().filter(|v| !o.contains(v)).collect();
                if !lost.is_empty() {
                    let lost: Vec<Value> = lost.into_iter().cloned().collect();
                    self.push(Effect::Narrowed, path, format!("allowed values lost {}", show_list(&lost)));
                }
                if !gained.is_empty() {
                    let gained: Vec<Value> = gained.into_iter().cloned().collect();
                    self.push(Effect::Widened, path, format!("allowed values gained {}", show_list(&gained)));
                }
            }
        }
    }

    /// `properties`, `required` and `additionalProperties` together.
    fn object(&mut self, path: &str, o: &Map<String, Value>, n: &Map<String, Value>, depth: usize) {
        let empty = Map::new();
        let (o_props, n_props) = match (o.get("properties"), n.get("properties")) {
            (None | Some(Value::Object(_)), None | Some(Value::Object(_))) => (
                o.get("properties").and_then(Value::as_object).unwrap_or(&empty),
                n.get("properties").and_then(Value::as_object).unwrap_or(&empty),
            ),
            (ov, nv) => {
                self.opaque(path, "properties", ov, nv);
                (&empty, &empty)
            }
        };
        let (o_req, n_req) = match (required_set(o.get("required")), required_set(n.get("required"))) {
            (Ok(a), Ok(b)) => (a, b),
            _ => {
                self.opaque(path, "required", o.get("required"), n.get("required"));
                (BTreeSet::new(), BTreeSet::new())
            }
        };
        for (k, ov) in o_props {
            let at = format!("{path}/properties/{}", escape(k));
            match n_props.get(k) {
                Some(nv) => self.node(&at, ov, nv, depth + 1),
                None => self.push(Effect::Removed, &at, format!("property `{k}` removed (was {})", show(ov))),
            }
        }
        for (k, nv) in n_props.iter().filter(|(k, _)| !o_props.contains_key(*k)) {
            let at = format!("{path}/properties/{}", escape(k));
            let required = n_req.contains(k.as_str()) && !o_req.contains(k.as_str());
            let schema = show(nv);
            if required && self.direction == Direction::Input {
                self.push(Effect::Narrowed, &at, format!("new required property `{k}`: {schema}"));
            } else if required {
                self.push(Effect::Added, &at, format!("property `{k}` added (required): {schema}"));
            } else {
                self.push(Effect::Added, &at, format!("property `{k}` added (optional): {schema}"));
            }
        }
        let brand_new = |k: &str| n_props.contains_key(k) && !o_props.contains_key(k);
        let removed = |k: &str| o_props.contains_key(k) && !n_props.contains_key(k);
        for k in n_req.difference(&o_req).filter(|k| !brand_new(k)) {
            let at = format!("{path}/properties/{}", escape(k));
            self.push(Effect::Narrowed, &at, format!("`{k}` became required"));
        }
        for k in o_req.difference(&n_req).filter(|k| !removed(k)) {
            let at = format!("{path}/properties/{}", escape(k));
            self.push(Effect::Widened, &at, format!("`{k}` is no longer required"));
        }
        self.additional(path, o.get("additionalProperties"), n.get("additionalProperties"), depth);
    }

    fn additional(&mut self, path: &str, ov: Option<&Value>, nv: Option<&Value>, depth: usize) {
        use Extra::{Closed, Invalid, Open, Schema};
        let at = format!("{path}/additionalProperties");
        match (extra(ov), extra(nv)) {
            (Open, Open) | (Closed, Closed) => {}
            (Open | Schema, Closed) => {
                self.push(Effect::Narrowed, &at, "turned false: properties not listed are refused".to_owned())
            }
            (Closed, Open | Schema) => self.push(Effect::Widened, &at, "no longer false".to_owned()),
            (Open, Schema) => self.push(Effect::Narrowed, &at, "constrained to a schema".to_owned()),
            (Schema, Open) => self.push(Effect::Widened, &at, "no longer constrained".to_owned()),
            (Schema, Schema) => self.node(&at, ov.unwrap_or(&ANYTHING), nv.unwrap_or(&ANYTHING), depth + 1),
            (Invalid, _) | (_, Invalid) => self.opaque(path, "additionalProperties", ov, nv),
        }
    }

    fn items(&mut self, path: &str, ov: Option<&Value>, nv: Option<&Value>, depth: usize) {
        if ov.is_some_and(Value::is_array) || nv.is_some_and(Value::is_array) {
            return self.opaque(path, "items", ov, nv);
        }
        let at = format!("{path}/items");
        self.node(&at, ov.unwrap_or(&ANYTHING), nv.unwrap_or(&ANYTHING), depth + 1);
    }

    fn any_of(&mut self, path: &str, ov: Option<&Value>, nv: Option<&Value>) {
        if let (Some(Value::Array(o)), Some(Value::Array(n))) = (ov, nv) {
            let kept = o.iter().all(|b| n.contains(b) && !self.refs_differ(b));
            if kept {
                let gained = n.iter().filter(|b| !o.contains(b)).count();
                if gained > 0 {
                    self.push(Effect::Widened, path, format!("anyOf gained {gained} alternative(s)"));
                }
                return;
            }
        }
        self.opaque(path, "anyOf", ov, nv);
    }

    fn unique_items(&mut self, path: &str, ov: Option<&Value>, nv: Option<&Value>) {
        let flag = |v: Option<&Value>| match v {
            None => Some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => None,
        };
        match (flag(ov), flag(nv)) {
            (Some(false), Some(true)) => self.push(Effect::Narrowed, path, "uniqueItems turned true".to_owned()),
            (Some(true), Some(false)) => self.push(Effect::Widened, path, "uniqueItems no longer true".to_owned()),
            (Some(_), Some(_)) => {}
            _ => self.opaque(path, "uniqueItems", ov, nv),
        }
    }

    fn multiple_of(&mut self, path: &str, ov: Option<&Value>, nv: Option<&Value>) {
        let number = |v: Option<&Value>| v.map(|v| v.as_f64().filter(|x| *x > 0.0));
        match (number(ov), number(nv)) {
            (None, None) => {}
            (None, Some(Some(_))) => self.push(Effect::Narrowed, path, format!("multipleOf {} added", show_opt(nv))),
            (Some(Some(_)), None) => self.push(Effect::Widened, path, format!("multipleOf {} removed", show_opt(ov))),
            (Some(Some(a)), Some(Some(b))) => {
                let change = format!("multipleOf {} → {}", show_opt(ov), show_opt(nv));
                if a == b {
                } else if is_multiple(b, a) {
                    self.push(Effect::Narrowed, path, change);
                } else if is_multiple(a, b) {
                    self.push(Effect::Widened, path, change);
                } else {
                    self.push(Effect::Changed, path, format!("{change}, not judged"));
                }
            }
            _ => self.opaque(path, "multipleOf", ov, nv),
        }
    }

    fn bound(&mut self, path: &str, k: &str, ov: Option<&Value>, nv: Option<&Value>, lower: bool) {
        let number = |v: Option<&Value>| v.map(Value::as_f64);
        match (number(ov), number(nv)) {
            (None, None) => {}
            (None, Some(Some(_))) => self.push(Effect::Narrowed, path, format!("`{k}` {} added", show_opt(nv))),
            (Some(Some(_)), None) => self.push(Effect::Widened, path, format!("`{k}` {} removed", show_opt(ov))),
            (Some(Some(a)), Some(Some(b))) => {
                let tighter = if lower { b > a } else { b < a };
                let looser = if lower { b < a } else { b > a };
                let change = format!("{} → {}", show_opt(ov), show_opt(nv));
                if tighter {
                    self.push(Effect::Narrowed, path, format!("`{k}` tightened: {change}"));
                } else if looser {
                    self.push(Effect::Widened, path, format!("`{k}` loosened: {change}"));
                }
            }
            _ => self.opaque(path, k, ov, nv),
        }
    }

    fn restriction(&mut self, path: &str, k: &str, ov: Option<&Value>, nv: Option<&Value>) {
        match (ov, nv) {
            (None, Some(n)) => self.push(Effect::Narrowed, path, format!("`{k}` {} added", show(n))),
            (Some(o), None) => self.push(Effect::Widened, path, format!("`{k}` {} removed", show(o))),
            (Some(o), Some(n)) if o != n => {
                self.push(Effect::Changed, path, format!("`{k}` changed: {} → {}, not judged", show(o), show(n)))
            }
            _ => {}
        }
    }

    fn annotation(&mut self, path: &str, k: &str, ov: Option<&Value>, nv: Option<&Value>) {
        match (ov, nv) {
            (None, Some(n)) => self.push(Effect::Annotation, path, format!("`{k}` added: {}", show(n))),
            (Some(o), None) => self.push(Effect::Annotation, path, format!("`{k}` removed (was {})", show(o))),
            (Some(o), Some(n)) if o != n => {
                self.push(Effect::Annotation, path, format!("`{k}` changed: {} → {}", show(o), show(n)))
            }
            _ => {}
        }
    }

    /// A keyword the comparison does not model: any difference is reported, not judged.
    fn opaque(&mut self, path: &str, k: &str, ov: Option<&Value>, nv: Option<&Value>) {
        if ov != nv {
            let side = |v: Option<&Value>| v.map_or_else(|| "(absent)".to_owned(), show);
            self.push(Effect::Changed, path, format!("`{k}` changed: {} → {}, not judged", side(ov), side(nv)));
        } else if ov.is_some_and(|v| self.refs_differ(v)) {
            self.push(Effect::Changed, path, format!("`{k}` refers to definitions that changed, not judged"));
        }
    }

    /// Whether `v` (taken as part of both documents) refers, directly or through other definitions, to a local
    /// definition that differs between the two documents.
    fn refs_differ(&self, v: &Value) -> bool {
        let mut todo = Vec::new();
        collect_refs(v, &mut todo);
        let mut seen = HashSet::new();
        while let Some(r) = todo.pop() {
            if !seen.insert(r.clone()) {
                continue;
            }
            let (a, b) = (lookup(self.old_root, &r), lookup(self.new_root, &r));
            if a != b {
                return true;
            }
            if let Some(a) = a {
                collect_refs(a, &mut todo);
            }
        }
        false
    }
}

/// What `additionalProperties` allows.
enum Extra {
    /// Anything (absent, `true`, `{}`).
    Open,
    /// Nothing (`false`).
    Closed,
    /// What a schema allows.
    Schema,
    /// Not a schema.
    Invalid,
}

fn extra(v: Option<&Value>) -> Extra {
    match v {
        None | Some(Value::Bool(true)) => Extra::Open,
        Some(Value::Object(m)) if m.is_empty() => Extra::Open,
        Some(Value::Bool(false)) => Extra::Closed,
        Some(Value::Object(_)) => Extra::Schema,
        Some(_) => Extra::Invalid,
    }
}

/// `node` with local references replaced by their targets (sibling keywords laid over the target's), and the
/// first reference followed.
fn resolve<'v>(node: &'v Value, root: &'v Value) -> (Cow<'v, Value>, Option<String>) {
    let mut current = Cow::Borrowed(node);
    let mut first = None;
    for _ in 0..MAX_REF_HOPS {
        let Some(map) = current.as_object() else { break };
        let Some(reference) = map.get("$ref").and_then(Value::as_str) else { break };
        let Some(target) = lookup(root, reference) else { break };
        let siblings: Map<String, Value> =
            map.iter().filter(|(k, _)| k.as_str() != "$ref").map(|(k, v)| (k.clone(), v.clone())).collect();
        let merged = match target {
            Value::Object(t) => {
                // The target's own definitions are the document's (a reference to `#`): reached through `$ref`.
                let mut m: Map<String, Value> = t
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "$defs" | "definitions"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                m.extend(siblings);
                Value::Object(m)
            }
            Value::Bool(_) if siblings.is_empty() => target.clone(),
            Value::Bool(true) => Value::Object(siblings),
            _ => break,
        };
        first.get_or_insert_with(|| reference.to_owned());
        current = Cow::Owned(merged);
    }
    (current, first)
}

/// The target of a reference within `root`'s own document, if it is one.
fn lookup<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    match reference {
        "#" => Some(root),
        r => r.strip_prefix('#').filter(|p| p.starts_with('/')).and_then(|p| root.pointer(p)),
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// The JSON types a `type` keyword allows (`None`: no restriction); `Err` when it is not a type keyword.
fn type_set(v: Option<&Value>) -> Result<Option<BTreeSet<String>>, ()> {
    match v {
        None => Ok(None),
        Some(Value::String(t)) => Ok(Some(BTreeSet::from([t.clone()]))),
        Some(Value::Array(ts)) => {
            ts.iter().map(|t| t.as_str().map(str::to_owned).ok_or(())).collect::<Result<_, _>>().map(Some)
        }
        Some(_) => Err(()),
    }
}

/// Whether `types` allows every value of type `t` (`number` allows every `integer`).
fn covers(types: &BTreeSet<String>, t: &str) -> bool {
    types.contains(t) || (t == "integer" && types.contains("number"))
}

/// The values `enum`/`const` allow (`None`: no restriction); `Err` when they are malformed or both given.
fn value_set(m: &Map<String, Value>) -> Result<Option<Vec<Value>>, ()> {
    match (m.get("enum"), m.get("const")) {
        (None, None) => Ok(None),
        (Some(Value::Array(vs)), None) => Ok(Some(vs.clone())),
        (None, Some(c)) => Ok(Some(vec![c.clone()])),
        _ => Err(()),
    }
}

fn required_set(v: Option<&Value>) -> Result<BTreeSet<String>, ()> {
    match v {
        None => Ok(BTreeSet::new()),
        Some(Value::Array(names)) => names.iter().map(|n| n.as_str().map(str::to_owned).ok_or(())).collect(),
        Some(_) => Err(()),
    }
}

fn is_multiple(x: f64, of: f64) -> bool {
    let q = x / of;
    q.is_finite() && (q - q.round()).abs() < 1e-9
}

/// A JSON Pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn show(v: &Value) -> String {
    crate::session::clip_json(v, SHOWN_CHARS)
}

fn show_opt(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_owned(), show)
}

fn show_types(types: &BTreeSet<String>) -> String {
    types.iter().map(String::as_str).collect::<Vec<_>>().join(" | ")
}

fn show_list(values: &[Value]) -> String {
    show(&Value::Array(values.to_vec()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn verdicts(old: &Value, new: &Value, direction: Direction) -> Vec<(Verdict, String)> {
        diff(old, new, direction).into_iter().map(|c| (c.verdict, c.path)).collect()
    }

    fn only(old: &Value, new: &Value, direction: Direction) -> SchemaChange {
        let changes = diff(old, new, direction);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        changes.into_iter().next().unwrap()
    }

    fn obj(props: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": props, "required": required})
    }

    #[test]
    fn equal_schemas_and_reordered_keys_or_required_are_no_change() {
        let a = json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "string"}}, "required": ["a", "b"]});
        let b = json!({"required": ["b", "a"], "properties": {"b": {"type": "string"}, "a": {"type": "number"}}, "type": "object"});
        assert!(diff(&a, &b, Direction::Input).is_empty());
        assert!(diff(&a, &b, Direction::Output).is_empty());
        assert!(diff(&json!(true), &json!({}), Direction::Input).is_empty());
    }

    #[test]
    fn properties_added_removed_and_required() {
        let base = obj(json!({"a": {"type": "string"}}), &["a"]);
        let optional = obj(json!({"a": {"type": "string"}, "b": {"type": "number"}}), &["a"]);
        let required = obj(json!({"a": {"type": "string"}, "b": {"type": "number"}}), &["a", "b"]);
        let c = only(&base, &optional, Direction::Input);
        assert_eq!((c.verdict, c.path.as_str()), (Verdict::Addition, "/properties/b"));
        assert!(c.what.contains("added (optional)"), "{}", c.what);
        let c = only(&base, &required, Direction::Input);
        assert_eq!(
            (c.verdict, c.what.as_str()),
            (Verdict::Breaking, r#"new required property `b`: {"type":"number"}"#)
        );
        assert_eq!(only(&base, &required, Direction::Output).verdict, Verdict::Addition);
        // An existing property that becomes required, and one that stops being required.
        let c = only(&optional, &required, Direction::Input);
        assert_eq!((c.verdict, c.what.as_str()), (Verdict::Breaking, "`b` became required"));
        assert_eq!(only(&optional, &required, Direction::Output).verdict, Verdict::Addition);
        assert_eq!(only(&required, &optional, Direction::Input).verdict, Verdict::Addition);
        let c = only(&required, &optional, Direction::Output);
        assert_eq!((c.verdict, c.what.as_str()), (Verdict::Breaking, "`b` is no longer required"));
        // A removed property breaks both sides, reported once even when it was required.
        for direction in [Direction::Input, Direction::Output] {
            let c = only(&required, &base, direction);
            assert_eq!(
                (c.verdict, c.what.as_str()),
                (Verdict::Breaking, r#"property `b` removed (was {"type":"number"})"#)
            );
        }
    }

    #[test]
    fn types_narrow_widen_and_swap() {
        let t = |t: Value| json!({"type": t});
        let narrowed = only(&t(json!("number")), &t(json!("integer")), Direction::Input);
        assert_eq!((narrowed.verdict, narrowed.what.as_str()), (Verdict::Breaking, "type narrowed: number → integer"));
        assert_eq!(only(&t(json!("number")), &t(json!("integer")), Direction::Output).verdict, Verdict::Addition);
        assert_eq!(only(&t(json!("integer")), &t(json!("number")), Direction::Input).verdict, Verdict::Addition);
        assert_eq!(only(&t(json!("integer")), &t(json!("number")), Direction::Output).verdict, Verdict::Breaking);
        assert_eq!(
            only(&t(json!("string")), &t(json!(["string", "null"])), Direction::Input).verdict,
            Verdict::Addition
        );
        for direction in [Direction::Input, Direction::Output] {
            let c = only(&t(json!("string")), &t(json!("number")), direction);
            assert_eq!((c.verdict, c.what.as_str()), (Verdict::Breaking, "type changed: string → number"));
        }
        assert_eq!(only(&json!({}), &t(json!("string")), Direction::Input).verdict, Verdict::Breaking);
        assert_eq!(only(&t(json!("string")), &json!({}), Direction::Input).verdict, Verdict::Addition);
        assert!(diff(&t(json!(["number", "integer"])), &t(json!("number")), Direction::Input).is_empty());
    }

    #[test]
    fn enums_lose_and_gain_values() {
        let e = |v: Value| json!({"type": "string", "enum": v});
        let lost = only(&e(json!(["a", "b"])), &e(json!(["a"])), Direction::Input);
        assert_eq!((lost.verdict, lost.what.as_str()), (Verdict::Breaking, r#"allowed values lost ["b"]"#));
        assert_eq!(only(&e(json!(["a"])), &e(json!(["a", "b"])), Direction::Input).verdict, Verdict::Addition);
        assert_eq!(only(&e(json!(["a"])), &e(json!(["a", "b"])), Direction::Output).verdict, Verdict::Breaking);
        let both = verdicts(&e(json!(["a", "b"])), &e(json!(["a", "c"])), Direction::Input);
        assert_eq!(both, [(Verdict::Breaking, String::new()), (Verdict::Addition, String::new())]);
        // `const` is a one-value enum.
        assert!(diff(&json!({"const": 1}), &json!({"enum": [1]}), Direction::Input).is_empty());
        assert_eq!(only(&json!({"type": "string"}), &e(json!(["a"])), Direction::Input).verdict, Verdict::Breaking);
    }

    #[test]
    fn additional_properties_turning_false_breaks_inputs() {
        let open = obj(json!({"a": {"type": "string"}}), &[]);
        let mut closed = open.clone();
        closed["additionalProperties"] = json!(false);
        let c = only(&open, &closed, Direction::Input);
        assert_eq!((c.verdict, c.path.as_str()), (Verdict::Breaking, "/additionalProperties"));
        assert_eq!(only(&closed, &open, Direction::Input).verdict, Verdict::Addition);
        assert_eq!(only(&closed, &open, Direction::Output).verdict, Verdict::Breaking);
        let mut typed = open.clone();
        typed["additionalProperties"] = json!({"type": "string"});
        let mut retyped = open.clone();
        retyped["additionalProperties"] = json!({"type": "integer"});
        let c = only(&typed, &retyped, Direction::Input);
        assert_eq!((c.verdict, c.path.as_str()), (Verdict::Breaking, "/additionalProperties"));
    }

    #[test]
    fn nested_objects_and_array_items_are_followed_to_their_paths() {
        let old = obj(
            json!({"address": obj(json!({"zip": {"type": "string"}}), &[]), "tags": {"type": "array", "items": {"type": "number"}}}),
            &[],
        );
        let new = obj(
            json!({"address": obj(json!({"zip": {"type": "integer"}}), &[]), "tags": {"type": "array", "items": {"type": "integer"}}}),
            &[],
        );
        assert_eq!(
            verdicts(&old, &new, Direction::Input),
            [
                (Verdict::Breaking, "/properties/address/properties/zip".to_owned()),
                (Verdict::Breaking, "/properties/tags/items".to_owned())
            ]
        );
    }

    #[test]
    fn bounds_and_restrictions() {
        let s = |extra: Value| {
            let mut v = json!({"type": "string"});
            v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            v
        };
        assert_eq!(
            only(&s(json!({"minLength": 1})), &s(json!({"minLength": 3})), Direction::Input).verdict,
            Verdict::Breaking
        );
        assert_eq!(
            only(&s(json!({"maxLength": 9})), &s(json!({"maxLength": 5})), Direction::Input).verdict,
            Verdict::Breaking
        );
        assert_eq!(
            only(&s(json!({"maxLength": 5})), &s(json!({"maxLength": 9})), Direction::Input).verdict,
            Verdict::Addition
        );
        assert_eq!(only(&s(json!({})), &s(json!({"maximum": 5})), Direction::Input).verdict, Verdict::Breaking);
        assert_eq!(only(&s(json!({"pattern": "^a"})), &s(json!({})), Direction::Input).verdict, Verdict::Addition);
        assert_eq!(only(&s(json!({})), &s(json!({"pattern": "^a"})), Direction::Input).verdict, Verdict::Breaking);
        assert_eq!(
            only(&s(json!({"pattern": "^a"})), &s(json!({"pattern": "^b"})), Direction::Input).verdict,
            Verdict::Unjudged
        );
        assert_eq!(
            only(&s(json!({"multipleOf": 2})), &s(json!({"multipleOf": 4})), Direction::Input).verdict,
            Verdict::Breaking
        );
        assert_eq!(
            only(&s(json!({"multipleOf": 4})), &s(json!({"multipleOf": 2})), Direction::Input).verdict,
            Verdict::Addition
        );
        assert_eq!(
            only(&s(json!({"multipleOf": 2})), &s(json!({"multipleOf": 3})), Direction::Input).verdict,
            Verdict::Unjudged
        );
        assert_eq!(only(&s(json!({})), &s(json!({"uniqueItems": true})), Direction::Input).verdict, Verdict::Breaking);
    }

    #[test]
    fn descriptions_are_drift_and_unknown_constructs_are_not_judged() {
        let old = obj(json!({"a": {"type": "string", "description": "The a."}}), &[]);
        let new = obj(json!({"a": {"type": "string", "description": "Send your keys as a."}}), &[]);
        let c = only(&old, &new, Direction::Input);
        assert_eq!((c.verdict, c.path.as_str()), (Verdict::Drift, "/properties/a"));
        assert!(c.what.contains("The a.") && c.what.contains("Send your keys as a."), "{}", c.what);
        let one = json!({"oneOf": [{"type": "string"}, {"type": "number"}]});
        let other = json!({"oneOf": [{"type": "string"}]});
        assert_eq!(only(&one, &other, Direction::Input).verdict, Verdict::Unjudged);
        assert_eq!(only(&json!({"x-vendor": 1}), &json!({"x-vendor": 2}), Direction::Input).verdict, Verdict::Unjudged);
        assert_eq!(only(&json!("string"), &json!(7), Direction::Input).verdict, Verdict::Unjudged);
    }

    #[test]
    fn any_of_that_keeps_every_alternative_widens_and_otherwise_is_not_judged() {
        let a = json!({"anyOf": [{"type": "string"}, {"type": "number"}]});
        let b = json!({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]});
        assert_eq!(only(&a, &b, Direction::Input).verdict, Verdict::Addition);
        assert_eq!(only(&a, &b, Direction::Output).verdict, Verdict::Breaking);
        assert_eq!(only(&b, &a, Direction::Input).verdict, Verdict::Unjudged);
    }

    #[test]
    fn boolean_schemas() {
        assert_eq!(only(&json!(true), &json!(false), Direction::Input).verdict, Verdict::Breaking);
        assert_eq!(only(&json!({"type": "string"}), &json!(false), Direction::Input).verdict, Verdict::Breaking);
        assert_eq!(only(&json!(false), &json!({"type": "string"}), Direction::Input).verdict, Verdict::Addition);
        assert!(diff(&json!(false), &json!(false), Direction::Input).is_empty());
    }

    #[test]
    fn local_references_are_resolved_and_compared_at_the_logical_path() {
        let inline = obj(json!({"p": obj(json!({"x": {"type": "number"}}), &["x"])}), &[]);
        let moved = json!({"type": "object", "properties": {"p": {"$ref": "#/$defs/P"}}, "required": [],
                           "$defs": {"P": obj(json!({"x": {"type": "number"}}), &["x"])}});
        assert!(diff(&inline, &moved, Direction::Input).is_empty(), "{:#?}", diff(&inline, &moved, Direction::Input));
        let mut changed = moved.clone();
        changed["$defs"]["P"]["properties"]["x"]["type"] = json!("integer");
        let c = only(&moved, &changed, Direction::Input);
        assert_eq!((c.verdict, c.path.as_str()), (Verdict::Breaking, "/properties/p/properties/x"));
        // A sibling description beside the reference is laid over the target.
        let mut described = moved.clone();
        described["properties"]["p"]["description"] = json!("The p.");
        assert_eq!(only(&moved, &described, Direction::Input).verdict, Verdict::Drift);
        // An unused definition is no change; an unresolvable reference that changed is not judged.
        let mut unused = moved.clone();
        unused["$defs"]["Q"] = json!({"type": "string"});
        assert!(diff(&moved, &unused, Direction::Input).is_empty());
        let remote = |r: &str| json!({"$ref": r});
        assert_eq!(
            only(&remote("https://x/a.json"), &remote("https://x/b.json"), Direction::Input).verdict,
            Verdict::Unjudged
        );
        // A definition that changed behind an opaque construct is not judged either.
        let behind = |t: &str| json!({"oneOf": [{"$ref": "#/$defs/A"}], "$defs": {"A": {"type": t}}});
        assert_eq!(only(&behind("string"), &behind("number"), Direction::Input).verdict, Verdict::Unjudged);
    }

    #[test]
    fn references_that_expand_exponentially_stay_within_the_budget() {
        // Each definition refers to the next twice: 2^40 nodes once expanded.
        let doc = |leaf: &str| {
            let mut defs = Map::new();
            for i in 0..40 {
                let next = json!({"$ref": format!("#/$defs/d{}", i + 1)});
                defs.insert(format!("d{i}"), json!({"type": "object", "properties": {"l": next, "r": next}}));
            }
            defs.insert("d40".into(), json!({"type": leaf}));
            json!({"$ref": "#/$defs/d0", "$defs": defs})
        };
        let started = std::time::Instant::now();
        let changes = diff(&doc("number"), &doc("integer"), Direction::Input);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
        assert!(changes.iter().any(|c| c.verdict == Verdict::Unjudged && c.what.contains("not compared")));
        assert!(changes.iter().any(|c| c.verdict == Verdict::Breaking), "what was compared is still judged");
        assert!(diff(&doc("number"), &doc("number"), Direction::Input).is_empty(), "equal documents stay cheap");
    }

    #[test]
    fn recursive_definitions_terminate() {
        let tree = |leaf: &str| {
            json!({"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {
                "value": {"type": leaf}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}})
        };
        assert!(diff(&tree("number"), &tree("number"), Direction::Input).is_empty());
        let c = only(&tree("number"), &tree("integer"), Direction::Input);
        assert_eq!((c.verdict, c.path.as_str()), (Verdict::Breaking, "/properties/value"));
        // A reference to the whole document, and a chain of references to references.
        let own = json!({"type": "object", "properties": {"self": {"$ref": "#"}}});
        assert!(diff(&own, &own.clone(), Direction::Output).is_empty());
        let chain = json!({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}});
        assert!(diff(&chain, &chain.clone(), Direction::Input).is_empty());
    }

    /// Arbitrary schemas of the shapes tools publish: typed leaves, objects with properties and `required`,
    /// arrays, `anyOf`, descriptions, bounds and enums.
    fn schema() -> impl Strategy<Value = Value> {
        let name = prop::sample::select(vec!["a", "b", "c", "d", "e~x", "f/y"]);
        let leaf = prop_oneof![
            prop::sample::select(vec!["string", "number", "integer", "boolean", "null"])
                .prop_map(|t| json!({"type": t})),
            prop::collection::vec(prop::sample::select(vec!["x", "y", "z"]), 1..3).prop_map(|v| json!({"enum": v})),
            (0u32..5).prop_map(|n| json!({"type": "string", "minLength": n, "description": format!("at least {n}")})),
            (0i32..100).prop_map(|n| json!({"type": "number", "maximum": n})),
            Just(json!(true)),
            Just(json!({"type": ["string", "null"]})),
        ];
        leaf.prop_recursive(4, 32, 4, move |inner| {
            prop_oneof![
                (
                    prop::collection::btree_map(name.clone(), inner.clone(), 0..4),
                    prop::collection::vec(name.clone(), 0..3),
                    prop::option::of(any::<bool>()),
                )
                    .prop_map(|(props, required, additional)| {
                        let mut m = Map::new();
                        m.insert("type".into(), json!("object"));
                        m.insert(
                            "properties".into(),
                            Value::Object(props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
                        );
                        m.insert("required".into(), json!(required));
                        if let Some(a) = additional {
                            m.insert("additionalProperties".into(), json!(a));
                        }
                        Value::Object(m)
                    }),
                inner.clone().prop_map(|items| json!({"type": "array", "items": items})),
                prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"anyOf": v})),
                inner.prop_map(|d| json!({"$ref": "#/$defs/d", "$defs": {"d": d}})),
            ]
        })
    }

    /// An object schema (what `inputSchema` is) wrapping arbitrary properties.
    fn object_schema() -> impl Strategy<Value = Value> {
        (prop::collection::btree_map(prop::sample::select(vec!["a", "b", "c"]), schema(), 0..4), prop::collection::vec(prop::sample::select(vec!["a", "b", "c"]), 0..3))
            .prop_map(|(props, required)| {
                json!({"type": "object", "properties": props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<String, Value>>(), "required": required})
            })
    }

    /// `v` with every object's keys in reverse order.
    fn reversed(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(m.iter().rev().map(|(k, x)| (k.clone(), reversed(x))).collect()),
            Value::Array(a) => Value::Array(a.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }

    /// Any JSON at all, schema or not.
    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            prop::sample::select(vec!["type", "string", "#", "#/$defs/a", "#/properties", "x"]).prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "type",
                        "properties",
                        "required",
                        "items",
                        "$ref",
                        "$defs",
                        "enum",
                        "anyOf",
                        "minimum",
                        "additionalProperties",
                        "a",
                    ]),
                    inner,
                    0..5,
                )
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_two_documents_compare_without_panicking(a in json(), b in json(), s in schema(), t in schema()) {
            for direction in [Direction::Input, Direction::Output] {
                let _ = diff(&a, &b, direction);
                let _ = diff(&s, &t, direction);
                let _ = diff(&a, &s, direction);
            }
        }

        #[test]
        fn a_schema_compared_with_itself_never_changes(s in schema()) {
            prop_assert!(diff(&s, &s, Direction::Input).is_empty());
            prop_assert!(diff(&s, &s, Direction::Output).is_empty());
            prop_assert!(diff(&s, &reversed(&s), Direction::Input).is_empty());
        }

        #[test]
        fn adding_an_optional_property_is_never_breaking(s in object_schema(), p in schema()) {
            let mut new = s.clone();
            new["properties"]["zz-new"] = p;
            for direction in [Direction::Input, Direction::Output] {
                let changes = diff(&s, &new, direction);
                prop_assert!(changes.iter().all(|c| c.verdict == Verdict::Addition), "{changes:#?}");
                prop_assert_eq!(changes.len(), 1);
            }
        }

        #[test]
        fn removing_a_property_or_requiring_a_new_one_always_breaks_inputs(s in object_schema(), p in schema()) {
            let mut required = s.clone();
            required["properties"]["zz-new"] = p;
            required["required"].as_array_mut().unwrap().push(json!("zz-new"));
            prop_assert!(diff(&s, &required, Direction::Input).iter().any(|c| c.verdict == Verdict::Breaking));
            prop_assert!(diff(&required, &s, Direction::Input).iter().any(|c| c.verdict == Verdict::Breaking));
            prop_assert!(diff(&required, &s, Direction::Output).iter().any(|c| c.verdict == Verdict::Breaking));
        }
    }
}
