//! `unit.tools.sequence`: stateful sequences. Each of `--cases` sequences calls up to [`MAX_LENGTH`] callable tools
//! in a row on a fresh session, with arguments drawn from their schemas; a string argument is, one time in two,
//! replaced by a value an earlier call of the sequence returned (a string of its `structuredContent`, or of JSON
//! in its text content, that still fits the schema), so ids and URIs flow from create to read, update and delete.
//! Every call must be answered with a well-formed result or error: a crash, a malformed result, a protocol
//! violation, or a successful result of a tool with an `outputSchema` whose `structuredContent` is missing or does
//! not conform (a state single calls rarely reach: the entity a create made, then updated) fails, and the sequence is shrunk — calls are left out while the failure remains — to the shortest
//! one that still shows it (replayed on a fresh session each time). Tool errors (`isError`, a JSON-RPC error)
//! are normal in a sequence (a read after a delete) and not judged.

use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Outcome, SkipReason,
    Suite,
};
use crate::surface::LockedTool;

use super::inputs::{InputSpace, input_space};
use super::probe::{Answer, Prober, discovered, show, silent};
use super::shrink::seeded_runner;

/// The longest sequence.
const MAX_LENGTH: usize = 6;

/// Shrinking a sequence stops after this long.
const MAX_SHRINK_TIME: Duration = Duration::from_secs(20);

/// No new sequence starts once the check has run this long.
const SEQUENCES_BUDGET: Duration = Duration::from_secs(10);

/// The check record.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("unit.tools.sequence"),
        title: "sequences of tool calls, later ones fed with values earlier ones returned, are answered without a crash or a malformed result",
        suite: Suite::Unit,
        level: Level::Must,
        requirements: &["jsonrpc.reply-required", "tools.call.content", "tools.structured-content-conforms"],
        applies: Applicability { capability: Some(Capability::Tools), needs: Needs::Session, ..Applicability::ALWAYS },
        tags: &["unit", "tools", "property", "stateful"],
    },
    run: crate::check_fn!(sequences),
};

/// One call of a sequence, with its arguments as sent.
#[derive(Debug, Clone)]
struct Call {
    tool: String,
    arguments: Value,
}

/// What went wrong in a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Finding {
    Crash,
    Malformed,
    Violation,
    /// `structuredContent` missing from, or not valid against the `outputSchema` of, a successful result.
    Output,
}

async fn sequences(cx: &mut CheckContext) -> Conclusion {
    let surface = match discovered(cx) {
        Ok(surface) => surface,
        Err(outcome) => return Ok(outcome),
    };
    let outputs: BTreeMap<String, jsonschema::Validator> = surface
        .tools
        .iter()
        .filter_map(|t| Some((t.name.clone(), jsonschema::validator_for(t.output_schema.as_ref()?).ok()?)))
        .collect();
    let tools: Vec<(&LockedTool, InputSpace, jsonschema::Validator)> = surface
        .tools
        .iter()
        .filter(|t| {
            let listed = json!({"name": t.name, "annotations": t.annotations, "execution": t.execution});
            crate::checks::tools::catalog::may_call(cx, &listed)
        })
        .filter_map(|t| Some((t, input_space(&t.input_schema), jsonschema::validator_for(&t.input_schema).ok()?)))
        .collect();
    if tools.len() < 2 {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "fewer than two tools may be called (tools not annotated read-only need --call-tools)",
        ));
    }
    let options = cx.options().unit.clone();
    let mut runner = seeded_runner(options.seed_for("unit.tools.sequence"));
    let began = Instant::now();
    let mut ran = 0;
    // Tools that did not answer in time: a sequence reaching one is abandoned (could not test that sequence) and
    // later sequences leave the tool out.
    let mut slow: Vec<String> = Vec::new();
    let mut abandoned: Vec<String> = Vec::new();
    'sequences: for _ in 0..options.cases {
        if ran > 0 && began.elapsed() > SEQUENCES_BUDGET {
            break;
        }
        ran += 1;
        let length = draw(&mut runner, 2..=MAX_LENGTH).unwrap_or(2);
        let mut prober = Prober::uncached(cx);
        let mut corpus: Vec<String> = Vec::new();
        let mut calls: Vec<Call> = Vec::new();
        for _ in 0..length {
            let Some(pick) = draw(&mut runner, 0..=tools.len() - 1) else { break };
            let (tool, space, validator) = &tools[pick];
            if slow.contains(&tool.name) {
                continue;
            }
            // The value tree is dropped at once: it is not `Send`, and the check awaits below.
            let Ok(drawn) = space.valid.new_tree(&mut runner).map(|tree| tree.current()) else { continue };
            let arguments = feed(drawn, &corpus, validator, &mut runner);
            calls.push(Call { tool: tool.name.clone(), arguments: arguments.clone() });
            let answer = prober.ask(cx, "tools/call", json!({"name": tool.name, "arguments": arguments})).await?;
            match judge(&answer, outputs.get(&tool.name)) {
                Ok(Some(result)) => corpus.extend(mined(&result)),
                Ok(None) => {}
                Err(Some(finding)) => {
                    prober.close().await;
                    return Ok(shrunk(cx, calls, finding, answer, options.seed, &outputs).await);
                }
                Err(None) => {
                    prober.close().await;
                    let why = match &answer {
                        Answer::Silent(why) => why.clone(),
                        _ => "no answer".to_owned(),
                    };
                    abandoned.push(format!("the sequence {}: {why}", describe(&calls)));
                    slow.push(tool.name.clone());
                    continue 'sequences;
                }
            }
            corpus.truncate(200);
        }
        prober.close().await;
    }
    if abandoned.len() == ran
        && let Some(first) = abandoned.first()
    {
        return Ok(silent("every sequence", first));
    }
    let mut note = format!(
        "{} of {ran} sequences of 2–{MAX_LENGTH} calls over {} tools (--seed {}) answered throughout",
        ran - abandoned.len(),
        tools.len(),
        options.seed
    );
    if !abandoned.is_empty() {
        note.push_str(&format!(
            "; abandoned (a tool slower than --timeout-ms, left out afterwards): {}",
            abandoned.join("; ")
        ));
    }
    Ok(Outcome::pass_with(note))
}

