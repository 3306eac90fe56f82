//! `unit.tool.<name>.valid-inputs` and `unit.tool.<name>.output-schema`: the tool called with `--cases` inputs
//! drawn from its input schema (edge values weighted in). A finding is shrunk to a minimal input that still
//! shows it, and reported with the seed that replays it.

use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};

use serde_json::{Value, json};

use crate::check::{CheckContext, Conclusion, Level, Outcome, SkipReason};

use super::inputs::input_space;
use super::probe::{Answer, Prober, callable_tool, show, silent, tool_seed};
use super::replay::Shrinker;
use super::set::ToolCheck;
use super::shrink::seeded_runner;

/// No new case is drawn once a check has run this long (a slow tool gets fewer cases, at least one).
const CASES_BUDGET: Duration = Duration::from_secs(5);

/// `-32021`: the server needs a client capability the harness did not declare (2026-07-28): not a verdict.
const MISSING_CLIENT_CAPABILITY: i64 = -32021;

/// `-32020`: an HTTP header does not match the body (2026-07-28); for a tool call, the server wanted arguments
/// mirrored into headers, which the harness does not do: not a verdict.
const HEADER_MISMATCH: i64 = -32020;

/// Shrinking stops after this many replays …
const MAX_SHRINK_STEPS: usize = 256;
/// … or this long.
const MAX_SHRINK_TIME: Duration = Duration::from_secs(20);

/// What is wrong with one answer, for one of the two checks.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Finding {
    /// No answer: the server exited or hung (MUST reply).
    Crash,
    /// A protocol violation in the answer (its own rule).
    Violation,
    /// A result that breaks the revision's schema.
    Malformed,
    /// A JSON-RPC error to an input the schema accepts (the tool's published contract, SHOULD).
    Refused,
    /// No `structuredContent` although the tool has an `outputSchema` (MUST conform).
    NoStructuredContent,
    /// `structuredContent` invalid against the `outputSchema` (MUST conform).
    InvalidStructuredContent,
}

/// Runs `unit.tool.<name>.valid-inputs`.
pub(crate) async fn valid_inputs(cx: &mut CheckContext) -> Conclusion {
    run(cx, ToolCheck::ValidInputs).await
}

/// Runs `unit.tool.<name>.output-schema`.
pub(crate) async fn output_schema(cx: &mut CheckContext) -> Conclusion {
    run(cx, ToolCheck::OutputSchema).await
}

