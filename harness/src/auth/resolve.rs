//! What a run knows about the target's authorization before its checks start: the operator's key and tokens
//! ([`AuthOptions`]), the target's protected resource metadata, and the tokens minted from them ([`RunAuth`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::SigningKey;
use super::prm::{self, ResourceMetadata};
use super::token::{self, Forged, Grant};
use crate::runner::SecretToken;
use crate::wire::{HttpRequest, HttpTarget, HttpWire, Limits, ReplyBody, Transcript};

/// The operator's authorization material (`--auth-signing-key`, `--auth-issuer`, the `--*-token-env` flags).
#[derive(Debug, Clone, Default)]
pub struct AuthOptions {
    /// The key the target trusts (its public half is in the target's JWKS): the run mints its tokens with it.
    pub signing_key: Option<Arc<SigningKey>>,
    /// The `iss` of minted tokens; default: the first `authorization_servers` entry of the target's metadata.
    pub issuer: Option<String>,
    /// The `aud` of minted tokens; default: the metadata's `resource`, else the target URL.
    pub audience: Option<String>,
    /// An expired token of the target's authorization server (`--expired-token-env`).
    pub expired_token: Option<SecretToken>,
    /// A token of the same authorization server for another resource (`--wrong-audience-token-env`).
    pub wrong_audience_token: Option<SecretToken>,
    /// A valid token lacking the scopes MCP requests need (`--low-scope-token-env`).
    pub low_scope_token: Option<SecretToken>,
}

impl AuthOptions {
    /// Whether the operator gave any authorization material.
    pub fn any(&self) -> bool {
        self.signing_key.is_some()
            || self.expired_token.is_some()
            || self.wrong_audience_token.is_some()
            || self.low_scope_token.is_some()
    }
}

/// Where a token came from, for evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// Minted by the harness with `--auth-signing-key`.
    Minted,
    /// Given by the operator through an environment variable.
    Operator,
}

/// The authorization material of one run, resolved once the target is reachable. Its `Debug` output names the
/// tokens it holds, never their values.
#[derive(Clone, Default)]
pub struct RunAuth {
    /// Whether the run declares that the target requires authorization (a bearer token, a key or a test token).
    pub declared: bool,
    /// Whether the run declares the target an OAuth resource server outright: a signing key or a test token was
    /// given (a bearer token alone may be one the target does not need).
    pub oauth_declared: bool,
    /// What the tokens were minted for (with a key).
    pub grant: Option<Grant>,
    /// The run's token was minted by the harness (no `--bearer-env`).
    pub run_token_minted: bool,
    /// The target's metadata and where it was read, if the harness read it.
    pub metadata: Option<(String, ResourceMetadata)>,
    /// Why minting was impossible, if it was.
    pub problem: Option<String>,
    minted: HashMap<Forged, String>,
    operator: HashMap<Forged, String>,
}

