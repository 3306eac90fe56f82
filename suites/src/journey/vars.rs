//! `${name}` variables: the values earlier steps captured, substituted into the strings of later steps.
//!
//! A string that is exactly `${name}` becomes the captured value itself (a number stays a number); inside a longer
//! string the value is interpolated as text (a string as it is, anything else as compact JSON). `$${` writes a
//! literal `${`. Substitution applies to the strings of a step's action, its `answers`, and the `path`, `equals` and
//! `contains` of its assertions (a path is also compiled as written when the file is loaded, so a variable in it
//! belongs inside a quoted string: `$.rows[?@.id == '${id}']`); capture paths, regular expressions and schemas are
//! fixed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::{Action, Assertion, Step};

/// Captured values, by variable name.
pub type Variables = BTreeMap<String, Value>;

/// A piece of a string with variables.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(std::borrow::Cow<'a, str>),
    Var(&'a str),
}

/// Whether `name` is a valid variable name: a letter or `_`, then letters, digits and `_`.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits `s` into text and variables; `Err` for an unclosed `${` or an invalid name.
fn pieces(s: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut text = String::new();
    while let Some(at) = rest.find('$') {
        text.push_str(&rest[..at]);
        let after = &rest[at..];
        if let Some(tail) = after.strip_prefix("$${") {
            text.push_str("${");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("${") {
            let Some(end) = tail.find('}') else {
                return Err(format!("unclosed `${{` in {s:?} (write `$${{` for a literal `${{`)"));
            };
            let name = &tail[..end];
            if !is_variable_name(name) {
                return Err(format!("`${{{name}}}` in {s:?} is not a valid variable name"));
            }
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text).into()));
            }
            out.push(Piece::Var(name));
            rest = &tail[end + 1..];
        } else {
            text.push('$');
            rest = &after[1..];
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece::Text(text.into()));
    }
    Ok(out)
}

/// The variables `s` refers to.
pub fn references(s: &str) -> Result<Vec<String>, String> {
    Ok(pieces(s)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v.to_owned()),
            Piece::Text(_) => None,
        })
        .collect())
}

/// `s` with its variables interpolated as text; `Err` names the first variable `vars` lacks.
pub fn interpolate(s: &str, vars: &Variables) -> Result<String, String> {
    let mut out = String::new();
    for p in pieces(s)? {
        match p {
            Piece::Text(t) => out.push_str(&t),
            Piece::Var(v) => match vars.get(v) {
                Some(Value::String(x)) => out.push_str(x),
                Some(other) => out.push_str(&other.to_string()),
                None => return Err(missing(v)),
            },
        }
    }
    Ok(out)
}

