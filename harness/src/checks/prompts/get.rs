//! `prompts/list` shape and `prompts/get` of listed prompts.

use serde_json::{Map, Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::evidence::brief;
use crate::checks::pagination::walk::list_all;

/// Pages followed at most (pagination itself is judged by its own check).
const MAX_PAGES: usize = 50;

/// Prompts fetched at most.
const MAX_GETS: usize = 10;

/// Every listed prompt has a name; arguments, if any, have names.
pub(crate) const LIST_SHAPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("prompts.list.shape"),
        title: "prompts/list returns prompts that each have a string name, with arguments (if any) that each have a name",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["prompts.prompt-name", "prompts.prompt-arguments", "prompts.list.result"],
        applies: Applicability { capability: Some(Capability::Prompts), ..Applicability::ALWAYS },
        tags: &["prompts"],
    },
    run: check_fn!(list_shape),
};

async fn list_shape(cx: &mut CheckContext) -> Conclusion {
    let expected = "a prompts/list result whose `prompts` are objects with a string `name` and optional `arguments` [{name, required?}]";
    let listing = list_all(cx.session()?, "prompts/list", "prompts", MAX_PAGES, expected).await?;
    let mut problems = Vec::new();
    for (i, p) in listing.items.iter().enumerate() {
        let label =
            p.get("name").and_then(Value::as_str).map_or_else(|| format!("prompt #{i}"), |n| format!("prompt `{n}`"));
        if !p.get("name").is_some_and(Value::is_string) {
            problems.push(format!("{label}: `name` is missing or not a string"));
        }
        match p.get("arguments") {
            None | Some(Value::Null) => {}
            Some(Value::Array(args)) => {
                for (j, a) in args.iter().enumerate() {
                    if !a.get("name").is_some_and(Value::is_string) {
                        problems.push(format!("{label}: arguments[{j}] has no string `name`: {}", brief(a)));
                    }
                    if a.get("required").is_some_and(|r| !r.is_boolean()) {
                        problems.push(format!("{label}: arguments[{j}].required is not a boolean"));
                    }
                }
            }
            Some(other) => problems.push(format!("{label}: `arguments` is not an array: {}", brief(other))),
        }
    }
    if problems.is_empty() {
        Ok(Outcome::pass_with(format!("{} prompts", listing.items.len())))
    } else {
        Ok(Outcome::violated(expected, problems.join("\n")))
    }
}

/// Listed prompts can be fetched.
pub(crate) const GET_LISTED: Check = Check {
    meta: CheckMeta {
        id: CheckId("prompts.get.listed"),
        title: "getting a listed prompt with its required arguments returns messages, each with a role and content",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["prompts.message-role", "prompts.get.request", "prompts.capability"],
        applies: Applicability { capability: Some(Capability::Prompts), ..Applicability::ALWAYS },
        tags: &["prompts"],
    },
    run: check_fn!(get_listed),
};

/// A value for a prompt argument (prompt arguments are strings): a URI for arguments named like one (`uri`,
/// `resourceUri`, `url`), since servers may embed it where the schema requires a URI, else a plain word.
fn argument_value(name: &str) -> Value {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("uri") || lower.ends_with("url") {
        json!("test://mcp-harness/example")
    } else {
        json!("mcp-harness")
    }
}

/// Names of the prompt's required arguments.
fn required_args(prompt: &Value) -> Vec<String> {
    prompt
        .get("arguments")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|x| x.get("required").and_then(Value::as_bool) == Some(true))
                .filter_map(|x| x.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Problems with a `prompts/get` result.
fn messages_problems(result: &Value) -> Vec<String> {
    let Some(messages) = result.get("messages").and_then(Value::as_array) else {
        return vec![format!("`messages` is missing or not an array: {}", brief(result))];
    };
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        if !matches!(m.get("role").and_then(Value::as_str), Some("user" | "assistant")) {
            out.push(format!("messages[{i}]: `role` is not \"user\" or \"assistant\""));
        }
        if !m.get("content").and_then(|c| c.get("type")).is_some_and(Value::is_string) {
            out.push(format!("messages[{i}]: `content` is not an object with a string `type`: {}", brief(m)));
        }
    }
    out
}

