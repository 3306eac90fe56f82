//! The session: a connection plus a completed handshake, sending requests and collecting what else arrives.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::answers::ClientAnswers;
use super::audit::SchemaAudit;
use super::blocker::Blocker;
use super::connection::{Connection, Inbound};
use super::error::SessionError;
use super::log::WireLog;
use super::profile::ServerProfile;
use super::rpc::{RpcReply, clip};
use super::violation::{EXCERPT_CHARS, OutputSample, Violation};
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
    /// Where every violation any session observes is recorded (shared by a run's sessions).
    pub log: WireLog,
    /// How long to keep listening for a late reply after a follow-up request proved the target alive (see
    /// `checks::jsonrpc::raw`); silence longer than this, while later requests are answered, is a verdict.
    pub silence_window: Duration,
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
            log: WireLog::default(),
            silence_window: Duration::from_millis(300),
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
    /// A malformed message without an id seen while a response was awaited: the verdict if the response never
    /// comes.
    pending_malformed: Option<Violation>,
}

impl Session {
    /// Opens a connection to `target` and completes the handshake for `options.revision`.
    pub async fn open(
        target: &LaunchedTarget,
        limits: &Limits,
        transcript: &Transcript,
        options: &SessionOptions,
    ) -> Result<Session, SessionError> {
        let conn = Connection::open(target, limits, transcript, options.timeout, &options.log).await?;
        Session::handshake(conn, options).await
    }

