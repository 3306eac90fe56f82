//! Every message the server sent during the run validates against the revision's official JSON Schema.
//!
//! Two sources: the sessions' schema audit ([`crate::session::SchemaAudit`]: every response to a well-formed
//! request of any earlier check, every server request and notification), and a standard read-only exchange made
//! here (handshake, the advertised list methods, ping), so the check has evidence even when run alone. It runs
//! last in the conformance suite so that the audit has seen the whole run.
//!
//! The schemas are the MCP specification's `schema.json` per revision as shipped in the npm package
//! `@modelcontextprotocol/conformance` (see `suites/schemas/README.md`), embedded at compile time. Each revision's
//! validators are compiled once, on first use; a validator for definition `X` is the whole document with a root
//! `$ref` to `#/definitions/X` (draft-07 revisions) or `#/$defs/X` (2020-12 revisions), so references inside the
//! document resolve locally. The crate is built without remote or file `$ref` resolution. Formats are asserted,
//! as the official suite does (ajv with ajv-formats).

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite,
};
use crate::check_fn;
use crate::checks::evidence::{bare_session, initialize_params};
use crate::protocol::{Era, Revision};
use crate::protocol_schema::RevisionSchema;
use crate::session::{AuditLog, RpcReply, ServerProfile, Session};

/// Findings listed at most; the rest are counted.
const MAX_FINDINGS: usize = 20;

/// Responses validate against the official schema.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("jsonrpc.schema-valid"),
        title: "every message the server sends during the run (responses to the harness's requests, its requests and notifications) validates against the revision's official JSON Schema",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.messages", "schema.authoritative"],
        applies: Applicability { needs: crate::check::Needs::Observations, ..Applicability::ALWAYS },
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
    let expected =
        format!("every response valid against the official {revision} schema (result and JSON-RPC envelope)");
    let schema = RevisionSchema::of(revision).map_err(|e| Outcome::error(format!("harness bug: {e}")))?;
    // Validating needs a handshake: when the run's failed, there is nothing this check can judge.
    cx.session()?;
    // Everything the server sent on the run's sessions before this check (the audit is shared by all sessions).
    let earlier = cx.session_options().audit.snapshot();
    let mut s = bare_session(cx).await?;
    let outcome = exchange(cx, &mut s, schema, &expected, &earlier).await;
    s.close().await;
    outcome
}

/// Performs the exchange on `s` and validates every reply.
async fn exchange(
    cx: &CheckContext,
    s: &mut Session,
    schema: &RevisionSchema,
    expected: &str,
    earlier: &AuditLog,
) -> Conclusion {
    let revision = cx.revision();
    let stateless = revision.era() == Era::Stateless;
    let mut findings = Vec::new();
    let mut validated = Vec::new();

    // The handshake, by hand, so that its envelope is seen too.
    let (method, result_def) =
        if stateless { ("server/discover", "DiscoverResult") } else { ("initialize", "InitializeResult") };
    let params = if stateless { s.stateless_params(None) } else { initialize_params(cx, revision.as_str()) };
    let reply = s.request(method, Some(params)).await.map_err(|e| Outcome::from_session(e, expected))?;
    let Some(handshake) = reply.result().cloned() else {
        return Err(Outcome::error(format!(
            "the handshake failed ({method} answered {}); nothing to validate",
            reply.brief()
        )));
    };
    judge(schema, method, result_def, &reply, &mut findings).map_err(Outcome::error)?;
    validated.push(method);
    if !stateless {
        if let Some(http) = s.connection().http()
            && revision >= Revision::V2025_06_18
        {
            http.protocol_header = Some(revision.as_str().to_owned());
        }
        s.notify("notifications/initialized", None).await?;
    }

    let profile = ServerProfile::from_result(revision, &handshake);
    for &(method, result_def, capability) in LISTS {
        if !profile.has(capability) {
            continue;
        }
        let reply = s.request(method, None).await.map_err(|e| Outcome::from_session(e, expected))?;
        judge(schema, method, result_def, &reply, &mut findings).map_err(Outcome::error)?;
        validated.push(method);
    }
    if !stateless {
        let reply = s.request("ping", None).await.map_err(|e| Outcome::from_session(e, expected))?;
        judge(schema, "ping", "EmptyResult", &reply, &mut findings).map_err(Outcome::error)?;
        validated.push("ping");
    }

    findings.extend(earlier.findings.iter().map(|f| format!("earlier in the run: {f}")));
    let dropped = earlier.findings_dropped;
    let audited = if earlier.validated == 0 {
        String::new()
    } else {
        let kinds: Vec<String> = earlier.by_kind.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        format!(
            "; before this check, {} messages received on the run's sessions: {}",
            earlier.validated,
            kinds.join(", ")
        )
    };
    if findings.is_empty() {
        return Ok(Outcome::pass_with(format!(
            "{} valid against the {revision} schema{audited}",
            validated.join(", ")
        )));
    }
    let total = findings.len() + dropped;
    findings.truncate(MAX_FINDINGS);
    if total > findings.len() {
        findings.push(format!("… and {} more", total - findings.len()));
    }
    Ok(Outcome::violated(expected, findings.join("\n")))
}

