//! Judging one step's answer: the implicit expectations (a result, `isError` false), the `expect` assertions, the
//! captures and the notification filters.

use std::time::Duration;

use mcp_harness_suites::journey::{Assertion, AssertionKind, Step, Variables};
use serde_json::Value;

use super::path::{Query, Selected};
use crate::session::clip_json;

/// The rule every assertion but latency, snapshot and notification failures names.
pub(crate) const RULE_EXPECTATIONS: &str = "e2e.journey-expectations";
/// The rule of a notification that did not arrive.
pub(crate) const RULE_NOTIFICATIONS: &str = "e2e.journey-notifications";
/// The rule of a snapshot mismatch.
pub(crate) const RULE_SNAPSHOTS: &str = "e2e.journey-snapshots";
/// The rule of a latency budget exceeded.
pub(crate) const RULE_LATENCY: &str = "e2e.journey-latency";

/// The answer to a step's action.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    /// What assertions address: the result, or the error object of a JSON-RPC error.
    pub doc: Value,
    /// The error's code and message, when the server answered with a JSON-RPC error.
    pub error: Option<(Option<i64>, String)>,
    /// From sending the request to the answer.
    pub latency: Duration,
}

/// The verdict of one assertion.
#[derive(Debug, Clone)]
pub(super) struct Verdict {
    /// Its kind.
    pub kind: AssertionKind,
    /// The journey-file line it was written on (the step's, for implicit ones).
    pub line: u64,
    /// What it asserts, in words (`$.id equals "a"`).
    pub statement: String,
    /// What was found instead, when it failed.
    pub failure: Option<String>,
    /// Something worth reporting on a pass (a snapshot written).
    pub note: Option<String>,
}

impl Verdict {
    pub(super) fn pass(kind: AssertionKind, line: u64, statement: String) -> Verdict {
        Verdict { kind, line, statement, failure: None, note: None }
    }

    pub(super) fn fail(kind: AssertionKind, line: u64, statement: String, failure: String) -> Verdict {
        Verdict { kind, line, statement, failure: Some(failure), note: None }
    }

    fn judge(kind: AssertionKind, line: u64, statement: String, failure: Option<String>) -> Verdict {
        Verdict { kind, line, statement, failure, note: None }
    }

    /// Whether it held.
    pub(super) fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// The requirement a failure of this kind breaks.
    pub(super) fn rule(&self) -> &'static str {
        match self.kind {
            AssertionKind::Latency => RULE_LATENCY,
            AssertionKind::Snapshot => RULE_SNAPSHOTS,
            AssertionKind::Notification => RULE_NOTIFICATIONS,
            _ => RULE_EXPECTATIONS,
        }
    }
}

/// A short JSON rendering of `v` for messages.
pub(super) fn show(v: &Value) -> String {
    clip_json(v, 200)
}

/// The expectations every step has unless it states otherwise: a result rather than a JSON-RPC error (unless an
/// `error` assertion is given), and for `call` steps `isError` absent or false (unless `is-error` is given).
pub(super) fn implicit(step: &Step, line: u64, answer: &Answer) -> Vec<Verdict> {
    let explicit = |k: AssertionKind| step.expect.iter().any(|a| a.value.kind() == Ok(k));
    let mut out = Vec::new();
    if !explicit(AssertionKind::Error) {
        let statement = "a result, not a JSON-RPC error".to_owned();
        out.push(match &answer.error {
            Some((code, message)) => Verdict::fail(
                AssertionKind::Error,
                line,
                statement,
                format!("error {} {message:?}", code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string())),
            ),
            None => Verdict::pass(AssertionKind::Error, line, statement),
        });
    }
    if step.call.is_some() && !explicit(AssertionKind::IsError) && answer.error.is_none() {
        let statement = "isError absent or false".to_owned();
        out.push(if is_error(&answer.doc) {
            Verdict::fail(AssertionKind::IsError, line, statement, format!("isError true: {}", tool_text(&answer.doc)))
        } else {
            Verdict::pass(AssertionKind::IsError, line, statement)
        });
    }
    out
}

