//! Scenarios `tools-call-elicitation`, `elicitation-sep1034-defaults` and `elicitation-sep1330-enums`: fixture
//! tools that send `elicitation/create` to the client mid-call, judged by what they send.

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{result_of, scenario, show, truthy, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::protocol::Revision;
use crate::session::Session;

/// `tools-call-elicitation` (removed in 2026-07-28).
pub(crate) const TOOL: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-elicitation"),
        title: "official fixture `test_elicitation` sends a form-mode elicitation/create to the client and returns content",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["elicitation.create", "elicitation.supported-modes"],
        applies: scenario(Revision::V2025_06_18, Some(Revision::V2026_07_28), Capability::Tools),
        tags: &[TAG, "tools", "elicitation"],
    },
    run: check_fn!(tool),
};

async fn tool(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_elicitation` {message}: the server sends elicitation/create to the client (form mode, the \
                    only mode the harness declared) and the tool returns non-empty content";
    let arguments = json!({"message": "Please provide your information"});
    let (requests, result) = match call_eliciting(cx.session()?, "test_elicitation", arguments, expected).await {
        Ok(x) => x,
        Err(o) => return Ok(o),
    };
    let mut problems = Vec::new();
    if requests.is_empty() {
        problems.push("Server did not request elicitation from client".to_owned());
    }
    if result.get("content").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        problems.push("Tool did not return content".to_owned());
    }
    problems.extend(mode_problems(&requests));
    let evidence = json!({"elicitationRequests": requests, "result": result});
    Ok(verdict(expected, &problems, format!("{} elicitation request(s)", requests.len()), &evidence))
}

/// `elicitation-sep1034-defaults` (2025-11-25 only).
pub(crate) const SEP1034_DEFAULTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.elicitation-sep1034-defaults"),
        title: "official fixture `test_elicitation_sep1034_defaults` elicits name, age, score, status and verified with the fixture's defaults",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["elicitation.schema-defaults", "elicitation.supported-modes"],
        applies: scenario(Revision::V2025_11_25, Some(Revision::V2026_07_28), Capability::Tools),
        tags: &[TAG, "tools", "elicitation"],
    },
    run: check_fn!(sep1034_defaults),
};

async fn sep1034_defaults(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_elicitation_sep1034_defaults`: an elicitation/create whose requestedSchema.properties are \
                    name {type: string, default: \"John Doe\"}, age {type: integer, default: 30}, score {type: number, default: \
                    95.5}, status {type: string, enum [active, inactive, pending], default: \"active\"}, verified {type: boolean, \
                    default: true}";
    judge_requested_schema(
        cx,
        "test_elicitation_sep1034_defaults",
        expected,
        defaults_problems,
        "all five defaults as the fixture declares them",
    )
    .await
}

/// The official `elicitation-sep1034-*-default` assertions, one message per field.
fn defaults_problems(properties: Option<&Value>) -> Vec<String> {
    let field = |name: &str| properties.and_then(|p| p.get(name)).filter(|f| truthy(Some(f)));
    let mut out = Vec::new();
    let mut primitive = |name: &str, kind: &str, ty: &str, default: Value| {
        let Some(f) = field(name) else {
            out.push(format!("{name}: Missing {kind} field \"{name}\""));
            return;
        };
        if f.get("type").and_then(Value::as_str) != Some(ty) {
            out.push(format!("{name}: Expected type \"{ty}\", got \"{}\"", show(f.get("type"))));
        }
        match f.get("default") {
            None => out.push(format!("{name}: Missing default field")),
            Some(d) if !same_json(d, &default) => out.push(format!("{name}: Expected default {default}, got {d}")),
            Some(_) => {}
        }
    };
    primitive("name", "string", "string", json!("John Doe"));
    primitive("age", "integer", "integer", json!(30));
    primitive("score", "number", "number", json!(95.5));
    primitive("verified", "boolean", "boolean", json!(true));
    match field("status") {
        None => out.push("status: Missing enum field \"status\"".to_owned()),
        Some(f) => {
            if f.get("type").and_then(Value::as_str) != Some("string") {
                out.push(format!("status: Expected type \"string\", got \"{}\"", show(f.get("type"))));
            }
            let members = f.get("enum").and_then(Value::as_array);
            if members.is_none() {
                out.push("status: Missing or invalid enum array".to_owned());
            }
            match f.get("default") {
                None => out.push("status: Missing default field".to_owned()),
                Some(d) => {
                    if d != "active" {
                        out.push(format!("status: Expected default \"active\", got {d}"));
                    }
                    if members.is_some_and(|m| !m.contains(d)) {
                        out.push(format!("status: Default value {d} is not a valid enum member"));
                    }
                }
            }
        }
    }
    out
}

/// JSON equality as JavaScript's `===` sees numbers (`30` and `30.0` are equal).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// `elicitation-sep1330-enums` (2025-11-25 only).
pub(crate) const SEP1330_ENUMS: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.elicitation-sep1330-enums"),
        title: "official fixture `test_elicitation_sep1330_enums` elicits the five enum shapes: untitled/titled single-select, legacy enumNames, untitled/titled multi-select",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["elicitation.schema-flat", "elicitation.supported-modes"],
        applies: scenario(Revision::V2025_11_25, Some(Revision::V2026_07_28), Capability::Tools),
        tags: &[TAG, "tools", "elicitation"],
    },
    run: check_fn!(sep1330_enums),
};