async fn run(cx: &mut CheckContext, which: ToolCheck) -> Conclusion {
    let (id, tool) = match callable_tool(cx) {
        Ok(found) => found,
        Err(outcome) => return Ok(outcome),
    };
    let output = match (which, &tool.output_schema) {
        (ToolCheck::OutputSchema, None) => {
            return Ok(Outcome::skip(SkipReason::NothingToTest, format!("tool `{}` has no outputSchema", tool.name)));
        }
        (ToolCheck::OutputSchema, Some(schema)) => match jsonschema::validator_for(schema) {
            Ok(v) => Some(v),
            Err(e) => return Ok(Outcome::error(format!("the outputSchema of `{}` does not compile: {e}", tool.name))),
        },
        _ => None,
    };
    let space = input_space(&tool.input_schema);
    let unsupported = if space.unsupported.is_empty() {
        String::new()
    } else {
        format!("; not generated (unsupported schema features): {}", space.unsupported.join("; "))
    };
    let options = cx.options().unit.clone();
    let seed = tool_seed(cx, id);
    let mut runner = seeded_runner(seed);
    let mut prober = Prober::new(cx);
    let judge = |answer: &Answer| -> Option<Finding> {
        match (answer, &output) {
            // Crashes and malformed answers are valid-inputs' findings; output-schema judges results only.
            (Answer::Crashed(_) | Answer::Malformed(_) | Answer::Violation(_), Some(_)) => None,
            (Answer::Crashed(_), None) => Some(Finding::Crash),
            (Answer::Silent(_), _) => None,
            (Answer::Malformed(_), None) => Some(Finding::Malformed),
            (Answer::Violation(_), None) => Some(Finding::Violation),
            (Answer::Error { .. }, None) => Some(Finding::Refused),
            (Answer::Error { .. }, Some(_)) => None,
            (Answer::Result(_), None) => None,
            (Answer::Result(r), Some(validator)) => {
                if r.get("isError").and_then(Value::as_bool) == Some(true) {
                    None
                } else {
                    match r.get("structuredContent") {
                        None => Some(Finding::NoStructuredContent),
                        Some(sc) if !validator.is_valid(sc) => Some(Finding::InvalidStructuredContent),
                        Some(_) => None,
                    }
                }
            }
        }
    };
    let mut answered = 0u32;
    let mut drawn = 0u32;
    let began = Instant::now();
    for case in 0..options.cases {
        if case > 0 && began.elapsed() > CASES_BUDGET {
            break;
        }
        drawn += 1;
        // The tree is dropped here: it is not `Send`, and the check awaits below.
        let drawn = space.valid.new_tree(&mut runner).map(|tree| tree.current());
        let input = match drawn {
            Ok(input) => input,
            Err(why) if case == 0 => {
                prober.close().await;
                return Ok(Outcome::error(format!(
                    "could not generate a valid input for `{}` from its inputSchema: {why}{unsupported}",
                    tool.name
                )));
            }
            Err(_) => break,
        };
        let answer = prober.ask(cx, "tools/call", json!({"name": tool.name, "arguments": input})).await?;
        if let Answer::Silent(why) = &answer {
            prober.close().await;
            return Ok(silent(&format!("tools/call `{}` with {}", tool.name, show(&input, 300)), why));
        }
        if let Answer::Error { code: Some(code @ (MISSING_CLIENT_CAPABILITY | HEADER_MISMATCH)), message } = &answer {
            prober.close().await;
            let needs = if *code == HEADER_MISMATCH {
                "its x-mcp-header arguments mirrored into Mcp-Param-* headers (SEP-2243), which the harness's \
                 client does not do yet"
            } else {
                "a client capability the harness does not offer"
            };
            return Ok(Outcome::skip(
                SkipReason::NothingToTest,
                format!("tool `{}` needs {needs}: {message}", tool.name),
            ));
        }
        let Some(finding) = judge(&answer) else {
            if matches!(answer, Answer::Result(_)) {
                answered += 1;
            }
            continue;
        };
        // Shrink: a simpler input that shows the same finding.
        let started = Instant::now();
        let mut shrinker = Shrinker::new(&space.valid, seed, case, input);
        let mut answer = answer;
        while let Some(candidate) = shrinker.candidate() {
            if shrinker.best().1 >= MAX_SHRINK_STEPS || started.elapsed() > MAX_SHRINK_TIME {
                break;
            }
            let replayed = prober.ask(cx, "tools/call", json!({"name": tool.name, "arguments": candidate})).await?;
            let still_fails = judge(&replayed).as_ref() == Some(&finding);
            if still_fails {
                answer = replayed;
            }
            shrinker.record(still_fails);
        }
        let (minimal, steps) = shrinker.best();
        prober.close().await;
        return Ok(report(
            &tool.name,
            id.as_str(),
            options.seed,
            case,
            &finding,
            minimal,
            &answer,
            steps,
            &unsupported,
        ));
    }
    prober.close().await;
    let what = match which {
        ToolCheck::OutputSchema => "structuredContent valid against the outputSchema",
        _ => "a result",
    };
    if answered == 0 && which == ToolCheck::OutputSchema {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("tool `{}` answered none of {drawn} valid inputs with a result to check", tool.name),
        ));
    }
    let budget = if drawn < options.cases {
        format!(" ({drawn} of {} within the {CASES_BUDGET:?} budget)", options.cases)
    } else {
        String::new()
    };
    Ok(Outcome::pass_with(format!(
        "{drawn} valid inputs{budget} (--seed {}): {answered} answered with {what}{unsupported}",
        options.seed
    )))
}

/// The outcome of a finding, with the minimal input and how to replay it.
#[expect(clippy::too_many_arguments, reason = "one call site; the evidence needs every part")]
fn report(
    tool: &str,
    id: &str,
    seed: u64,
    case: u32,
    finding: &Finding,
    minimal: &Value,
    answer: &Answer,
    steps: usize,
    unsupported: &str,
) -> Outcome {
    let answered = answer.describe();
    let replay = format!("replay: mcp-harness run <target> --suite unit --check '{id}' --seed {seed}");
    let limit = if steps >= MAX_SHRINK_STEPS { ", the step limit: it may shrink further" } else { "" };
    let observed = format!(
        "tools/call `{tool}` with arguments {} (case {}, shrunk in {steps} steps{limit}) → {answered}\n{replay}{unsupported}",
        show(minimal, 400),
        case + 1
    );
    match (finding, answer) {
        (Finding::Violation, Answer::Violation(v)) => {
            Outcome::misbehaved(v, "a well-formed answer to every valid input")
        }
        (Finding::Crash, _) => Outcome::violated("an answer to every request, whatever its valid arguments", observed)
            .breaking("jsonrpc.reply-required", Level::Must),
        (Finding::Refused, _) => Outcome::violated(
            "a result for an input the tool's inputSchema accepts (a tool error goes in isError)",
            observed,
        )
        .breaking("unit.valid-input-accepted", Level::Should),
        (Finding::NoStructuredContent, _) => Outcome::violated(
            "structuredContent in every successful result of a tool that declares an outputSchema",
            observed,
        )
        .breaking("tools.structured-content-conforms", Level::Must),
        _ => Outcome::violated("structuredContent valid against the tool's outputSchema", observed)
            .breaking("tools.structured-content-conforms", Level::Must),
    }
}