/// Validates a reply's envelope and, for a result, the result; appends one finding per violation.
fn judge(
    schema: &RevisionSchema,
    method: &str,
    result_def: &str,
    reply: &RpcReply,
    findings: &mut Vec<String>,
) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

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
            for name in [
                handshake,
                "ListToolsResult",
                "ListResourcesResult",
                "ListResourceTemplatesResult",
                "ListPromptsResult",
            ] {
                assert!(s.has(name), "{rev} lacks {name}");
            }
            assert!(s.has(s.result_envelope) && s.has(s.error_envelope), "{rev}");
            if rev.era() == Era::Stateful {
                assert!(s.has("EmptyResult"), "{rev}");
            }
        }
    }

    #[test]
    fn a_valid_tools_list_result_passes() {
        for rev in Revision::ALL {
            let good = tools(
                rev,
                json!([{"name": "echo", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}}]),
            );
            assert_eq!(
                RevisionSchema::of(rev).unwrap().violations("ListToolsResult", &good).unwrap(),
                Vec::<String>::new(),
                "{rev}"
            );
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
        judge(s, "ping", "EmptyResult", &reply(json!({"jsonrpc": "2.0", "id": 3, "result": {}})), &mut findings)
            .unwrap();
        assert_eq!(findings, Vec::<String>::new());
        judge(s, "ping", "EmptyResult", &reply(json!({"jsonrpc": "1.0", "id": 3, "result": {}})), &mut findings)
            .unwrap();
        assert!(findings.iter().any(|f| f.starts_with("ping response /jsonrpc: const: ")), "{findings:?}");
        findings.clear();
        let error = json!({"jsonrpc": "2.0", "id": 4, "error": {"code": "oops", "message": "no"}});
        judge(s, "tools/list", "ListToolsResult", &reply(error), &mut findings).unwrap();
        assert!(findings.iter().any(|f| f.starts_with("tools/list response /error/code: type: ")), "{findings:?}");
        findings.clear();
        let result =
            json!({"jsonrpc": "2.0", "id": 5, "result": {"protocolVersion": "2025-11-25", "capabilities": {}}});
        judge(s, "initialize", "InitializeResult", &reply(result), &mut findings).unwrap();
        assert!(
            findings.iter().any(|f| f.starts_with("initialize result (root): required: ") && f.contains("serverInfo")),
            "{findings:?}"
        );
        assert!(
            judge(s, "x", "NoSuchResult", &reply(json!({"jsonrpc": "2.0", "id": 1, "result": {}})), &mut findings)
                .is_err()
        );
    }

    #[test]
    fn the_2026_handshake_result_needs_result_type() {
        let s = RevisionSchema::of(Revision::V2026_07_28).unwrap();
        let v = s.violations("ListToolsResult", &json!({"tools": []})).unwrap();
        assert!(v.iter().any(|f| f.contains("resultType")), "{v:?}");
    }
}
