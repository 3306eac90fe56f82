//! OAuth 2.0 Protected Resource Metadata (RFC 9728): where a resource's document is published, what it says,
//! and what in it a secure MCP server must not say.

use serde_json::Value;

/// The well-known path prefix of protected resource metadata (RFC 9728 §3).
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Scopes that grant everything at once (the best practices' "wildcard or omnibus scopes").
const OMNIBUS_SCOPES: &[&str] = &["*", "all", "full-access", "full_access"];

/// The metadata document, as far as the harness reads it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceMetadata {
    /// `resource`: the resource identifier.
    pub resource: Option<String>,
    /// `authorization_servers`: issuer identifiers (non-string entries dropped).
    pub authorization_servers: Vec<String>,
    /// Whether `authorization_servers` was present as an array.
    pub has_authorization_servers: bool,
    /// `scopes_supported` (non-string entries dropped).
    pub scopes_supported: Vec<String>,
    /// `bearer_methods_supported`.
    pub bearer_methods_supported: Vec<String>,
}

impl ResourceMetadata {
    /// Reads a document; `None` when it is not a JSON object.
    pub fn from_json(v: &Value) -> Option<Self> {
        let obj = v.as_object()?;
        let strings = |key: &str| -> Vec<String> {
            obj.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        Some(ResourceMetadata {
            resource: obj.get("resource").and_then(Value::as_str).map(str::to_owned),
            authorization_servers: strings("authorization_servers"),
            has_authorization_servers: obj.get("authorization_servers").is_some_and(Value::is_array),
            scopes_supported: strings("scopes_supported"),
            bearer_methods_supported: strings("bearer_methods_supported"),
        })
    }
}

/// The well-known metadata URLs of the resource at `resource_url`, in the order clients try them: the path-suffixed
/// one (`https://h/.well-known/oauth-protected-resource/mcp` for `https://h/mcp`), then the root one. A URL without
/// a path has only the root one.
pub fn well_known_urls(resource_url: &str) -> Vec<String> {
    let Ok(url) = url::Url::parse(resource_url) else { return Vec::new() };
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    let root = format!("{origin}{WELL_KNOWN}");
    if path.is_empty() { vec![root] } else { vec![format!("{origin}{WELL_KNOWN}{path}"), root] }
}

/// A URI in the form resource identifiers are compared in: scheme and host lower-cased, default port dropped, no
/// fragment, no trailing slash (MCP's canonical server URI). Unparsable text is returned as it is.
pub fn canonical(uri: &str) -> String {
    let Ok(mut url) = url::Url::parse(uri) else { return uri.to_owned() };
    url.set_fragment(None);
    let s = url.to_string();
    match s.strip_suffix('/') {
        Some(stripped) if url.query().is_none() => stripped.to_owned(),
        _ => s,
    }
}

/// Whether `url`'s host is a loopback name or address.
pub fn is_loopback(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else { return false };
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether two URLs share scheme, host and port.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// How much a problem of a metadata document weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weight {
    /// A MUST of MCP or RFC 9728 is broken.
    Broken,
    /// The best practices' scope minimization is not followed.
    Advice,
}

/// One thing wrong with a metadata document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How much it weighs.
    pub weight: Weight,
    /// The rule it breaks (a `suites/security/requirements.json` id).
    pub rule: &'static str,
    /// What is wrong, for the report.
    pub text: String,
}

/// What is wrong with `doc`, published for the resource whose canonical URI is `resource`.
pub fn problems(doc: &ResourceMetadata, resource: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut broken = |rule: &'static str, text: String| out.push(Problem { weight: Weight::Broken, rule, text });
    match &doc.resource {
        None => broken("security.auth-prm", "the document has no `resource`".to_owned()),
        Some(r) if canonical(r) != canonical(resource) => {
            broken("security.auth-prm", format!("`resource` is {r:?}, not the server's URI {resource:?}"));
        }
        Some(_) => {}
    }
    if !doc.has_authorization_servers || doc.authorization_servers.is_empty() {
        broken(
            "security.auth-prm-authorization-servers",
            "`authorization_servers` is missing or names no authorization server".to_owned(),
        );
    }
    for server in &doc.authorization_servers {
        let loopback_http = server.starts_with("http://") && is_loopback(server);
        if !(server.starts_with("https://") || loopback_http) {
            broken(
                "security.auth-https-endpoints",
                format!("the authorization server {server:?} is not an https:// URL"),
            );
        }
    }
    for scope in &doc.scopes_supported {
        if OMNIBUS_SCOPES.contains(&scope.to_ascii_lowercase().as_str()) || scope.ends_with(":*") {
            out.push(Problem {
                weight: Weight::Advice,
                rule: "security.auth-scope-minimization",
                text: format!("`scopes_supported` lists the omnibus scope {scope:?}"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn well_known_urls_insert_the_path_after_the_origin() {
        assert_eq!(
            well_known_urls("http://127.0.0.1:3000/mcp"),
            [
                "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp",
                "http://127.0.0.1:3000/.well-known/oauth-protected-resource"
            ]
        );
        assert_eq!(
            well_known_urls("https://example.com/"),
            ["https://example.com/.well-known/oauth-protected-resource"]
        );
        assert!(well_known_urls("not a url").is_empty());
    }

    #[test]
    fn canonical_uris_compare_without_case_default_port_or_trailing_slash() {
        assert_eq!(canonical("HTTPS://MCP.Example.com:443/mcp/"), "https://mcp.example.com/mcp");
        assert_eq!(canonical("https://mcp.example.com#x"), "https://mcp.example.com");
        assert_ne!(canonical("https://mcp.example.com/a"), canonical("https://mcp.example.com/b"));
    }

    #[test]
    fn a_good_document_has_no_problem() {
        let doc = ResourceMetadata::from_json(&json!({
            "resource": "http://127.0.0.1:3000/mcp",
            "authorization_servers": ["https://auth.example.test"],
            "scopes_supported": ["mcp:read", "mcp:write"],
            "bearer_methods_supported": ["header"]
        }))
        .unwrap();
        assert_eq!(problems(&doc, "http://127.0.0.1:3000/mcp"), vec![]);
    }

    #[test]
    fn each_problem_is_named_with_its_weight() {
        let doc = ResourceMetadata::from_json(&json!({
            "resource": "http://127.0.0.1:3000/other",
            "authorization_servers": ["http://auth.example.test", "http://localhost:9000"],
            "scopes_supported": ["mcp:read", "*", "admin:*"]
        }))
        .unwrap();
        let p = problems(&doc, "http://127.0.0.1:3000/mcp");
        let broken: Vec<&str> = p.iter().filter(|p| p.weight == Weight::Broken).map(|p| p.text.as_str()).collect();
        assert_eq!(broken.len(), 2, "{p:?}");
        assert!(broken[0].contains("`resource`") && broken[1].contains("http://auth.example.test"));
        assert_eq!(p.iter().filter(|p| p.weight == Weight::Advice).count(), 2);
        assert_eq!(p[1].rule, "security.auth-https-endpoints");
        let empty = ResourceMetadata::from_json(&json!({"resource": "http://127.0.0.1:3000/mcp"})).unwrap();
        assert!(problems(&empty, "http://127.0.0.1:3000/mcp")[0].text.contains("authorization_servers"));
        assert!(ResourceMetadata::from_json(&json!([1])).is_none());
    }
}