async fn sep1330_enums(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_elicitation_sep1330_enums`: an elicitation/create whose requestedSchema.properties are \
                    untitledSingle {type: string, enum}, titledSingle {type: string, oneOf [{const, title}]}, legacyEnum {type: \
                    string, enum, enumNames of the same length}, untitledMulti {type: array, items {type: string, enum}}, \
                    titledMulti {type: array, items {anyOf [{const, title}]}}";
    judge_requested_schema(cx, "test_elicitation_sep1330_enums", expected, enums_problems, "all five enum shapes").await
}

/// The official `elicitation-sep1330-*` assertions, one message per field.
fn enums_problems(properties: Option<&Value>) -> Vec<String> {
    let field = |name: &str| properties.and_then(|p| p.get(name)).filter(|f| truthy(Some(f)));
    let has = |v: &Value, key: &str| truthy(v.get(key));
    let is_array = |v: Option<&Value>| v.is_some_and(Value::is_array);
    let titled = |options: Option<&Value>| {
        options.and_then(Value::as_array).is_some_and(|o| {
            o.iter()
                .all(|x| x.get("const").is_some_and(Value::is_string) && x.get("title").is_some_and(Value::is_string))
        })
    };
    let type_is = |v: &Value, ty: &str| v.get("type").and_then(Value::as_str) == Some(ty);
    let mut out = Vec::new();
    let mut push = |name: &str, msg: String| out.push(format!("{name}: {msg}"));

    match field("untitledSingle") {
        None => push("untitledSingle", "Missing untitled single-select enum field \"untitledSingle\"".into()),
        Some(f) => {
            if !type_is(f, "string") {
                push("untitledSingle", format!("Expected type \"string\", got \"{}\"", show(f.get("type"))));
            }
            if !is_array(f.get("enum")) {
                push("untitledSingle", "Missing or invalid enum array".into());
            }
            if has(f, "oneOf") {
                push("untitledSingle", "Untitled enum should not have oneOf property".into());
            }
            if has(f, "enumNames") {
                push("untitledSingle", "Untitled enum should not have enumNames property".into());
            }
        }
    }
    match field("titledSingle") {
        None => push("titledSingle", "Missing titled single-select enum field \"titledSingle\"".into()),
        Some(f) => {
            if !type_is(f, "string") {
                push("titledSingle", format!("Expected type \"string\", got \"{}\"", show(f.get("type"))));
            }
            if !is_array(f.get("oneOf")) {
                push("titledSingle", "Missing or invalid oneOf array for titled enum".into());
            } else if !titled(f.get("oneOf")) {
                push(
                    "titledSingle",
                    "oneOf items must have \"const\" (string) and \"title\" (string) properties".into(),
                );
            }
            if has(f, "enum") {
                push("titledSingle", "Titled enum should use oneOf instead of enum array".into());
            }
        }
    }
    match field("legacyEnum") {
        None => push("legacyEnum", "Missing legacy titled enum field \"legacyEnum\"".into()),
        Some(f) => {
            if !type_is(f, "string") {
                push("legacyEnum", format!("Expected type \"string\", got \"{}\"", show(f.get("type"))));
            }
            if !is_array(f.get("enum")) {
                push("legacyEnum", "Missing or invalid enum array".into());
            }
            match (f.get("enumNames").and_then(Value::as_array), f.get("enum").and_then(Value::as_array)) {
                (None, _) => push("legacyEnum", "Missing or invalid enumNames array for legacy titled enum".into()),
                (Some(names), Some(members)) if names.len() != members.len() => push(
                    "legacyEnum",
                    format!("enumNames length ({}) must match enum length ({})", names.len(), members.len()),
                ),
                _ => {}
            }
        }
    }
    match field("untitledMulti") {
        None => push("untitledMulti", "Missing untitled multi-select enum field \"untitledMulti\"".into()),
        Some(f) => {
            if !type_is(f, "array") {
                push("untitledMulti", format!("Expected type \"array\", got \"{}\"", show(f.get("type"))));
            }
            match f.get("items").filter(|i| truthy(Some(i))) {
                None => push("untitledMulti", "Missing items property for array type".into()),
                Some(items) => {
                    if !type_is(items, "string") {
                        push(
                            "untitledMulti",
                            format!("Expected items.type \"string\", got \"{}\"", show(items.get("type"))),
                        );
                    }
                    if !is_array(items.get("enum")) {
                        push("untitledMulti", "Missing or invalid items.enum array".into());
                    }
                    if has(items, "anyOf") {
                        push("untitledMulti", "Untitled multi-select should use items.enum, not items.anyOf".into());
                    }
                }
            }
        }
    }
    match field("titledMulti") {
        None => push("titledMulti", "Missing titled multi-select enum field \"titledMulti\"".into()),
        Some(f) => {
            if !type_is(f, "array") {
                push("titledMulti", format!("Expected type \"array\", got \"{}\"", show(f.get("type"))));
            }
            match f.get("items").filter(|i| truthy(Some(i))) {
                None => push("titledMulti", "Missing items property for array type".into()),
                Some(items) => {
                    if !is_array(items.get("anyOf")) {
                        push("titledMulti", "Missing or invalid items.anyOf array for titled multi-select".into());
                    } else if !titled(items.get("anyOf")) {
                        push(
                            "titledMulti",
                            "items.anyOf entries must have \"const\" (string) and \"title\" (string) properties".into(),
                        );
                    }
                    if has(items, "enum") {
                        push("titledMulti", "Titled multi-select should use items.anyOf, not items.enum".into());
                    }
                }
            }
        }
    }
    out
}

/// Calls fixture tool `name` and returns the `elicitation/create` requests the server sent meanwhile (already
/// answered by the session's [`crate::session::ClientAnswers`]) and the tool's result.
/// Calls a fixture tool that elicits once and judges the requested schema's properties with `problems_of` (plus
/// the elicitation mode); `good` describes a passing schema.
async fn judge_requested_schema(
    cx: &mut CheckContext,
    tool: &str,
    expected: &str,
    problems_of: fn(Option<&Value>) -> Vec<String>,
    good: &str,
) -> Conclusion {
    let (requests, result) = match call_eliciting(cx.session()?, tool, json!({}), expected).await {
        Ok(x) => x,
        Err(o) => return Ok(o),
    };
    let Some(request) = requests.first() else {
        let evidence = json!({"result": result});
        return Ok(verdict(expected, &["Server did not request elicitation from client".to_owned()], "", &evidence));
    };
    let mut problems = problems_of(request.pointer("/params/requestedSchema/properties"));
    problems.extend(mode_problems(&requests));
    Ok(verdict(expected, &problems, good, request))
}

async fn call_eliciting(
    s: &mut Session,
    name: &str,
    arguments: Value,
    expected: &str,
) -> Result<(Vec<Value>, Value), Outcome> {
    s.take_server_requests();
    let result = result_of(s, "tools/call", json!({"name": name, "arguments": arguments}), expected).await?;
    let requests = s
        .take_server_requests()
        .into_iter()
        .filter(|r| r.get("method").and_then(Value::as_str) == Some("elicitation/create"))
        .collect();
    Ok((requests, result))
}

/// Requests in a mode other than form, the only one the harness declares (`elicitation: {form: {}}`).
fn mode_problems(requests: &[Value]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| r.pointer("/params/mode"))
        .filter(|m| m.as_str() != Some("form"))
        .map(|m| format!("elicitation/create in mode {m}, but the harness declared form mode only"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_defaults_pass_and_others_fail() {
        let good = json!({
            "name": {"type": "string", "default": "John Doe"}, "age": {"type": "integer", "default": 30},
            "score": {"type": "number", "default": 95.5},
            "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
            "verified": {"type": "boolean", "default": true}
        });
        assert_eq!(defaults_problems(Some(&good)), Vec::<String>::new());
        let mut bad = good.clone();
        bad["age"]["default"] = json!(31);
        bad["verified"].as_object_mut().unwrap().remove("default");
        bad.as_object_mut().unwrap().remove("score");
        let p = defaults_problems(Some(&bad));
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(!defaults_problems(None).is_empty());
        assert!(same_json(&json!(30), &json!(30.0)));
    }

    #[test]
    fn the_five_enum_shapes_pass_and_flattened_ones_fail() {
        let good = json!({
            "untitledSingle": {"type": "string", "enum": ["option1", "option2"]},
            "titledSingle": {"type": "string", "oneOf": [{"const": "value1", "title": "First Option"}]},
            "legacyEnum": {"type": "string", "enum": ["opt1", "opt2"], "enumNames": ["Option One", "Option Two"]},
            "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1"]}},
            "titledMulti": {"type": "array", "items": {"anyOf": [{"const": "value1", "title": "First Choice"}]}}
        });
        assert_eq!(enums_problems(Some(&good)), Vec::<String>::new());
        let mut bad = good.clone();
        bad["titledSingle"] = json!({"type": "string", "enum": ["value1"]});
        bad["legacyEnum"]["enumNames"] = json!(["Only one"]);
        let p = enums_problems(Some(&bad));
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(mode_problems(&[json!({"params": {"mode": "url"}})]).len(), 1);
        assert!(mode_problems(&[json!({"params": {}})]).is_empty());
    }
}
