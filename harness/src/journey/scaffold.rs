//! A starter journey from a server's advertised surface (`mcp-harness journey init`): the tool list, one call per
//! read-only tool with arguments synthesised from its input schema (its structured output checked against its
//! output schema), a read of the first resource and a get of the first prompt. Tools not annotated read-only are
//! named in the file's header, not called.

use serde_json::{Value, json};

use mcp_harness_suites::journey::{
    Assertion, CallAction, GetAction, Journey, JourneyFile, ListKind, Revisions, Step, escape_value, unlocated,
};

use crate::checks::tools::arguments::{is_valid_for, synthesize};
use crate::session::Session;
use crate::surface::SurfaceLock;

/// A starter journey file and the header lines that explain it.
#[derive(Debug, Clone)]
pub struct Scaffold {
    /// The journeys (one).
    pub file: JourneyFile,
    /// Comment lines for the top of the file: what was and was not included.
    pub header: Vec<String>,
}

/// The starter journey `name` for the surface in `lock`.
pub fn scaffold(lock: &SurfaceLock, name: &str) -> Scaffold {
    let server = match (&lock.server.name, &lock.server.version) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n.clone(),
        _ => "the server".to_owned(),
    };
    let mut header = vec![
        format!(
            "A starter journey for {server} (protocol {}), written by `mcp-harness journey init`.",
            lock.protocol_version
        ),
        "Edit it: add the values your users care about to `expect`, chain steps with `capture`; see".to_owned(),
        "https://github.com/mcp-harness/mcp-harness#journeys for the format.".to_owned(),
    ];
    let mut steps = Vec::new();
    if !lock.tools.is_empty() {
        let named: Vec<Value> = lock.tools.iter().map(|t| json!({"name": t.name})).collect();
        steps.push(Step {
            list: Some(ListKind::Tools),
            expect: vec![unlocated(Assertion {
                path: Some("$.tools".into()),
                contains: Some(Value::Array(named)),
                ..Default::default()
            })],
            ..Default::default()
        });
    }
    let mut skipped = Vec::new();
    for tool in &lock.tools {
        let read_only = tool.annotations.as_ref().and_then(|a| a.get("readOnlyHint")).and_then(Value::as_bool);
        if read_only != Some(true) {
            skipped.push(format!("`{}` (not annotated read-only)", tool.name));
            continue;
        }
        let arguments = synthesize(&tool.input_schema);
        if !is_valid_for(&tool.input_schema, &arguments) {
            skipped.push(format!("`{}` (no valid arguments could be synthesised from its input schema)", tool.name));
            continue;
        }
        let mut expect = Vec::new();
        if let Some(output) = &tool.output_schema {
            expect.push(unlocated(Assertion {
                path: Some("$.structuredContent".into()),
                schema: Some(output.clone()),
                ..Default::default()
            }));
        }
        steps.push(Step {
            call: Some(CallAction {
                tool: tool.name.clone(),
                arguments: arguments.as_object().filter(|o| !o.is_empty()).map(|_| escape_value(&arguments)),
                progress: false,
            }),
            expect,
            ..Default::default()
        });
    }
    if !skipped.is_empty() {
        header.push(String::new());
        header.push("Tools not called (add steps for them by hand; calls may change data):".to_owned());
        header.extend(skipped.iter().map(|s| format!("  {s}")));
    }
    if let Some(resource) = lock.resources.first() {
        steps.push(Step {
            read: Some(escape_str(&resource.uri)),
            expect: vec![unlocated(Assertion {
                path: Some("$.contents[0].uri".into()),
                equals: Some(Value::String(escape_str(&resource.uri))),
                ..Default::default()
            })],
            ..Default::default()
        });
    }
    if let Some(prompt) = lock.prompts.first() {
        let arguments: serde_json::Map<String, Value> =
            prompt.arguments.iter().filter(|a| a.required).map(|a| (a.name.clone(), json!("example"))).collect();
        steps.push(Step {
            get: Some(GetAction {
                prompt: prompt.name.clone(),
                arguments: (!arguments.is_empty()).then_some(Value::Object(arguments)),
            }),
            expect: vec![unlocated(Assertion {
                path: Some("$.messages".into()),
                schema: Some(json!({"type": "array", "minItems": 1})),
                ..Default::default()
            })],
            ..Default::default()
        });
    }
    if steps.is_empty() {
        steps.push(Step { ping: Some(mcp_harness_suites::journey::Ping), ..Default::default() });
        header.push(String::new());
        header.push("The server advertised nothing to call, read or get: the journey only pings it.".to_owned());
    }
    let journey = Journey {
        name: name.to_owned(),
        description: Some(format!(
            "Starter journey for {server}: its tools listed, read-only tools called, a resource read and a prompt got."
        )),
        tags: vec!["starter".to_owned()],
        revisions: Some(Revisions::era_of(&lock.protocol_version)),
        transport: Default::default(),
        capabilities: Vec::new(),
        sessions: Vec::new(),
        setup: Vec::new(),
        steps: steps.into_iter().map(unlocated).collect(),
        teardown: Vec::new(),
    };
    Scaffold { file: JourneyFile { journeys: vec![unlocated(journey)] }, header }
}

