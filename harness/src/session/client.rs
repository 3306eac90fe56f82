//! The session: a connection plus a completed handshake, sending requests and collecting what else arrives.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::answers::ClientAnswers;
use super::audit::SchemaAudit;
use super::connection::{Connection, Inbound};
use super::error::SessionError;
use super::profile::ServerProfile;
use super::rpc::{clip, RpcReply};
use crate::protocol::{Era, Revision, RevisionChoice};
use crate::target::LaunchedTarget;
use crate::wire::{Limits, Transcript};

/// How sessions are opened.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Revision to speak (or probe for).
    pub revision: RevisionChoice,
    /// Timeout for one request's response.
    pub timeout: Duration,
    /// Timeout for the `server/discover` probe when the revision is `auto`.
    pub probe_timeout: Duration,
    /// Answers to server→client requests.
    pub answers: ClientAnswers,
    /// `clientInfo` sent in the handshake and in 2026 request `_meta`.
    pub client_info: Value,
    /// Where every message the server sends is validated against the revision's schema (shared by a run's
    /// sessions).
    pub audit: SchemaAudit,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            revision: RevisionChoice::Auto,
            timeout: Duration::from_secs(10),
            probe_timeout: Duration::from_secs(5),
            answers: ClientAnswers::default(),
            client_info: json!({"name": "mcp-harness", "version": env!("CARGO_PKG_VERSION")}),
            audit: SchemaAudit::default(),
        }
    }
}

/// Things received that were not the awaited response, kept (bounded) for checks to inspect.
const KEPT_MAX: usize = 1000;

/// An MCP client session over one connection.
#[derive(Debug)]
pub struct Session {
    conn: Connection,
    /// The server as seen in the handshake.
    pub profile: ServerProfile,
    options: SessionOptions,
    next_id: i64,
    notifications: VecDeque<Value>,
    /// Requests the server sent the client (sampling, elicitation, roots), as received, after they were answered.
    server_requests: VecDeque<Value>,
    stray: VecDeque<String>,
}

impl Session {
    /// Opens a connection to `target` and completes the handshake for `options.revision`.
    pub async fn open(target: &LaunchedTarget, limits: &Limits, transcript: &Transcript, options: &SessionOptions) -> Result<Session, SessionError> {
        let conn = Connection::open(target, limits, transcript, options.timeout).await?;
        Session::handshake(conn, options).await
    }

    /// A session on `conn` with no handshake, as if `revision` had been negotiated: for checks that perform
    /// the handshake themselves or test behaviour before it.
    pub fn without_handshake(mut conn: Connection, options: &SessionOptions, revision: Revision) -> Session {
        if let Some(http) = conn.http() {
            if revision.era() == Era::Stateless {
                http.stateless_headers = true;
                http.protocol_header = Some(revision.as_str().to_owned());
            }
        }
        Session {
            conn,
            profile: ServerProfile::from_result(revision, &Value::Null),
            options: options.clone(),
            next_id: 1,
            notifications: VecDeque::new(),
            server_requests: VecDeque::new(),
            stray: VecDeque::new(),
        }
    }

    /// Completes the handshake on an open connection.
    pub async fn handshake(conn: Connection, options: &SessionOptions) -> Result<Session, SessionError> {
        let mut s = Session {
            conn,
            profile: ServerProfile::from_result(Revision::LATEST_STATEFUL, &Value::Null),
            options: options.clone(),
            next_id: 1,
            notifications: VecDeque::new(),
            server_requests: VecDeque::new(),
            stray: VecDeque::new(),
        };
        match options.revision {
            // The revision asked for is the one the handshake's reply is validated against (see SchemaAudit).
            RevisionChoice::Exact(r) if r.era() == Era::Stateless => {
                s.profile.revision = r;
                s.discover(options.timeout).await?
            }
            RevisionChoice::Exact(r) => {
                s.profile.revision = r;
                s.initialize(r).await?
            }
            RevisionChoice::Auto => {
                // The spec's dual-era probe: discover first; anything but a usable DiscoverResult falls back.
                match s.discover(options.probe_timeout).await {
                    Ok(()) => {}
                    Err(e @ SessionError::Wire(_)) | Err(e @ SessionError::Closed(_)) => return Err(e),
                    Err(_) => {
                        if let Some(http) = s.conn.http() {
                            http.stateless_headers = false;
                            http.protocol_header = None;
                        }
                        s.initialize(Revision::LATEST_STATEFUL).await?
                    }
                }
            }
        }
        Ok(s)
    }

    async fn discover(&mut self, timeout: Duration) -> Result<(), SessionError> {
        let rev = Revision::V2026_07_28;
        if let Some(http) = self.conn.http() {
            http.stateless_headers = true;
            http.protocol_header = Some(rev.as_str().to_owned());
        }
        let params = self.stateless_params(None);
        let reply = self.request_with_timeout("server/discover", Some(params), timeout).await?;
        let result = reply.result().ok_or_else(|| SessionError::Handshake(format!("server/discover answered {}", reply.brief())))?;
        let supported = result.get("supportedVersions").and_then(Value::as_array);
        if !supported.is_some_and(|v| v.iter().any(|x| x.as_str() == Some(rev.as_str()))) {
            return Err(SessionError::Handshake(format!(
                "server/discover result does not list {rev} in supportedVersions: {}",
                clip(&result.to_string(), 300)
            )));
        }
        self.profile = ServerProfile::from_result(rev, result);
        self.profile.protocol_version = rev.as_str().to_owned();
        Ok(())
    }

