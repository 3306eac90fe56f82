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
use std::sync::atomic::{AtomicU32, Ordering};

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
}

#[derive(Default)]
struct State {
    found: Option<Discovered>,
    token: Option<Token>,
    /// The token was granted because the target rejected the previous one.
    after_rejection: bool,
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
        if rejected.is_some() && state.after_rejection {
            let url = state.found.as_ref().map(|f| f.token_endpoint.clone()).unwrap_or_default();
            let e = OAuthError::TokenRejected { url: url_policy::shown(&url) };
            state.failure = Some(e.clone());
            return Err(e);
        }
        let token = self.renew(&mut state, target, challenge, transcript).await?;
        state.after_rejection = rejected.is_some();
        Ok(token)
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
