//! What the server said about itself in the handshake.

use serde_json::Value;

use crate::check::Capability;
use crate::protocol::Revision;

/// The server as seen through the handshake (`initialize` result or `server/discover` result).
#[derive(Debug, Clone, PartialEq)]
pub struct ServerProfile {
    /// The revision the session speaks.
    pub revision: Revision,
    /// The version string the server answered with (`protocolVersion`, or the chosen entry of `supportedVersions`).
    pub protocol_version: String,
    /// `capabilities` as sent.
    pub capabilities: Value,
    /// `serverInfo` as sent (`Value::Null` when absent).
    pub server_info: Value,
    /// `instructions`, when sent.
    pub instructions: Option<String>,
    /// `supportedVersions` from `server/discover` (empty in the stateful era).
    pub supported_versions: Vec<String>,
    /// The handshake result, whole.
    pub handshake_result: Value,
}

impl ServerProfile {
    /// Builds a profile from a handshake result.
    pub fn from_result(revision: Revision, result: &Value) -> ServerProfile {
        let supported_versions: Vec<String> = result
            .get("supportedVersions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let server_info = result
            .get("serverInfo")
            .cloned()
            .or_else(|| result.pointer("/_meta/io.modelcontextprotocol~1serverInfo").cloned())
            .unwrap_or(Value::Null);
        ServerProfile {
            revision,
            protocol_version: result
                .get("protocolVersion")
                .and_then(Value::as_str)
                .map_or_else(|| revision.as_str().to_owned(), str::to_owned),
            capabilities: result.get("capabilities").cloned().unwrap_or(Value::Null),
            server_info,
            instructions: result.get("instructions").and_then(Value::as_str).map(str::to_owned),
            supported_versions,
            handshake_result: result.clone(),
        }
    }

    /// Whether the server advertised `cap` (present and not `false`/`null`).
    pub fn has(&self, cap: Capability) -> bool {
        let mut v = &self.capabilities;
        for key in cap.path() {
            match v.get(key) {
                Some(next) => v = next,
                None => return false,
            }
        }
        !matches!(v, Value::Null | Value::Bool(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_are_read_by_path() {
        let p = ServerProfile::from_result(
            Revision::V2025_11_25,
            &serde_json::json!({"protocolVersion":"2025-11-25","capabilities":{"tools":{},"resources":{"subscribe":false}},"serverInfo":{"name":"x","version":"1"}}),
        );
        assert!(p.has(Capability::Tools));
        assert!(p.has(Capability::Resources));
        assert!(!p.has(Capability::ResourceSubscribe));
        assert!(!p.has(Capability::Prompts));
        assert_eq!(p.server_info["name"], "x");
    }
}
