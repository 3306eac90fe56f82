//! Load over Streamable HTTP: a fixed number of keep-alive connections (`TCP_NODELAY` on), each a worker taking
//! requests from one queue. On the stateful era each connection opens its own session first and reuses it; on
//! the stateless era every request stands alone with the 2026 headers; the churn pattern opens and deletes a
//! whole session for every request.
//!
//! Every exchange is bounded by the request timeout, every body read is capped, and a broken connection is
//! replaced on the next request. `https://` targets are spoken to over TLS (HTTP/1.1 by ALPN, the target's
//! [`TlsOptions`](crate::wire::tls::TlsOptions)); OAuth is not run here (give a pre-issued token with
//! `--bearer-env`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::reply::{CallResult, Failure, Incoming, decode};
use super::request::{ClientMeta, PreparedRequest};
use super::transport::{Answer, LoadTransport};
use crate::protocol::{Era, Revision};
use crate::report::performance::{ErrorKind, LoadPattern};
use crate::wire::HttpTarget;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause before reconnecting after a failed connect (bounds a tight loop against a dead endpoint).
const RECONNECT_PAUSE: Duration = Duration::from_millis(50);

/// The HTTP side of a load run.
pub struct HttpLoad {
    jobs: mpsc::Sender<Job>,
    timeout: Duration,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for HttpLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpLoad").field("connections", &self.workers.len()).finish_non_exhaustive()
    }
}

struct Job {
    body: String,
    method: String,
    name: Option<String>,
    id: u64,
    done: oneshot::Sender<Answer>,
}

/// What every connection shares.
struct Endpoint {
    uri: Uri,
    authority: String,
    /// The TLS connector and the name to verify, for `https://`.
    tls: Option<(tokio_rustls::TlsConnector, rustls::pki_types::ServerName<'static>)>,
    host_header: HeaderValue,
    extra: HeaderMap,
    revision: Revision,
    pattern: LoadPattern,
    client: ClientMeta,
    timeout: Duration,
    max_body: usize,
}

impl HttpLoad {
    /// Opens `connections` connections to `target` (on the stateful era each opens its session; with `churn`,
    /// sessions are opened per request instead). Fails when not one connection (and session) could be opened.
    pub async fn start(
        target: &HttpTarget,
        revision: Revision,
        pattern: LoadPattern,
        connections: u32,
        client: ClientMeta,
        timeout: Duration,
        max_body: usize,
    ) -> Result<HttpLoad, String> {
        let uri: Uri = target.url.parse().map_err(|e| format!("invalid URL {}: {e}", target.url))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err(format!("the load generator speaks http:// and https:// only, not {}", target.url)),
        };
        if target.oauth.is_some() && target.bearer_token.is_none() {
            return Err("the load generator does not run OAuth: give a pre-issued token with --bearer-env".to_owned());
        }
        let host = uri.host().ok_or("the URL has no host")?;
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = format!("{host}:{port}");
        let tls = if https {
            let mut config = (*crate::wire::tls::client_config(&target.tls).map_err(|e| e.to_string())?).clone();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            let name = rustls::pki_types::ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']'))
                .map_err(|e| format!("invalid TLS server name `{host}`: {e}"))?
                .to_owned();
            Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
        } else {
            None
        };
        let mut extra = HeaderMap::new();
        for (name, value) in &target.headers {
            let (Ok(n), Ok(v)) = (http::HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str()))
            else {
                return Err(format!("header `{name}` cannot be sent"));
            };
            extra.insert(n, v);
        }
        if let Some(token) = &target.bearer_token {
            let v = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| "the bearer token cannot be sent")?;
            extra.insert(http::header::AUTHORIZATION, v);
        }
        let host_header =
            HeaderValue::try_from(uri.authority().map_or("", |a| a.as_str())).map_err(|e| e.to_string())?;
        let endpoint = Arc::new(Endpoint {
            uri,
            authority,
            tls,
            host_header,
            extra,
            revision,
            pattern,
            client,
            timeout,
            max_body,
        });
        // Open every connection before the load starts, so set-up is not measured.
        let mut opened = Vec::new();
        let mut last_error = String::new();
        for _ in 0..connections {
            match Connection::open(&endpoint).await {
                Ok(c) => opened.push(Some(c)),
                Err(f) => {
                    last_error = f.detail;
                    opened.push(None);
                }
            }
        }
        if opened.iter().all(Option::is_none) {
            return Err(format!("no connection to {} could be opened: {last_error}", target.url));
        }
        let (jobs, queue) = mpsc::channel::<Job>(65_536);
        let queue = Arc::new(Mutex::new(queue));
        let workers =
            opened.into_iter().map(|conn| tokio::spawn(work(endpoint.clone(), queue.clone(), conn))).collect();
        Ok(HttpLoad { jobs, timeout, workers })
    }

    /// Stops the workers (their connections close; a session of the stateful era is left to the server's expiry).
    pub fn shutdown(&self) {
        for w in &self.workers {
            w.abort();
        }
    }
}

