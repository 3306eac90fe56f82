//! Wire schema audit: every message a server sends on the run's sessions is validated against the official
//! JSON Schema of the revision spoken, and violations are kept (bounded) for `jsonrpc.schema-valid` to report.
//!
//! Validated: responses to the harness's well-formed requests (judged by the request's method), and every request
//! and notification the server sends. Not validated: replies to the deliberately malformed messages of negative
//! checks (a correct parse-error reply has `id: null`, which the schema's `RequestId` does not allow), and
//! messages that are not JSON at all (other checks judge those).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::protocol::Revision;
use crate::protocol_schema::RevisionSchema;

/// Findings kept; the rest are counted.
const FINDINGS_KEPT: usize = 50;

/// A run's audit log, shared by all its sessions (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct SchemaAudit {
    inner: Arc<Mutex<AuditLog>>,
}

/// What the audit saw so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditLog {
    /// Messages validated.
    pub validated: usize,
    /// Messages validated, by kind (`tools/call result`, `notifications/message`, `error`, …).
    pub by_kind: BTreeMap<String, usize>,
    /// Violations, one line each: the message kind, the definition, the JSON pointer, the keyword and message.
    pub findings: Vec<String>,
    /// Violations beyond [`FINDINGS_KEPT`].
    pub findings_dropped: usize,
}

impl SchemaAudit {
    /// Validates one message the server sent; `request_method` is the method of the request it answers.
    pub fn observe(&self, revision: Revision, message: &Value, request_method: Option<&str>) {
        let Ok(schema) = RevisionSchema::of(revision) else { return };
        let kind = match (message.get("method").and_then(Value::as_str), message.get("error")) {
            (Some(method), _) => method.to_owned(),
            (None, Some(_)) => format!("{} error", request_method.unwrap_or("?")),
            (None, None) => format!("{} result", request_method.unwrap_or("?")),
        };
        let found =
            schema.message_violations(message, request_method).unwrap_or_else(|e| vec![format!("harness bug: {e}")]);
        let Ok(mut log) = self.inner.lock() else { return };
        log.validated += 1;
        *log.by_kind.entry(kind.clone()).or_default() += 1;
        for f in found {
            if log.findings.len() < FINDINGS_KEPT {
                log.findings.push(format!("{kind}: {f}"));
            } else {
                log.findings_dropped += 1;
            }
        }
    }

    /// A copy of the log.
    pub fn snapshot(&self) -> AuditLog {
        self.inner.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn findings_are_kept_bounded_and_counted_by_kind() {
        let audit = SchemaAudit::default();
        let good = json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": []}});
        audit.observe(Revision::V2025_11_25, &good, Some("tools/list"));
        let bad = json!({"jsonrpc": "2.0", "id": 2, "result": {"tools": [{"name": "x"}]}});
        for _ in 0..(FINDINGS_KEPT + 5) {
            audit.clone().observe(Revision::V2025_11_25, &bad, Some("tools/list"));
        }
        let log = audit.snapshot();
        assert_eq!(log.validated, FINDINGS_KEPT + 6);
        assert_eq!(log.by_kind["tools/list result"], FINDINGS_KEPT + 6);
        assert_eq!(log.findings.len(), FINDINGS_KEPT);
        assert_eq!(log.findings_dropped, 5);
        assert!(
            log.findings[0].starts_with("tools/list result: ListToolsResult (result of tools/list) /tools/0: required"),
            "{:?}",
            log.findings[0]
        );
    }
}
