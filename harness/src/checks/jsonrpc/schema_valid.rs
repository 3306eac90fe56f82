//! Every response of the standard read-only exchange validates against the revision's official JSON Schema.
//!
//! The schemas are the MCP specification's `schema.json` per revision as shipped in the npm package
//! `@modelcontextprotocol/conformance` (see `suites/schemas/README.md`), embedded at compile time. Each revision's
//! validators are compiled once, on first use; a validator for definition `X` is the whole document with a root
//! `$ref` to `#/definitions/X` (draft-07 revisions) or `#/$defs/X` (2020-12 revisions), so references inside the
//! document resolve locally. The crate is built without remote or file `$ref` resolution. Formats are asserted,
//! as the official suite does (ajv with ajv-formats).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{json, Value};

use crate::check::{Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SpecRef, Suite};
use crate::check_fn;
use crate::checks::evidence::{bare_session, initialize_params, judge_session_error};
use crate::protocol::{Era, Revision};
use crate::session::{RpcReply, ServerProfile, Session};

/// Findings listed at most; the rest are counted.
const MAX_FINDINGS: usize = 20;

/// Characters of a validator message kept per finding.
const MAX_MESSAGE: usize = 160;

/// Responses validate against the official schema.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.schema-valid"),
        title: "responses to the handshake, the list methods and ping validate against the revision's official JSON Schema",
        suite: Suite::Conformance,
        level: Level::Must,
        spec: &[
            SpecRef {
                anchor: "basic#messages",
                quote: "All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification.",
            },
            SpecRef {
                anchor: "",
                quote: "This specification defines the authoritative protocol requirements, based on the TypeScript \
                        schema in schema.ts.",
            },
        ],
        covers: &["jsonrpc.messages"],
        applies: Applicability::ALWAYS,
        tags: &["jsonrpc", "schema"],
    },
    run: check_fn!(schema_valid),
};

/// The list methods of the read-only exchange: method, result definition, capability that must be advertised.
const LISTS: &[(&str, &str, Capability)] = &[
    ("tools/list", "ListToolsResult", Capability::Tools),
    ("resources/list", "ListResourcesResult", Capability::Resources),
    ("resources/templates/list", "ListResourceTemplatesResult", Capability::Resources),
    ("prompts/list", "ListPromptsResult", Capability::Prompts),
];

async fn schema_valid(cx: &mut CheckContext) -> Conclusion {
    let revision = cx.revision();
    let expected = format!("every response valid against the official {revision} schema (result and JSON-RPC envelope)");
    let schema = RevisionSchema::of(revision).map_err(|e| Outcome::error(format!("harness bug: {e}")))?;
    let mut s = bare_session(cx).await?;
    let outcome = exchange(cx, &mut s, schema, &expected).await;
    s.close().await;
    outcome
}

/// Performs the exchange on `s` and validates every reply.
async fn exchange(cx: &CheckContext, s: &mut Session, schema: &RevisionSchema, expected: &str) -> Conclusion {
    let revision = cx.revision();
    let stateless = revision.era() == Era::Stateless;
    let mut findings = Vec::new();
    let mut validated = Vec::new();

    // The handshake, by hand, so that its envelope is seen too.
    let (method, result_def) = if stateless { ("server/discover", "DiscoverResult") } else { ("initialize", "InitializeResult") };
    let params = if stateless { s.stateless_params(None) } else { initialize_params(cx, revision.as_str()) };
    let reply = s.request(method, Some(params)).await.map_err(|e| judge_session_error(e, expected))?;
    let Some(handshake) = reply.result().cloned() else {
        return Err(Outcome::error(format!("the handshake failed ({method} answered {}); nothing to validate", reply.brief())));
    };
    judge(schema, method, result_def, &reply, &mut findings).map_err(Outcome::error)?;
    validated.push(method);
    if !stateless {
        if let Some(http) = s.connection().http() {
            if revision >= Revision::V2025_06_18 {
                http.protocol_header = Some(revision.as_str().to_owned());
            }
        }
        s.notify("notifications/initialized", None).await?;
    }

    let profile = ServerProfile::from_result(revision, &handshake);
    for &(method, result_def, capability) in LISTS {
        if !profile.has(capability) {
            continue;
        }
        let reply = s.request(method, None).await.map_err(|e| judge_session_error(e, expected))?;
        judge(schema, method, result_def, &reply, &mut findings).map_err(Outcome::error)?;
        validated.push(method);
    }
    if !stateless {
        let reply = s.request("ping", None).await.map_err(|e| judge_session_error(e, expected))?;
        judge(schema, "ping", "EmptyResult", &reply, &mut findings).map_err(Outcome::error)?;
        validated.push("ping");
    }

    if findings.is_empty() {
        return Ok(Outcome::pass_with(format!("{} valid against the {revision} schema", validated.join(", "))));
    }
    let total = findings.len();
    findings.truncate(MAX_FINDINGS);
    if total > MAX_FINDINGS {
        findings.push(format!("… and {} more", total - MAX_FINDINGS));
    }
    Ok(Outcome::violated(expected, findings.join("\n")))
}