impl Drop for HttpLoad {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl LoadTransport for HttpLoad {
    fn call<'a>(&'a self, request: &'a PreparedRequest, id: u64) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let queued = Instant::now();
            let (done, answer) = oneshot::channel();
            let job =
                Job { body: request.with_id(id), method: request.method.clone(), name: request.name.clone(), id, done };
            if self.jobs.send(job).await.is_err() {
                let f = Failure::new(ErrorKind::Transport, "the load's connections are gone");
                return Answer { sent: queued, result: CallResult::Failed(f) };
            }
            // A worker bounds each exchange by the timeout; waiting in the queue for a free connection is bounded too.
            match tokio::time::timeout(self.timeout * 2, answer).await {
                Ok(Ok(answer)) => answer,
                Ok(Err(_)) => Answer {
                    sent: queued,
                    result: CallResult::Failed(Failure::new(ErrorKind::Transport, "the connection's worker ended")),
                },
                Err(_) => Answer {
                    sent: queued,
                    result: CallResult::Failed(Failure::new(
                        ErrorKind::Timeout,
                        format!("no free connection and answer within {:?}", self.timeout * 2),
                    )),
                },
            }
        })
    }
}

/// One worker: takes jobs while the queue is open, reconnecting when its connection broke.
async fn work(endpoint: Arc<Endpoint>, queue: Arc<Mutex<mpsc::Receiver<Job>>>, mut conn: Option<Connection>) {
    loop {
        let job = { queue.lock().await.recv().await };
        let Some(job) = job else { return };
        if conn.as_ref().is_none_or(|c| c.sender.is_closed()) {
            conn = match Connection::open(&endpoint).await {
                Ok(c) => Some(c),
                Err(f) => {
                    let _ = job.done.send(Answer { sent: Instant::now(), result: CallResult::Failed(f) });
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                    continue;
                }
            };
        }
        let Some(c) = conn.as_mut() else { continue };
        let sent = Instant::now();
        let result = if endpoint.pattern == LoadPattern::HttpChurn {
            c.churn(&endpoint, &job).await
        } else {
            c.call(&endpoint, &job).await
        };
        if matches!(&result, CallResult::Failed(f) if f.kind == ErrorKind::Transport || f.kind == ErrorKind::Timeout) {
            conn = None;
        }
        let _ = job.done.send(Answer { sent, result });
    }
}

/// One keep-alive connection, with its session on the stateful era.
struct Connection {
    sender: SendRequest<Full<Bytes>>,
    session: Option<HeaderValue>,
}

/// An HTTP/1.1 connection over `io`, its driver spawned.
async fn handshake<T>(io: T) -> Result<SendRequest<Full<Bytes>>, Failure>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| Failure::new(ErrorKind::Transport, format!("HTTP handshake failed: {e}")))?;
    tokio::spawn(async move {
        let _ = driver.await;
    });
    Ok(sender)
}

/// What came back for one POST.
struct Exchanged {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Connection {
    /// Connects (and, for the session pattern, opens a session).
    async fn open(endpoint: &Endpoint) -> Result<Connection, Failure> {
        let transport = |e: String| Failure::new(ErrorKind::Transport, e);
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&endpoint.authority))
            .await
            .map_err(|_| Failure::new(ErrorKind::Timeout, format!("connecting took over {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| transport(format!("could not connect to {}: {e}", endpoint.authority)))?;
        let _ = stream.set_nodelay(true);
        let sender = match &endpoint.tls {
            None => handshake(stream).await?,
            Some((connector, name)) => {
                let tls = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name.clone(), stream))
                    .await
                    .map_err(|_| Failure::new(ErrorKind::Timeout, format!("TLS took over {CONNECT_TIMEOUT:?}")))?
                    .map_err(|e| transport(format!("TLS handshake with {} failed: {e}", endpoint.authority)))?;
                handshake(tls).await?
            }
        };
        let mut conn = Connection { sender, session: None };
        if endpoint.pattern == LoadPattern::HttpSession {
            conn.initialize(endpoint).await?;
        }
        Ok(conn)
    }

