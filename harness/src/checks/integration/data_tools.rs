//! The data tools the integration checks drive: `create_data`, `get_data`, `update_data`, `delete_data` and
//! `health`, with the observability `_meta` of the bundled reference server (`io.mcp-harness/cache`,
//! `io.mcp-harness/retries`). A target that does not list them gets the suite's generic checks only; these
//! checks are skipped for it, with that reason.

use std::time::Duration;

use serde_json::{Value, json};

use crate::check::{CheckContext, Outcome, SkipReason};
use crate::checks::tools::catalog::{list_tools, name_of};
use crate::session::{Session, SessionError, clip_json};

/// Tools a target must list for the data checks to apply.
pub(crate) const DATA_TOOLS: [&str; 5] = ["create_data", "get_data", "update_data", "delete_data", "health"];

/// `_meta` key: where a read was answered (`l1`, `l2` or `miss`).
pub(crate) const META_CACHE: &str = "io.mcp-harness/cache";

/// `_meta` key: store retries made for the call.
pub(crate) const META_RETRIES: &str = "io.mcp-harness/retries";

/// What one data-tool call produced.
#[derive(Debug, Clone)]
pub(crate) enum Call {
    /// A successful result: its `structuredContent` and `_meta` (`null` when absent).
    Ok { value: Value, meta: Value },
    /// A tool execution error (`isError: true`), with its text.
    ToolError { text: String, meta: Value },
    /// A JSON-RPC error answer.
    RpcError(String),
}

impl Call {
    /// The structured result of a successful call.
    pub(crate) fn value(&self) -> Option<&Value> {
        match self {
            Call::Ok { value, .. } => Some(value),
            _ => None,
        }
    }

    /// `_meta["io.mcp-harness/cache"]`, when reported.
    pub(crate) fn cache_level(&self) -> Option<&str> {
        self.meta().get(META_CACHE).and_then(Value::as_str)
    }

    /// `_meta["io.mcp-harness/retries"]`, when reported.
    pub(crate) fn retries(&self) -> Option<u64> {
        self.meta().get(META_RETRIES).and_then(Value::as_u64)
    }

    fn meta(&self) -> &Value {
        match self {
            Call::Ok { meta, .. } | Call::ToolError { meta, .. } => meta,
            Call::RpcError(_) => &Value::Null,
        }
    }

    /// One line for evidence.
    pub(crate) fn brief(&self) -> String {
        match self {
            Call::Ok { value, meta } if meta.is_null() => format!("result {}", clip_json(value, 240)),
            Call::Ok { value, meta } => format!("result {} with _meta {}", clip_json(value, 200), clip_json(meta, 120)),
            Call::ToolError { text, .. } => format!("tool error: {}", clip_json(&Value::String(text.clone()), 200)),
            Call::RpcError(e) => format!("JSON-RPC error {e}"),
        }
    }
}

/// Skips unless the target lists every tool in [`DATA_TOOLS`].
pub(crate) async fn require_data_tools(cx: &mut CheckContext) -> Result<(), Outcome> {
    let tools = list_tools(cx).await?;
    let missing: Vec<&str> =
        DATA_TOOLS.iter().copied().filter(|want| !tools.iter().any(|t| name_of(t) == *want)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Outcome::skip(
            SkipReason::NothingToTest,
            format!(
                "the target does not offer the data tools this check drives (missing: {}); see suites/integration/README.md",
                missing.join(", ")
            ),
        ))
    }
}

/// Calls `tool` with `args`, waiting at most `timeout`.
pub(crate) async fn call(
    session: &mut Session,
    tool: &str,
    args: Value,
    timeout: Duration,
) -> Result<Call, SessionError> {
    let reply = session.request_within("tools/call", Some(json!({"name": tool, "arguments": args})), timeout).await?;
    Ok(match reply.outcome {
        Err(e) => Call::RpcError(format!(
            "{} {:?}",
            e.code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string()),
            e.message
        )),
        Ok(result) => {
            let meta = result.get("_meta").cloned().unwrap_or(Value::Null);
            if result.get("isError").and_then(Value::as_bool) == Some(true) {
                let text = result
                    .get("content")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.get("text").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(" ");
                Call::ToolError { text, meta }
            } else {
                let value = result.get("structuredContent").cloned().unwrap_or(Value::Null);
                Call::Ok { value, meta }
            }
        }
    })
}

/// The id of a record result.
pub(crate) fn record_id(value: &Value) -> Option<&str> {
    value.get("id").and_then(Value::as_str)
}

/// A collection name of this run: `mcp_harness_it_<random>`, so runs never see each other's records.
pub(crate) fn fresh_collection() -> String {
    format!("mcp_harness_it_{:08x}", rand::random::<u32>())
}

/// `health` → `cache` / `store` → `breaker` (`closed`, `half_open`, `open`, or `null`).
pub(crate) fn breaker_of<'a>(health: &'a Value, backend: &str) -> Option<&'a str> {
    health.get(backend)?.get("breaker")?.as_str()
}

/// `health` → `backend` → `status`.
pub(crate) fn status_of<'a>(health: &'a Value, backend: &str) -> Option<&'a str> {
    health.get(backend)?.get("status")?.as_str()
}

/// `health` → `backend` → `kind`.
pub(crate) fn kind_of<'a>(health: &'a Value, backend: &str) -> Option<&'a str> {
    health.get(backend)?.get("kind")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_fields_are_read_by_backend() {
        let h =
            json!({"cache": {"kind": "lru+redis", "status": "down", "breaker": "open"}, "store": {"breaker": null}});
        assert_eq!(breaker_of(&h, "cache"), Some("open"));
        assert_eq!(status_of(&h, "cache"), Some("down"));
        assert_eq!(kind_of(&h, "cache"), Some("lru+redis"));
        assert_eq!(breaker_of(&h, "store"), None);
    }

    #[test]
    fn calls_expose_meta() {
        let c = Call::Ok { value: json!({"id": "r1"}), meta: json!({META_CACHE: "l2", META_RETRIES: 2}) };
        assert_eq!(c.cache_level(), Some("l2"));
        assert_eq!(c.retries(), Some(2));
        assert_eq!(record_id(c.value().unwrap()), Some("r1"));
        assert!(Call::RpcError("x".into()).cache_level().is_none());
        assert!(fresh_collection().starts_with("mcp_harness_it_"));
    }
}
