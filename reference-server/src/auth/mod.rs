//! OAuth 2.1 resource server: bearer-token authorization of the HTTP transport (`--auth-jwks`, off by default).
//!
//! * **Tokens** are RS256 JWTs verified with the JWKS ([`jwks`]): `iss` must be `--auth-issuer`, `aud` (a string
//!   or an array) must contain the resource URI (`--auth-resource`, default `http://<bound address>/mcp`), `exp`
//!   is required and `nbf` honoured, both with [`LEEWAY_SECS`](token::LEEWAY_SECS) of clock skew ([`token`]).
//! * **Scopes** ([`scope`]): `mcp:read` for every MCP request, plus `mcp:write` for `tools/call` of a tool whose
//!   annotations do not say `readOnlyHint: true`, and `mcp:admin` for revocation. A token's `roles` grant scopes
//!   too (`reader`, `writer`, `admin`).
//! * **Refusals** ([`challenge`]) carry `WWW-Authenticate: Bearer …, resource_metadata="…"` pointing at the
//!   protected resource metadata ([`metadata`], RFC 9728).
//! * **Sessions** ([`sessions`]) belong to the principal (`iss` + `sub`) whose token created them.
//! * **Revocation** ([`revocation`]): a denylist consulted on every request, in Redis with `--redis-url`.
//!
//! The token is only read here: the `Authorization` header is removed before the request reaches the MCP service,
//! and tokens are never logged.

mod challenge;
mod jwks;
mod metadata;
mod revocation;
mod scope;
mod sessions;
mod token;

use std::{collections::HashSet, net::SocketAddr};

use axum::http::{HeaderMap, Uri, header};
use serde::Deserialize;

pub(crate) use challenge::{BodyShape, Refusal};
pub(crate) use metadata::metadata_paths;
pub(crate) use scope::{Scope, Scopes};
pub(crate) use sessions::SessionOwners;
pub(crate) use token::Principal;

use self::{jwks::KeySet, revocation::Denylist, token::Validator};
use crate::{cli::Cli, error::StartupError, server::redis_config, tools::Catalog};

/// The authorization layer of the HTTP transport.
pub(crate) struct Auth {
    validator: Validator,
    denylist: Denylist,
    issuer: String,
    resource: String,
    metadata_url: String,
    /// Tools annotated `readOnlyHint: true`: callable with `mcp:read` alone.
    read_only_tools: HashSet<String>,
    /// Which principal owns each legacy session.
    pub(crate) sessions: SessionOwners,
}