impl std::fmt::Debug for RunAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunAuth")
            .field("declared", &self.declared)
            .field("oauth_declared", &self.oauth_declared)
            .field("grant", &self.grant)
            .field("run_token_minted", &self.run_token_minted)
            .field("metadata", &self.metadata)
            .field("problem", &self.problem)
            .field("minted", &self.minted.keys().collect::<Vec<_>>())
            .field("operator", &self.operator.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RunAuth {
    /// The token for `forged`: minted when the run has a key, else the operator's (for the variants that have a
    /// flag: expired, wrong audience, no scope).
    pub fn token(&self, forged: Forged) -> Option<(&str, TokenSource)> {
        if let Some(t) = self.minted.get(&forged) {
            return Some((t, TokenSource::Minted));
        }
        self.operator.get(&forged).map(|t| (t.as_str(), TokenSource::Operator))
    }

    /// Resolves the run's authorization: with a signing key and an HTTP target, reads the target's metadata (GET
    /// of the well-known URLs, without a token), mints the run's token (set as `target`'s bearer token when none
    /// was given) and the forged variants. Every token is registered with `transcript` as a secret.
    pub async fn resolve(
        options: &AuthOptions,
        target: Option<&mut HttpTarget>,
        limits: &Limits,
        transcript: &Transcript,
        timeout: Duration,
    ) -> RunAuth {
        let mut auth = RunAuth::default();
        for (forged, token) in [
            (Forged::Expired, &options.expired_token),
            (Forged::WrongAudience, &options.wrong_audience_token),
            (Forged::NoScope, &options.low_scope_token),
        ] {
            if let Some(SecretToken(t)) = token {
                transcript.add_secret(t);
                auth.operator.insert(forged, t.clone());
            }
        }
        auth.oauth_declared = options.any();
        let Some(target) = target else {
            auth.declared = options.any();
            return auth;
        };
        auth.declared = options.any() || target.bearer_token.is_some();
        let Some(key) = &options.signing_key else { return auth };
        auth.metadata = read_metadata(target, limits, transcript, timeout).await;
        let meta = auth.metadata.as_ref().map(|(_, m)| m);
        let issuer = options.issuer.clone().or_else(|| meta.and_then(|m| m.authorization_servers.first().cloned()));
        let Some(issuer) = issuer else {
            auth.problem = Some(
                "no issuer to mint tokens with: the target publishes no protected resource metadata naming an \
                 authorization server; give --auth-issuer ISS"
                    .to_owned(),
            );
            return auth;
        };
        let audience = options
            .audience
            .clone()
            .or_else(|| meta.and_then(|m| m.resource.clone()))
            .unwrap_or_else(|| prm::canonical(&target.url));
        let scopes = meta.map(|m| m.scopes_supported.clone()).unwrap_or_default();
        let grant = Grant { issuer, audience, scopes };
        match mint_all(key, &grant) {
            Ok((run, minted)) => {
                transcript.add_secret(&run);
                for t in minted.values() {
                    transcript.add_secret(t);
                }
                if target.bearer_token.is_none() {
                    target.bearer_token = Some(run);
                    auth.run_token_minted = true;
                }
                auth.minted = minted;
                auth.grant = Some(grant);
            }
            Err(e) => auth.problem = Some(e.to_string()),
        }
        auth
    }
}

/// The run token and every forged variant.
fn mint_all(key: &SigningKey, grant: &Grant) -> Result<(String, HashMap<Forged, String>), super::AuthError> {
    let run = token::sign(key, &grant.claims())?;
    let mut minted = HashMap::new();
    for forged in [
        Forged::Expired,
        Forged::NotYetValid,
        Forged::WrongAudience,
        Forged::NoScope,
        Forged::BadSignature,
        Forged::AlgNone,
    ] {
        minted.insert(forged, token::forge(key, grant, forged)?);
    }
    Ok((run, minted))
}

/// The first protected resource metadata document the well-known URLs of `target` serve (200 and a JSON object).
async fn read_metadata(
    target: &HttpTarget,
    limits: &Limits,
    transcript: &Transcript,
    timeout: Duration,
) -> Option<(String, ResourceMetadata)> {
    for url in prm::well_known_urls(&target.url) {
        if let Some(doc) = fetch_metadata(&url, target, limits, transcript, timeout).await {
            return Some((url, doc));
        }
    }
    None
}

/// GET `url` (same origin as the target, without a token) and read it as a metadata document.
pub(crate) async fn fetch_metadata(
    url: &str,
    target: &HttpTarget,
    limits: &Limits,
    transcript: &Transcript,
    timeout: Duration,
) -> Option<ResourceMetadata> {
    let wire = metadata_wire(url, target, limits, transcript)?;
    let reply = wire.send(HttpRequest::get().header("accept", "application/json"), timeout).await.ok()?;
    match (reply.status, reply.body) {
        (200, ReplyBody::Json(v)) => ResourceMetadata::from_json(&v),
        _ => None,
    }
}

/// A wire to `url` with the target's headers and no token.
pub(crate) fn metadata_wire(
    url: &str,
    target: &HttpTarget,
    limits: &Limits,
    transcript: &Transcript,
) -> Option<HttpWire> {
    // The target's TLS settings (its --ca-cert reaches its own metadata); never the OAuth client: these probes are
    // the unauthenticated ones.
    let t = HttpTarget {
        url: url.to_owned(),
        headers: target.headers.clone(),
        bearer_token: None,
        tls: target.tls.clone(),
        oauth: None,
    };
    HttpWire::new(t, limits, transcript.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_names_tokens_without_their_values() {
        let mut auth = RunAuth::default();
        auth.minted.insert(Forged::Expired, "eyJ-secret-minted".into());
        auth.operator.insert(Forged::NoScope, "operator-secret".into());
        let shown = format!("{auth:?}");
        assert!(shown.contains("Expired") && shown.contains("NoScope"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(auth.token(Forged::Expired), Some(("eyJ-secret-minted", TokenSource::Minted)));
        assert_eq!(auth.token(Forged::NoScope), Some(("operator-secret", TokenSource::Operator)));
        assert_eq!(auth.token(Forged::AlgNone), None);
    }

    #[tokio::test]
    async fn a_key_without_an_issuer_is_a_problem_not_a_token() {
        let options = AuthOptions {
            signing_key: Some(Arc::new(super::super::token::tests::test_key())),
            ..AuthOptions::default()
        };
        // Nothing listens on port 1: no metadata, so no issuer.
        let mut target = HttpTarget::new("http://127.0.0.1:1/mcp");
        let limits = Limits::default();
        let transcript = Transcript::new(&limits);
        let auth = RunAuth::resolve(&options, Some(&mut target), &limits, &transcript, Duration::from_secs(2)).await;
        assert!(auth.declared);
        assert!(auth.problem.as_deref().is_some_and(|p| p.contains("--auth-issuer")), "{auth:?}");
        assert!(target.bearer_token.is_none());
    }

    #[tokio::test]
    async fn with_an_issuer_the_run_token_is_minted_set_and_registered_as_a_secret() {
        let options = AuthOptions {
            signing_key: Some(Arc::new(super::super::token::tests::test_key())),
            issuer: Some("https://auth.example.test".into()),
            ..AuthOptions::default()
        };
        let mut target = HttpTarget::new("http://127.0.0.1:1/mcp");
        let limits = Limits::default();
        let transcript = Transcript::new(&limits);
        let auth = RunAuth::resolve(&options, Some(&mut target), &limits, &transcript, Duration::from_secs(2)).await;
        let run = target.bearer_token.clone().expect("the run token is the target's bearer token");
        assert!(auth.run_token_minted);
        assert_eq!(auth.grant.as_ref().map(|g| g.audience.as_str()), Some("http://127.0.0.1:1/mcp"));
        assert_eq!(transcript.redact(&format!("a {run} b")), "a *** b");
        let (forged, _) = auth.token(Forged::WrongAudience).unwrap();
        assert_eq!(transcript.redact(forged), "***");
    }
}