/// Whether a tool result says `isError: true`.
fn is_error(doc: &Value) -> bool {
    doc.get("isError").and_then(Value::as_bool).unwrap_or(false)
}

/// The text of a tool result's first text content block, for messages.
fn tool_text(doc: &Value) -> String {
    doc.get("content")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find_map(|b| b.get("text").and_then(Value::as_str)))
        .map_or_else(|| show(doc), |t| crate::session::clip_json(&Value::String(t.to_owned()), 200))
}

/// Judges one `expect` assertion (all kinds but `snapshot`, which [`super::snapshot`] judges) against `answer`.
pub(super) fn evaluate(a: &Assertion, line: u64, answer: &Answer) -> Verdict {
    let kind = match a.kind() {
        Ok(k) => k,
        Err(_) => {
            return Verdict::fail(AssertionKind::Equals, line, "an assertion".into(), "not one assertion kind".into());
        }
    };
    match kind {
        AssertionKind::IsError => {
            let want = a.is_error.unwrap_or(false);
            let statement = format!("isError is {want}");
            let failure = match &answer.error {
                Some((code, m)) => Some(format!("a JSON-RPC error ({}: {m:?}), not a tool result", code.unwrap_or(0))),
                None if is_error(&answer.doc) != want => {
                    Some(format!("isError {}: {}", is_error(&answer.doc), tool_text(&answer.doc)))
                }
                None => None,
            };
            Verdict::judge(kind, line, statement, failure)
        }
        AssertionKind::Error => {
            let want = a.error.unwrap_or_default();
            let statement = format!("a JSON-RPC error with code {want}");
            let failure = match &answer.error {
                None => Some(format!("a result: {}", show(&answer.doc))),
                Some((code, m)) if *code != Some(want) => {
                    Some(format!("error {} {m:?}", code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string())))
                }
                Some(_) => None,
            };
            Verdict::judge(kind, line, statement, failure)
        }
        AssertionKind::Latency => {
            let budget = a.latency_ms.unwrap_or_default();
            let took = answer.latency.as_secs_f64() * 1000.0;
            let failure = (took > budget as f64).then(|| format!("the answer took {took:.1} ms"));
            Verdict::judge(kind, line, format!("answered within {budget} ms"), failure)
        }
        _ => evaluate_value(a, kind, line, &answer.doc),
    }
}

