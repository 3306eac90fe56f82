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

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
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

/// The HTTP(S) client of JWKS fetches.
type HttpsClient = Client<HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// Where the set comes from.
#[derive(Clone)]
enum Source {
    File(PathBuf),
    Url { url: hyper::Uri, client: Box<HttpsClient> },
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
        let is_url = location.starts_with("http://") || location.starts_with("https://");
        let source = if is_url {
            let url = location.parse::<hyper::Uri>().map_err(|error| JwksError::Fetch {
                url: location.to_owned(),
                reason: format!("not a valid URL: {error}"),
            })?;
            Source::Url { url, client: Box::new(http_client(location)?) }
        } else {
            Source::File(PathBuf::from(location))
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

/// A client for JWKS fetches: rustls on the ring provider with the system's roots, bounded connects, no redirects
/// followed, no proxy.
fn http_client(location: &str) -> Result<HttpsClient, JwksError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = if location.starts_with("https://") {
        builder.with_provider_and_native_roots(provider).map_err(|error| JwksError::Fetch {
            url: location.to_owned(),
            reason: format!("no TLS root certificates: {error}"),
        })?
    } else {
        // Plain HTTP needs no roots (and a machine without a CA store can still fetch from loopback).
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| JwksError::Fetch { url: location.to_owned(), reason: error.to_string() })?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        builder.with_tls_config(config)
    };
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(FETCH_TIMEOUT));
    let connector = builder.https_or_http().enable_http1().wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new()).build(connector))
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

async fn fetch(client: &HttpsClient, url: &hyper::Uri) -> Result<Vec<u8>, JwksError> {
    let failed = |reason: String| JwksError::Fetch { url: url.to_string(), reason };
    let read = async {
        let request = hyper::Request::get(url.clone())
            .header(hyper::header::ACCEPT, "application/json")
            .body(Empty::<Bytes>::new())
            .map_err(|e| failed(e.to_string()))?;
        let response = client.request(request).await.map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP status {}", response.status())));
        }
        let body = Limited::new(response.into_body(), MAX_JWKS_BYTES)
            .collect()
            .await
            .map_err(|e| failed(format!("reading the body: {e} (at most {MAX_JWKS_BYTES} bytes)")))?;
        Ok(body.to_bytes().to_vec())
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
