//! `unit.prompt.<name>.get`: the prompt got with every argument given (required and optional, synthesised), then
//! with only the required ones; each answer must be a result with messages, valid against the revision's
//! schema (refused synthesised values are noted, not judged; a prompt that refuses all of them and has no required
//! argument to leave out is skipped). When the prompt has required arguments, a get without them should be
//! refused with `-32602` (a SHOULD: a warning otherwise).

use serde_json::{Map, Value, json};

use crate::check::{CheckContext, Conclusion, Level, Outcome, SkipReason};

use super::probe::{Answer, Prober, show};
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
    let outcome = judge(cx, &mut prober, &prompt.name, rounds, &required).await;
    prober.close().await;
    outcome
}

/// Gets the prompt with each set of synthesised arguments, then without its required ones.
async fn judge(
    cx: &mut CheckContext,
    prober: &mut Prober,
    name: &str,
    rounds: Vec<(&str, Map<String, Value>)>,
    required: &Map<String, Value>,
) -> Conclusion {
    let mut judged = Vec::new();
    for (what, args) in rounds {
        let request = format!("prompts/get `{name}` with {what}");
        let answer = prober.ask(cx, "prompts/get", json!({"name": name, "arguments": args})).await?;
        if let Some(outcome) = answer.unusable(&request) {
            return Ok(outcome);
        }
        match answer {
            Answer::Result(r) if r.get("messages").is_some_and(Value::is_array) => {
                judged.push(format!("{what}: messages"))
            }
            Answer::Result(r) => {
                return Ok(Outcome::violated(
                    "a GetPromptResult with a messages array",
                    format!("{request} → {}", show(&r, 300)),
                )
                .breaking("prompts.get.request", Level::Must));
            }
            // The synthesised values may not be ones the prompt accepts: not a verdict, and nothing to judge.
            _ => judged.push(format!("{what}: refused ({}), not judged", answer.describe())),
        }
    }
    if !required.is_empty() {
        let request = format!("prompts/get `{name}` without its required arguments");
        let answer = prober.ask(cx, "prompts/get", json!({"name": name, "arguments": {}})).await?;
        if let Some(outcome) = answer.unusable(&request) {
            return Ok(outcome);
        }
        if !matches!(answer, Answer::Error { code: Some(-32602), .. }) {
            let missing: Vec<&str> = required.keys().map(String::as_str).collect();
            return Ok(Outcome::violated(
                "missing required arguments refused with -32602 (Invalid params)",
                format!("prompts/get `{name}` without {} → {}", missing.join(", "), answer.describe()),
            )
            .breaking("prompts.missing-arguments", Level::Should));
        }
        judged.push("without required arguments: -32602".to_owned());
    } else if judged.iter().all(|j| j.ends_with("not judged")) {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("prompt `{name}` refused every synthesised argument set: {}", judged.join("; ")),
        ));
    }
    Ok(Outcome::pass_with(judged.join("; ")))
}
