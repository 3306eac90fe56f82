//! OAuth 2.0 Protected Resource Metadata (RFC 9728) of the MCP endpoint.

use serde_json::{Value, json};

use super::Scope;
use crate::error::StartupError;

/// The well-known prefix of RFC 9728 §3.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Where the metadata of `resource` lives: the well-known prefix inserted between its host and its path
/// (RFC 9728 §3.1), e.g. `http://127.0.0.1:8080/mcp` → `http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp`.
pub(crate) fn metadata_url(resource: &str) -> Result<String, StartupError> {
    let url = url::Url::parse(resource)
        .map_err(|error| StartupError::Config(format!("--auth-resource {resource:?} is not a URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || url.fragment().is_some() {
        return Err(StartupError::Config(format!(
            "--auth-resource {resource:?} must be an absolute http(s) URL without a fragment"
        )));
    }
    Ok(format!("{}{}", url.origin().ascii_serialization(), metadata_path(&url)))
}

fn metadata_path(url: &url::Url) -> String {
    match url.path() {
        "/" | "" => WELL_KNOWN.to_owned(),
        path => format!("{WELL_KNOWN}{path}"),
    }
}

/// The paths this server answers the metadata on: `/.well-known/oauth-protected-resource/mcp`, the bare
/// well-known path, and the resource's own (when `--auth-resource` has another path and it is a plain one).
pub(crate) fn metadata_paths(resource: &str) -> Vec<String> {
    let mut paths = vec![format!("{WELL_KNOWN}/mcp"), WELL_KNOWN.to_owned()];
    if let Ok(url) = url::Url::parse(resource) {
        let own = metadata_path(&url);
        let plain = own.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b)) && !own.contains("//");
        if plain && !paths.contains(&own) {
            paths.push(own);
        }
    }
    paths
}

/// The metadata document.
pub(crate) fn document(resource: &str, issuer: &str) -> Value {
    json!({
        "resource": resource,
        "authorization_servers": [issuer],
        "scopes_supported": Scope::ALL.map(Scope::as_str),
        "bearer_methods_supported": ["header"],
        "resource_name": "mcp-harness reference server",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_url_inserts_the_well_known_prefix() {
        assert_eq!(
            metadata_url("http://127.0.0.1:8080/mcp").unwrap(),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            metadata_url("https://mcp.example.com").unwrap(),
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
        assert!(metadata_url("mcp").is_err());
        assert!(metadata_url("http://h/mcp#x").is_err());
        assert_eq!(metadata_paths("https://h/tenant/mcp").len(), 3);
        assert_eq!(metadata_paths("http://127.0.0.1:1/mcp").len(), 2);
    }
}