    /// A session on `conn` with no handshake, as if `revision` had been negotiated: for checks that perform
    /// the handshake themselves or test behaviour before it.
    pub fn without_handshake(mut conn: Connection, options: &SessionOptions, revision: Revision) -> Session {
        if let Some(http) = conn.http()
            && revision.era() == Era::Stateless
        {
            http.stateless_headers = true;
            http.protocol_header = Some(revision.as_str().to_owned());
        }
        Session {
            conn,
            profile: ServerProfile::from_result(revision, &Value::Null),
            options: options.clone(),
            next_id: 1,
            notifications: VecDeque::new(),
            server_requests: VecDeque::new(),
            stray: VecDeque::new(),
            pending_malformed: None,
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
            pending_malformed: None,
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
                    // Nothing to fall back on: the target cannot be reached, or its process is gone.
                    Err(e @ SessionError::Blocked(_)) if !e.is_timeout() => return Err(e),
                    Err(e) if e.is_closed() => return Err(e),
                    Err(discover_error) => {
                        if let Some(http) = s.conn.http() {
                            http.stateless_headers = false;
                            http.protocol_header = None;
                        }
                        match s.initialize(Revision::LATEST_STATEFUL).await {
                            Ok(()) => {}
                            // A server that started slowly may have answered the discover after the probe gave
                            // up, and now serve 2026-07-28 only (refusing `initialize`): ask once more before
                            // judging the handshake.
                            Err(init_error @ SessionError::Handshake(_)) if discover_error.is_timeout() => {
                                if s.discover(options.probe_timeout).await.is_err() {
                                    return Err(init_error);
                                }
                            }
                            Err(e) => return Err(e),
                        }
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
        let result = reply
            .result()
            .ok_or_else(|| SessionError::Handshake(format!("server/discover answered {}", reply.brief())))?;
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
        let result =
            reply.result().ok_or_else(|| SessionError::Handshake(format!("initialize answered {}", reply.brief())))?;
        let answered = result.get("protocolVersion").and_then(Value::as_str).unwrap_or_default();
        let revision: Revision = answered.parse().map_err(|_| {
            SessionError::Handshake(format!(
                "server chose protocolVersion {answered:?}, which mcp-harness does not speak"
            ))
        })?;
        if revision.era() != Era::Stateful {
            return Err(SessionError::Handshake(format!(
                "server answered initialize with stateless revision {revision}"
            )));
        }
        self.profile = ServerProfile::from_result(revision, result);
        if let Some(http) = self.conn.http()
            && revision >= Revision::V2025_06_18
        {
            http.protocol_header = Some(revision.as_str().to_owned());
        }
        self.notify("notifications/initialized", None).await
    }

    /// How long to keep listening for a late reply once a follow-up request proved the target alive.
    pub fn silence_window(&self) -> Duration {
        self.options.silence_window
    }

    /// The timeout for one request.
    pub fn timeout(&self) -> Duration {
        self.options.timeout
    }

    /// The run's wire log.
    pub fn log(&self) -> &WireLog {
        &self.options.log
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
    pub async fn request_within(
        &mut self,
        method: &str,
        params: Option<Value>,
        timeout: Duration,
    ) -> Result<RpcReply, SessionError> {
        let params =
            if self.profile.revision.era() == Era::Stateless { Some(self.stateless_params(params)) } else { params };
        self.request_with_timeout(method, params, timeout).await
    }

    /// Sends a request exactly as given (no `_meta` added) and waits for its response up to `timeout`.
    pub async fn request_with_timeout(
        &mut self,
        method: &str,
        params: Option<Value>,
        timeout: Duration,
    ) -> Result<RpcReply, SessionError> {
        let id = self.next_id();
        let msg = crate::message::request(id, method, params);
        self.send_logged(&msg).await?;
        self.await_reply(&json!(id), method, timeout, true).await
    }

    /// Sends a message built by the caller (any id) and waits for the response carrying `id`. The response is not
    /// schema-audited and what goes wrong is not logged (the caller judges it).
    pub async fn exchange(&mut self, msg: &Value, timeout: Duration) -> Result<RpcReply, SessionError> {
        let id = msg.get("id").cloned().unwrap_or(Value::Null);
        let method = msg.get("method").and_then(Value::as_str).unwrap_or("(raw)").to_owned();
        self.conn.send(msg).await?;
        self.await_response(&id, &method, timeout).await
    }

    /// Sends a request (with the era's `_meta` added) without waiting for its response, for long-lived requests
    /// such as `subscriptions/listen`; returns its id. What arrives for it later is kept like any stray response.
    pub async fn send_request(&mut self, method: &str, params: Option<Value>) -> Result<Value, SessionError> {
        let params =
            if self.profile.revision.era() == Era::Stateless { Some(self.stateless_params(params)) } else { params };
        let id = self.next_id();
        self.send_logged(&crate::message::request(id, method, params)).await?;
        Ok(json!(id))
    }

    /// Replaces the answers the session gives to the server's requests (sampling, elicitation, roots); returns the
    /// previous ones.
    pub fn set_answers(&mut self, answers: ClientAnswers) -> ClientAnswers {
        std::mem::replace(&mut self.options.answers, answers)
    }

    /// The answers the session gives to the server's requests.
    pub fn answers(&self) -> &ClientAnswers {
        &self.options.answers
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Option<Value>) -> Result<(), SessionError> {
        self.send_logged(&crate::message::notification(method, params)).await
    }

    /// Sends a message the harness built well-formed; a violation while sending it (the HTTP connection dropped,
    /// the process gone) is logged for the dedicated checks.
    async fn send_logged(&mut self, msg: &Value) -> Result<(), SessionError> {
        let sent = self.conn.send(msg).await;
        if let Err(SessionError::Misbehaved(v)) = &sent {
            self.options.log.violation(v);
        }
        sent
    }

    /// Waits for the response with `id`, answering server requests and keeping notifications meanwhile. Not
    /// audited or logged (see [`Self::exchange`]).
    pub async fn await_response(
        &mut self,
        id: &Value,
        method: &str,
        timeout: Duration,
    ) -> Result<RpcReply, SessionError> {
        self.await_reply(id, method, timeout, false).await
    }

    /// Waits for the response to the request `id` (`method`), answering server requests and keeping notifications
    /// meanwhile. `harness_built`: the request is one the harness built well-formed, so its response is
    /// schema-audited, and what goes wrong is a violation logged for the dedicated checks.
    ///
    /// Decided here, once: the response (`Ok`); a response with another id, a malformed response, an oversized
    /// message, the process exiting, an HTTP reply that is neither JSON nor SSE (`Misbehaved`); nothing by the
    /// deadline (`Blocked`, silence) — unless non-protocol output or a malformed message arrived meanwhile, which
    /// is then the verdict.
    async fn await_reply(
        &mut self,
        id: &Value,
        method: &str,
        timeout: Duration,
        harness_built: bool,
    ) -> Result<RpcReply, SessionError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut output = OutputSample::default();
        let mut malformed: Option<Violation> = None;
        let result = loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let item = match self.conn.recv_for(left, method).await {
                Ok(item) => item,
                Err(e) if e.is_timeout() => {
                    break Err(match (output.is_empty(), malformed.take()) {
                        // The target wrote something instead of the response: that is the verdict, not silence
                        // (its non-JSON output first: it says how much came).
                        (false, _) => SessionError::Misbehaved(Violation::NonProtocolOutput { sample: output }),
                        (true, Some(v)) => SessionError::Misbehaved(v),
                        (true, None) => {
                            SessionError::Blocked(Blocker::Silent { method: method.to_owned(), waited: timeout })
                        }
                    });
                }
                Err(e) => break Err(e),
            };
            match item {
                Inbound::Message(v, status) => match self.take_reply(v, status, id, method).await? {
                    Some(Ok(reply)) => break Ok(reply),
                    Some(Err(violation)) => break Err(SessionError::Misbehaved(violation)),
                    None => {}
                },
                Inbound::NotJson(line) => {
                    output.push(&line);
                    self.keep_stray(format!("not JSON: {}", clip(&line, 300)));
                }
                Inbound::Oversized(bytes) => {
                    // On a connection that awaits one reply at a time, an oversized message is that reply.
                    break Err(SessionError::Misbehaved(Violation::Oversized {
                        method: Some(method.to_owned()),
                        bytes,
                        cap: self.conn.cap(),
                    }));
                }
                Inbound::HttpStatus { status, content_type, challenge, body } => {
                    break Err(classify_http_status(method, status, content_type, challenge, body));
                }
                Inbound::Violation { about, violation } if about == *id => {
                    break Err(SessionError::Misbehaved(violation));
                }
                Inbound::Violation { violation, .. } => {
                    self.keep_stray(format!("about another request: {violation}"));
                }
                Inbound::Unresumed { about, method: m, last_event_id } if about == *id => {
                    break Err(SessionError::Blocked(Blocker::Harness(format!(
                        "the server closed the SSE stream for `{m}` after event id {last_event_id:?}, before the \
                         response, as if for the client to resume it with Last-Event-ID (SSE polling); the harness \
                         does not resume streams"
                    ))));
                }
                Inbound::Unresumed { .. } => {}
                Inbound::StreamError(e) => self.keep_stray(format!("stream error: {e}")),
                #[allow(unreachable_patterns)]
                _ => {}
            }
            // A malformed message without an id is kept as evidence in case the response never comes.
            if let Some(v) = self.pending_malformed.take() {
                malformed.get_or_insert(v);
            }
        };
        match &result {
            // An HTTP refusal's body is the transport's ("MAY comprise a JSON-RPC error response that has no id"),
            // not a response the schema describes.
            Ok(reply) if harness_built && is_http_refusal(reply) => self.options.log.response_ok(),
            Ok(reply) if harness_built => {
                self.options.audit.observe(self.profile.revision, &reply.raw, Some(method));
                self.options.log.response_ok();
            }
            // Non-protocol output and oversized messages were logged by the connection as they arrived.
            Err(SessionError::Misbehaved(v))
                if harness_built && !matches!(v, Violation::NonProtocolOutput { .. } | Violation::Oversized { .. }) =>
            {
                self.options.log.violation(v);
            }
            _ => {}
        }
        result
    }

    /// Handles one JSON value while the response to `id` is awaited: `Some(Ok)` is that response, `Some(Err)` a
    /// violation that ends the wait, `None` anything else (a server request answered, a notification kept, a late
    /// response to an earlier request).
    async fn take_reply(
        &mut self,
        v: Value,
        status: Option<u16>,
        id: &Value,
        method: &str,
    ) -> Result<Option<Result<RpcReply, Violation>>, SessionError> {
        // Over HTTP a 4xx/5xx reply answers the POST that caused it, even when its JSON-RPC error carries no id
        // (the spec allows an error "that has no id").
        let http_error = status.is_some_and(|s| !(200..300).contains(&s));
        let id_less = v.get("method").is_none() && matches!(v.get("id"), None | Some(Value::Null));
        if http_error && id_less && v.get("error").is_some() {
            return Ok(Some(
                response_shape(&v, method)
                    .map(|()| RpcReply::from_message(v.clone(), status))
                    .and_then(|r| r.ok_or_else(|| malformed_response(&v, method, "neither `result` nor `error`"))),
            ));
        }
        if v.is_array() {
            if !self.conn.take_unreadable_allowance() {
                self.pending_malformed = Some(Violation::MalformedMessage {
                    reason: "an array, but no batch was sent".to_owned(),
                    message: clip(&v.to_string(), EXCERPT_CHARS),
                });
            }
            self.keep_stray(format!("array: {}", clip(&v.to_string(), 200)));
            return Ok(None);
        }
        if !v.is_object() {
            self.pending_malformed = Some(Violation::MalformedMessage {
                reason: "not a JSON object".to_owned(),
                message: clip(&v.to_string(), EXCERPT_CHARS),
            });
            return Ok(None);
        }
        if v.get("method").is_some() {
            if !v.get("method").is_some_and(Value::is_string) {
                self.pending_malformed = Some(Violation::MalformedMessage {
                    reason: "`method` is not a string".to_owned(),
                    message: clip(&v.to_string(), EXCERPT_CHARS),
                });
                return Ok(None);
            }
            self.route(v).await?;
            return Ok(None);
        }
        // A response (no method).
        let received = v.get("id").cloned().unwrap_or(Value::Null);
        let answer_like = v.get("result").is_some() || v.get("error").is_some();
        if received == *id {
            return Ok(Some(response_shape(&v, method).and_then(|()| {
                RpcReply::from_message(v.clone(), status)
                    .ok_or_else(|| malformed_response(&v, method, "neither `result` nor `error`"))
            })));
        }
        let late = matches!(received, Value::String(_) | Value::Number(_)) && self.conn.was_sent(&received);
        let unreadable_answer = received.is_null() && v.get("error").is_some() && self.conn.take_unreadable_allowance();
        if late || unreadable_answer {
            self.keep_stray(format!("response to another id: {}", clip(&v.to_string(), 200)));
            return Ok(None);
        }
        if !answer_like && received.is_null() {
            // Neither a request, a notification nor a response: no id to tie it to the awaited request.
            self.pending_malformed = Some(Violation::MalformedMessage {
                reason: "no `method`, no `id`, and neither `result` nor `error`".to_owned(),
                message: clip(&v.to_string(), EXCERPT_CHARS),
            });
            return Ok(None);
        }
        // An id the harness never sent (or null where the request's id was readable): the response to the
        // awaited request, mislabelled.
        Ok(Some(Err(Violation::ResponseIdMismatch {
            method: method.to_owned(),
            sent: id.to_string(),
            received: received.to_string(),
            response: clip(&v.to_string(), EXCERPT_CHARS),
        })))
    }

    /// Handles one request or notification from the server: answers requests, keeps notifications.
    async fn route(&mut self, v: Value) -> Result<(), SessionError> {
        self.options.audit.observe(self.profile.revision, &v, None);
        let method = v.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
        match v.get("id").cloned() {
            Some(id) => {
                let reply = match self.options.answers.answer(&method, v.get("params")) {
                    Ok(result) => crate::message::result(id, result),
                    Err((code, message)) => crate::message::error(id, code, &message),
                };
                self.conn.send(&reply).await?;
                if self.server_requests.len() >= KEPT_MAX {
                    self.server_requests.pop_front();
                }
                self.server_requests.push_back(v);
            }
            None => {
                if self.notifications.len() >= KEPT_MAX {
                    self.notifications.pop_front();
                }
                self.notifications.push_back(v);
            }
        }
        Ok(())
    }

    fn keep_stray(&mut self, s: String) {
        if self.stray.len() >= KEPT_MAX {
            self.stray.pop_front();
        }
        self.stray.push_back(s);
    }

    /// Waits up to `wait` for notifications until `done` says enough, returning all notifications seen (drained).
    /// Server requests that arrive meanwhile are answered.
    pub async fn collect_notifications(
        &mut self,
        wait: Duration,
        mut done: impl FnMut(&[Value]) -> bool,
    ) -> Vec<Value> {
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
                Ok(Inbound::Message(v, _)) if v.get("method").is_some_and(Value::is_string) => {
                    if self.route(v).await.is_err() {
                        break;
                    }
                }
                Ok(Inbound::Message(v, _)) => {
                    self.keep_stray(format!("unexpected response: {}", clip(&v.to_string(), 200)));
                }
                Ok(Inbound::NotJson(line)) => self.keep_stray(format!("not JSON: {}", clip(&line, 300))),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        self.notifications.drain(..).collect()
    }

    /// Sends a long-lived request (`subscriptions/listen`, era `_meta` added) and waits up to `timeout` for the first
    /// notification `first` accepts (its acknowledgement), or for the request's response (an error, or a result
    /// that ends the stream at once): `Ok(Ok(notification))` or `Ok(Err(reply))`. Other notifications are kept and
    /// server requests answered meanwhile; nothing by the deadline is silence.
    pub async fn open_stream(
        &mut self,
        method: &str,
        params: Option<Value>,
        timeout: Duration,
        first: impl Fn(&Value) -> bool,
    ) -> Result<Result<Value, RpcReply>, SessionError> {
        let id = self.send_request(method, params).await?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.conn.recv_for(left, method).await? {
                Inbound::Message(v, status) => {
                    if v.get("method").is_some_and(Value::is_string) {
                        if first(&v) {
                            return Ok(Ok(v));
                        }
                        self.route(v).await?;
                    } else if v.get("id") == Some(&id) {
                        let reply = RpcReply::from_message(v.clone(), status)
                            .ok_or_else(|| malformed_response(&v, method, "neither `result` nor `error`"));
                        return reply.map(Err).map_err(SessionError::Misbehaved);
                    } else {
                        self.keep_stray(format!("unexpected response: {}", clip(&v.to_string(), 200)));
                    }
                }
                Inbound::HttpStatus { status, content_type, challenge, body } => {
                    return Err(classify_http_status(method, status, content_type, challenge, body));
                }
                Inbound::Violation { about, violation } if about == id => {
                    return Err(SessionError::Misbehaved(violation));
                }
                Inbound::NotJson(line) => self.keep_stray(format!("not JSON: {}", clip(&line, 300))),
                other => self.keep_stray(format!("while waiting for {method}: {other:?}")),
            }
        }
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
        if let Some(http) = self.conn.http()
            && http.session_id.is_some()
        {
            let req = http.decorate(crate::wire::HttpRequest::delete(), None);
            let _ = http.wire().send(req, Duration::from_secs(2)).await;
        }
        self.conn.close().await;
    }
}