/// Judges an assertion that inspects a value selected by its path in `doc`.
pub(super) fn evaluate_value(a: &Assertion, kind: AssertionKind, line: u64, doc: &Value) -> Verdict {
    let path_text = a.path.as_deref().unwrap_or("$");
    let query = match Query::parse(path_text) {
        Ok(q) => q,
        Err(e) => return Verdict::fail(kind, line, format!("{path_text} is a JSONPath"), e),
    };
    let selected = query.select(doc);
    let p = query.text();
    let nothing = || format!("{p} selected nothing in {}", show(doc));
    match kind {
        AssertionKind::Exists => {
            let want = a.exists.unwrap_or(true);
            let statement = if want { format!("{p} exists") } else { format!("{p} selects nothing") };
            let failure = match (want, selected.exists()) {
                (true, false) => Some(nothing()),
                (false, true) => {
                    Some(format!("it selected {}", selected.value().map(|v| show(&v)).unwrap_or_default()))
                }
                _ => None,
            };
            Verdict::judge(kind, line, statement, failure)
        }
        AssertionKind::Count => {
            let want = a.count.unwrap_or_default();
            let got = match &selected {
                Selected::Nothing => 0,
                Selected::One(Value::Array(items)) => items.len() as u64,
                Selected::One(_) => 1,
                Selected::Many(nodes) => nodes.len() as u64,
            };
            let failure =
                (got != want).then(|| format!("{got}: {}", selected.value().map(|v| show(&v)).unwrap_or_default()));
            Verdict::judge(kind, line, format!("{p} counts {want}"), failure)
        }
        _ => {
            let statement = match kind {
                AssertionKind::Equals => format!("{p} equals {}", show(a.equals.as_ref().unwrap_or(&Value::Null))),
                AssertionKind::Contains => {
                    format!("{p} contains {}", show(a.contains.as_ref().unwrap_or(&Value::Null)))
                }
                AssertionKind::Matches => format!("{p} matches /{}/", a.matches.as_deref().unwrap_or_default()),
                AssertionKind::Schema => {
                    format!("{p} is valid against the schema {}", show(a.schema.as_ref().unwrap_or(&Value::Null)))
                }
                other => format!("{p} {}", other.as_str()),
            };
            let Some(value) = selected.value() else {
                return Verdict::fail(kind, line, statement, nothing());
            };
            let failure = match kind {
                AssertionKind::Equals => (!json_eq(&value, a.equals.as_ref().unwrap_or(&Value::Null)))
                    .then(|| format!("got {}", show(&value))),
                AssertionKind::Contains => (!contains(&value, a.contains.as_ref().unwrap_or(&Value::Null)))
                    .then(|| format!("got {}", show(&value))),
                AssertionKind::Matches => match regex::Regex::new(a.matches.as_deref().unwrap_or_default()) {
                    Ok(re) => {
                        let text = match &value {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (!re.is_match(&text)).then(|| format!("got {}", show(&value)))
                    }
                    Err(e) => Some(format!("invalid regular expression: {e}")),
                },
                AssertionKind::Schema => schema_errors(a.schema.as_ref().unwrap_or(&Value::Null), &value)
                    .map(|errors| format!("{}: {}", errors, show(&value))),
                _ => None,
            };
            Verdict::judge(kind, line, statement, failure)
        }
    }
}

/// The schema violations of `value` (at most three), or `None` when it is valid.
fn schema_errors(schema: &Value, value: &Value) -> Option<String> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        Err(e) => return Some(format!("the schema does not compile: {e}")),
    };
    let errors: Vec<String> = validator
        .iter_errors(value)
        .take(3)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() { e.to_string() } else { format!("at {at}: {e}") }
        })
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// JSON equality, with numbers equal when their values are (`3` equals `3.0`).
pub(super) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64().zip(y.as_f64()).is_some_and(|(x, y)| x == y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Whether `actual` contains `expected`: a substring of a string; every member of an object, contained in the
/// member; every element of an array, contained in some element (a non-array expected value: contained in some
/// element); otherwise equality.
pub(super) fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::String(e)) => a.contains(e.as_str()),
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|x| contains(x, v))),
        (Value::Array(a), Value::Array(e)) => e.iter().all(|v| a.iter().any(|x| contains(x, v))),
        (Value::Array(a), e) => a.iter().any(|x| contains(x, e)),
        _ => json_eq(actual, expected),
    }
}

/// Binds the step's captures from `doc` into `vars`; one verdict per capture.
pub(super) fn capture(step: &Step, line: u64, doc: &Value, vars: &mut Variables) -> Vec<Verdict> {
    step.capture
        .iter()
        .map(|(name, path)| {
            let statement = format!("capture `{name}` from {path}");
            match Query::parse(path).map(|q| q.select(doc).captured()) {
                Ok(Some(v)) => {
                    vars.insert(name.clone(), v);
                    Verdict::pass(AssertionKind::Capture, line, statement)
                }
                Ok(None) => Verdict::fail(
                    AssertionKind::Capture,
                    line,
                    statement,
                    format!("{path} selected nothing in {}", show(doc)),
                ),
                Err(e) => Verdict::fail(AssertionKind::Capture, line, statement, e),
            }
        })
        .collect()
}