/// Validates a reply's envelope and, for a result, the result; appends one finding per violation.
fn judge(schema: &RevisionSchema, method: &str, result_def: &str, reply: &RpcReply, findings: &mut Vec<String>) -> Result<(), String> {
    let envelope = match &reply.outcome {
        Ok(_) => schema.result_envelope,
        Err(_) => schema.error_envelope,
    };
    for v in schema.violations(envelope, &reply.raw)? {
        findings.push(format!("{method} response {v}"));
    }
    if let Some(result) = reply.result() {
        for v in schema.violations(result_def, result)? {
            findings.push(format!("{method} result {v}"));
        }
    }
    Ok(())
}

/// One revision's compiled validators.
pub(crate) struct RevisionSchema {
    validators: HashMap<&'static str, jsonschema::Validator>,
    /// The definition a successful response envelope must match.
    result_envelope: &'static str,
    /// The definition an error response envelope must match.
    error_envelope: &'static str,
}

/// Definitions validated, when the revision's schema has them.
const DEFINITIONS: &[&str] = &[
    "InitializeResult",
    "DiscoverResult",
    "ListToolsResult",
    "ListResourcesResult",
    "ListResourceTemplatesResult",
    "ListPromptsResult",
    "EmptyResult",
    "JSONRPCResponse",
    "JSONRPCResultResponse",
    "JSONRPCError",
    "JSONRPCErrorResponse",
];

const SCHEMA_2025_03_26: &str = include_str!("../../../../suites/schemas/2025-03-26.schema.json");
const SCHEMA_2025_06_18: &str = include_str!("../../../../suites/schemas/2025-06-18.schema.json");
const SCHEMA_2025_11_25: &str = include_str!("../../../../suites/schemas/2025-11-25.schema.json");
const SCHEMA_2026_07_28: &str = include_str!("../../../../suites/schemas/2026-07-28.schema.json");

type Compiled = LazyLock<Result<RevisionSchema, String>>;

static V2025_03_26: Compiled = LazyLock::new(|| RevisionSchema::compile(SCHEMA_2025_03_26));
static V2025_06_18: Compiled = LazyLock::new(|| RevisionSchema::compile(SCHEMA_2025_06_18));
static V2025_11_25: Compiled = LazyLock::new(|| RevisionSchema::compile(SCHEMA_2025_11_25));
static V2026_07_28: Compiled = LazyLock::new(|| RevisionSchema::compile(SCHEMA_2026_07_28));

