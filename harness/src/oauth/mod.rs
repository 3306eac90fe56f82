//! An OAuth 2.1 client for remote targets: on a `401`, discover the target's protected-resource metadata (RFC 9728,
//! from the challenge's `resource_metadata` or the well-known URLs), its authorization server's metadata (RFC 8414,
//! OpenID Connect Discovery as fallback), then run a client-credentials grant with the RFC 8707 `resource`
//! parameter. The token is cached and shared by every connection of the run, renewed before it expires (with the
//! refresh token when one was issued, else a new grant) and once more when the target rejects it.
//!
//! Safety (security-checks.md §4.5): only `https://` URLs to public addresses are followed (loopback, also over
//! `http://`, only when the target itself is on loopback), every response is capped and every request bounded in
//! time, the client secret and the tokens never appear in a message, a `Debug` output or the transcript (the
//! transcript masks them as secrets). A failed flow is remembered: the run reports it once, as "could not test".

mod discovery;
mod error;
mod fetch;
mod grant;
mod url_policy;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use url::Url;

pub use error::OAuthError;

use self::discovery::Discovered;
use self::fetch::Fetcher;
use self::grant::{Grant, Token};
use self::url_policy::UrlPolicy;
use crate::wire::Transcript;
use crate::wire::tls::TlsOptions;

/// The client's registration at the authorization server. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    /// `client_id` (`--oauth-client-id`).
    pub client_id: String,
    /// `client_secret` (from the variable `--oauth-client-secret-env` names).
    pub client_secret: String,
    /// `scope` to ask for (`--oauth-scope`), when any.
    pub scope: Option<String>,
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("scope", &self.scope)
            .finish()
    }
}

/// The OAuth client of one target. Clones share the discovery, the token and a failure.
#[derive(Clone)]
pub struct OAuthClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: OAuthConfig,
    tls: TlsOptions,
    state: tokio::sync::Mutex<State>,
    grants: AtomicU32,
    /// The current token was granted because the target rejected the previous one, and the target has not
    /// accepted it yet: one more rejection means the grants do not work for this target.
    regranted_after_401: AtomicBool,
}

#[derive(Default)]
struct State {
    found: Option<Discovered>,
    token: Option<Token>,
    failure: Option<OAuthError>,
}

impl PartialEq for OAuthClient {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for OAuthClient {}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// A client registered as `config`, verifying TLS like the target's connections (`tls`).
    pub fn new(config: OAuthConfig, tls: TlsOptions) -> Self {
        OAuthClient {
            inner: Arc::new(Inner {
                config,
                tls,
                state: tokio::sync::Mutex::new(State::default()),
                grants: AtomicU32::new(0),
                regranted_after_401: AtomicBool::new(false),
            }),
        }
    }

    /// The client's registration (secret included: for callers that mask it).
    pub fn config(&self) -> &OAuthConfig {
        &self.inner.config
    }

    /// How many tokens were granted so far (client-credentials and refresh grants).
    pub fn grants(&self) -> u32 {
        self.inner.grants.load(Ordering::Relaxed)
    }

    /// A line for the report: the flow and the client id, no secret.
    pub fn describe(&self) -> String {
        let c = &self.inner.config;
        let scope = c.scope.as_deref().map(|s| format!(", scope `{s}`")).unwrap_or_default();
        format!("auth: OAuth 2.1 client credentials (client id `{}`{scope}), discovered on the first 401", c.client_id)
    }

    /// The token to send now: the cached one, renewed first when it is about to expire. `None` before the first
    /// `401` started discovery. A failed flow keeps failing with the same error.
    pub async fn token(&self, target: &Url, transcript: &Transcript) -> Result<Option<String>, OAuthError> {
        let mut state = self.inner.state.lock().await;
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        match &state.token {
            Some(token) if token.is_fresh() => Ok(Some(token.access.clone())),
            Some(_) => self.renew(&mut state, target, None, transcript).await.map(Some),
            None => Ok(None),
        }
    }