/// Whether `params` satisfies every assertion of a notification expectation.
pub(super) fn params_match(assertions: &[mcp_harness_suites::journey::Spanned<Assertion>], params: &Value) -> bool {
    assertions.iter().all(|a| match a.value.kind() {
        Ok(kind) => evaluate_value(&a.value, kind, 0, params).passed(),
        Err(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answer(doc: Value) -> Answer {
        Answer { doc, error: None, latency: Duration::from_millis(5) }
    }

    fn assertion(yaml: Value) -> Assertion {
        serde_json::from_value(yaml).unwrap()
    }

    #[test]
    fn value_assertions_pass_and_fail_with_what_was_found() {
        let a = answer(json!({"content": [{"type": "text", "text": "hello world"}], "n": 3, "tags": ["a", "b"]}));
        let pass = |y: Value| evaluate(&assertion(y), 1, &a);
        assert!(pass(json!({"path": "$.content[0].text", "equals": "hello world"})).passed());
        assert!(pass(json!({"path": "$.n", "equals": 3.0})).passed());
        assert!(pass(json!({"path": "$.content[0].text", "contains": "world"})).passed());
        assert!(pass(json!({"path": "$.content", "contains": [{"text": "hello"}]})).passed());
        assert!(pass(json!({"path": "$.tags", "contains": "b"})).passed());
        assert!(pass(json!({"path": "$.content[0].text", "matches": "^hello"})).passed());
        assert!(pass(json!({"path": "$.n", "schema": {"type": "integer", "minimum": 1}})).passed());
        assert!(pass(json!({"path": "$.tags", "count": 2})).passed());
        assert!(pass(json!({"path": "$.tags[*]", "count": 2})).passed());
        assert!(pass(json!({"path": "$.nope", "exists": false})).passed());
        assert!(pass(json!({"latency-ms": 100})).passed());
        assert!(pass(json!({"is-error": false})).passed());

        let v = pass(json!({"path": "$.n", "equals": 4}));
        assert_eq!((v.statement.as_str(), v.failure.as_deref()), ("$.n equals 4", Some("got 3")));
        assert!(pass(json!({"path": "$.content[0].text", "contains": "bye"})).failure.is_some());
        assert!(pass(json!({"path": "$.content[0].text", "matches": "^world"})).failure.is_some());
        assert!(pass(json!({"path": "$.n", "schema": {"type": "string"}})).failure.unwrap().contains("not of type"));
        assert!(pass(json!({"path": "$.tags", "count": 3})).failure.is_some());
        assert!(pass(json!({"path": "$.nope", "exists": true})).failure.unwrap().contains("selected nothing"));
        assert!(pass(json!({"path": "$.nope", "equals": 1})).failure.unwrap().contains("selected nothing"));
        assert!(pass(json!({"latency-ms": 1})).failure.unwrap().contains("took"));
        assert!(pass(json!({"is-error": true})).failure.is_some());
        assert!(pass(json!({"error": -32602})).failure.unwrap().starts_with("a result"));
    }

    #[test]
    fn implicit_expectations_and_captures() {
        let step: Step =
            serde_json::from_value(json!({"call": {"tool": "x"}, "capture": {"id": "$.id", "no": "$.no"}})).unwrap();
        let err = Answer {
            doc: json!({"code": -32602, "message": "bad"}),
            error: Some((Some(-32602), "bad".into())),
            latency: Duration::ZERO,
        };
        let v = implicit(&step, 7, &err);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].failure.as_deref(), Some("error -32602 \"bad\""));
        let tool_error = answer(json!({"isError": true, "content": [{"type": "text", "text": "boom"}]}));
        assert_eq!(implicit(&step, 7, &tool_error)[1].failure.as_deref(), Some("isError true: \"boom\""));
        let mut vars = Variables::new();
        let caps = capture(&step, 7, &json!({"id": "n1"}), &mut vars);
        assert_eq!(vars["id"], json!("n1"));
        assert!(caps.iter().any(|c| c.failure.as_deref().is_some_and(|f| f.contains("$.no selected nothing"))));
    }
}