/// `Ok(result)` for an answer that is fine (with the result to mine), `Err(finding)` for a failure, `Err(None)` for
/// silence. `output` is the tool's compiled `outputSchema`, if it has one.
fn judge(answer: &Answer, output: Option<&jsonschema::Validator>) -> Result<Option<Value>, Option<Finding>> {
    match answer {
        Answer::Result(r) => {
            let succeeded = r.get("isError").and_then(Value::as_bool) != Some(true)
                && r.get("resultType").and_then(Value::as_str).is_none_or(|t| t == "complete");
            match (output, r.get("structuredContent")) {
                (Some(_), None) if succeeded => Err(Some(Finding::Output)),
                (Some(v), Some(sc)) if succeeded && !v.is_valid(sc) => Err(Some(Finding::Output)),
                _ => Ok(Some(r.clone())),
            }
        }
        Answer::Error { .. } => Ok(None),
        Answer::Crashed(_) => Err(Some(Finding::Crash)),
        Answer::Malformed(_) => Err(Some(Finding::Malformed)),
        Answer::Violation(_) => Err(Some(Finding::Violation)),
        Answer::Silent(_) => Err(None),
    }
}

/// A number in `range`, drawn from the runner.
fn draw(runner: &mut TestRunner, range: std::ops::RangeInclusive<usize>) -> Option<usize> {
    Some(range.new_tree(runner).ok()?.current())
}

/// `arguments` with, one time in two, each string (at any depth: `observations[0].entityName` too) replaced by a
/// corpus value, each replacement kept only when the arguments still fit the schema.
fn feed(arguments: Value, corpus: &[String], validator: &jsonschema::Validator, runner: &mut TestRunner) -> Value {
    if corpus.is_empty() {
        return arguments;
    }
    let mut fed = arguments;
    for pointer in string_pointers(&fed, String::new()) {
        if draw(runner, 0..=1) != Some(1) {
            continue;
        }
        let Some(pick) = draw(runner, 0..=corpus.len() - 1) else { continue };
        let mut candidate = fed.clone();
        if let Some(slot) = candidate.pointer_mut(&pointer) {
            *slot = Value::String(corpus[pick].clone());
        }
        if validator.is_valid(&candidate) {
            fed = candidate;
        }
    }
    fed
}