    async fn initialize(&mut self, requested: Revision) -> Result<(), SessionError> {
        let params = json!({
            "protocolVersion": requested.as_str(),
            "capabilities": self.options.answers.capabilities(),
            "clientInfo": self.options.client_info,
        });
        let reply = self.request("initialize", Some(params)).await?;
        let result = reply.result().ok_or_else(|| SessionError::Handshake(format!("initialize answered {}", reply.brief())))?;
        let answered = result.get("protocolVersion").and_then(Value::as_str).unwrap_or_default();
        let revision: Revision = answered.parse().map_err(|_| {
            SessionError::Handshake(format!("server chose protocolVersion {answered:?}, which mcp-harness does not speak"))
        })?;
        if revision.era() != Era::Stateful {
            return Err(SessionError::Handshake(format!("server answered initialize with stateless revision {revision}")));
        }
        self.profile = ServerProfile::from_result(revision, result);
        if let Some(http) = self.conn.http() {
            if revision >= Revision::V2025_06_18 {
                http.protocol_header = Some(revision.as_str().to_owned());
            }
        }
        self.notify("notifications/initialized", None).await
    }

    /// The revision this session speaks.
    pub fn revision(&self) -> Revision {
        self.profile.revision
    }

    /// Adds the 2026 per-request `_meta` to `params` (stateless era only).
    pub fn stateless_params(&self, params: Option<Value>) -> Value {
        let mut params = match params {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let meta = params.entry("_meta").or_insert_with(|| json!({}));
        if let Value::Object(meta) = meta {
            meta.entry("io.modelcontextprotocol/protocolVersion").or_insert(json!(Revision::V2026_07_28.as_str()));
            meta.entry("io.modelcontextprotocol/clientCapabilities").or_insert(self.options.answers.capabilities());
            meta.entry("io.modelcontextprotocol/clientInfo").or_insert(self.options.client_info.clone());
        }
        Value::Object(params)
    }

    /// Sends a request (with the era's `_meta` added) and waits for its response.
    pub async fn request(&mut self, method: &str, params: Option<Value>) -> Result<RpcReply, SessionError> {
        self.request_within(method, params, self.options.timeout).await
    }

    /// [`Self::request`] with its own timeout.
    pub async fn request_within(&mut self, method: &str, params: Option<Value>, timeout: Duration) -> Result<RpcReply, SessionError> {
        let params = if self.profile.revision.era() == Era::Stateless {
            Some(self.stateless_params(params))
        } else {
            params
        };
        self.request_with_timeout(method, params, timeout).await
    }

    /// Sends a request exactly as given (no `_meta` added) and waits for its response up to `timeout`.
    pub async fn request_with_timeout(&mut self, method: &str, params: Option<Value>, timeout: Duration) -> Result<RpcReply, SessionError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(p) = params {
            msg["params"] = p;
        }
        self.conn.send(&msg).await?;
        self.await_reply(&json!(id), method, timeout, true).await
    }

    /// Sends a message built by the caller (any id) and waits for the response carrying `id`.
    pub async fn exchange(&mut self, msg: &Value, timeout: Duration) -> Result<RpcReply, SessionError> {
        let id = msg.get("id").cloned().unwrap_or(Value::Null);
        let method = msg.get("method").and_then(Value::as_str).unwrap_or("(raw)").to_owned();
        self.conn.send(msg).await?;
        self.await_response(&id, &method, timeout).await
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Option<Value>) -> Result<(), SessionError> {
        let mut msg = json!({"jsonrpc": "2.0", "method": method});
        if let Some(p) = params {
            msg["params"] = p;
        }
        self.conn.send(&msg).await
    }

    /// Waits for the response with `id`, answering server requests and keeping notifications meanwhile.
    pub async fn await_response(&mut self, id: &Value, method: &str, timeout: Duration) -> Result<RpcReply, SessionError> {
        self.await_reply(id, method, timeout, false).await
    }

