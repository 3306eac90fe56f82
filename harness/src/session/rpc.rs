//! JSON-RPC reply shapes.

use serde_json::Value;

/// A JSON-RPC error object, as received.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The error code, if it was an integer.
    pub code: Option<i64>,
    /// The message, if it was a string.
    pub message: String,
    /// `data`, if present.
    pub data: Option<Value>,
}

/// The reply to a request: a result or an error, with the raw message kept for evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcReply {
    /// `Ok(result)` or `Err(error)`.
    pub outcome: Result<Value, RpcError>,
    /// The whole message as received.
    pub raw: Value,
    /// For HTTP, the status code of the reply that carried it.
    pub http_status: Option<u16>,
}

impl RpcReply {
    /// Interprets a response message. Returns `None` when it is neither a result nor an error.
    pub fn from_message(raw: Value, http_status: Option<u16>) -> Option<RpcReply> {
        let outcome = if let Some(result) = raw.get("result") {
            Ok(result.clone())
        } else {
            let err = raw.get("error")?;
            Err(RpcError {
                code: err.get("code").and_then(Value::as_i64),
                message: err.get("message").and_then(Value::as_str).unwrap_or_default().to_owned(),
                data: err.get("data").cloned(),
            })
        };
        Some(RpcReply { outcome, raw, http_status })
    }

    /// The result, if the reply was one.
    pub fn result(&self) -> Option<&Value> {
        self.outcome.as_ref().ok()
    }

    /// The error code, if the reply was an error.
    pub fn error_code(&self) -> Option<i64> {
        self.outcome.as_ref().err().and_then(|e| e.code)
    }

    /// A short description for evidence: `result {…}` or `error -32601 "…"`.
    pub fn brief(&self) -> String {
        match &self.outcome {
            Ok(v) => format!("result {}", clip(&v.to_string(), 300)),
            Err(e) => format!(
                "error {} {:?}",
                e.code.map_or_else(|| "(no integer code)".to_owned(), |c| c.to_string()),
                clip(&e.message, 200)
            ),
        }
    }
}

/// Shortens text to `max` characters with an ellipsis.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

/// Compact JSON text of `v`, shortened to `max` characters.
pub fn clip_json(v: &Value, max: usize) -> String {
    clip(&v.to_string(), max)
}
