//! The official JSON Schema of each protocol revision, for validating what a server sends.
//!
//! The schemas are the MCP specification's `schema.json` per revision as shipped in the npm package
//! `@modelcontextprotocol/conformance` (see `suites/schemas/README.md`), served by `mcp-harness-suites`. A validator for
//! definition `X` is the whole document with a root `$ref` to `#/definitions/X` (draft-07 revisions) or
//! `#/$defs/X` (2020-12 revisions), so references inside the document resolve locally; each is compiled on first
//! use. The crate is built without remote or file `$ref` resolution. Formats are asserted, as the official suite
//! does (ajv with ajv-formats).

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use serde_json::{Value, json};

use crate::protocol::{Era, Revision};

/// Characters of a validator message kept per finding.
const MAX_MESSAGE: usize = 160;

/// One revision's schema document and its validators, compiled on demand.
pub(crate) struct RevisionSchema {
    revision: Revision,
    document: Value,
    /// Method → the definition of that request or notification.
    method_defs: HashMap<String, String>,
    /// Request method → its result definition (`XRequest` → `XResult`).
    result_defs: HashMap<String, String>,
    /// Error code → the definition of that error response.
    error_defs: HashMap<i64, String>,
    key: &'static str,
    validators: HashMap<String, OnceLock<Result<jsonschema::Validator, String>>>,
    /// The definition a successful response envelope must match.
    pub(crate) result_envelope: &'static str,
    /// The definition an error response envelope must match.
    pub(crate) error_envelope: &'static str,
}

type Loaded = LazyLock<Result<RevisionSchema, String>>;

static V2025_03_26: Loaded = LazyLock::new(|| RevisionSchema::load_official(Revision::V2025_03_26));
static V2025_06_18: Loaded = LazyLock::new(|| RevisionSchema::load_official(Revision::V2025_06_18));
static V2025_11_25: Loaded = LazyLock::new(|| RevisionSchema::load_official(Revision::V2025_11_25));
static V2026_07_28: Loaded = LazyLock::new(|| RevisionSchema::load_official(Revision::V2026_07_28));

/// Union definitions, which are not the definition of any one method.
const UNIONS: &[&str] = &[
    "ClientRequest",
    "ClientNotification",
    "ClientResult",
    "ClientMessage",
    "ServerRequest",
    "ServerNotification",
    "ServerResult",
    "ServerMessage",
];