    /// [`Self::await_response`]; `audit` validates the response against the schema (only for requests the
    /// harness built well-formed).
    async fn await_reply(&mut self, id: &Value, method: &str, timeout: Duration, audit: bool) -> Result<RpcReply, SessionError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let item = match self.conn.recv(left).await {
                Ok(item) => item,
                Err(e) if e.is_timeout() => return Err(SessionError::Timeout { method: method.to_owned(), timeout }),
                Err(e) => return Err(e),
            };
            match item {
                Inbound::Message(v, status) => {
                    // Over HTTP a 4xx/5xx reply answers the POST that caused it, even when its JSON-RPC error
                    // carries no id (the spec allows an error "that has no id").
                    let http_error = status.is_some_and(|s| !(200..300).contains(&s));
                    let id_less = v.get("method").is_none() && matches!(v.get("id"), None | Some(Value::Null));
                    if http_error && id_less {
                        return match RpcReply::from_message(v.clone(), status) {
                            Some(reply) => Ok(reply),
                            None => Err(SessionError::HttpStatus {
                                method: method.to_owned(),
                                status: status.unwrap_or_default(),
                                body: clip(&v.to_string(), 500),
                            }),
                        };
                    }
                    if let Some(reply) = self.route(v, status).await? {
                        if reply.raw.get("id") == Some(id) {
                            if audit {
                                self.options.audit.observe(self.profile.revision, &reply.raw, Some(method));
                            }
                            return Ok(reply);
                        }
                        self.keep_stray(format!("response to another id: {}", clip(&reply.raw.to_string(), 200)));
                    }
                }
                Inbound::HttpStatus { status, body } => {
                    return Err(SessionError::HttpStatus { method: method.to_owned(), status, body: clip(&body, 500) });
                }
                Inbound::NotJson(line) => self.keep_stray(format!("not JSON: {}", clip(&line, 300))),
                Inbound::Oversized(bytes) => self.keep_stray(format!("oversized message of {bytes} bytes discarded")),
                Inbound::StreamError(e) => self.keep_stray(format!("stream error: {e}")),
            }
        }
    }

    /// Handles one inbound message: answers server requests, keeps notifications, returns responses.
    async fn route(&mut self, v: Value, status: Option<u16>) -> Result<Option<RpcReply>, SessionError> {
        let has_method = v.get("method").and_then(Value::as_str).map(str::to_owned);
        if has_method.is_some() {
            self.options.audit.observe(self.profile.revision, &v, None);
        }
        match (has_method, v.get("id").cloned()) {
            (Some(method), Some(id)) => {
                let reply = match self.options.answers.answer(&method, v.get("params")) {
                    Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                    Err((code, message)) => json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}),
                };
                self.conn.send(&reply).await?;
                if self.server_requests.len() >= KEPT_MAX {
                    self.server_requests.pop_front();
                }
                self.server_requests.push_back(v);
                Ok(None)
            }
            (Some(_), None) => {
                if self.notifications.len() >= KEPT_MAX {
                    self.notifications.pop_front();
                }
                self.notifications.push_back(v);
                Ok(None)
            }
            (None, _) => match RpcReply::from_message(v.clone(), status) {
                Some(r) => Ok(Some(r)),
                None => {
                    self.keep_stray(format!("neither request, notification nor response: {}", clip(&v.to_string(), 300)));
                    Ok(None)
                }
            },
        }
    }

    fn keep_stray(&mut self, s: String) {
        if self.stray.len() >= KEPT_MAX {
            self.stray.pop_front();
        }
        self.stray.push_back(s);
    }

    /// Waits up to `wait` for notifications matching `pred`, returning all notifications seen (drained).
    pub async fn collect_notifications(&mut self, wait: Duration, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let seen: Vec<Value> = self.notifications.iter().cloned().collect();
            if done(&seen) {
                break;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                break;
            }
            match self.conn.recv(left).await {
                Ok(Inbound::Message(v, status)) => {
                    if let Ok(Some(r)) = self.route(v, status).await {
                        self.keep_stray(format!("unexpected response: {}", clip(&r.raw.to_string(), 200)));
                    }
                }
                Ok(Inbound::NotJson(line)) => self.keep_stray(format!("not JSON: {}", clip(&line, 300))),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        self.notifications.drain(..).collect()
    }

    /// Notifications received so far (drained).
    pub fn take_notifications(&mut self) -> Vec<Value> {
        self.notifications.drain(..).collect()
    }

    /// Requests the server sent the client (`sampling/createMessage`, `elicitation/create`, `roots/list`, …) so
    /// far, each as received and already answered from the session's [`ClientAnswers`] (drained).
    pub fn take_server_requests(&mut self) -> Vec<Value> {
        self.server_requests.drain(..).collect()
    }

    /// Descriptions of what arrived that was not a well-formed message (non-JSON lines, stray responses…).
    pub fn stray(&self) -> impl Iterator<Item = &String> {
        self.stray.iter()
    }

    /// The connection, for raw sends on an established session.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Allocates a fresh request id.
    pub fn next_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Whether the session's process (stdio) is still running; HTTP sessions are assumed alive.
    pub fn is_alive(&mut self) -> bool {
        self.conn.exit_status().is_none()
    }

    /// Ends the session (the stdio process is stopped; HTTP sessions send DELETE where one was issued).
    pub async fn close(mut self) {
        if let Some(http) = self.conn.http() {
            if http.session_id.is_some() {
                let req = http.decorate(crate::wire::HttpRequest::delete(), None);
                let _ = http.wire().send(req, Duration::from_secs(2)).await;
            }
        }
        self.conn.close().await;
    }
}
