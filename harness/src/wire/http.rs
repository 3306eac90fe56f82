//! A Streamable HTTP target: one endpoint, requests with exactly the headers asked for, bodies read with a cap,
//! SSE replies read lazily.
//!
//! Built on hyper's pooled client rather than reqwest: reqwest adds `Accept: */*` to every request that has none,
//! so a check could not send a request without `Accept`. The client keeps connections alive, sets TCP_NODELAY,
//! bounds the connect time, follows no redirects, uses no proxy and keeps no cookies.
//!
//! TLS: `https://` goes through rustls (ring) with ALPN `h2`, `http/1.1`; how certificates are verified is the
//! target's [`TlsOptions`] (see [`super::tls`]). With an [`OAuthClient`], a `401` to a request sent with the
//! default credentials starts (or renews) OAuth and the request is sent once more with the token.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Uri};
use http_body_util::{BodyExt, Full};
use serde_json::Value;

use super::error::error_chain;
use super::sse::ByteStream;
use super::tls::{HttpsClient, TlsOptions, https_client};
use super::{Direction, Limits, SseReader, Transcript, WireError};
use crate::oauth::OAuthClient;

/// How long connecting may take (also bounded by each request's timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle pooled connection is kept.
const POOL_IDLE: Duration = Duration::from_secs(30);
/// Bytes of a body put into its transcript record (the record keeps less).
const RECORD_PREFIX: usize = 64 << 10;

/// A Streamable HTTP endpoint and what every request to it carries.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpTarget {
    /// The MCP endpoint, e.g. `http://127.0.0.1:3000/mcp`.
    pub url: String,
    /// Headers sent with every request (they override the defaults of the same name).
    pub headers: Vec<(String, String)>,
    /// Sent as `Authorization: Bearer <token>` with every request; redacted in the transcript.
    pub bearer_token: Option<String>,
    /// How `https://` servers are verified.
    pub tls: TlsOptions,
    /// Tokens obtained by OAuth on a `401` (shared by every connection to the target); used when no
    /// `bearer_token` is set.
    pub oauth: Option<OAuthClient>,
}

impl HttpTarget {
    /// A target at `url` with no extra headers, no credentials and the default TLS verification.
    pub fn new(url: impl Into<String>) -> Self {
        HttpTarget { url: url.into(), ..HttpTarget::default() }
    }

    /// What the report says about how the target is reached: TLS verification changes and the auth flow (no
    /// secrets).
    pub fn connection_notes(&self) -> Vec<String> {
        let mut notes = if self.url.starts_with("https://") { self.tls.notes() } else { Vec::new() };
        if let Some(oauth) = &self.oauth {
            notes.push(oauth.describe());
        } else if self.bearer_token.is_some() {
            notes.push("auth: a pre-issued bearer token (--bearer-env)".to_owned());
        }
        notes
    }
}

impl fmt::Debug for HttpTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTarget")
            .field("url", &self.url)
            .field("headers", &self.headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "***"))
            .field("tls", &self.tls)
            .field("oauth", &self.oauth)
            .finish()
    }
}

/// One request to the endpoint: a method, an optional body, and header changes relative to the defaults.
///
/// Defaults: `POST` carries `content-type: application/json` and `accept: application/json, text/event-stream`;
/// `GET` carries `accept: text/event-stream`; every request carries the target's headers and its bearer token.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The body, sent exactly as given.
    pub body: Option<String>,
    /// A body of raw bytes (it may be invalid UTF-8), sent instead of `body` when set.
    pub raw_body: Option<Vec<u8>>,
    /// Headers added (in order); each replaces the default or target header of the same name.
    pub headers: Vec<(String, String)>,
    /// Names of default or target headers not to send.
    pub without: Vec<String>,
}

impl HttpRequest {
    /// A request with `method`, no body and the defaults for that method.
    pub fn new(method: Method) -> Self {
        HttpRequest { method, body: None, raw_body: None, headers: Vec::new(), without: Vec::new() }
    }

