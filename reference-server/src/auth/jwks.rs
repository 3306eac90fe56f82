//! The JSON Web Key Set whose RSA keys verify access tokens: a file, or an http(s) URL.
//!
//! The set is read at start-up (a failure stops the server). A token whose `kid` is not in the set makes the
//! server read the set again — the authorization server may have rotated its keys — at most once per
//! [`MIN_REFRESH_INTERVAL`], so tokens with made-up `kid`s cannot make it fetch in a loop. A failed refresh keeps
//! the keys it had. Fetches are bounded ([`FETCH_TIMEOUT`], [`MAX_JWKS_BYTES`]) and never follow redirects.
//!
//! Only RSA keys meant for signatures (`use` absent or `sig`, `alg` absent or `RS256`) are kept; other keys and
//! keys that do not parse are skipped.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use jsonwebtoken::{
    DecodingKey,
    jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse},
};
use serde_json::Value;

/// Bound of a whole JWKS fetch (connect, request, body).
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest JWKS document accepted.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Shortest time between two reads of the set prompted by unknown `kid`s.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// Why the key set could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JwksError {
    #[error("cannot read the JWKS file {path}: {source}")]
    File { path: String, source: std::io::Error },
    #[error("cannot fetch the JWKS from {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("the JWKS from {origin} is not a JSON object with a `keys` array")]
    Shape { origin: String },
    #[error("the JWKS from {origin} holds no usable RSA signing key")]
    NoKeys { origin: String },
}

/// Where the set comes from.
#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    Url { url: reqwest::Url, client: reqwest::Client },
}

impl Source {
    fn describe(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Url { url, .. } => url.to_string(),
        }
    }
}

/// The usable keys of one read of the set.
#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, Arc<DecodingKey>>,
    without_kid: Vec<Arc<DecodingKey>>,
}

impl Keys {
    fn lookup(&self, kid: Option<&str>) -> Option<Arc<DecodingKey>> {
        match kid {
            Some(kid) => self.by_kid.get(kid).cloned(),
            // A token without `kid` is only verifiable when the set has exactly one key.
            None => match (self.by_kid.len(), self.without_kid.len()) {
                (1, 0) => self.by_kid.values().next().cloned(),
                (0, 1) => self.without_kid.first().cloned(),
                _ => None,
            },
        }
    }
}

/// The verification keys, refreshed on an unknown `kid`.
pub(crate) struct KeySet {
    source: Source,
    keys: RwLock<Keys>,
    /// When the set was last read because of an unknown `kid` (one refresh at a time).
    last_refresh: tokio::sync::Mutex<Option<Instant>>,
}

impl KeySet {
    /// Reads the set from `location`: an `http://` or `https://` URL, else a file path.
    pub(crate) async fn load(location: &str) -> Result<Self, JwksError> {
        let source = match reqwest::Url::parse(location) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Source::Url { url, client: http_client()? },
            _ => Source::File(PathBuf::from(location)),
        };
        let keys = read(&source).await?;
        Ok(Self { source, keys: RwLock::new(keys), last_refresh: tokio::sync::Mutex::new(None) })
    }

    /// The key for a token's `kid`, reading the set again (rate-limited) when the `kid` is unknown.
    pub(crate) async fn key(&self, kid: Option<&str>) -> Option<Arc<DecodingKey>> {
        if let Some(key) = self.read_keys().lookup(kid) {
            return Some(key);
        }
        kid?;
        let mut last = self.last_refresh.lock().await;
        // Another request may have refreshed while this one waited.
        if let Some(key) = self.read_keys().lookup(kid) {
            return Some(key);
        }
        if last.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL) {
            return None;
        }
        *last = Some(Instant::now());
        match read(&self.source).await {
            Ok(keys) => {
                tracing::info!(source = %self.source.describe(), keys = keys.by_kid.len() + keys.without_kid.len(), "JWKS refreshed");
                *self.keys.write().unwrap_or_else(|e| e.into_inner()) = keys;
            }
            Err(error) => tracing::warn!(%error, "JWKS refresh failed; keeping the previous keys"),
        }
        self.read_keys().lookup(kid)
    }

    fn read_keys(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// A client for JWKS fetches: rustls on the ring provider, bounded, no redirects, no proxy from the environment.
fn http_client() -> Result<reqwest::Client, JwksError> {
    // Installing fails only when a provider is already installed, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|error| JwksError::Fetch { url: String::new(), reason: error.to_string() })
}

async fn read(source: &Source) -> Result<Keys, JwksError> {
    let bytes = match source {
        Source::File(path) => tokio::fs::read(path)
            .await
            .map_err(|source| JwksError::File { path: path.display().to_string(), source })?,
        Source::Url { url, client } => fetch(client, url).await?,
    };
    let origin = source.describe();
    if bytes.len() > MAX_JWKS_BYTES {
        return Err(JwksError::Shape { origin });
    }
    let keys = parse(&bytes).ok_or_else(|| JwksError::Shape { origin: origin.clone() })?;
    if keys.by_kid.is_empty() && keys.without_kid.is_empty() {
        return Err(JwksError::NoKeys { origin });
    }
    Ok(keys)
}

async fn fetch(client: &reqwest::Client, url: &reqwest::Url) -> Result<Vec<u8>, JwksError> {
    let failed = |reason: String| JwksError::Fetch { url: url.to_string(), reason };
    let read = async {
        let mut response = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP status {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| failed(e.to_string()))? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(failed(format!("the document exceeds {MAX_JWKS_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(FETCH_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| Err(failed(format!("timed out after {FETCH_TIMEOUT:?}"))))
}

/// The usable keys of a JWKS document, or `None` when it is not `{"keys": [...]}`.
fn parse(bytes: &[u8]) -> Option<Keys> {
    let document: Value = serde_json::from_slice(bytes).ok()?;
    let entries = document.get("keys")?.as_array()?;
    let mut keys = Keys::default();
    for entry in entries {
        let Ok(jwk) = serde_json::from_value::<Jwk>(entry.clone()) else {
            continue;
        };
        let signing = matches!(jwk.common.public_key_use, None | Some(PublicKeyUse::Signature));
        let rs256 = matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::RS256));
        if !matches!(jwk.algorithm, AlgorithmParameters::RSA(_)) || !signing || !rs256 {
            continue;
        }
        let Ok(key) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        match jwk.common.key_id {
            Some(kid) => {
                keys.by_kid.insert(kid, Arc::new(key));
            }
            None => keys.without_kid.push(Arc::new(key)),
        }
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    // A 512-bit modulus is enough to parse; no signature is checked here.
    const N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";

    #[test]
    fn only_rsa_signing_keys_are_kept() {
        let document = json!({"keys": [
            {"kty": "RSA", "kid": "a", "use": "sig", "alg": "RS256", "n": N, "e": "AQAB"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": N, "e": "AQAB"},
            {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": N, "e": "AQAB"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "weird"},
        ]});
        let keys = parse(document.to_string().as_bytes()).expect("a key set");
        assert_eq!(keys.by_kid.keys().collect::<Vec<_>>(), vec!["a"]);
        assert!(keys.lookup(Some("a")).is_some());
        assert!(keys.lookup(Some("hmac")).is_none());
        assert!(keys.lookup(None).is_some(), "the only key verifies tokens without kid");
        assert!(parse(b"[]").is_none());
        assert!(parse(br#"{"keys": {}}"#).is_none());
    }
}