impl RevisionSchema {
    /// The compiled schema of `revision`.
    pub(crate) fn of(revision: Revision) -> Result<&'static RevisionSchema, String> {
        let compiled: &Compiled = match revision {
            Revision::V2025_03_26 => &V2025_03_26,
            Revision::V2025_06_18 => &V2025_06_18,
            Revision::V2025_11_25 => &V2025_11_25,
            Revision::V2026_07_28 => &V2026_07_28,
        };
        compiled.as_ref().map_err(|e| format!("the {revision} schema does not compile: {e}"))
    }

    fn compile(text: &str) -> Result<RevisionSchema, String> {
        let document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let key = if document.get("$defs").is_some() { "$defs" } else { "definitions" };
        let Some(defs) = document.get(key).and_then(Value::as_object) else {
            return Err(format!("no `{key}` object"));
        };
        let mut validators = HashMap::new();
        for &name in DEFINITIONS.iter().filter(|n| defs.contains_key(**n)) {
            let mut root = document.clone();
            if let Some(obj) = root.as_object_mut() {
                obj.insert("$ref".to_owned(), json!(format!("#/{key}/{name}")));
            }
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&root)
                .map_err(|e| format!("definition {name}: {e}"))?;
            validators.insert(name, validator);
        }
        let pick = |new: &'static str, old: &'static str| if validators.contains_key(new) { new } else { old };
        let result_envelope = pick("JSONRPCResultResponse", "JSONRPCResponse");
        let error_envelope = pick("JSONRPCErrorResponse", "JSONRPCError");
        Ok(RevisionSchema { validators, result_envelope, error_envelope })
    }

    /// The violations of `instance` against definition `name`, one line each: instance path, keyword, message.
    pub(crate) fn violations(&self, name: &str, instance: &Value) -> Result<Vec<String>, String> {
        let validator = self.validators.get(name).ok_or_else(|| format!("the schema has no definition {name}"))?;
        Ok(validator
            .iter_errors(instance)
            .map(|e| {
                let path = e.instance_path().to_string();
                let path = if path.is_empty() { "(root)".to_owned() } else { path };
                format!("{path}: {}: {}", e.kind().keyword(), clip(&e.to_string(), MAX_MESSAGE))
            })
            .collect())
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(rev: Revision, tools: Value) -> Value {
        let mut result = json!({"tools": tools});
        if rev.era() == Era::Stateless {
            result["resultType"] = json!("complete");
            result["ttlMs"] = json!(0);
            result["cacheScope"] = json!("private");
        }
        result
    }

    #[test]
    fn every_revision_compiles_with_the_definitions_its_era_needs() {
        for rev in Revision::ALL {
            let s = RevisionSchema::of(rev).unwrap();
            let handshake = if rev.era() == Era::Stateless { "DiscoverResult" } else { "InitializeResult" };
            for name in [handshake, "ListToolsResult", "ListResourcesResult", "ListResourceTemplatesResult", "ListPromptsResult"] {
                assert!(s.validators.contains_key(name), "{rev} lacks {name}");
            }
            assert!(s.validators.contains_key(s.result_envelope) && s.validators.contains_key(s.error_envelope), "{rev}");
            if rev.era() == Era::Stateful {
                assert!(s.validators.contains_key("EmptyResult"), "{rev}");
            }
        }
    }

    #[test]
    fn a_valid_tools_list_result_passes() {
        for rev in Revision::ALL {
            let good = tools(rev, json!([{"name": "echo", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}}]));
            assert_eq!(RevisionSchema::of(rev).unwrap().violations("ListToolsResult", &good).unwrap(), Vec::<String>::new(), "{rev}");
        }
    }

    #[test]
    fn a_tool_without_input_schema_is_a_finding_at_its_pointer() {
        for rev in Revision::ALL {
            let bad = tools(rev, json!([{"name": "ok", "inputSchema": {"type": "object"}}, {"name": "broken"}]));
            let v = RevisionSchema::of(rev).unwrap().violations("ListToolsResult", &bad).unwrap();
            assert!(
                v.iter().any(|f| f.starts_with("/tools/1: required: ") && f.contains("inputSchema")),
                "{rev}: {v:?}"
            );
        }
    }

    #[test]
    fn envelopes_are_checked_and_findings_name_the_method() {
        let s = RevisionSchema::of(Revision::V2025_11_25).unwrap();
        let reply = |raw: Value| RpcReply::from_message(raw, None).unwrap();
        let mut findings = Vec::new();
        judge(s, "ping", "EmptyResult", &reply(json!({"jsonrpc": "2.0", "id": 3, "result": {}})), &mut findings).unwrap();
        assert_eq!(findings, Vec::<String>::new());
        judge(s, "ping", "EmptyResult", &reply(json!({"jsonrpc": "1.0", "id": 3, "result": {}})), &mut findings).unwrap();
        assert!(findings.iter().any(|f| f.starts_with("ping response /jsonrpc: const: ")), "{findings:?}");
        findings.clear();
        let error = json!({"jsonrpc": "2.0", "id": 4, "error": {"code": "oops", "message": "no"}});
        judge(s, "tools/list", "ListToolsResult", &reply(error), &mut findings).unwrap();
        assert!(findings.iter().any(|f| f.starts_with("tools/list response /error/code: type: ")), "{findings:?}");
        findings.clear();
        let result = json!({"jsonrpc": "2.0", "id": 5, "result": {"protocolVersion": "2025-11-25", "capabilities": {}}});
        judge(s, "initialize", "InitializeResult", &reply(result), &mut findings).unwrap();
        assert!(findings.iter().any(|f| f.starts_with("initialize result (root): required: ") && f.contains("serverInfo")), "{findings:?}");
        assert!(judge(s, "x", "NoSuchResult", &reply(json!({"jsonrpc": "2.0", "id": 1, "result": {}})), &mut findings).is_err());
    }

    #[test]
    fn the_2026_handshake_result_needs_result_type() {
        let s = RevisionSchema::of(Revision::V2026_07_28).unwrap();
        let v = s.violations("ListToolsResult", &json!({"tools": []})).unwrap();
        assert!(v.iter().any(|f| f.contains("resultType")), "{v:?}");
    }
}