    /// A `POST` with `body` (sent exactly as given: it may be invalid JSON).
    pub fn post(body: impl Into<String>) -> Self {
        HttpRequest { body: Some(body.into()), ..HttpRequest::new(Method::POST) }
    }

    /// A `POST` whose body is `bytes` exactly as given (they may be invalid UTF-8).
    pub fn post_bytes(bytes: Vec<u8>) -> Self {
        HttpRequest { raw_body: Some(bytes), ..HttpRequest::new(Method::POST) }
    }

    /// A `GET` (opens the server's SSE stream).
    pub fn get() -> Self {
        HttpRequest::new(Method::GET)
    }

    /// A `DELETE` (ends a session).
    pub fn delete() -> Self {
        HttpRequest::new(Method::DELETE)
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sends `name: value`, replacing a default or target header of the same name (case-insensitive) and any
    /// earlier [`HttpRequest::header`] of that name.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends `name: value` in addition to any header of that name added before (to send a header twice).
    pub fn append_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Does not send the default or target header `name` (e.g. `accept`), nor one added before; a header of that
    /// name added afterwards is sent.
    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.without.push(name.to_owned());
        self
    }
}

/// A reply: status, headers and the body as far as it was read.
#[derive(Debug)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The HTTP version spoken (HTTP/2 when ALPN chose `h2`).
    pub version: http::Version,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: ReplyBody,
}

impl HttpReply {
    /// The value of header `name` (case-insensitive), if present and visible ASCII; the first one if repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// What a reply's body held.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReplyBody {
    /// No body bytes.
    Empty,
    /// A body that parsed as JSON, whatever its `Content-Type` (check [`HttpReply::content_type`] separately).
    Json(Value),
    /// A body that is not JSON or was cut at [`Limits::max_body_bytes`] (invalid UTF-8 replaced by U+FFFD).
    Text {
        /// The body text.
        text: String,
        /// Whether the body was longer than the cap (reading stopped there).
        truncated: bool,
    },
    /// A `text/event-stream` body, read lazily.
    Sse(SseReader),
}

/// A client for one Streamable HTTP endpoint. Cloning is cheap; clones share the connection pool and transcript.
#[derive(Clone)]
pub struct HttpWire {
    client: Arc<HttpsClient>,
    target: Arc<HttpTarget>,
    uri: Uri,
    url: url::Url,
    limits: Arc<Limits>,
    transcript: Transcript,
}

