//! A 2026-07-28 server rejects a `requestState` that was altered, cut, or taken from another call.

use serde_json::{Value, json};

use super::probe::{Prober, clip};
use super::targets::{MAX_TOOLS, eligible};
use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Finding, Level, OptIn,
    Outcome, Severity, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::official::input_required::{is_input_required, respond};
use crate::checks::tools::arguments::synthesize;
use crate::checks::tools::catalog::name_of;
use crate::protocol::Revision;
use crate::session::ClientAnswers;

/// What to change when the check fails.
const REMEDIATION: &str = "seal requestState with an HMAC or AEAD under a server-side key, bind it to the tool, \
     the request's arguments and the principal, give it a lifetime, and answer a state that fails verification \
     with a JSON-RPC error (-32602) without proceeding";

/// Words that make a tool a likely multi-round one (tried first).
const LIKELY: &[&str] = &["input", "state", "confirm", "elicit", "approv", "round", "step"];

/// A tool's first round: the arguments, the answer and its `requestState`.
struct FirstRound {
    tool: String,
    arguments: Value,
    result: Value,
    state: String,
}

/// What the server did with one state.
#[derive(Debug, Clone, PartialEq)]
enum Reaction {
    /// A JSON-RPC error, an `isError` result, or the same input requests again.
    Refused(String),
    /// It went on: a complete result, or the next round's input requests.
    Proceeded(String),
    /// No answer.
    Nothing(String),
}

/// A retried `InputRequiredResult` with a tampered `requestState` is refused.
///
/// Intrusive (`--danger-intrusive`), 2026-07-28 only: the eligible tools (at most 8, those whose name and
/// description say most of input, state, confirm, elicit, approve, round, step first) are called once; the first whose answer is `input_required` with a string `requestState` is retried with
/// its input requests answered and the state byte-flipped, then truncated to half, then (when a second tool gave a
/// state) replaced by the other tool's state, then — the control — intact. Proceeding with a flipped or truncated
/// state fails (integrity, MUST); proceeding with another call's state warns (binding, SHOULD). A control that does
/// not proceed either means the check could not test. Ends with a liveness probe.
pub(crate) const REQUEST_STATE: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.inject.request-state"),
        title: "a requestState that was byte-flipped, truncated or taken from another call is refused, not acted on",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.request-state-integrity", "security.request-state-binding"],
        applies: Applicability {
            eras: Eras::Stateless,
            since: Revision::V2026_07_28,
            capability: Some(Capability::Tools),
            opt_in: Some(OptIn::DangerIntrusive),
            ..Applicability::ALWAYS
        },
        tags: &["security", "intrusive", "injection", "tools", "mrtr"],
    },
    run: check_fn!(request_state),
};

async fn request_state(cx: &mut CheckContext) -> Conclusion {
    let eligible = eligible(cx).await?;
    let mut tools: Vec<&Value> = eligible.tools.iter().collect();
    // The tools naming most of the likely words first (a stable sort keeps the server's order among equals).
    tools.sort_by_key(|t| {
        let text = format!("{} {}", name_of(t), t.get("description").and_then(Value::as_str).unwrap_or_default())
            .to_lowercase();
        std::cmp::Reverse(LIKELY.iter().filter(|w| text.contains(*w)).count())
    });
    let answers = cx.session_options().answers;
    let mut p = Prober::new(cx.fresh_session().await?, cx.timeout());
    let mut firsts: Vec<FirstRound> = Vec::new();
    for tool in tools.iter().take(MAX_TOOLS) {
        let name = name_of(tool).to_owned();
        let arguments = synthesize(tool.get("inputSchema").unwrap_or(&json!({})));
        let Some(Ok(result)) = call(&mut p, &name, &arguments, None, None).await else { continue };
        if is_input_required(&result)
            && let Some(state) = result.get("requestState").and_then(Value::as_str).map(str::to_owned)
        {
            firsts.push(FirstRound { tool: name, arguments, result, state });
            if firsts.len() == 2 {
                break;
            }
        }
    }
    let Some(first) = firsts.first() else {
        let _ = p.finish().await;
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!(
                "no eligible tool ({}; {} tried) answered input_required with a requestState",
                eligible.rule,
                tools.len().min(MAX_TOOLS)
            ),
        ));
    };
    let mut cases: Vec<(&str, String)> =
        vec![("byte-flipped", flip(&first.state)), ("truncated", truncate(&first.state))];
    if let Some(other) = firsts.get(1).filter(|o| o.state != first.state) {
        cases.push(("taken from a call of another tool", other.state.clone()));
    }
    let mut seen = Vec::new();
    for (name, state) in &cases {
        let reaction = retry(&mut p, first, state, &answers).await;
        seen.push((*name, state.clone(), reaction));
    }
    let control = retry(&mut p, first, &first.state, &answers).await;
    let liveness = p.finish().await;
    let summary = seen.iter().map(|(n, _, r)| format!("{n}: {}", describe(r))).collect::<Vec<_>>().join("; ");
    let tool = &first.tool;
    let expected = format!(
        "`{tool}` retried with an altered requestState answers a JSON-RPC error (e.g. -32602) or an isError result, \
         and does not proceed"
    );
    if let Err(dead) = liveness {
        let finding = Finding::new(Severity::High, Some(345), REMEDIATION)
            .request(format!("`{tool}` retried with tampered requestStates"))
            .answer(&dead);
        return Ok(Outcome::violated(expected, format!("the target did not survive: {dead} ({summary})"))
            .with_finding(finding));
    }
    let proceeded: Vec<&(&str, String, Reaction)> =
        seen.iter().filter(|(_, _, r)| matches!(r, Reaction::Proceeded(_))).collect();
    if !proceeded.is_empty() && !matches!(control, Reaction::Proceeded(_)) {
        return Err(Outcome::error(format!(
            "could not test: `{tool}` with its own requestState did not proceed either ({}), so a tampered state \
             cannot be told from it ({summary})",
            describe(&control)
        )));
    }
    if let Some((name, state, reaction)) = proceeded.first() {
        let integrity = !name.starts_with("taken");
        let finding = Finding::new(if integrity { Severity::High } else { Severity::Medium }, Some(345), REMEDIATION)
            .matched(format!("the {name} requestState was acted on"))
            .request(format!("tools/call `{tool}` with inputResponses and requestState {}", clip(state, 200)))
            .answer(describe(reaction));
        let outcome = Outcome::violated(expected, format!("`{tool}` proceeded with a {name} requestState: {summary}"))
            .with_finding(finding);
        return Ok(if integrity { outcome } else { outcome.breaking("security.request-state-binding", Level::Should) });
    }
    if !matches!(control, Reaction::Proceeded(_)) {
        return Err(Outcome::error(format!(
            "could not test: `{tool}` refused its own intact requestState too ({}); every tampered one was refused \
             ({summary})",
            describe(&control)
        )));
    }
    Ok(Outcome::pass_with(format!("`{tool}`: {summary}; the intact state proceeded ({})", describe(&control))))
}