/// Whether `reply` refuses the request at the HTTP level: an error status with an error that carries no id.
fn is_http_refusal(reply: &RpcReply) -> bool {
    reply.http_status.is_some_and(|s| s >= 400) && matches!(reply.raw.get("id"), None | Some(Value::Null))
}

/// Whether `v`, the response to `method`, has the shape of a response: exactly one of `result` and `error`, and an
/// `error` that is an object.
fn response_shape(v: &Value, method: &str) -> Result<(), Violation> {
    match (v.get("result"), v.get("error")) {
        (Some(_), Some(_)) => Err(malformed_response(v, method, "both `result` and `error`")),
        (None, None) => Err(malformed_response(v, method, "neither `result` nor `error`")),
        (None, Some(e)) if !e.is_object() => Err(malformed_response(v, method, "`error` is not an object")),
        _ => Ok(()),
    }
}

fn malformed_response(v: &Value, method: &str, reason: &str) -> Violation {
    Violation::MalformedResponse {
        method: method.to_owned(),
        reason: reason.to_owned(),
        response: clip(&v.to_string(), EXCERPT_CHARS),
    }
}

/// An HTTP error status without a JSON-RPC message, in reply to `method`: credentials missing (401, or 403 with a
/// challenge) and an unavailable target or gateway (502, 503, 504) mean the harness could not test; any other
/// status is the target's answer (a refusal for 4xx, a failure to reply for 5xx).
fn classify_http_status(
    method: &str,
    status: u16,
    content_type: Option<String>,
    challenge: Option<String>,
    body: String,
) -> SessionError {
    match status {
        401 => SessionError::Blocked(Blocker::Unauthorized { status, challenge }),
        403 if challenge.is_some() => SessionError::Blocked(Blocker::Unauthorized { status, challenge }),
        502..=504 => SessionError::Blocked(Blocker::Unavailable { status, body: clip(body.trim(), 200) }),
        _ => SessionError::Misbehaved(Violation::HttpStatus {
            method: method.to_owned(),
            status,
            content_type,
            body: clip(body.trim(), EXCERPT_CHARS),
        }),
    }
}