impl HttpWire {
    /// A client for `target`. Registers the bearer token as a transcript secret.
    ///
    /// Fails for a URL that is not `http[s]://host[:port]/…`, for target headers that cannot be sent and for TLS
    /// options that cannot be used (an unreadable `--ca-cert` file).
    pub fn new(target: HttpTarget, limits: &Limits, transcript: Transcript) -> Result<Self, WireError> {
        if let Some(token) = &target.bearer_token {
            transcript.add_secret(token);
        }
        let invalid = |reason: &str| WireError::InvalidUrl { url: target.url.clone(), reason: reason.to_owned() };
        let uri: Uri = target.url.parse().map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(other) => return Err(invalid(&format!("unsupported scheme `{other}` (expected http or https)"))),
            None => return Err(invalid("the URL has no scheme (expected http[s]://host:port/path)")),
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(invalid("the URL has no host"));
        }
        let url = url::Url::parse(&target.url).map_err(|e| invalid(&e.to_string()))?;
        for (name, value) in &target.headers {
            header_pair(name, value)?;
        }
        if let Some(token) = &target.bearer_token {
            header_pair("authorization", &format!("Bearer {token}"))?;
        }
        if let Some(oauth) = &target.oauth {
            transcript.add_secret(&oauth.config().client_secret);
        }
        let client = https_client(&target.tls, CONNECT_TIMEOUT, POOL_IDLE)
            .map_err(|e| WireError::Tls { detail: e.to_string() })?;
        Ok(HttpWire {
            client: Arc::new(client),
            target: Arc::new(target),
            uri,
            url,
            limits: Arc::new(limits.clone()),
            transcript,
        })
    }

    /// Sends `req` and reads the reply. `timeout` covers connecting, the response head and (except for
    /// `text/event-stream`) the whole body; an SSE body is returned unread as [`ReplyBody::Sse`].
    ///
    /// Bodies are read up to [`Limits::max_body_bytes`]; past that reading stops and the body is
    /// [`ReplyBody::Text`] with `truncated`. The request and reply are recorded (channels `POST`/`GET`/`DELETE`
    /// and `http-reply`; authorization values redacted); SSE events are recorded as they are read.
    ///
    /// With an [`OAuthClient`] and no bearer token, a request that keeps the default credentials carries the OAuth
    /// token; a `401` to it runs (or renews) the OAuth flow and the request is sent once more. A failed flow is
    /// [`WireError::Auth`].
    pub async fn send(&self, req: HttpRequest, timeout: Duration) -> Result<HttpReply, WireError> {
        let Some(oauth) = self.oauth_for(&req) else { return self.send_once(req, None, timeout).await };
        let auth_error = |e: crate::oauth::OAuthError| WireError::Auth { detail: e.to_string() };
        let token = oauth.token(&self.url, &self.transcript).await.map_err(auth_error)?;
        let reply = self.send_once(req.clone(), token.as_deref(), timeout).await?;
        if reply.status != 401 {
            if token.is_some() {
                oauth.accepted();
            }
            return Ok(reply);
        }
        let challenge = reply.header("www-authenticate").map(str::to_owned);
        drop(reply);
        let fresh = oauth
            .authorize(&self.url, challenge.as_deref(), token.as_deref(), &self.transcript)
            .await
            .map_err(auth_error)?;
        let reply = self.send_once(req, Some(&fresh), timeout).await?;
        if reply.status != 401 {
            oauth.accepted();
        }
        Ok(reply)
    }

    /// The OAuth client when it applies to `req`: the target has one and no bearer token, and `req` neither drops
    /// nor sets `Authorization` itself (checks that probe authentication send exactly what they choose).
    fn oauth_for(&self, req: &HttpRequest) -> Option<&OAuthClient> {
        let own = |n: &String| n.eq_ignore_ascii_case("authorization");
        let touched = req.without.iter().any(own)
            || req.headers.iter().any(|(n, _)| own(n))
            || self.target.headers.iter().any(|(n, _)| own(n));
        self.target.oauth.as_ref().filter(|_| self.target.bearer_token.is_none() && !touched)
    }

    async fn send_once(
        &self,
        req: HttpRequest,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<HttpReply, WireError> {
        let deadline = super::deadline::after(timeout);
        let mut headers = self.compose_headers(&req)?;
        if let Some(token) = token {
            self.transcript.add_secret(token);
            headers.push(header_pair("authorization", &format!("Bearer {token}"))?);
        }
        let body: Vec<u8> = match req.raw_body {
            Some(bytes) => bytes,
            None => req.body.unwrap_or_default().into_bytes(),
        };
        self.record_request(&req.method, &headers, &String::from_utf8_lossy(&body));
        let mut builder = http::Request::builder().method(req.method.clone()).uri(self.uri.clone());
        for (name, value) in &headers {
            builder = builder.header(name, value);
        }
        let request = builder
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| WireError::Http { url: self.target.url.clone(), detail: error_chain(&e) })?;
        let action = || format!("get a reply to {} {}", req.method, self.target.url);
        let response = match tokio::time::timeout_at(deadline, self.client.request(request)).await {
            Err(_) => {
                self.transcript.note(&format!("no reply head within {timeout:?}"));
                return Err(WireError::Timeout { action: action(), timeout });
            }
            Ok(Err(e)) if e.is_connect() => {
                let mut detail = error_chain(&e);
                if detail.contains("invalid peer certificate") {
                    detail.push_str(
                        " (the server's certificate is not trusted: pass --ca-cert FILE with its CA, or --insecure to \
                         skip verification)",
                    );
                }
                return Err(WireError::Connect { url: self.target.url.clone(), detail });
            }
            Ok(Err(e)) => {
                return Err(WireError::Http { url: self.target.url.clone(), detail: error_chain(&e) });
            }
            Ok(Ok(response)) => response,
        };
        let (parts, incoming) = response.into_parts();
        let status = parts.status.as_u16();
        let version = parts.version;
        let is_sse = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/event-stream"));
        if is_sse {
            self.record_reply(parts.status, &parts.headers, "<text/event-stream: events follow on channel sse>", 0);
            let stream: ByteStream = Box::pin(incoming.into_data_stream().map(|r| r.map_err(|e| error_chain(&e))));
            let reader = SseReader::new(stream, &self.limits, self.transcript.clone());
            return Ok(HttpReply { status, version, headers: parts.headers, body: ReplyBody::Sse(reader) });
        }

        let max = self.limits.max_body_bytes;
        let mut data: Vec<u8> = Vec::new();
        let mut truncated = false;
        let mut incoming = incoming;
        loop {
            match tokio::time::timeout_at(deadline, incoming.frame()).await {
                Err(_) => {
                    self.transcript
                        .note(&format!("reply body incomplete after {timeout:?} ({} bytes read)", data.len()));
                    return Err(WireError::Timeout {
                        action: format!("read the reply body from {}", self.target.url),
                        timeout,
                    });
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    return Err(WireError::Http { url: self.target.url.clone(), detail: error_chain(&e) });
                }
                Ok(Some(Ok(frame))) => {
                    let Ok(chunk) = frame.into_data() else { continue };
                    let room = max - data.len();
                    if chunk.len() > room {
                        data.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    data.extend_from_slice(&chunk);
                }
            }
        }
        drop(incoming);
        let shown = String::from_utf8_lossy(&data[..data.len().min(RECORD_PREFIX)]).into_owned();
        self.record_reply(parts.status, &parts.headers, &shown, data.len());
        let body = if data.is_empty() {
            ReplyBody::Empty
        } else if truncated {
            self.transcript.note(&format!("reply body cut at {max} bytes"));
            ReplyBody::Text { text: String::from_utf8_lossy(&data).into_owned(), truncated: true }
        } else {
            match serde_json::from_slice(&data) {
                Ok(v) => ReplyBody::Json(v),
                Err(_) => ReplyBody::Text { text: String::from_utf8_lossy(&data).into_owned(), truncated: false },
            }
        };
        Ok(HttpReply { status, version, headers: parts.headers, body })
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.target.url
    }

    /// The headers `req` is sent with, in order: defaults, then target headers and the bearer token (each replacing
    /// earlier ones of the same name), less `without` and the names `req` sets itself, then `req`'s headers.
    fn compose_headers(&self, req: &HttpRequest) -> Result<Vec<(HeaderName, HeaderValue)>, WireError> {
        let mut base: Vec<(String, String)> = match req.method {
            Method::POST => vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("accept".to_owned(), "application/json, text/event-stream".to_owned()),
            ],
            Method::GET => vec![("accept".to_owned(), "text/event-stream".to_owned())],
            _ => Vec::new(),
        };
        let target = &self.target;
        base.retain(|(n, _)| !target.headers.iter().any(|(t, _)| t.eq_ignore_ascii_case(n)));
        base.extend(target.headers.iter().cloned());
        if let Some(token) = &target.bearer_token {
            base.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
            base.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
        base.retain(|(n, _)| {
            !req.without.iter().any(|w| w.eq_ignore_ascii_case(n))
                && !req.headers.iter().any(|(r, _)| r.eq_ignore_ascii_case(n))
        });
        base.iter().chain(req.headers.iter()).map(|(n, v)| header_pair(n, v)).collect()
    }

    fn record_request(&self, method: &Method, headers: &[(HeaderName, HeaderValue)], body: &str) {
        let mut text = format!("{method} {}\n", self.target.url);
        for (name, value) in headers {
            push_header_line(&mut text, name, value);
        }
        let head = text.len() + 1;
        text.push('\n');
        let cut = super::transcript::floor_char_boundary(body, RECORD_PREFIX);
        text.push_str(&body[..cut]);
        self.transcript.record_len(Direction::Sent, method.as_str(), &text, head + body.len());
    }

    fn record_reply(&self, status: http::StatusCode, headers: &HeaderMap, body: &str, body_len: usize) {
        let mut text = format!("HTTP {status}\n");
        for (name, value) in headers {
            push_header_line(&mut text, name, value);
        }
        text.push('\n');
        let head = text.len();
        text.push_str(body);
        self.transcript.record_len(Direction::Received, "http-reply", &text, head + body_len.max(body.len()));
    }
}