    /// Called when the target answered `401` to a request sent with `rejected` (or with no token): discovers
    /// (from `challenge`, the `WWW-Authenticate` value, when given), grants, and returns the token to retry with.
    pub async fn authorize(
        &self,
        target: &Url,
        challenge: Option<&str>,
        rejected: Option<&str>,
        transcript: &Transcript,
    ) -> Result<String, OAuthError> {
        let mut state = self.inner.state.lock().await;
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        if let Some(token) = &state.token
            && token.is_fresh()
            && rejected != Some(token.access.as_str())
        {
            // Another connection renewed it meanwhile.
            return Ok(token.access.clone());
        }
        if rejected.is_some() && self.inner.regranted_after_401.load(Ordering::Relaxed) {
            let url = state.found.as_ref().map(|f| f.token_endpoint.clone()).unwrap_or_default();
            let e = OAuthError::TokenRejected { url: url_policy::shown(&url) };
            state.failure = Some(e.clone());
            return Err(e);
        }
        let token = self.renew(&mut state, target, challenge, transcript).await?;
        self.inner.regranted_after_401.store(rejected.is_some(), Ordering::Relaxed);
        Ok(token)
    }

    /// The target answered a request that carried the current token with something else than `401`.
    pub fn accepted(&self) {
        self.inner.regranted_after_401.store(false, Ordering::Relaxed);
    }

    /// Discovers when not done yet, then grants (a refresh grant first when a refresh token is held); records a
    /// failure for good.
    async fn renew(
        &self,
        state: &mut State,
        target: &Url,
        challenge: Option<&str>,
        transcript: &Transcript,
    ) -> Result<String, OAuthError> {
        let result = self.renew_inner(state, target, challenge, transcript).await;
        match result {
            Ok(token) => Ok(token),
            Err(e) => {
                transcript.note(&format!("oauth: {e}"));
                state.failure = Some(e.clone());
                Err(e)
            }
        }
    }

