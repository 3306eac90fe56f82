//! How the HTTP client verifies `https://` servers: rustls with the `ring` provider, the platform's trust store
//! (webpki-roots when it is empty), extra CA certificates from `--ca-cert`, or — opt-in, reported loudly — no
//! verification at all (`--insecure`).
//!
//! The platform's store is read with rustls-native-certs rather than rustls-platform-verifier: it yields a plain
//! list of roots that merges with webpki-roots and `--ca-cert` into one store, verification then works the same on
//! every platform (rustls-webpki), and the crate is already in the tree.
//!
//! A [`ClientConfig`] is built once per distinct [`TlsOptions`] and shared: every connection the harness opens
//! reuses it instead of re-reading the trust store.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// How `https://` servers are verified. The default trusts the platform's roots (webpki-roots when the platform
/// has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TlsOptions {
    /// PEM files whose certificates are trusted in addition to the default roots (`--ca-cert`).
    pub ca_certs: Vec<PathBuf>,
    /// Accept any certificate: the run then proves nothing about the server's identity (`--insecure`).
    pub insecure: bool,
}

impl TlsOptions {
    /// One line per way these options weaken or change verification, for the report (empty for the default).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.insecure {
            notes.push(INSECURE_NOTE.to_owned());
        }
        for file in &self.ca_certs {
            notes.push(format!("TLS: also trusts the CA certificates in {}", file.display()));
        }
        notes
    }
}

/// What `--insecure` puts in the report and on stderr.
pub const INSECURE_NOTE: &str = "TLS: certificates NOT verified (--insecure): this run does not prove the server's \
                                 identity; do not take it for a verified one";

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A `--ca-cert` file could not be read or holds no certificate.
    #[error("failed to load CA certificates from {file}: {reason}")]
    CaCert {
        /// The file.
        file: String,
        /// What went wrong.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("failed to configure TLS: {0}")]
    Config(String),
}

/// The shared client configuration for `options` (ALPN unset: the connector sets `h2`, `http/1.1`).
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, TlsError> {
    static CACHE: OnceLock<Mutex<HashMap<TlsOptions, Arc<ClientConfig>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(config) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(options) {
        return Ok(config.clone());
    }
    let config = Arc::new(build(options)?);
    cache.lock().unwrap_or_else(|p| p.into_inner()).insert(options.clone(), config.clone());
    Ok(config)
}

/// hyper's pooled client for `http://` and `https://` (ALPN `h2`, `http/1.1`): TCP_NODELAY, bounded connect time,
/// no proxy, no redirects, no cookies (hyper's client has none of those).
pub(crate) type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client verifying servers per `options`.
pub(crate) fn https_client(
    options: &TlsOptions,
    connect_timeout: Duration,
    pool_idle: Duration,
) -> Result<HttpsClient, TlsError> {
    https_client_over(options, HttpConnector::new(), connect_timeout, pool_idle)
}

/// [`https_client`] over `tcp`, a connector with its own resolver.
pub(crate) fn https_client_over<R>(
    options: &TlsOptions,
    mut tcp: HttpConnector<R>,
    connect_timeout: Duration,
    pool_idle: Duration,
) -> Result<Client<HttpsConnector<HttpConnector<R>>, Full<Bytes>>, TlsError>
where
    HttpsConnector<HttpConnector<R>>: Connect + Clone + Send + Sync + 'static,
{
    let config = client_config(options)?;
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(connect_timeout));
    tcp.enforce_http(false);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*config).clone())
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(tcp);
    Ok(Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .pool_idle_timeout(pool_idle)
        .build(connector))
}

/// The ring provider, the one this project builds rustls with.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn build(options: &TlsOptions) -> Result<ClientConfig, TlsError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    if options.insecure {
        let verifier = Arc::new(AnyCertificate { provider: provider() });
        return Ok(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth());
    }
    Ok(builder.with_root_certificates(roots(&options.ca_certs)?).with_no_client_auth())
}

/// The platform's roots (webpki-roots when it yields none) plus every certificate in `extra`.
fn roots(extra: &[PathBuf]) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(native.certs);
    if store.is_empty() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for file in extra {
        let failed = |reason: String| TlsError::CaCert { file: file.display().to_string(), reason };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(file)
            .map_err(|e| failed(e.to_string()))?
            .collect::<Result<_, _>>()
            .map_err(|e| failed(e.to_string()))?;
        if certs.is_empty() {
            return Err(failed("no PEM certificate in the file".to_owned()));
        }
        for cert in certs {
            store.add(cert).map_err(|e| failed(e.to_string()))?;
        }
    }
    Ok(store)
}

/// `--insecure`: any certificate is accepted (the handshake's signatures are still checked, so the connection is
/// encrypted to whoever holds the presented key — just not proven to be the named server).
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for file in [dir.path().join("missing.pem"), empty] {
            let options = TlsOptions { ca_certs: vec![file.clone()], insecure: false };
            let err = client_config(&options).unwrap_err();
            assert!(matches!(err, TlsError::CaCert { .. }), "{err}");
            assert!(err.to_string().contains(&file.display().to_string()), "{err}");
        }
    }

    #[test]
    fn configs_are_shared_and_notes_say_what_changed() {
        let default = TlsOptions::default();
        assert!(Arc::ptr_eq(&client_config(&default).unwrap(), &client_config(&default).unwrap()));
        assert!(default.notes().is_empty());
        let insecure = TlsOptions { insecure: true, ..TlsOptions::default() };
        assert!(client_config(&insecure).is_ok());
        assert!(insecure.notes()[0].contains("NOT verified"));
    }
}
