//! Discovery: the target's protected-resource metadata (RFC 9728), then its authorization server's metadata
//! (RFC 8414, OpenID Connect Discovery as the fallback).

use serde::Deserialize;
use url::Url;

use super::OAuthError;
use super::fetch::{Fetched, Fetcher};
use super::url_policy::shown;

/// What discovery found: where to ask for tokens and for which resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Discovered {
    /// The protected resource's identifier (the RFC 8707 `resource` parameter).
    pub(crate) resource: String,
    /// The authorization server's issuer.
    pub(crate) issuer: String,
    /// Its token endpoint.
    pub(crate) token_endpoint: String,
    /// `token_endpoint_auth_methods_supported`, when published.
    pub(crate) auth_methods: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct ResourceMetadata {
    resource: String,
    #[serde(default)]
    authorization_servers: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ServerMetadata {
    issuer: String,
    token_endpoint: Option<String>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// The `resource_metadata` parameter of a `Bearer` challenge in a `WWW-Authenticate` value, if any.
pub(crate) fn resource_metadata_param(challenge: &str) -> Option<String> {
    let lower = challenge.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("resource_metadata") {
        let start = from + found;
        from = start + "resource_metadata".len();
        let before_ok = start == 0 || matches!(lower.as_bytes()[start - 1], b' ' | b',' | b'\t');
        let rest = challenge[from..].trim_start();
        let Some(value) = rest.strip_prefix('=') else { continue };
        if !before_ok {
            continue;
        }
        let value = value.trim_start();
        let parsed = match value.strip_prefix('"') {
            Some(quoted) => quoted.split('"').next().unwrap_or_default(),
            None => value.split([',', ' ']).next().unwrap_or_default(),
        };
        if !parsed.is_empty() {
            return Some(parsed.to_owned());
        }
    }
    None
}

/// The well-known protected-resource metadata URLs of `target`: with its path first, then at the root.
pub(crate) fn resource_metadata_urls(target: &Url) -> Vec<String> {
    well_known(target, "oauth-protected-resource")
}

/// `<origin>/.well-known/<name><path>` then `<origin>/.well-known/<name>` (RFC 9728 §3.1, RFC 8414 §3.1).
fn well_known(base: &Url, name: &str) -> Vec<String> {
    let origin = base.origin().ascii_serialization();
    let path = base.path().trim_end_matches('/');
    let mut urls = Vec::new();
    if !path.is_empty() {
        urls.push(format!("{origin}/.well-known/{name}{path}"));
    }
    urls.push(format!("{origin}/.well-known/{name}"));
    urls
}

/// Runs discovery for `target`, starting from the challenge's `resource_metadata` URL when there is one.
pub(crate) async fn discover(
    fetcher: &Fetcher,
    target: &Url,
    challenge: Option<&str>,
) -> Result<Discovered, OAuthError> {
    let candidates = match challenge.and_then(resource_metadata_param) {
        Some(url) => vec![url],
        None => resource_metadata_urls(target),
    };
    let mut tried = Vec::new();
    let mut found = None;
    for url in &candidates {
        let fetched = fetcher.get(url).await?;
        match parse_json::<ResourceMetadata>(&fetched, url) {
            Ok(doc) => {
                found = Some((url.clone(), doc));
                break;
            }
            Err(reason) => tried.push(format!("{} ({reason})", shown(url))),
        }
    }
    let Some((prm_url, prm)) = found else {
        return Err(OAuthError::NoResourceMetadata { target: shown(target.as_str()), tried: tried.join(", ") });
    };
    let invalid = |reason: String| OAuthError::InvalidMetadata { url: shown(&prm_url), reason };
    let resource = Url::parse(&prm.resource).map_err(|e| invalid(format!("`resource` is not a URL ({e})")))?;
    if resource.origin() != target.origin() {
        return Err(invalid(format!(
            "`resource` {} is not on the target's origin {}",
            shown(resource.as_str()),
            target.origin().ascii_serialization()
        )));
    }
    let Some(issuer) = prm.authorization_servers.first() else {
        return Err(invalid("`authorization_servers` is empty".to_owned()));
    };
    let server = server_metadata(fetcher, issuer).await?;
    let Some(token_endpoint) = server.token_endpoint else {
        return Err(OAuthError::InvalidMetadata {
            url: shown(issuer),
            reason: "the authorization server publishes no `token_endpoint`".to_owned(),
        });
    };
    Ok(Discovered {
        resource: prm.resource,
        issuer: server.issuer,
        token_endpoint,
        auth_methods: server.token_endpoint_auth_methods_supported,
    })
}

/// The authorization server's metadata: RFC 8414 URLs first, then OpenID Connect Discovery's; `issuer` must be the
/// server's identifier (RFC 8414 §3.3).
async fn server_metadata(fetcher: &Fetcher, issuer: &str) -> Result<ServerMetadata, OAuthError> {
    let refused = |reason: String| OAuthError::InvalidMetadata { url: shown(issuer), reason };
    let base = Url::parse(issuer).map_err(|e| refused(format!("the authorization server is not a URL ({e})")))?;
    let mut candidates = well_known(&base, "oauth-authorization-server");
    candidates.extend(well_known(&base, "openid-configuration"));
    let path = base.path().trim_end_matches('/');
    if !path.is_empty() {
        candidates.push(format!("{}{path}/.well-known/openid-configuration", base.origin().ascii_serialization()));
    }
    let mut tried = Vec::new();
    for url in &candidates {
        let fetched = fetcher.get(url).await?;
        match parse_json::<ServerMetadata>(&fetched, url) {
            Ok(doc) => {
                if doc.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
                    return Err(OAuthError::InvalidMetadata {
                        url: shown(url),
                        reason: format!(
                            "`issuer` {} is not the authorization server {}",
                            shown(&doc.issuer),
                            shown(issuer)
                        ),
                    });
                }
                return Ok(doc);
            }
            Err(reason) => tried.push(format!("{} ({reason})", shown(url))),
        }
    }
    Err(OAuthError::NoServerMetadata { issuer: shown(issuer), tried: tried.join(", ") })
}

/// A 200 JSON document of type `T`, or why not.
fn parse_json<T: for<'de> Deserialize<'de>>(fetched: &Fetched, _url: &str) -> Result<T, String> {
    if fetched.status != 200 {
        return Err(format!("HTTP {}", fetched.status));
    }
    serde_json::from_slice(&fetched.body).map_err(|e| format!("not the expected JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_yield_their_resource_metadata_url() {
        let url = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
        assert_eq!(resource_metadata_param(&format!(r#"Bearer resource_metadata="{url}""#)).as_deref(), Some(url));
        assert_eq!(
            resource_metadata_param(&format!(
                r#"Bearer realm="x", error="invalid_token", RESOURCE_METADATA = "{url}""#
            ))
            .as_deref(),
            Some(url)
        );
        assert_eq!(resource_metadata_param(&format!("Bearer resource_metadata={url}, scope=a")).as_deref(), Some(url));
        assert_eq!(resource_metadata_param("Bearer realm=\"x\""), None);
        assert_eq!(resource_metadata_param("Bearer xresource_metadata=\"u\""), None);
    }

    #[test]
    fn well_known_urls_insert_before_the_path() {
        let target = Url::parse("https://h:8443/api/mcp?x=1").unwrap();
        assert_eq!(
            resource_metadata_urls(&target),
            [
                "https://h:8443/.well-known/oauth-protected-resource/api/mcp",
                "https://h:8443/.well-known/oauth-protected-resource"
            ]
        );
        assert_eq!(
            well_known(&Url::parse("https://as.example/").unwrap(), "oauth-authorization-server"),
            ["https://as.example/.well-known/oauth-authorization-server"]
        );
    }
}