    /// `initialize` then `notifications/initialized`; keeps the session id.
    async fn initialize(&mut self, endpoint: &Endpoint) -> Result<(), Failure> {
        self.session = None;
        let init = serde_json::json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "protocolVersion": endpoint.revision.as_str(),
                "capabilities": endpoint.client.capabilities,
                "clientInfo": endpoint.client.info,
            }
        });
        let reply = self.send(endpoint, Method::POST, Bytes::from(init.to_string()), None).await?;
        match answer_in(&reply, 0) {
            CallResult::Success => {}
            CallResult::Failed(f) => return Err(Failure { detail: format!("initialize: {}", f.detail), ..f }),
        }
        self.session = reply.headers.get("mcp-session-id").cloned();
        let note = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.to_owned();
        let reply = self.send(endpoint, Method::POST, Bytes::from(note), None).await?;
        if !(200..300).contains(&reply.status) {
            return Err(status_failure(reply.status, "notifications/initialized"));
        }
        Ok(())
    }

    /// One request on this connection's session (or stateless).
    async fn call(&mut self, endpoint: &Endpoint, job: &Job) -> CallResult {
        let name = job.name.as_deref().map(|n| (job.method.as_str(), n)).or(Some((job.method.as_str(), "")));
        match self.send(endpoint, Method::POST, Bytes::from(job.body.clone()), name).await {
            Ok(reply) => answer_in(&reply, job.id),
            Err(f) => CallResult::Failed(f),
        }
    }

    /// A whole session for one request: initialize → initialized → the request → DELETE.
    async fn churn(&mut self, endpoint: &Endpoint, job: &Job) -> CallResult {
        if let Err(f) = self.initialize(endpoint).await {
            return CallResult::Failed(f);
        }
        let result = self.call(endpoint, job).await;
        if self.session.is_some() {
            let deleted = self.send(endpoint, Method::DELETE, Bytes::new(), None).await;
            if let (CallResult::Success, Err(f)) = (&result, deleted) {
                return CallResult::Failed(f);
            }
        }
        self.session = None;
        result
    }

    async fn send(
        &mut self,
        endpoint: &Endpoint,
        method: Method,
        body: Bytes,
        method_headers: Option<(&str, &str)>,
    ) -> Result<Exchanged, Failure> {
        let mut req = Request::builder().method(method).uri(endpoint.uri.path_and_query().map_or("/", |p| p.as_str()));
        let headers = req.headers_mut().ok_or_else(|| Failure::new(ErrorKind::Transport, "bad request head"))?;
        headers.insert(http::header::HOST, endpoint.host_header.clone());
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(http::header::ACCEPT, HeaderValue::from_static("application/json, text/event-stream"));
        if endpoint.revision >= Revision::V2025_06_18
            && let Ok(v) = HeaderValue::try_from(endpoint.revision.as_str())
        {
            headers.insert("mcp-protocol-version", v);
        }
        if let Some(session) = &self.session {
            headers.insert("mcp-session-id", session.clone());
        }
        if endpoint.revision.era() == Era::Stateless
            && let Some((method, name)) = method_headers
        {
            if let Ok(v) = HeaderValue::try_from(method) {
                headers.insert("mcp-method", v);
            }
            if !name.is_empty()
                && let Ok(v) = HeaderValue::try_from(name)
            {
                headers.insert("mcp-name", v);
            }
        }
        for (n, v) in &endpoint.extra {
            headers.insert(n.clone(), v.clone());
        }
        let req = req.body(Full::new(body)).map_err(|e| Failure::new(ErrorKind::Transport, e.to_string()))?;
        let exchange = async {
            self.sender.ready().await.map_err(|e| Failure::new(ErrorKind::Transport, format!("connection: {e}")))?;
            let resp = self
                .sender
                .send_request(req)
                .await
                .map_err(|e| Failure::new(ErrorKind::Transport, format!("HTTP exchange failed: {e}")))?;
            let (parts, body) = resp.into_parts();
            let body = Limited::new(body, endpoint.max_body)
                .collect()
                .await
                .map_err(|e| Failure::new(ErrorKind::Transport, format!("reading the body failed: {e}")))?
                .to_bytes();
            Ok(Exchanged { status: parts.status.as_u16(), headers: parts.headers, body })
        };
        match tokio::time::timeout(endpoint.timeout, exchange).await {
            Ok(r) => r,
            Err(_) => {
                Err(Failure::new(ErrorKind::Timeout, format!("no complete answer within {:?}", endpoint.timeout)))
            }
        }
    }
}

/// What a POST's reply says about request `id`: a non-2xx status, or the answer in its JSON or SSE body.
fn answer_in(reply: &Exchanged, id: u64) -> CallResult {
    if !(200..300).contains(&reply.status) {
        return CallResult::Failed(status_failure(reply.status, "the request"));
    }
    let sse = reply
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/event-stream"));
    let found = if sse {
        reply
            .body
            .split(|&b| b == b'\n')
            .filter_map(|line| line.strip_prefix(b"data:"))
            .map(|data| decode(data.trim_ascii()))
            .find_map(|m| match m {
                Incoming::Answer { id: got, result } if got == id => Some(result),
                _ => None,
            })
    } else {
        match decode(&reply.body) {
            Incoming::Answer { id: got, result } if got == id => Some(result),
            _ => None,
        }
    };
    found.unwrap_or_else(|| {
        CallResult::Failed(Failure::new(
            ErrorKind::Transport,
            format!("HTTP {} without an answer to request {id} in its body ({} bytes)", reply.status, reply.body.len()),
        ))
    })
}

fn status_failure(status: u16, what: &str) -> Failure {
    Failure {
        kind: ErrorKind::HttpStatus,
        code: Some(format!("http {status}")),
        detail: format!("{what}: HTTP {status}"),
    }
}