/// Retries `first` with `state`, answering its input requests.
async fn retry(p: &mut Prober, first: &FirstRound, state: &str, answers: &ClientAnswers) -> Reaction {
    let responses = respond(answers, &first.result, None);
    match call(p, &first.tool, &first.arguments, Some(responses), Some(state)).await {
        None => Reaction::Nothing("not sent: the check's budget ran out".to_owned()),
        Some(Err(e)) => e,
        Some(Ok(r)) if r.get("isError").and_then(Value::as_bool) == Some(true) => {
            Reaction::Refused(format!("isError result {}", clip(&r.to_string(), 200)))
        }
        Some(Ok(r)) if is_input_required(&r) && keys(&r) == keys(&first.result) => {
            Reaction::Refused("the same input requests again (the flow restarted)".to_owned())
        }
        Some(Ok(r)) => Reaction::Proceeded(clip(&r.to_string(), 300)),
    }
}

/// One `tools/call`: `Some(Ok(result))`, `Some(Err(reaction))` for an error or no answer, `None` when the budget
/// ran out.
async fn call(
    p: &mut Prober,
    tool: &str,
    arguments: &Value,
    responses: Option<Value>,
    state: Option<&str>,
) -> Option<Result<Value, Reaction>> {
    if !p.may_send() {
        return None;
    }
    p.sent += 1;
    let mut params = json!({"name": tool, "arguments": arguments});
    if let Some(r) = responses {
        params["inputResponses"] = r;
    }
    if let Some(s) = state {
        params["requestState"] = Value::from(s);
    }
    let wait = p.wait();
    Some(match p.session().request_within("tools/call", Some(params), wait).await {
        Ok(reply) => match reply.outcome {
            Ok(r) => Ok(r),
            Err(e) => Err(Reaction::Refused(format!(
                "error {}: {}",
                e.code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string()),
                clip(&e.message, 200)
            ))),
        },
        Err(e) => Err(Reaction::Nothing(e.to_string())),
    })
}

/// The keys of a result's `inputRequests`, sorted.
fn keys(r: &Value) -> Vec<String> {
    let mut k: Vec<String> =
        r.get("inputRequests").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

fn describe(r: &Reaction) -> String {
    match r {
        Reaction::Refused(s) => format!("refused ({s})"),
        Reaction::Proceeded(s) => format!("proceeded ({s})"),
        Reaction::Nothing(s) => format!("no answer ({s})"),
    }
}

/// `state` with its middle character changed.
fn flip(state: &str) -> String {
    let mut chars: Vec<char> = state.chars().collect();
    if chars.is_empty() {
        return "A".to_owned();
    }
    let at = chars.len() / 2;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// The first half of `state`.
fn truncate(state: &str) -> String {
    state.chars().take(state.chars().count() / 2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampering_changes_the_state() {
        assert_eq!(flip("abcde"), "abAde");
        assert_eq!(flip("aaAaa"), "aaBaa");
        assert_eq!(truncate("abcdef"), "abc");
        assert_ne!(flip(""), "");
    }
}
