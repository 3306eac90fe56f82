//! Building JSON-RPC 2.0 messages: the one place that writes `"jsonrpc": "2.0"`.
//!
//! Well-formed messages come from [`request`], [`notification`], [`result`] and [`error`]. Negative checks start
//! from one of those and break it on purpose with [`Broken`], so what is wrong with a message reads as a script:
//! `Broken::request(77, "tools/list").jsonrpc("1.0").build()`.

use serde_json::{Map, Value, json};

/// The protocol version string every JSON-RPC 2.0 message carries.
pub const JSONRPC: &str = "2.0";

/// A request with `id`, `method` and optional `params`.
pub fn request(id: impl Into<Value>, method: &str, params: Option<Value>) -> Value {
    let mut msg = json!({"jsonrpc": JSONRPC, "id": id.into(), "method": method});
    if let Some(p) = params {
        msg["params"] = p;
    }
    msg
}

/// A notification (no id).
pub fn notification(method: &str, params: Option<Value>) -> Value {
    let mut msg = json!({"jsonrpc": JSONRPC, "method": method});
    if let Some(p) = params {
        msg["params"] = p;
    }
    msg
}

/// A result response to `id`.
pub fn result(id: impl Into<Value>, result: Value) -> Value {
    json!({"jsonrpc": JSONRPC, "id": id.into(), "result": result})
}

/// An error response to `id`.
pub fn error(id: impl Into<Value>, code: i64, message: &str) -> Value {
    json!({"jsonrpc": JSONRPC, "id": id.into(), "error": {"code": code, "message": message}})
}

/// A message broken on purpose, for negative checks: start from a well-formed one, change or remove members.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken(Map<String, Value>);

impl Broken {
    /// Starts from a well-formed request.
    pub fn request(id: impl Into<Value>, method: &str) -> Self {
        Broken::from_message(request(id, method, None))
    }

    /// Starts from a well-formed notification.
    pub fn notification(method: &str) -> Self {
        Broken::from_message(notification(method, None))
    }

    /// Starts from any message object (anything else starts empty).
    pub fn from_message(msg: Value) -> Self {
        match msg {
            Value::Object(m) => Broken(m),
            _ => Broken(Map::new()),
        }
    }

    /// Sets the `jsonrpc` member to `version` (e.g. `"1.0"`).
    pub fn jsonrpc(self, version: impl Into<Value>) -> Self {
        self.set("jsonrpc", version)
    }

    /// Sets the `id` member (any JSON value, e.g. `null` or an object).
    pub fn id(self, id: impl Into<Value>) -> Self {
        self.set("id", id)
    }

    /// Sets the `params` member.
    pub fn params(self, params: impl Into<Value>) -> Self {
        self.set("params", params)
    }

    /// Sets any member.
    pub fn set(mut self, member: &str, value: impl Into<Value>) -> Self {
        self.0.insert(member.to_owned(), value.into());
        self
    }

    /// Removes a member.
    pub fn without(mut self, member: &str) -> Self {
        self.0.remove(member);
        self
    }

    /// The message.
    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_write_the_version_once() {
        assert_eq!(request(1, "ping", None), json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}));
        assert_eq!(notification("n", Some(json!({}))), json!({"jsonrpc": "2.0", "method": "n", "params": {}}));
        assert_eq!(result("a", json!({})), json!({"jsonrpc": "2.0", "id": "a", "result": {}}));
        assert_eq!(
            error(1, -32601, "x"),
            json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "x"}})
        );
    }

    #[test]
    fn broken_messages_read_as_scripts() {
        let m = Broken::request(77, "tools/list").jsonrpc("1.0").build();
        assert_eq!(m, json!({"jsonrpc": "1.0", "id": 77, "method": "tools/list"}));
        let m = Broken::request(1, "ping").without("jsonrpc").id(Value::Null).build();
        assert_eq!(m, json!({"id": null, "method": "ping"}));
    }
}