impl RevisionSchema {
    /// The schema of `revision`.
    pub(crate) fn of(revision: Revision) -> Result<&'static RevisionSchema, String> {
        let loaded: &Loaded = match revision {
            Revision::V2025_03_26 => &V2025_03_26,
            Revision::V2025_06_18 => &V2025_06_18,
            Revision::V2025_11_25 => &V2025_11_25,
            Revision::V2026_07_28 => &V2026_07_28,
        };
        loaded.as_ref().map_err(|e| format!("the {revision} schema does not load: {e}"))
    }

    /// The official schema of `revision`, from `mcp-harness-suites`.
    fn load_official(revision: Revision) -> Result<RevisionSchema, String> {
        let text = mcp_harness_suites::official_schema(revision.as_str())
            .ok_or_else(|| "mcp-harness-suites has no schema for it".to_owned())?;
        RevisionSchema::load(revision, text)
    }

    fn load(revision: Revision, text: &str) -> Result<RevisionSchema, String> {
        let mut document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let key = if document.get("$defs").is_some() { "$defs" } else { "definitions" };
        // These two revisions' schema types NumberSchema's minimum/maximum/default as integer although the spec
        // means any number; the official suite widens them the same way, so 1.5 is not a finding.
        if matches!(revision, Revision::V2025_06_18 | Revision::V2025_11_25)
            && let Some(props) =
                document.pointer_mut(&format!("/{key}/NumberSchema/properties")).and_then(Value::as_object_mut)
        {
            for field in ["minimum", "maximum", "default"] {
                if let Some(t) = props.get_mut(field).and_then(|p| p.get_mut("type"))
                    && t == "integer"
                {
                    *t = json!("number");
                }
            }
        }
        let Some(defs) = document.get(key).and_then(Value::as_object) else {
            return Err(format!("no `{key}` object"));
        };
        let mut method_defs = HashMap::new();
        let mut result_defs = HashMap::new();
        let mut error_defs = HashMap::new();
        for (name, def) in defs.iter().filter(|(n, _)| !UNIONS.contains(&n.as_str())) {
            let props = def.get("properties");
            if let Some(method) = props.and_then(|p| p.pointer("/method/const")).and_then(Value::as_str) {
                method_defs.insert(method.to_owned(), name.clone());
                if let Some(stem) = name.strip_suffix("Request") {
                    let result = format!("{stem}Result");
                    if defs.contains_key(&result) {
                        result_defs.insert(method.to_owned(), result);
                    }
                }
            }
            for part in props.and_then(|p| p.pointer("/error/allOf")).and_then(Value::as_array).into_iter().flatten() {
                if let Some(code) = part.pointer("/properties/code/const").and_then(Value::as_i64) {
                    error_defs.insert(code, name.clone());
                }
            }
        }
        let validators: HashMap<String, _> = defs.keys().map(|k| (k.clone(), OnceLock::new())).collect();
        let pick = |new: &'static str, old: &'static str| if validators.contains_key(new) { new } else { old };
        let result_envelope = pick("JSONRPCResultResponse", "JSONRPCResponse");
        let error_envelope = pick("JSONRPCErrorResponse", "JSONRPCError");
        Ok(RevisionSchema {
            revision,
            document,
            key,
            validators,
            method_defs,
            result_defs,
            error_defs,
            result_envelope,
            error_envelope,
        })
    }

    /// The violations of one message the server sent, judged as the official suite's wire validation does: a
    /// request or notification by its method's definition (else the generic envelope), an error by its code's
    /// definition (else the error envelope), a result by the result type of the request it answers
    /// (`request_method`; `InputRequiredResult` when a 2026 result asks for input) and then the result envelope.
    pub(crate) fn message_violations(
        &self,
        message: &Value,
        request_method: Option<&str>,
    ) -> Result<Vec<String>, String> {
        let tagged = |def: &str, v: Vec<String>| v.into_iter().map(|f| format!("{def} {f}")).collect::<Vec<_>>();
        if let Some(method) = message.get("method").and_then(Value::as_str) {
            let def = match self.method_defs.get(method) {
                Some(d) => d.as_str(),
                None if message.get("id").is_some() => "JSONRPCRequest",
                None => "JSONRPCNotification",
            };
            return Ok(tagged(def, self.violations(def, message)?));
        }
        if let Some(error) = message.get("error").filter(|e| !e.is_null()) {
            let def = error
                .get("code")
                .and_then(Value::as_i64)
                .and_then(|c| self.error_defs.get(&c))
                .map_or(self.error_envelope, String::as_str);
            return Ok(tagged(def, self.violations(def, message)?));
        }
        if let Some(result) = message.get("result") {
            let input_required = self.revision.era() == Era::Stateless
                && result.get("resultType").and_then(Value::as_str) == Some("input_required")
                && self.has("InputRequiredResult");
            let def = if input_required {
                Some("InputRequiredResult")
            } else {
                request_method.and_then(|m| self.result_defs.get(m)).map(String::as_str)
            };
            if let Some(def) = def {
                let found = self.violations(def, result)?;
                if !found.is_empty() {
                    let method = request_method.unwrap_or("?");
                    return Ok(found.into_iter().map(|f| format!("{def} (result of {method}) {f}")).collect());
                }
            }
            return Ok(tagged(self.result_envelope, self.violations(self.result_envelope, message)?));
        }
        Ok(vec!["not a JSON-RPC request, notification or response".to_owned()])
    }

    /// Whether the schema defines `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.validators.contains_key(name)
    }

    fn validator(&self, name: &str) -> Result<&jsonschema::Validator, String> {
        let slot = self.validators.get(name).ok_or_else(|| format!("the schema has no definition {name}"))?;
        slot.get_or_init(|| {
            let mut root = self.document.clone();
            if let Some(obj) = root.as_object_mut() {
                obj.insert("$ref".to_owned(), json!(format!("#/{}/{name}", self.key)));
            }
            jsonschema::options()
                .should_validate_formats(true)
                .build(&root)
                .map_err(|e| format!("definition {name}: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// The violations of `instance` against definition `name`, one line each: instance path, keyword, message.
    pub(crate) fn violations(&self, name: &str, instance: &Value) -> Result<Vec<String>, String> {
        Ok(self
            .validator(name)?
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

    fn tools_result(rev: Revision, tools: Value) -> Value {
        let mut result = json!({"tools": tools});
        if rev.era() == Era::Stateless {
            result["resultType"] = json!("complete");
            result["ttlMs"] = json!(0);
            result["cacheScope"] = json!("private");
        }
        json!({"jsonrpc": "2.0", "id": 1, "result": result})
    }

    #[test]
    fn every_revision_loads_and_derives_method_result_and_error_definitions() {
        for rev in Revision::ALL {
            let s = RevisionSchema::of(rev).unwrap();
            assert_eq!(s.result_defs.get("tools/list").map(String::as_str), Some("ListToolsResult"), "{rev}");
            assert_eq!(s.result_defs.get("tools/call").map(String::as_str), Some("CallToolResult"), "{rev}");
            assert!(s.method_defs.contains_key("notifications/message"), "{rev}");
            assert!(s.has(s.result_envelope) && s.has(s.error_envelope), "{rev}");
        }
    }

    #[test]
    fn results_are_judged_by_the_method_they_answer() {
        for rev in Revision::ALL {
            let s = RevisionSchema::of(rev).unwrap();
            let good = tools_result(rev, json!([{"name": "echo", "inputSchema": {"type": "object"}}]));
            assert_eq!(s.message_violations(&good, Some("tools/list")).unwrap(), Vec::<String>::new(), "{rev}");
            let bad = tools_result(rev, json!([{"name": "broken"}]));
            let v = s.message_violations(&bad, Some("tools/list")).unwrap();
            assert!(
                v.iter().any(|f| f.starts_with("ListToolsResult (result of tools/list) /tools/0: required")),
                "{rev}: {v:?}"
            );
            // Without the request method only the envelope is judged.
            assert_eq!(s.message_violations(&bad, None).unwrap(), Vec::<String>::new(), "{rev}");
        }
    }

    #[test]
    fn notifications_errors_and_garbage() {
        let s = RevisionSchema::of(Revision::V2025_11_25).unwrap();
        let log =
            json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x"}});
        assert_eq!(s.message_violations(&log, None).unwrap(), Vec::<String>::new());
        let bad_log = json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "loud"}});
        assert!(!s.message_violations(&bad_log, None).unwrap().is_empty());
        let vendor = json!({"jsonrpc": "2.0", "method": "vendor/thing", "params": {"any": 1}});
        assert_eq!(s.message_violations(&vendor, None).unwrap(), Vec::<String>::new());
        let error = json!({"jsonrpc": "2.0", "id": 4, "error": {"code": "oops", "message": "no"}});
        assert!(s.message_violations(&error, Some("tools/list")).unwrap().iter().any(|f| f.contains("/error/code")));
        assert!(!s.message_violations(&json!({"jsonrpc": "2.0", "id": 1}), None).unwrap().is_empty());
    }

    #[test]
    fn a_2026_input_required_result_is_judged_as_such() {
        let s = RevisionSchema::of(Revision::V2026_07_28).unwrap();
        let msg = json!({"jsonrpc": "2.0", "id": 2, "result": {"resultType": "input_required", "requestState": "abc"}});
        assert_eq!(s.message_violations(&msg, Some("tools/call")).unwrap(), Vec::<String>::new());
        let missing =
            json!({"jsonrpc": "2.0", "id": 2, "result": {"resultType": "input_required", "inputRequests": 5}});
        assert!(
            s.message_violations(&missing, Some("tools/call"))
                .unwrap()
                .iter()
                .any(|f| f.starts_with("InputRequiredResult"))
        );
    }

    #[test]
    fn number_schema_bounds_may_be_fractional_in_the_revisions_whose_schema_says_integer() {
        let s = RevisionSchema::of(Revision::V2025_11_25).unwrap();
        let schema = json!({"type": "number", "minimum": 0.5, "maximum": 1.5, "default": 1.0});
        assert_eq!(s.violations("NumberSchema", &schema).unwrap(), Vec::<String>::new());
    }
}