/// The JSON Pointers of the string leaves of `value` (at most 64, depth at most 8).
fn string_pointers(value: &Value, at: String) -> Vec<String> {
    fn walk(v: &Value, at: String, depth: usize, out: &mut Vec<String>) {
        if out.len() >= 64 || depth > 8 {
            return;
        }
        match v {
            Value::String(_) => out.push(at),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{at}/{i}"), depth + 1, out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let escaped = k.replace('~', "~0").replace('/', "~1");
                    walk(item, format!("{at}/{escaped}"), depth + 1, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, at, 0, &mut out);
    out
}

/// The strings a result offers to later calls: those of its `structuredContent`, and of JSON in its text content.
fn mined(result: &Value) -> Vec<String> {
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if (1..=200).contains(&s.chars().count()) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
            Value::Object(map) => map.values().for_each(|i| strings(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(sc) = result.get("structuredContent") {
        strings(sc, &mut out);
    }
    for item in result.get("content").and_then(Value::as_array).into_iter().flatten() {
        if let Some(parsed) =
            item.get("text").and_then(Value::as_str).and_then(|t| serde_json::from_str::<Value>(t).ok())
        {
            strings(&parsed, &mut out);
        }
    }
    out
}

/// Runs `calls` on a fresh session; the finding of its last call, if it still shows one, and the answer.
async fn replay(
    cx: &mut CheckContext,
    calls: &[Call],
    outputs: &BTreeMap<String, jsonschema::Validator>,
) -> Result<Option<(Finding, Answer)>, Outcome> {
    let mut prober = Prober::uncached(cx);
    let mut found = None;
    for (i, call) in calls.iter().enumerate() {
        let answer = prober.ask(cx, "tools/call", json!({"name": call.tool, "arguments": call.arguments})).await?;
        match judge(&answer, outputs.get(&call.tool)) {
            Err(Some(finding)) if i + 1 == calls.len() => found = Some((finding, answer)),
            Err(_) => break,
            Ok(_) => {}
        }
    }
    prober.close().await;
    Ok(found)
}

/// The failure of `calls` (whose last call failed), shrunk by leaving calls out while the same finding remains.
async fn shrunk(
    cx: &mut CheckContext,
    mut calls: Vec<Call>,
    finding: Finding,
    mut answer: Answer,
    seed: u64,
    outputs: &BTreeMap<String, jsonschema::Validator>,
) -> Outcome {
    let started = Instant::now();
    let mut replays = 0;
    let mut i = 0;
    while i + 1 < calls.len() && started.elapsed() < MAX_SHRINK_TIME {
        let mut fewer = calls.clone();
        fewer.remove(i);
        replays += 1;
        match replay(cx, &fewer, outputs).await {
            Ok(Some((f, a))) if f == finding => {
                calls = fewer;
                answer = a;
            }
            _ => i += 1,
        }
    }
    let answered = answer.describe();
    let observed = format!(
        "the sequence {} (shrunk in {replays} replays) → its last call: {answered}\n\
         replay: mcp-harness run <target> --suite unit --check unit.tools.sequence --seed {seed}",
        describe(&calls)
    );
    match (finding, &answer) {
        (Finding::Violation, Answer::Violation(v)) => Outcome::misbehaved(v, "a well-formed answer to every call"),
        (Finding::Malformed, _) => Outcome::violated("a result valid against the revision's schema", observed)
            .breaking("schema.authoritative", Level::Must),
        (Finding::Output, _) => Outcome::violated(
            "structuredContent valid against the tool's outputSchema in every successful result",
            observed,
        )
        .breaking("tools.structured-content-conforms", Level::Must),
        _ => Outcome::violated("an answer to every call, whatever the calls before it", observed)
            .breaking("jsonrpc.reply-required", Level::Must),
    }
}

/// `[echo {"message":"a"}, add {...}]`.
fn describe(calls: &[Call]) -> String {
    let parts: Vec<String> = calls.iter().map(|c| format!("{} {}", c.tool, show(&c.arguments, 120))).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_mined_from_structured_and_json_text_content() {
        let result = json!({
            "structuredContent": {"id": "rec-1", "n": 3, "tags": ["a"]},
            "content": [{"type": "text", "text": "{\"uri\":\"data://records/rec-1\"}"}, {"type": "text", "text": "plain"}]
        });
        assert_eq!(mined(&result), ["rec-1", "a", "data://records/rec-1"]);
    }

    #[test]
    fn feeding_keeps_arguments_valid() {
        let schema =
            json!({"type": "object", "properties": {"id": {"type": "string", "pattern": "^rec-"}}, "required": ["id"]});
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut runner = seeded_runner(3);
        let corpus = vec!["nope".to_owned(), "rec-7".to_owned()];
        let mut seen_fed = false;
        for _ in 0..50 {
            let fed = feed(json!({"id": "rec-1"}), &corpus, &validator, &mut runner);
            assert!(validator.is_valid(&fed), "{fed}");
            seen_fed |= fed["id"] == "rec-7";
        }
        assert!(seen_fed, "a fitting corpus value is fed");
        let nested = json!({"observations": [{"entityName": "x", "contents": ["y"]}]});
        assert_eq!(
            string_pointers(&nested, String::new()),
            ["/observations/0/entityName", "/observations/0/contents/0"]
        );
    }
}