impl Auth {
    /// The layer configured by `--auth-*`, or `None` when authorization is off. `local` is the bound address (the
    /// default resource URI names it).
    pub(crate) async fn from_cli(
        cli: &Cli,
        local: SocketAddr,
        catalog: &Catalog,
    ) -> Result<Option<Self>, StartupError> {
        let Some(jwks) = cli.auth_jwks.as_deref() else {
            return Ok(None);
        };
        let issuer = cli
            .auth_issuer
            .clone()
            .filter(|i| !i.is_empty())
            .ok_or_else(|| StartupError::Config("--auth-jwks needs --auth-issuer".into()))?;
        let resource = resource_of(cli, local);
        let metadata_url = metadata::metadata_url(&resource)?;
        let keys = KeySet::load(jwks).await.map_err(|error| StartupError::Config(format!("--auth-jwks: {error}")))?;
        let denylist = match cli.redis_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Denylist::redis(&redis_config(cli, url))?,
            None => Denylist::memory(),
        };
        tracing::info!(%issuer, %resource, revocations = denylist.kind(), "OAuth bearer-token authorization is on");
        Ok(Some(Self {
            validator: Validator::new(keys, &issuer, &resource),
            denylist,
            issuer,
            resource,
            metadata_url,
            read_only_tools: catalog.read_only_names(),
            sessions: SessionOwners::default(),
        }))
    }

    /// The protected resource metadata URL, for challenges.
    pub(crate) fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The principal of the request's bearer token: checks where the token is, the token, and the denylist.
    pub(crate) async fn authenticate(&self, headers: &HeaderMap, uri: &Uri) -> Result<Principal, Refusal> {
        if uri.query().is_some_and(has_access_token) {
            return Err(Refusal::TokenInQuery);
        }
        let token = bearer_token(headers)?;
        let principal = self.validator.validate(&token).await.map_err(Refusal::InvalidToken)?;
        match self.denylist.is_revoked(&principal.revocation_key).await {
            Ok(false) => Ok(principal),
            Ok(true) => Err(Refusal::InvalidToken(token::TokenError::Revoked)),
            Err(error) => {
                tracing::warn!(%error, "refusing a request: cannot check whether its token is revoked");
                Err(Refusal::Unavailable)
            }
        }
    }

    /// Revokes `token` (RFC 7009: a token that is not valid here needs no revocation and is not an error).
    pub(crate) async fn revoke(&self, token: &str) -> Result<(), Refusal> {
        let Ok(principal) = self.validator.validate(token).await else {
            return Ok(());
        };
        self.denylist.revoke(&principal.revocation_key, principal.expires_at).await.map_err(|error| {
            tracing::warn!(%error, "cannot record a revocation");
            Refusal::Unavailable
        })
    }

    /// The scopes an MCP request needs: `mcp:read`, plus `mcp:write` for calling a tool not annotated read-only.
    pub(crate) fn scopes_for(&self, method: Option<&str>, body: &[u8]) -> Scopes {
        #[derive(Deserialize)]
        struct Call {
            params: Option<CallParams>,
        }
        #[derive(Deserialize)]
        struct CallParams {
            name: Option<String>,
        }
        if method == Some("tools/call") {
            let name = serde_json::from_slice::<Call>(body).ok().and_then(|c| c.params).and_then(|p| p.name);
            if !name.is_some_and(|name| self.read_only_tools.contains(&name)) {
                return Scopes::of(&[Scope::Read, Scope::Write]);
            }
        }
        Scopes::of(&[Scope::Read])
    }

    /// The protected resource metadata document.
    pub(crate) fn metadata(&self) -> serde_json::Value {
        metadata::document(&self.resource, &self.issuer)
    }
}

/// Whether a query string has an `access_token` parameter.
fn has_access_token(query: &str) -> bool {
    url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "access_token")
}

/// The token of the one `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<String, Refusal> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(Refusal::NoToken);
    };
    if values.next().is_some() {
        return Err(Refusal::SeveralAuthorizations);
    }
    let value = value.to_str().map_err(|_| Refusal::InvalidToken(token::TokenError::Malformed))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::NoToken);
    }
    let token = token.trim();
    // RFC 6750 b64token: the characters a JWT may contain.
    let well_formed = !token.is_empty()
        && token.trim_end_matches('=').bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    if !well_formed {
        return Err(Refusal::InvalidToken(token::TokenError::Malformed));
    }
    Ok(token.to_owned())
}

/// The server's canonical resource URI: `--auth-resource`, else the endpoint's own URL (`https` when it serves TLS).
pub(crate) fn resource_of(cli: &Cli, local: SocketAddr) -> String {
    let scheme = if cli.tls_cert.is_some() { "https" } else { "http" };
    cli.auth_resource.clone().unwrap_or_else(|| format!("{scheme}://{local}/mcp"))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn only_one_bearer_header_is_read() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), Err(Refusal::NoToken));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic dXNlcjpwdw=="));
        assert_eq!(bearer_token(&headers), Err(Refusal::NoToken));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer a.b.c"));
        assert_eq!(bearer_token(&headers).unwrap(), "a.b.c");
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer a b"));
        assert!(matches!(bearer_token(&headers), Err(Refusal::InvalidToken(_))));
        headers.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer x.y.z"));
        assert_eq!(bearer_token(&headers), Err(Refusal::SeveralAuthorizations));
    }

    #[test]
    fn query_tokens_are_spotted() {
        assert!(has_access_token("a=1&access_token=x"));
        assert!(has_access_token("access_token"));
        assert!(!has_access_token("token=x&access=1"));
    }
}