impl fmt::Debug for HttpWire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpWire").field("url", &self.target.url).finish_non_exhaustive()
    }
}

/// A header line for the transcript; credentials are shown as their scheme and `***`.
fn push_header_line(text: &mut String, name: &HeaderName, value: &HeaderValue) {
    let raw = String::from_utf8_lossy(value.as_bytes());
    let shown = if name == http::header::AUTHORIZATION || name == http::header::PROXY_AUTHORIZATION {
        match raw.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} ***"),
            None => "***".to_owned(),
        }
    } else {
        raw.into_owned()
    };
    text.push_str(&format!("{name}: {shown}\n"));
}

/// A header as hyper takes it; any byte a header value may legally carry is allowed.
fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), WireError> {
    let invalid = |reason: String| WireError::InvalidHeader { name: name.to_owned(), reason };
    let n = HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(e.to_string()))?;
    let v = HeaderValue::from_bytes(value.as_bytes()).map_err(|e| invalid(e.to_string()))?;
    Ok((n, v))
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::time::Instant;

    use axum::body::Body;
    use axum::response::Response;
    use axum::routing::{get, post};
    use serde_json::json;
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::wire::SseEvent;

    const T: Duration = Duration::from_secs(20);

    fn wire_for(url: &str, limits: &Limits) -> (HttpWire, Transcript) {
        let transcript = Transcript::new(limits);
        let target = HttpTarget {
            url: url.to_owned(),
            headers: vec![("x-target".into(), "t1".into())],
            bearer_token: Some("secret-token-123".into()),
            ..HttpTarget::default()
        };
        (HttpWire::new(target, limits, transcript.clone()).unwrap(), transcript)
    }

    async fn mock(status: u16, body: Option<(&str, &[u8])>) -> MockServer {
        let server = MockServer::start().await;
        let mut template = ResponseTemplate::new(status);
        if let Some((content_type, bytes)) = body {
            template = template.set_body_raw(bytes.to_vec(), content_type);
        }
        Mock::given(path("/mcp")).respond_with(template).mount(&server).await;
        server
    }

    #[tokio::test]
    async fn json_body() {
        let server = mock(200, Some(("application/json", br#"{"jsonrpc":"2.0","id":1,"result":{}}"#))).await;
        let (wire, transcript) = wire_for(&format!("{}/mcp", server.uri()), &Limits::default());
        let reply = wire.send(HttpRequest::post(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#), T).await.unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.content_type(), Some("application/json"));
        assert!(matches!(reply.body, ReplyBody::Json(v) if v == json!({"jsonrpc":"2.0","id":1,"result":{}})));
        let entries = transcript.entries();
        let sent = entries.iter().find(|e| e.channel == "POST").unwrap();
        assert!(sent.text.starts_with(&format!("POST {}/mcp\n", server.uri())), "{}", sent.text);
        assert!(sent.text.ends_with("\n\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), "{}", sent.text);
        let got = entries.iter().find(|e| e.channel == "http-reply").unwrap();
        assert!(got.text.starts_with("HTTP 200 OK\n") && got.text.ends_with("\"result\":{}}"), "{}", got.text);
    }

    #[tokio::test]
    async fn accepted_with_no_body_is_empty() {
        let server = mock(202, None).await;
        let (wire, _) = wire_for(&format!("{}/mcp", server.uri()), &Limits::default());
        let reply = wire.send(HttpRequest::post(r#"{"jsonrpc":"2.0","method":"x"}"#), T).await.unwrap();
        assert_eq!(reply.status, 202);
        assert!(matches!(reply.body, ReplyBody::Empty));
    }

    #[tokio::test]
    async fn client_error_with_text_body() {
        let server = mock(400, Some(("text/plain", b"Bad Request: invalid JSON"))).await;
        let (wire, _) = wire_for(&format!("{}/mcp", server.uri()), &Limits::default());
        let reply = wire.send(HttpRequest::post("{not json"), T).await.unwrap();
        assert_eq!(reply.status, 400);
        assert_eq!(reply.header("Content-Type"), Some("text/plain"));
        assert!(
            matches!(reply.body, ReplyBody::Text { text, truncated: false } if text == "Bad Request: invalid JSON")
        );
    }

    #[tokio::test]
    async fn oversized_body_is_truncated() {
        let big = vec![b'x'; 5000];
        let server = mock(200, Some(("application/json", &big))).await;
        let limits = Limits { max_body_bytes: 1000, ..Limits::default() };
        let (wire, transcript) = wire_for(&format!("{}/mcp", server.uri()), &limits);
        let reply = wire.send(HttpRequest::post("{}"), T).await.unwrap();
        assert!(matches!(reply.body, ReplyBody::Text { text, truncated: true } if text.len() == 1000));
        assert!(transcript.entries().iter().any(|e| e.text.contains("reply body cut at 1000 bytes")));
    }

    #[tokio::test]
    async fn default_target_and_request_headers() {
        let server = mock(202, None).await;
        let (wire, transcript) = wire_for(&format!("{}/mcp", server.uri()), &Limits::default());
        let send = |req| wire.send(req, T);
        send(HttpRequest::post("{}")).await.unwrap();
        send(HttpRequest::post("{}").header("Accept", "application/json").without_header("content-type"))
            .await
            .unwrap();
        send(HttpRequest::post("{}").without_header("accept").without_header("authorization")).await.unwrap();
        send(HttpRequest::get().header("x-target", "t2").append_header("x-dup", "1").append_header("x-dup", "2"))
            .await
            .unwrap();
        send(HttpRequest::delete().header("mcp-session-id", "abc")).await.unwrap();
        let requests = server.received_requests().await.unwrap();
        let h = |i: usize, name: &str| -> Vec<String> {
            requests[i].headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
        };
        assert_eq!(requests[0].method.as_str(), "POST");
        assert_eq!(h(0, "content-type"), ["application/json"]);
        assert_eq!(h(0, "accept"), ["application/json, text/event-stream"]);
        assert_eq!(h(0, "x-target"), ["t1"]);
        assert_eq!(h(0, "authorization"), ["Bearer secret-token-123"]);
        assert_eq!(h(1, "accept"), ["application/json"]);
        assert!(h(1, "content-type").is_empty());
        assert!(h(2, "accept").is_empty(), "a request without Accept must carry none");
        assert!(h(2, "authorization").is_empty());
        assert_eq!(requests[3].method.as_str(), "GET");
        assert_eq!(h(3, "accept"), ["text/event-stream"]);
        assert_eq!(h(3, "x-target"), ["t2"]);
        assert_eq!(h(3, "x-dup"), ["1", "2"]);
        assert_eq!(requests[4].method.as_str(), "DELETE");
        assert!(h(4, "accept").is_empty());
        assert_eq!(h(4, "mcp-session-id"), ["abc"]);
        assert_eq!(h(4, "authorization"), ["Bearer secret-token-123"]);
        // The token never reaches the transcript.
        let entries = transcript.entries();
        assert!(entries.iter().all(|e| !e.text.contains("secret-token-123")));
        assert!(entries[0].text.contains("authorization: Bearer ***"), "{}", entries[0].text);
        assert!(entries.iter().any(|e| e.channel == "GET") && entries.iter().any(|e| e.channel == "DELETE"));
        assert!(!format!("{wire:?} {:?}", wire.target).contains("secret-token-123"));
    }

    #[tokio::test]
    async fn explicit_authorization_is_redacted_too() {
        let server = mock(401, None).await;
        let (wire, transcript) = wire_for(&format!("{}/mcp", server.uri()), &Limits::default());
        let reply = wire.send(HttpRequest::post("{}").header("authorization", "Bearer forged"), T).await.unwrap();
        assert_eq!(reply.status, 401);
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests[0].headers.get("authorization").unwrap(), "Bearer forged");
        assert!(transcript.entries().iter().all(|e| !e.text.contains("forged")));
    }

    #[tokio::test]
    async fn bad_urls_and_headers_are_errors() {
        let limits = Limits::default();
        let new = |url: &str, headers: Vec<(String, String)>| {
            HttpWire::new(
                HttpTarget { url: url.into(), headers, ..HttpTarget::default() },
                &limits,
                Transcript::new(&limits),
            )
        };
        assert!(new("https://example.com/mcp", vec![]).is_ok());
        assert!(matches!(new("ftp://x/y", vec![]), Err(WireError::InvalidUrl { .. })));
        assert!(matches!(new("not a url", vec![]), Err(WireError::InvalidUrl { .. })));
        assert!(matches!(new("/mcp", vec![]), Err(WireError::InvalidUrl { .. })));
        assert!(matches!(
            new("http://x/", vec![("bad name".into(), "v".into())]),
            Err(WireError::InvalidHeader { .. })
        ));
        let wire = new("http://127.0.0.1:9/mcp", vec![]).unwrap();
        let err = wire.send(HttpRequest::get().header("x", "a\nb"), T).await.unwrap_err();
        assert!(matches!(err, WireError::InvalidHeader { .. }), "{err}");
    }

    #[tokio::test]
    async fn refused_connection_is_a_connect_error() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let (wire, _) = wire_for(&format!("http://127.0.0.1:{port}/mcp"), &Limits::default());
        let err = wire.send(HttpRequest::post("{}"), T).await.unwrap_err();
        assert!(err.is_connect(), "{err}");
        assert!(!err.is_timeout());
    }

    /// A small axum server for streaming replies wiremock cannot produce.
    async fn stream_server() -> String {
        fn sse(body: Body) -> Response {
            Response::builder().header("content-type", "text/event-stream").body(body).unwrap()
        }
        let app = axum::Router::new()
            .route(
                "/basic",
                post(|| async {
                    sse(Body::from(concat!(
                        "id: p-0\nretry: 1500\ndata:\n\n",
                        ": keep-alive\n\n",
                        "id: 1\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\n",
                        "data: \"method\":\"notifications/progress\"}\n\n",
                        "id: 2\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n",
                    )))
                }),
            )
            .route(
                "/endless",
                get(|| async {
                    let events =
                        futures::stream::repeat_with(|| Ok::<_, Infallible>(Bytes::from_static(b"data: {}\n\n")));
                    sse(Body::from_stream(events))
                }),
            )
            .route(
                "/quiet",
                get(|| async {
                    let first =
                        futures::stream::once(async { Ok::<_, Infallible>(Bytes::from_static(b"data: 1\n\n")) });
                    sse(Body::from_stream(first.chain(futures::stream::pending())))
                }),
            )
            .route(
                "/endless-body",
                post(|| async {
                    let chunks =
                        futures::stream::repeat_with(|| Ok::<_, Infallible>(Bytes::from(vec![b'x'; 64 << 10])));
                    Response::builder()
                        .header("content-type", "application/json")
                        .body(Body::from_stream(chunks))
                        .unwrap()
                }),
            )
            .route(
                "/slow",
                post(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn sse_reply_with_priming_event_ids_and_multi_line_data() {
        let base = stream_server().await;
        let (wire, transcript) = wire_for(&format!("{base}/basic"), &Limits::default());
        let reply = wire.send(HttpRequest::post("{}"), T).await.unwrap();
        assert_eq!(reply.status, 200);
        let ReplyBody::Sse(mut reader) = reply.body else { panic!("expected SSE") };
        let priming = reader.next_event(T).await.unwrap().unwrap();
        assert_eq!(priming, SseEvent { id: Some("p-0".into()), event: None, data: String::new(), retry: Some(1500) });
        let (e, v) = reader.next_message(T).await.unwrap().unwrap();
        assert_eq!((e.id.as_deref(), e.event.as_deref()), (Some("1"), Some("message")));
        assert_eq!(v.unwrap(), json!({"jsonrpc": "2.0", "method": "notifications/progress"}));
        let (e, v) = reader.next_message(T).await.unwrap().unwrap();
        assert_eq!(e.id.as_deref(), Some("2"));
        assert_eq!(v.unwrap()["id"], 1);
        assert!(reader.next_message(T).await.unwrap().is_none());
        assert_eq!(reader.last_event_id(), Some("2"));
        assert_eq!(transcript.entries().iter().filter(|e| e.channel == "sse").count(), 3);
    }

    #[tokio::test]
    async fn endless_sse_stops_at_the_event_cap() {
        let base = stream_server().await;
        let limits = Limits { max_sse_events: 50, ..Limits::default() };
        let (wire, _) = wire_for(&format!("{base}/endless"), &limits);
        let ReplyBody::Sse(mut reader) = wire.send(HttpRequest::get(), T).await.unwrap().body else {
            panic!("expected SSE")
        };
        let started = Instant::now();
        let mut n = 0;
        let err = loop {
            match reader.next_message(T).await {
                Ok(Some(_)) => n += 1,
                Ok(None) => panic!("the endless stream ended"),
                Err(e) => break e,
            }
        };
        assert_eq!(n, 50);
        assert!(matches!(err, WireError::Sse { .. }), "{err}");
        assert!(started.elapsed() < T);
    }

    #[tokio::test]
    async fn quiet_sse_times_out() {
        let base = stream_server().await;
        let (wire, _) = wire_for(&format!("{base}/quiet"), &Limits::default());
        let ReplyBody::Sse(mut reader) = wire.send(HttpRequest::get(), T).await.unwrap().body else {
            panic!("expected SSE")
        };
        assert_eq!(reader.next_event(T).await.unwrap().unwrap().data, "1");
        let err = reader.next_message(Duration::from_millis(200)).await.unwrap_err();
        assert!(err.is_timeout(), "{err}");
    }

    #[tokio::test]
    async fn endless_body_is_cut_at_the_cap() {
        let base = stream_server().await;
        let limits = Limits { max_body_bytes: 1 << 20, ..Limits::default() };
        let (wire, _) = wire_for(&format!("{base}/endless-body"), &limits);
        let reply = wire.send(HttpRequest::post("{}"), T).await.unwrap();
        assert!(matches!(reply.body, ReplyBody::Text { text, truncated: true } if text.len() == 1 << 20));
    }

    #[tokio::test]
    async fn slow_reply_times_out() {
        let base = stream_server().await;
        let (wire, _) = wire_for(&format!("{base}/slow"), &Limits::default());
        let started = Instant::now();
        let err = wire.send(HttpRequest::post("{}"), Duration::from_millis(200)).await.unwrap_err();
        assert!(err.is_timeout(), "{err}");
        assert!(started.elapsed() < T);
    }
}
