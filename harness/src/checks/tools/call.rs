//! `tools/call` error handling and structured results.

use serde_json::{Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::evidence::{brief, judge_silence};
use crate::checks::tools::arguments::{is_valid_for, synthesize, violating};
use crate::checks::tools::catalog::{is_read_only, list_tools, may_call, name_of};
use crate::protocol::{Era, Revision};
use crate::session::{RpcReply, Session};

/// A tool name no server lists.
const UNKNOWN_TOOL: &str = "mcp-harness-no-such-tool-7f3a9c";

/// Tools called at most by one check.
const MAX_CALLS: usize = 10;

/// Calling an unknown tool is a protocol error.
pub(crate) const UNKNOWN_TOOL_CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("tools.call.unknown-tool"),
        title: "calling a tool the server does not have is answered with a JSON-RPC error, not a result",
        suite: Suite::Conformance,
        // The spec classifies unknown tools as protocol errors without an RFC 2119 keyword: a warning, not a failure.
        level: Level::Should,
        requirements: &["tools.call.unknown-tool"],
        applies: Applicability { capability: Some(Capability::Tools), ..Applicability::ALWAYS },
        tags: &["tools", "errors", "negative"],
    },
    run: check_fn!(unknown_tool),
};

async fn unknown_tool(cx: &mut CheckContext) -> Conclusion {
    let expected =
        format!("tools/call `{UNKNOWN_TOOL}` answered with a JSON-RPC error (the spec's example uses -32602)");
    let params = json!({"name": UNKNOWN_TOOL, "arguments": {}});
    let reply =
        cx.session()?.request("tools/call", Some(params)).await.map_err(|e| Outcome::from_session(e, &expected))?;
    match &reply.outcome {
        Err(e) => Ok(Outcome::pass_with(format!(
            "error {}",
            e.code.map_or_else(|| "(no integer code)".to_owned(), |c| c.to_string())
        ))),
        Ok(result) if result.get("isError").and_then(Value::as_bool) == Some(true) => Ok(Outcome::violated(
            expected,
            format!(
                "answered a tool execution error (result with isError: true) instead of a protocol error: {}",
                brief(result)
            ),
        )),
        Ok(result) => Ok(Outcome::violated(expected, format!("answered a success result: {}", brief(result)))),
    }
}

/// Arguments that violate the input schema are rejected without crashing the server.
pub(crate) const INVALID_ARGUMENTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("tools.call.invalid-arguments"),
        title: "a tool called with arguments that violate its inputSchema answers isError: true or -32602 and the server keeps answering",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.validate-inputs", "tools.call.input-validation-error"],
        applies: Applicability { capability: Some(Capability::Tools), ..Applicability::ALWAYS },
        tags: &["tools", "errors", "negative"],
    },
    run: check_fn!(invalid_arguments),
};

async fn invalid_arguments(cx: &mut CheckContext) -> Conclusion {
    let tools = list_tools(cx).await?;
    // Read-only tools first; any tool only when no read-only one has a schema a violation can be built for.
    let mut candidates: Vec<&Value> = tools.iter().filter(|t| is_read_only(t)).collect();
    candidates.extend(tools.iter().filter(|t| !is_read_only(t)));
    let Some((tool, args, why)) = candidates
        .into_iter()
        .filter(|t| t.pointer("/execution/taskSupport").and_then(Value::as_str) != Some("required"))
        .find_map(|t| t.get("inputSchema").and_then(violating).map(|(a, w)| (t, a, w)))
    else {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "no tool has an input schema that arguments can violate"));
    };
    let name = name_of(tool).to_owned();
    let expected = format!(
        "tools/call `{name}` ({why}): a result with isError: true or a JSON-RPC error; the server keeps answering"
    );
    let mut s = cx.fresh_session().await?;
    let verdict = call_and_judge(&mut s, &name, &args, &expected).await;
    let verdict = match verdict {
        Ok(v) => still_answering(&mut s, v, &expected).await,
        Err(o) => o,
    };
    s.close().await;
    Ok(verdict)
}

async fn call_and_judge(s: &mut Session, name: &str, args: &Value, expected: &str) -> Result<Outcome, Outcome> {
    let params = json!({"name": name, "arguments": args});
    let reply = match s.request("tools/call", Some(params)).await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            let waited = s.timeout();
            return Err(judge_silence(s, &format!("`tools/call` of `{name}`"), expected, waited).await);
        }
        Err(e) => return Err(Outcome::from_session(e, expected)),
    };
    Ok(match &reply.outcome {
        // Refused without running: the code is the error table's business, not this rule's.
        Err(e) => Outcome::pass_with(format!(
            "`{name}`: error {}",
            e.code.map_or_else(|| "(no integer code)".to_owned(), |c| c.to_string())
        )),
        Ok(r) if r.get("isError").and_then(Value::as_bool) == Some(true) => {
            Outcome::pass_with(format!("`{name}`: isError result"))
        }
        Ok(r) if r.get("resultType").and_then(Value::as_str) == Some("input_required") => {
            Outcome::skip(SkipReason::NothingToTest, format!("`{name}` asked for input instead of validating"))
        }
        Ok(r) => Outcome::violated(expected, format!("`{name}` executed with invalid arguments: {}", brief(r))),
    })
}

