//! Requests serialised once: each send only splices its id in front of the prepared rest of the message.

use serde_json::{Value, json};

use crate::protocol::{Era, Revision};

/// A request of the workload, ready to send many times.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRequest {
    /// The JSON-RPC method.
    pub method: String,
    /// The 2026 `Mcp-Name` header value (the tool's name for `tools/call`).
    pub name: Option<String>,
    /// The params as sent.
    params: Option<Value>,
    /// The message after `{"jsonrpc":"2.0","id":N,` — `"method":…,"params":…}`.
    tail: String,
}

impl PreparedRequest {
    /// Prepares `method` with `params` for a target speaking `revision`: on the stateless era the per-request
    /// `_meta` (protocol version, client capabilities and info) is added to the params, as every 2026 request
    /// carries it.
    pub fn new(method: &str, params: Option<Value>, revision: Revision, client: &ClientMeta) -> Self {
        let params = wire_params(params, revision, client);
        let name = match method {
            "tools/call" | "prompts/get" => params.as_ref().and_then(|p| p.get("name")).and_then(Value::as_str),
            "resources/read" => params.as_ref().and_then(|p| p.get("uri")).and_then(Value::as_str),
            _ => None,
        }
        .map(crate::session::header_value);
        let mut tail = format!("\"method\":{}", Value::String(method.to_owned()));
        if let Some(params) = &params {
            tail.push_str(",\"params\":");
            tail.push_str(&params.to_string());
        }
        tail.push('}');
        PreparedRequest { method: method.to_owned(), name, params, tail }
    }

    /// The params as sent (with the stateless era's `_meta`).
    pub fn params(&self) -> Option<&Value> {
        self.params.as_ref()
    }

    /// The message with id `id`.
    pub fn with_id(&self, id: u64) -> String {
        let mut s = String::with_capacity(self.tail.len() + 32);
        s.push_str("{\"jsonrpc\":\"2.0\",\"id\":");
        s.push_str(&id.to_string());
        s.push(',');
        s.push_str(&self.tail);
        s
    }
}

/// `params` as a request of `revision` carries them: on the stateless era with the per-request `_meta`.
fn wire_params(params: Option<Value>, revision: Revision, client: &ClientMeta) -> Option<Value> {
    if revision.era() == Era::Stateless {
        let mut p = match params {
            Some(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let meta = p.entry("_meta").or_insert_with(|| json!({}));
        if let Value::Object(meta) = meta {
            meta.entry("io.modelcontextprotocol/protocolVersion").or_insert(json!(Revision::V2026_07_28.as_str()));
            meta.entry("io.modelcontextprotocol/clientCapabilities").or_insert(client.capabilities.clone());
            meta.entry("io.modelcontextprotocol/clientInfo").or_insert(client.info.clone());
        }
        Some(Value::Object(p))
    } else {
        params
    }
}

/// What a 2026 request says about its client.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClientMeta {
    /// `clientCapabilities`.
    pub capabilities: Value,
    /// `clientInfo`.
    pub info: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_spliced_into_a_valid_message() {
        let client = ClientMeta { capabilities: json!({}), info: json!({"name": "mcp-harness", "version": "0"}) };
        let r = PreparedRequest::new(
            "tools/call",
            Some(json!({"name": "echo", "arguments": {"message": "hi"}})),
            Revision::V2025_11_25,
            &client,
        );
        let v: Value = serde_json::from_str(&r.with_id(42)).unwrap();
        assert_eq!(
            v,
            json!({"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}})
        );
        assert_eq!(r.name.as_deref(), Some("echo"));
        let ping = PreparedRequest::new("ping", None, Revision::V2025_11_25, &client);
        assert_eq!(
            serde_json::from_str::<Value>(&ping.with_id(1)).unwrap(),
            json!({"jsonrpc":"2.0","id":1,"method":"ping"})
        );
    }

    #[test]
    fn stateless_requests_carry_their_meta() {
        let client = ClientMeta { capabilities: json!({}), info: json!({"name": "mcp-harness", "version": "0"}) };
        let r = PreparedRequest::new("tools/list", None, Revision::V2026_07_28, &client);
        let v: Value = serde_json::from_str(&r.with_id(3)).unwrap();
        assert_eq!(v["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"], "2026-07-28");
        assert_eq!(v["params"]["_meta"]["io.modelcontextprotocol/clientInfo"]["name"], "mcp-harness");
    }
}
