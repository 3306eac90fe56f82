//! `unit.tool.<name>.invalid-inputs`: the tool called with inputs that each break one constraint of its input
//! schema (a required property left out, a wrong type, a value outside an enum or a bound, a string too short or
//! long or off its pattern, an unknown property where none is allowed, …). Each must be refused — a JSON-RPC
//! error (`-32602`, or another code, noted) or a result with `isError: true` — and the server must stay up.

use serde_json::{Value, json};

use crate::check::{CheckContext, Conclusion, Level, Outcome, SkipReason};

use super::inputs::input_space;
use super::invalid::invalid_cases;
use super::probe::{Answer, Prober, callable_tool, show, tool_seed};
use super::replay::draw;

/// Runs `unit.tool.<name>.invalid-inputs`.
pub(crate) async fn invalid_inputs(cx: &mut CheckContext) -> Conclusion {
    let (id, tool) = match callable_tool(cx) {
        Ok(found) => found,
        Err(outcome) => return Ok(outcome),
    };
    let options = cx.options().unit.clone();
    let seed = tool_seed(cx, id);
    let space = input_space(&tool.input_schema);
    let base = match draw(&space.valid, seed, 0) {
        Ok(value) => value,
        Err(why) => {
            return Ok(Outcome::error(format!(
                "could not generate a valid input for `{}` to derive invalid ones from: {why}",
                tool.name
            )));
        }
    };
    let cases = invalid_cases(&tool.input_schema, &base, options.cases as usize * 2);
    if cases.is_empty() {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("the inputSchema of `{}` constrains nothing an input could break", tool.name),
        ));
    }
    let mut prober = Prober::new(cx);
    let mut other_codes = Vec::new();
    for case in &cases {
        let answer = prober.ask(cx, "tools/call", json!({"name": tool.name, "arguments": case.arguments})).await?;
        let input = show(&case.arguments, 300);
        match answer {
            Answer::Error { code: Some(-32602), .. } => {}
            Answer::Error { code, .. } => other_codes.push(format!("{} → {code:?}", case.broken)),
            Answer::Result(r) if r.get("isError").and_then(Value::as_bool) == Some(true) => {}
            Answer::Result(r) => {
                prober.close().await;
                return Ok(Outcome::violated(
                    "an input its inputSchema rejects refused: a -32602 error or a result with isError: true",
                    format!(
                        "tools/call `{}` with {input} ({}) → a successful result {}\nreplay: mcp-harness run <target> --suite unit --check '{id}' --seed {}",
                        tool.name,
                        case.broken,
                        show(&r, 300),
                        options.seed
                    ),
                )
                .breaking("tools.validate-inputs", Level::Must));
            }
            other => {
                prober.close().await;
                let request = format!("tools/call `{}` with {input} ({})", tool.name, case.broken);
                return Ok(other.unusable(&request).unwrap_or_else(|| Outcome::error("harness bug: unjudged answer")));
            }
        }
    }
    prober.close().await;
    let mut note = format!("{} invalid inputs (--seed {}), each refused", cases.len(), options.seed);
    if !other_codes.is_empty() {
        note.push_str(&format!("; refused with another code than -32602: {}", other_codes.join("; ")));
    }
    Ok(Outcome::pass_with(note))
}