/// `v` with variables substituted in every string (a string that is exactly `${name}` becomes the value).
pub fn substitute_value(v: &Value, vars: &Variables) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => match pieces(s)?.as_slice() {
            [Piece::Var(name)] => vars.get(*name).cloned().ok_or_else(|| missing(name))?,
            _ => Value::String(interpolate(s, vars)?),
        },
        Value::Array(items) => Value::Array(items.iter().map(|i| substitute_value(i, vars)).collect::<Result<_, _>>()?),
        Value::Object(m) => Value::Object(
            m.iter().map(|(k, v)| Ok((k.clone(), substitute_value(v, vars)?))).collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

fn missing(name: &str) -> String {
    format!("variable `${{{name}}}` was not captured by an earlier step")
}

/// One substitutable place of a step.
pub(crate) enum Slot<'a> {
    /// A string field (interpolated).
    Text(&'a mut String),
    /// A JSON value (substituted deeply).
    Json(&'a mut Value),
}

impl Step {
    /// Every place of the step where variables are substituted.
    pub(crate) fn slots(&mut self) -> Vec<Slot<'_>> {
        let mut out = Vec::new();
        if let Some(c) = &mut self.call {
            out.push(Slot::Text(&mut c.tool));
            if let Some(a) = &mut c.arguments {
                out.push(Slot::Json(a));
            }
        }
        for s in [&mut self.read, &mut self.subscribe, &mut self.unsubscribe].into_iter().flatten() {
            out.push(Slot::Text(s));
        }
        if let Some(g) = &mut self.get {
            out.push(Slot::Text(&mut g.prompt));
            if let Some(a) = &mut g.arguments {
                out.push(Slot::Json(a));
            }
        }
        if let Some(c) = &mut self.complete {
            out.extend(c.prompt.iter_mut().chain(c.resource.iter_mut()).map(Slot::Text));
            out.push(Slot::Text(&mut c.argument));
            out.push(Slot::Text(&mut c.value));
            out.extend(c.context.values_mut().map(Slot::Text));
        }
        if let Some(l) = &mut self.listen {
            out.extend(l.resources.iter_mut().map(Slot::Text));
        }
        if let Some(r) = &mut self.raw {
            out.push(Slot::Json(r));
        }
        if let Some(a) = &mut self.answers {
            out.extend(a.elicitation.iter_mut().chain(a.sampling.iter_mut()).map(Slot::Json));
            out.extend(a.roots.iter_mut().flatten().map(Slot::Json));
        }
        for e in &mut self.expect {
            out.extend(assertion_slots(&mut e.value));
        }
        for n in &mut self.notifications {
            for e in &mut n.value.expect {
                out.extend(assertion_slots(&mut e.value));
            }
        }
        out
    }

    /// The variables the step refers to; `Err` for a malformed reference.
    pub fn references(&self) -> Result<Vec<String>, String> {
        let mut copy = self.clone();
        let mut out = Vec::new();
        for slot in copy.slots() {
            match slot {
                Slot::Text(s) => out.extend(references(s)?),
                Slot::Json(v) => json_references(v, &mut out)?,
            }
        }
        Ok(out)
    }

    /// The step with every variable substituted; `Err` names a variable `vars` lacks.
    pub fn substitute(&self, vars: &Variables) -> Result<Step, String> {
        let mut copy = self.clone();
        for slot in copy.slots() {
            match slot {
                Slot::Text(s) => *s = interpolate(s, vars)?,
                Slot::Json(v) => *v = substitute_value(v, vars)?,
            }
        }
        Ok(copy)
    }

    /// A one-line description of the step: its name, else its action.
    pub fn describe(&self) -> String {
        match (&self.name, self.action()) {
            (Some(n), _) => n.clone(),
            (None, Ok(a)) => a.describe(),
            (None, Err(_)) => "(no action)".to_owned(),
        }
    }

    /// The action's key, for steps known to have exactly one.
    pub fn action_key(&self) -> &'static str {
        self.action().map(|a: Action<'_>| a.key()).unwrap_or("(none)")
    }
}

fn assertion_slots(a: &mut Assertion) -> impl Iterator<Item = Slot<'_>> {
    a.path.iter_mut().map(Slot::Text).chain(a.equals.iter_mut().chain(a.contains.iter_mut()).map(Slot::Json))
}

fn json_references(v: &Value, out: &mut Vec<String>) -> Result<(), String> {
    match v {
        Value::String(s) => out.extend(references(s)?),
        Value::Array(items) => items.iter().try_for_each(|i| json_references(i, out))?,
        Value::Object(m) => m.values().try_for_each(|i| json_references(i, out))?,
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn whole_strings_keep_the_type_and_parts_interpolate() {
        let vars: Variables = [("id".to_owned(), json!(42)), ("name".to_owned(), json!("ada"))].into();
        assert_eq!(substitute_value(&json!("${id}"), &vars).unwrap(), json!(42));
        assert_eq!(substitute_value(&json!({"a": ["x-${id}-${name}"]}), &vars).unwrap(), json!({"a": ["x-42-ada"]}));
        assert_eq!(interpolate("cost $5, $${id}", &vars).unwrap(), "cost $5, ${id}");
        assert!(interpolate("${nope}", &vars).unwrap_err().contains("`${nope}`"));
        assert!(references("${1x}").is_err());
        assert!(references("${open").is_err());
        assert_eq!(references("a ${x} b ${y_2}").unwrap(), ["x", "y_2"]);
    }
}