async fn get_listed(cx: &mut CheckContext) -> Conclusion {
    let expected =
        "prompts/get of a listed prompt: a result with `messages` [{role: user|assistant, content: {type, …}}]";
    let session = cx.session()?;
    let listing = list_all(session, "prompts/list", "prompts", MAX_PAGES, expected).await?;
    let prompts: Vec<&Value> =
        listing.items.iter().filter(|p| p.get("name").is_some_and(Value::is_string)).take(MAX_GETS).collect();
    if prompts.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no prompts"));
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut judged = 0usize;
    for p in prompts {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let args: Map<String, Value> = required_args(p)
            .into_iter()
            .map(|a| {
                let v = argument_value(&a);
                (a, v)
            })
            .collect();
        let reply = session
            .request("prompts/get", Some(json!({"name": name, "arguments": args})))
            .await
            .map_err(|e| Outcome::from_session(e, expected))?;
        match &reply.outcome {
            Ok(r) if r.get("resultType").and_then(Value::as_str) == Some("input_required") => {
                notes.push(format!("`{name}` asked for input"))
            }
            Ok(r) => {
                judged += 1;
                problems.extend(messages_problems(r).into_iter().map(|x| format!("`{name}`: {x}")));
            }
            Err(e) if e.code == Some(-32601) => {
                problems.push(format!("`{name}`: prompts/get is not available: {}", reply.brief()))
            }
            // The synthesised argument values may be rejected by the prompt; that is not a verdict.
            Err(_) => notes.push(format!("`{name}`: {}", reply.brief())),
        }
    }
    if !problems.is_empty() {
        return Ok(Outcome::violated(expected, problems.join("\n")));
    }
    if judged == 0 {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("no prompt could be fetched: {}", notes.join("; ")),
        ));
    }
    let mut seen = format!("{judged} prompts fetched");
    if !notes.is_empty() {
        seen.push_str(&format!("; not judged: {}", notes.join("; ")));
    }
    Ok(Outcome::pass_with(seen))
}

/// A missing required argument is invalid params.
pub(crate) const MISSING_ARGUMENT: Check = Check {
    meta: CheckMeta {
        id: CheckId("prompts.get.missing-argument"),
        title: "getting a prompt without one of its required arguments is answered with error -32602",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["prompts.missing-arguments", "prompts.validate-arguments"],
        applies: Applicability { capability: Some(Capability::Prompts), ..Applicability::ALWAYS },
        tags: &["prompts", "errors", "negative"],
    },
    run: check_fn!(missing_argument),
};

async fn missing_argument(cx: &mut CheckContext) -> Conclusion {
    let session = cx.session()?;
    let listing = list_all(session, "prompts/list", "prompts", MAX_PAGES, "a prompts/list result").await?;
    let Some((prompt, required)) = listing.items.iter().find_map(|p| {
        let r = required_args(p);
        (!r.is_empty() && p.get("name").is_some_and(Value::is_string)).then_some((p, r))
    }) else {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "no listed prompt has a required argument"));
    };
    let name = prompt.get("name").and_then(Value::as_str).unwrap_or_default();
    let left_out = &required[0];
    let args: Map<String, Value> = required.iter().skip(1).map(|a| (a.clone(), argument_value(a))).collect();
    let expected =
        format!("prompts/get `{name}` without required argument `{left_out}`: a JSON-RPC error with code -32602");
    let reply = session
        .request("prompts/get", Some(json!({"name": name, "arguments": args})))
        .await
        .map_err(|e| Outcome::from_session(e, &expected))?;
    match reply.error_code() {
        Some(-32602) => Ok(Outcome::pass_with(format!("`{name}`: -32602"))),
        _ => Ok(Outcome::violated(expected, format!("answered {}", reply.brief()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_need_roles_and_typed_content() {
        assert!(
            messages_problems(&json!({"messages":[{"role":"user","content":{"type":"text","text":"hi"}}]})).is_empty()
        );
        assert!(
            !messages_problems(&json!({"messages":[{"role":"system","content":{"type":"text","text":"hi"}}]}))
                .is_empty()
        );
        assert!(!messages_problems(&json!({"messages":[{"role":"user","content":"hi"}]})).is_empty());
        assert!(!messages_problems(&json!({})).is_empty());
        assert_eq!(
            required_args(&json!({"arguments":[{"name":"a","required":true},{"name":"b"}]})),
            vec!["a".to_owned()]
        );
    }
}