/// After the call: the server still answers a harmless request.
async fn still_answering(s: &mut Session, verdict: Outcome, expected: &str) -> Outcome {
    let (method, params) = harmless(s);
    match s.request(method, params).await {
        Ok(_) => verdict,
        // The server stopped answering or went away after the call: that is the verdict.
        Err(e) if e.is_timeout() => {
            Outcome::violated(expected, format!("after the call the server stopped answering: {e}"))
        }
        Err(e) => Outcome::from_session(e, expected),
    }
}

/// A request every server of the session's era answers: `ping`, or `server/discover` with the per-request
/// `_meta` (the session adds `_meta` to every method but `server/discover`).
pub(crate) fn harmless(s: &Session) -> (&'static str, Option<Value>) {
    match s.revision().era() {
        Era::Stateful => ("ping", None),
        Era::Stateless => ("server/discover", Some(s.stateless_params(None))),
    }
}

/// Structured results conform to the output schema.
pub(crate) const STRUCTURED_CONTENT: Check = Check {
    meta: CheckMeta {
        id: CheckId("tools.call.structured-content"),
        title: "a tool with an outputSchema returns structuredContent that validates against it",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.structured-content-conforms"],
        applies: Applicability {
            capability: Some(Capability::Tools),
            since: Revision::V2025_06_18,
            ..Applicability::ALWAYS
        },
        tags: &["tools", "structured-output"],
    },
    run: check_fn!(structured_content),
};

async fn structured_content(cx: &mut CheckContext) -> Conclusion {
    let tools = list_tools(cx).await?;
    let with_schema: Vec<&Value> =
        tools.iter().filter(|t| t.get("outputSchema").is_some_and(Value::is_object)).collect();
    if with_schema.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "no tool declares an outputSchema"));
    }
    let callable: Vec<&Value> = with_schema.iter().copied().filter(|t| may_call(cx, t)).take(MAX_CALLS).collect();
    if callable.is_empty() {
        return Ok(cx.needs_opt_in("--call-tools (no tool with an outputSchema is annotated readOnlyHint: true)"));
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut judged = 0usize;
    let session = cx.session()?;
    for tool in callable {
        let name = name_of(tool).to_owned();
        let input = tool.get("inputSchema").cloned().unwrap_or_else(|| json!({"type": "object"}));
        let args = synthesize(&input);
        if !is_valid_for(&input, &args) {
            notes.push(format!("`{name}`: could not synthesise valid arguments"));
            continue;
        }
        let expected = format!("tools/call `{name}` returns structuredContent valid against its outputSchema");
        let reply = session
            .request("tools/call", Some(json!({"name": name, "arguments": args})))
            .await
            .map_err(|e| Outcome::from_session(e, &expected))?;
        match judge_structured(&reply, tool) {
            Judged::Conforms => judged += 1,
            Judged::Skipped(n) => notes.push(format!("`{name}`: {n}")),
            Judged::Violation(p) => problems.push(format!("`{name}` {p}")),
        }
    }
    if !problems.is_empty() {
        return Ok(Outcome::violated(
            "structuredContent present and valid against the tool's outputSchema",
            problems.join("\n"),
        ));
    }
    if judged == 0 {
        return Ok(Outcome::skip(SkipReason::NothingToTest, format!("no call could be judged: {}", notes.join("; "))));
    }
    let mut seen = format!("{judged} tools conform");
    if !notes.is_empty() {
        seen.push_str(&format!("; {}", notes.join("; ")));
    }
    Ok(Outcome::pass_with(seen))
}

/// What one call with an output schema showed.
enum Judged {
    /// `structuredContent` validates against `outputSchema`.
    Conforms,
    /// The call could not be judged (an error, an `isError` result, a request for input), with why.
    Skipped(String),
    /// The structured result breaks the rule, with how.
    Violation(String),
}

fn judge_structured(reply: &RpcReply, tool: &Value) -> Judged {
    let result = match &reply.outcome {
        Ok(r) => r,
        Err(_) => return Judged::Skipped(format!("answered {}", reply.brief())),
    };
    if result.get("isError").and_then(Value::as_bool) == Some(true) {
        return Judged::Skipped("returned a tool execution error".to_owned());
    }
    if result.get("resultType").and_then(Value::as_str) == Some("input_required") {
        return Judged::Skipped("asked for input".to_owned());
    }
    let Some(structured) = result.get("structuredContent") else {
        return Judged::Violation(format!("returned no structuredContent: {}", brief(result)));
    };
    let schema = tool.get("outputSchema").unwrap_or(&Value::Null);
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        Err(e) => return Judged::Skipped(format!("outputSchema does not compile here: {e}")),
    };
    let errors: Vec<String> =
        validator.iter_errors(structured).take(3).map(|e| format!("{} (at {})", e, e.instance_path())).collect();
    if errors.is_empty() {
        Judged::Conforms
    } else {
        Judged::Violation(format!("structuredContent {} does not conform: {}", brief(structured), errors.join("; ")))
    }
}