/// Tries every `call`, `read` and `get` step of the scaffold once on `session` (the tools are read-only) and
/// leaves out, with a line in the header, each one the server answers with an error: a starter journey passes as
/// written. An input-required result (2026-07-28) counts as working: the journey's step answers it.
pub async fn try_steps(session: &mut Session, scaffold: &mut Scaffold) {
    let Some(journey) = scaffold.file.journeys.first_mut() else { return };
    let mut dropped = Vec::new();
    let mut kept = Vec::new();
    for step in std::mem::take(&mut journey.value.steps) {
        let s = &step.value;
        let (what, method, params) = if let Some(call) = &s.call {
            let args = call.arguments.clone().map(|a| unescape(&a)).unwrap_or_else(|| json!({}));
            (format!("tool `{}`", call.tool), "tools/call", json!({"name": call.tool, "arguments": args}))
        } else if let Some(uri) = &s.read {
            (format!("resource `{uri}`"), "resources/read", json!({"uri": unescape_str(uri)}))
        } else if let Some(get) = &s.get {
            let args = get.arguments.clone().unwrap_or_else(|| json!({}));
            (format!("prompt `{}`", get.prompt), "prompts/get", json!({"name": get.prompt, "arguments": args}))
        } else {
            kept.push(step);
            continue;
        };
        let why = match session.request(method, Some(params.clone())).await {
            Ok(reply) => match reply.outcome {
                Ok(result) if result.get("isError").and_then(Value::as_bool) == Some(true) => {
                    Some("answered an error result (isError)".to_owned())
                }
                Ok(_) => None,
                Err(e) => Some(format!(
                    "answered JSON-RPC error {}",
                    e.code.map_or_else(|| "without a code".to_owned(), |c| c.to_string())
                )),
            },
            Err(e) => Some(format!("did not answer ({e})")),
        };
        match why {
            None => kept.push(step),
            Some(why) => {
                let args = params.get("arguments").filter(|a| a.as_object().is_some_and(|o| !o.is_empty()));
                let with = args.map(|a| format!(" to {a}")).unwrap_or_default();
                dropped.push(format!("  {what}{with} {why}"));
            }
        }
    }
    if kept.is_empty() {
        kept.push(unlocated(Step { ping: Some(mcp_harness_suites::journey::Ping), ..Default::default() }));
    }
    journey.value.steps = kept;
    if !dropped.is_empty() {
        scaffold.header.push(String::new());
        scaffold
            .header
            .push("Left out because, tried once with synthesised values, the server refused them (add".to_owned());
        scaffold.header.push("steps with real values by hand):".to_owned());
        scaffold.header.extend(dropped);
    }
}

/// The value a journey string stands for (`$${` is a literal `${`).
fn unescape_str(s: &str) -> String {
    s.replace("$${", "${")
}

fn unescape(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(unescape_str(s)),
        Value::Array(a) => Value::Array(a.iter().map(unescape).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), unescape(v))).collect()),
        other => other.clone(),
    }
}

fn escape_str(s: &str) -> String {
    mcp_harness_suites::journey::escape_variables(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_tools_are_called_and_the_rest_named() {
        let lock: SurfaceLock = serde_json::from_value(json!({
            "formatVersion": 1,
            "protocolVersion": "2025-11-25",
            "server": {"name": "demo", "version": "1.0"},
            "tools": [
                {"name": "add", "inputSchema": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 2}}},
                 "outputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}},
                {"name": "delete_all", "inputSchema": {"type": "object"}}
            ],
            "resources": [{"uri": "mem://a/${x}", "name": "a"}],
            "resourceTemplates": [],
            "prompts": [{"name": "greet", "arguments": [{"name": "who", "required": true}, {"name": "tone", "required": false}]}]
        }))
        .unwrap();
        let s = scaffold(&lock, "starter");
        let text = mcp_harness_suites::journey::journey_file_to_yaml(
            &s.file,
            "journey.schema.json",
            &s.header,
            "starter.journey.yaml",
        )
        .unwrap();
        assert!(text.contains("tool: add"), "{text}");
        assert!(text.contains("a: 2"), "{text}");
        assert!(!text.contains("tool: delete_all"), "{text}");
        assert!(text.contains("#   `delete_all` (not annotated read-only)"), "{text}");
        assert!(text.contains("read: mem://a/$${x}"), "{text}");
        assert!(text.contains("who: example") && !text.contains("tone:"), "{text}");
    }
}