    async fn renew_inner(
        &self,
        state: &mut State,
        target: &Url,
        challenge: Option<&str>,
        transcript: &Transcript,
    ) -> Result<String, OAuthError> {
        let config = &self.inner.config;
        transcript.add_secret(&config.client_secret);
        let fetcher = Fetcher::new(&self.inner.tls, UrlPolicy::for_target(target))?;
        let found = match &state.found {
            Some(found) => found.clone(),
            None => {
                let found = discovery::discover(&fetcher, target, challenge).await?;
                transcript.note(&format!(
                    "oauth: resource {} is protected by {} (token endpoint {})",
                    found.resource, found.issuer, found.token_endpoint
                ));
                state.found = Some(found.clone());
                found
            }
        };
        let refreshed = match state.token.as_ref().and_then(|t| t.refresh.clone()) {
            Some(refresh) => {
                transcript.add_secret(&refresh);
                grant::request(&fetcher, &found, config, Grant::Refresh(&refresh)).await.ok()
            }
            None => None,
        };
        let (token, how) = match refreshed {
            Some(t) => (t, "refresh-token"),
            None => (grant::request(&fetcher, &found, config, Grant::ClientCredentials).await?, "client-credentials"),
        };
        transcript.add_secret(&token.access);
        if let Some(r) = &token.refresh {
            transcript.add_secret(r);
        }
        self.inner.grants.fetch_add(1, Ordering::Relaxed);
        transcript.note(&format!("oauth: {how} grant from {} for resource {}", found.token_endpoint, found.resource));
        let access = token.access.clone();
        state.token = Some(token);
        Ok(access)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use wiremock::matchers::{body_string_contains, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::wire::Limits;

    fn client() -> OAuthClient {
        let config = OAuthConfig { client_id: "id:1".into(), client_secret: "p@ss".into(), scope: Some("a b".into()) };
        OAuthClient::new(config, TlsOptions::default())
    }

    /// No challenge: the well-known resource metadata at the root; the server's metadata only at OpenID's URL; no
    /// auth-method list, so `client_secret_basic` with form-encoded id and secret.
    #[tokio::test]
    async fn without_a_challenge_well_known_urls_and_the_openid_fallback_are_used() {
        let server = MockServer::start().await;
        let base = server.uri();
        let json = |v: serde_json::Value| ResponseTemplate::new(200).set_body_json(v);
        Mock::given(path("/.well-known/oauth-protected-resource"))
            .respond_with(json(serde_json::json!({"resource": format!("{base}/mcp"), "authorization_servers": [base]})))
            .mount(&server)
            .await;
        Mock::given(path("/.well-known/openid-configuration"))
            .respond_with(json(serde_json::json!({"issuer": base, "token_endpoint": format!("{base}/token")})))
            .mount(&server)
            .await;
        let basic = base64::engine::general_purpose::STANDARD.encode("id%3A1:p%40ss");
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(header("authorization", format!("Basic {basic}").as_str()))
            .and(body_string_contains("grant_type=client_credentials"))
            .and(body_string_contains(
                format!(
                    "resource={}",
                    url::form_urlencoded::byte_serialize(format!("{base}/mcp").as_bytes()).collect::<String>()
                )
                .as_str(),
            ))
            .and(body_string_contains("scope=a+b"))
            .respond_with(json(serde_json::json!({"access_token": "T0K", "token_type": "bearer", "expires_in": 3600})))
            .expect(1)
            .mount(&server)
            .await;
        let transcript = Transcript::new(&Limits::default());
        let target = Url::parse(&format!("{base}/mcp")).unwrap();
        let oauth = client();
        assert_eq!(oauth.token(&target, &transcript).await.unwrap(), None, "nothing before the first 401");
        assert_eq!(oauth.authorize(&target, None, None, &transcript).await.unwrap(), "T0K");
        assert_eq!(oauth.token(&target, &transcript).await.unwrap().as_deref(), Some("T0K"));
        let tried: Vec<String> =
            server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_owned()).collect();
        assert_eq!(
            tried,
            [
                "/.well-known/oauth-protected-resource/mcp",
                "/.well-known/oauth-protected-resource",
                "/.well-known/oauth-authorization-server",
                "/.well-known/openid-configuration",
                "/token"
            ]
        );
        assert!(!format!("{oauth:?}").contains("p@ss"));
    }

    #[tokio::test]
    async fn a_refused_grant_and_a_foreign_resource_are_one_line_errors_without_the_secret() {
        let server = MockServer::start().await;
        let base = server.uri();
        let json = |v: serde_json::Value| ResponseTemplate::new(200).set_body_json(v);
        Mock::given(path("/.well-known/oauth-protected-resource/mcp"))
            .respond_with(json(serde_json::json!({"resource": format!("{base}/mcp"), "authorization_servers": [base]})))
            .mount(&server)
            .await;
        Mock::given(path("/.well-known/oauth-authorization-server"))
            .respond_with(json(serde_json::json!({"issuer": base, "token_endpoint": format!("{base}/token")})))
            .mount(&server)
            .await;
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(401).set_body_json(
                serde_json::json!({"error": "invalid_client", "error_description": "bad secret p@ss\nfor id:1"}),
            ))
            .mount(&server)
            .await;
        let transcript = Transcript::new(&Limits::default());
        let target = Url::parse(&format!("{base}/mcp")).unwrap();
        let err = client().authorize(&target, None, None, &transcript).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, OAuthError::Refused { status: 401, .. }), "{text}");
        assert!(text.contains("invalid_client (bad secret *** for id:1)") && !text.contains('\n'), "{text}");

        let foreign = format!(r#"Bearer resource_metadata="{base}/elsewhere""#);
        Mock::given(path("/elsewhere"))
            .respond_with(json(
                serde_json::json!({"resource": "https://other.example/mcp", "authorization_servers": [base]}),
            ))
            .mount(&server)
            .await;
        let err = client().authorize(&target, Some(&foreign), None, &transcript).await.unwrap_err();
        assert!(err.to_string().contains("is not on the target's origin"), "{err}");
    }
}
