//! The OAuth client's own HTTP requests: metadata GETs and token POSTs, each checked against the [`UrlPolicy`],
//! bounded in time and read with a cap. Never through the target's transcript: they carry the client secret.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full, Limited};
use url::Url;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

use super::OAuthError;
use super::url_policy::{PolicyResolver, UrlPolicy, shown};
use crate::wire::tls::{TlsOptions, https_client_over};

/// Longest metadata or token response read.
pub(crate) const MAX_RESPONSE_BYTES: usize = 64 << 10;
/// Bound of one request (connect, head and body).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A status and a body read whole (at most [`MAX_RESPONSE_BYTES`]).
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

/// Sends requests for one target's OAuth flow.
#[derive(Clone)]
pub(crate) struct Fetcher {
    client: Client<HttpsConnector<HttpConnector<PolicyResolver>>, Full<Bytes>>,
    pub(crate) policy: UrlPolicy,
}

impl Fetcher {
    /// A fetcher verifying TLS like the target's connections and following URLs per `policy`.
    pub(crate) fn new(tls: &TlsOptions, policy: UrlPolicy) -> Result<Self, OAuthError> {
        let tcp = HttpConnector::new_with_resolver(PolicyResolver { policy });
        let client = https_client_over(tls, tcp, REQUEST_TIMEOUT, Duration::from_secs(30))
            .map_err(|e| OAuthError::Config(e.to_string()))?;
        Ok(Fetcher { client, policy })
    }

    /// `GET url` asking for JSON.
    pub(crate) async fn get(&self, url: &str) -> Result<Fetched, OAuthError> {
        let checked = self.policy.check(url).await?;
        let request = Request::builder()
            .method(Method::GET)
            .uri(checked.as_str())
            .header("accept", "application/json")
            .body(Full::new(Bytes::new()));
        self.send(&checked, request).await
    }

    /// `POST url` with a form body and extra headers (e.g. `Authorization: Basic …`).
    pub(crate) async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        headers: &[(&str, String)],
    ) -> Result<Fetched, OAuthError> {
        let checked = self.policy.check(url).await?;
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(checked.as_str())
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        self.send(&checked, request.body(Full::new(Bytes::from(body)))).await
    }

    async fn send(&self, url: &Url, request: http::Result<Request<Full<Bytes>>>) -> Result<Fetched, OAuthError> {
        let unreachable = |detail: String| OAuthError::Unreachable { url: shown(url.as_str()), detail };
        let request = request.map_err(|e| unreachable(format!("invalid request: {e}")))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| unreachable(one_line(&e)))?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|e| unreachable(format!("body not read whole (over {MAX_RESPONSE_BYTES} bytes?): {e}")))?
                .to_bytes();
            Ok(Fetched { status, body })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| Err(unreachable(format!("no complete answer within {REQUEST_TIMEOUT:?}"))))
    }
}

/// An error and its sources on one line.
fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.replace(['\n', '\r'], " ")
}
