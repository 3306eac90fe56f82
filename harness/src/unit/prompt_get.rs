//! `unit.prompt.<name>.get`: the prompt got with every argument given (required and optional, synthesised), then
//! with only the required ones; each answer must be a result with messages (its shape is audited against the
//! revision's schema by the session). When the prompt has required arguments, a get without them should be
//! refused with `-32602` (a SHOULD: a warning otherwise).

use serde_json::{Map, Value, json};

use crate::check::{CheckContext, Conclusion, Level, Outcome};

use super::probe::{Answer, Prober, malformed, show, silent};
use super::set::UnitItem;

/// Runs `unit.prompt.<name>.get`.
pub(crate) async fn prompt_get(cx: &mut CheckContext) -> Conclusion {
    let Some(UnitItem::Prompt(prompt)) = cx.current_unit_item().cloned() else {
        return Err(Outcome::error("harness bug: the running check has no prompt"));
    };
    let all: Map<String, Value> = prompt.arguments.iter().map(|a| (a.name.clone(), json!("example"))).collect();
    let required: Map<String, Value> =
        prompt.arguments.iter().filter(|a| a.required).map(|a| (a.name.clone(), json!("example"))).collect();
    let mut prober = Prober::new(cx);
    let mut rounds = vec![("every argument", all)];
    if required.len() < prompt.arguments.len() {
        rounds.push(("the required arguments only", required.clone()));
    }
    for (what, args) in rounds {
        let answer = prober.ask(cx, "prompts/get", json!({"name": prompt.name, "arguments": args})).await?;
        match answer {
            Answer::Result(r) if r.get("messages").is_some_and(Value::is_array) => {}
            Answer::Result(r) => {
                prober.close().await;
                return Ok(Outcome::violated(
                    "a GetPromptResult with a messages array",
                    format!("prompts/get `{}` with {what} → {}", prompt.name, show(&r, 300)),
                )
                .breaking("prompts.get.request", Level::Must));
            }
            Answer::Error { code, message } => {
                // The synthesised values may not be ones the prompt accepts: not a verdict.
                prober.close().await;
                return Ok(Outcome::pass_with(format!(
                    "prompts/get `{}` with {what} (synthesised values) was refused ({code:?}: {message}); nothing more to judge",
                    prompt.name
                )));
            }
            Answer::Crashed(why) => {
                prober.close().await;
                return Ok(Outcome::violated(
                    "an answer to every prompts/get",
                    format!("prompts/get `{}` with {what} → {why}", prompt.name),
                )
                .breaking("jsonrpc.reply-required", Level::Must));
            }
            Answer::Violation(v) => {
                prober.close().await;
                return Ok(Outcome::misbehaved(&v, "a well-formed GetPromptResult"));
            }
            Answer::Silent(why) => {
                prober.close().await;
                return Ok(silent(&format!("prompts/get `{}` with {what}", prompt.name), &why));
            }
            Answer::Malformed(found) => {
                prober.close().await;
                return Ok(malformed(&format!("prompts/get `{}` with {what}", prompt.name), &found));
            }
        }
    }
    if !required.is_empty() {
        let answer = prober.ask(cx, "prompts/get", json!({"name": prompt.name, "arguments": {}})).await?;
        let missing: Vec<&str> = required.keys().map(String::as_str).collect();
        let verdict = match answer {
            Answer::Error { code: Some(-32602), .. } => None,
            Answer::Error { code, .. } => Some(format!("refused with {code:?}, not -32602")),
            Answer::Result(r) => Some(format!("a result {}", show(&r, 200))),
            Answer::Crashed(why) => {
                prober.close().await;
                return Ok(Outcome::violated(
                    "an answer to every prompts/get",
                    format!("prompts/get `{}` without its required arguments → {why}", prompt.name),
                )
                .breaking("jsonrpc.reply-required", Level::Must));
            }
            Answer::Violation(v) => {
                prober.close().await;
                return Ok(Outcome::misbehaved(&v, "a well-formed refusal"));
            }
            Answer::Silent(why) => {
                prober.close().await;
                return Ok(silent(&format!("prompts/get `{}` without its required arguments", prompt.name), &why));
            }
            Answer::Malformed(found) => {
                prober.close().await;
                return Ok(malformed(&format!("prompts/get `{}` without its required arguments", prompt.name), &found));
            }
        };
        if let Some(observed) = verdict {
            prober.close().await;
            return Ok(Outcome::violated(
                "missing required arguments refused with -32602 (Invalid params)",
                format!("prompts/get `{}` without {} → {observed}", prompt.name, missing.join(", ")),
            )
            .breaking("prompts.missing-arguments", Level::Should));
        }
    }
    prober.close().await;
    Ok(Outcome::pass_with(format!("{} requests answered as expected", prober_requests_note(prompt.arguments.len()))))
}

fn prober_requests_note(arguments: usize) -> String {
    format!("prompts/get with synthesised values for {arguments} arguments")
}
