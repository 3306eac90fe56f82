//! One connection to a target at the message level, the same shape for both transports: send a message, receive
//! the next inbound item. Over HTTP, replies arrive as JSON bodies or SSE streams; both are drained into one inbox.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::{SessionError, body_excerpt};
use super::log::WireLog;
use super::rpc::clip;
use super::violation::{EXCERPT_CHARS, Violation};
use crate::target::{LaunchedTarget, StderrLog, TargetTransport};
use crate::wire::{HttpReply, HttpRequest, HttpWire, Incoming, Limits, ReplyBody, StdioWire, Transcript};

/// Something that arrived from the target.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Inbound {
    /// A JSON value (a message, or anything else that parsed as JSON), with the HTTP status that carried it.
    Message(Value, Option<u16>),
    /// A line or body that is not JSON.
    NotJson(String),
    /// A line or body over the size cap (discarded), with its size in bytes (at least the cap for a body whose
    /// length is unknown).
    Oversized(u64),
    /// An HTTP reply with no JSON body and an error status, e.g. `400` with a text body or a `404` with none.
    HttpStatus {
        /// The status code.
        status: u16,
        /// The `Content-Type`, when present.
        content_type: Option<String>,
        /// The `WWW-Authenticate` header, when present.
        challenge: Option<String>,
        /// The body text (capped).
        body: String,
    },
    /// An SSE stream broke or exceeded its caps.
    StreamError(String),
    /// The SSE stream for the request with id `about` closed before its response, after an event with an id: the
    /// server may expect the client to resume it with `Last-Event-ID` (SSE polling), which the session does not do.
    Unresumed {
        /// The id of the request the stream belonged to.
        about: Value,
        /// The request's method.
        method: String,
        /// The last event id the stream carried.
        last_event_id: String,
    },
    /// The transport saw the target break a rule in its reply to the request with id `about` (HTTP only: a body
    /// that is neither JSON nor SSE, a response with another id, a stream that ended without the response).
    Violation {
        /// The id of the request the reply belonged to.
        about: Value,
        /// What was wrong.
        violation: Violation,
    },
}

/// A message-level connection to a target.
#[derive(Debug)]
pub enum Connection {
    /// A child process on stdin/stdout.
    Stdio(StdioConnection),
    /// Streamable HTTP requests to one endpoint.
    Http(HttpConnection),
}

/// The stdio half of [`Connection`].
#[derive(Debug)]
pub struct StdioConnection {
    wire: StdioWire,
    stderr: StderrLog,
    processes: std::sync::Arc<crate::target::StdioProcesses>,
    /// Whether the process has written at least one JSON message (an exit before that is "could not start").
    received_message: bool,
    sent: SentLog,
    log: WireLog,
    /// The line cap, in bytes.
    cap: u64,
}

/// The HTTP half of [`Connection`].
#[derive(Debug)]
pub struct HttpConnection {
    wire: HttpWire,
    /// `Mcp-Session-Id` to send, once the server issued one.
    pub session_id: Option<String>,
    /// `MCP-Protocol-Version` to send, once negotiated.
    pub protocol_header: Option<String>,
    /// Send the 2026 `Mcp-Method`/`Mcp-Name` headers.
    pub stateless_headers: bool,
    timeout: Duration,
    inbox_tx: mpsc::Sender<Inbound>,
    inbox_rx: mpsc::Receiver<Inbound>,
    streams: Vec<JoinHandle<()>>,
    log: WireLog,
    sent: SentLog,
    /// The body cap, in bytes.
    cap: u64,
}

/// Inbound items buffered at most per HTTP connection; SSE readers wait when it is full.
const INBOX_CAP: usize = 1024;
/// Request ids remembered per connection (to tell a late response from one with an invented id).
const SENT_IDS_KEPT: usize = 4096;

/// What a connection has sent, to judge the ids of what comes back.
#[derive(Debug, Default)]
pub(crate) struct SentLog {
    ids: HashSet<String>,
    order: VecDeque<String>,
    /// Messages sent that a server may answer with a null-id error (invalid JSON, invalid requests, batches).
    unreadable: u32,
}

impl SentLog {
    /// Notes one sent text: a request's id, or a message whose id a server could not read.
    fn note(&mut self, msg: Option<&Value>) {
        match msg {
            Some(Value::Object(m)) if m.contains_key("method") => match m.get("id") {
                None => {}
                Some(id @ (Value::String(_) | Value::Number(_))) => {
                    let key = id.to_string();
                    if self.ids.insert(key.clone()) {
                        self.order.push_back(key);
                        if self.order.len() > SENT_IDS_KEPT
                            && let Some(old) = self.order.pop_front()
                        {
                            self.ids.remove(&old);
                        }
                    }
                }
                Some(_) => self.unreadable = self.unreadable.saturating_add(1),
            },
            // A response the harness sent (to a server request) expects nothing back.
            Some(Value::Object(m)) if m.contains_key("result") || m.contains_key("error") => {}
            _ => self.unreadable = self.unreadable.saturating_add(1),
        }
    }
}

impl Connection {
    /// Opens a connection: spawns a process for stdio targets, builds a client for HTTP ones. Non-JSON output on
    /// stdout and oversized messages are recorded in `log` as they arrive.
    pub async fn open(
        target: &LaunchedTarget,
        limits: &Limits,
        transcript: &Transcript,
        timeout: Duration,
        log: &WireLog,
    ) -> Result<Self, SessionError> {
        match &target.transport {
            TargetTransport::Stdio(cmd) => {
                let wire = target.processes.take(cmd, limits, transcript).await?;
                Ok(Connection::Stdio(StdioConnection {
                    wire,
                    stderr: target.stderr.clone(),
                    processes: target.processes.clone(),
                    received_message: false,
                    sent: SentLog::default(),
                    log: log.clone(),
                    cap: limits.max_line_bytes as u64,
                }))
            }
            TargetTransport::Http(t) => {
                let wire = HttpWire::new(t.clone(), limits, transcript.clone())?;
                let (inbox_tx, inbox_rx) = mpsc::channel(INBOX_CAP);
                Ok(Connection::Http(HttpConnection {
                    wire,
                    session_id: None,
                    protocol_header: None,
                    stateless_headers: false,
                    timeout,
                    inbox_tx,
                    inbox_rx,
                    streams: Vec::new(),
                    log: log.clone(),
                    sent: SentLog::default(),
                    cap: limits.max_body_bytes as u64,
                }))
            }
        }
    }

    /// Sends one message.
    pub async fn send(&mut self, msg: &Value) -> Result<(), SessionError> {
        self.sent_log().note(Some(msg));
        match self {
            Connection::Stdio(c) => c.wire.send(msg).await.map_err(|e| c.classify(e, method_of(msg))),
            Connection::Http(c) => c.post(msg.to_string(), Some(msg)).await,
        }
    }

    /// Sends text exactly as given (a line on stdio, a POST body over HTTP), for negative checks.
    pub async fn send_raw(&mut self, text: &str) -> Result<(), SessionError> {
        let parsed: Option<Value> = serde_json::from_str(text).ok();
        self.sent_log().note(parsed.as_ref());
        match self {
            Connection::Stdio(c) => c.wire.send_line(text).await.map_err(|e| c.classify(e, "(a raw message)")),
            Connection::Http(c) => c.post(text.to_owned(), None).await,
        }
    }

    /// Sends bytes exactly as given (a line on stdio, a POST body over HTTP, whose reply joins the inbox like
    /// [`Connection::send_raw`]'s); they may be invalid UTF-8.
    pub async fn send_bytes(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        self.sent_log().note(None);
        match self {
            Connection::Stdio(c) => c.wire.send_bytes(bytes).await.map_err(|e| c.classify(e, "(raw bytes)")),
            Connection::Http(c) => {
                let req = c.decorate(HttpRequest::post_bytes(bytes.to_vec()), None);
                let reply =
                    c.wire.send(req, c.timeout).await.map_err(|e| SessionError::from_wire(e, "(raw bytes)", true))?;
                c.accept(reply, None).await;
                Ok(())
            }
        }
    }

    /// The next inbound item, waiting at most `timeout`. `method` names what is awaited, for the error when the
    /// process exits or nothing arrives.
    pub async fn recv_for(&mut self, timeout: Duration, method: &str) -> Result<Inbound, SessionError> {
        // A spent deadline is a timeout even when items are queued: a target that floods stdout must not keep a
        // wait going past its deadline.
        if timeout.is_zero() {
            return Err(SessionError::Blocked(super::blocker::Blocker::Silent {
                method: method.to_owned(),
                waited: timeout,
            }));
        }
        match self {
            Connection::Stdio(c) => match c.wire.recv(timeout).await {
                Ok(Incoming::Message(v)) => {
                    c.received_message = true;
                    c.log.message(0, true);
                    Ok(Inbound::Message(v, None))
                }
                Ok(Incoming::NotJson(s)) => {
                    c.log.non_protocol_line(&s);
                    Ok(Inbound::NotJson(s))
                }
                Ok(Incoming::Oversized { bytes }) => {
                    c.log.violation(&Violation::Oversized { method: None, bytes: bytes as u64, cap: c.cap });
                    Ok(Inbound::Oversized(bytes as u64))
                }
                #[allow(unreachable_patterns)]
                Ok(_) => Ok(Inbound::StreamError("unrecognised stdio item".to_owned())),
                Err(e) => Err(c.classify(e, method)),
            },
            Connection::Http(c) => match tokio::time::timeout(timeout, c.inbox_rx.recv()).await {
                Ok(Some(item)) => Ok(item),
                Ok(None) => Err(SessionError::Blocked(super::blocker::Blocker::Harness(
                    "the HTTP connection's inbox closed".to_owned(),
                ))),
                Err(_) => Err(SessionError::Blocked(super::blocker::Blocker::Silent {
                    method: method.to_owned(),
                    waited: timeout,
                })),
            },
        }
    }

    /// The next inbound item, waiting at most `timeout` (for reads that await no particular request).
    pub async fn recv(&mut self, timeout: Duration) -> Result<Inbound, SessionError> {
        self.recv_for(timeout, "(any message)").await
    }

    /// Whether `id` is the id of a request sent on this connection.
    pub(crate) fn was_sent(&mut self, id: &Value) -> bool {
        self.sent_log().ids.contains(&id.to_string())
    }

    /// Consumes one "may be answered with a null id" allowance (from a message whose id the server could not read);
    /// false when none is left.
    pub(crate) fn take_unreadable_allowance(&mut self) -> bool {
        let log = self.sent_log();
        if log.unreadable > 0 {
            log.unreadable -= 1;
            true
        } else {
            false
        }
    }

    fn sent_log(&mut self) -> &mut SentLog {
        match self {
            Connection::Stdio(c) => &mut c.sent,
            Connection::Http(c) => &mut c.sent,
        }
    }

    /// The size over which a message is discarded as oversized: the line cap on stdio, the body cap over HTTP.
    pub fn cap(&self) -> u64 {
        match self {
            Connection::Stdio(c) => c.cap,
            Connection::Http(c) => c.cap,
        }
    }

    /// Whether this is a stdio connection.
    pub fn is_stdio(&self) -> bool {
        matches!(self, Connection::Stdio(_))
    }

    /// The HTTP side, if this is an HTTP connection.
    pub fn http(&mut self) -> Option<&mut HttpConnection> {
        match self {
            Connection::Http(c) => Some(c),
            Connection::Stdio(_) => None,
        }
    }

    /// The stdio process's exit status, if it has exited.
    pub fn exit_status(&mut self) -> Option<String> {
        match self {
            Connection::Stdio(c) => c.wire.exit_status(),
            Connection::Http(_) => None,
        }
    }

    /// The stdio process's id (also its process group), if this is a stdio connection.
    pub fn pid(&self) -> Option<u32> {
        match self {
            Connection::Stdio(c) => c.wire.pid(),
            Connection::Http(_) => None,
        }
    }

    /// Closes the connection: ends the stdio process in the background (keeping its stderr) or ends HTTP streams.
    pub async fn close(self) {
        match self {
            Connection::Stdio(c) => {
                let (tail, truncated) = c.wire.stderr_tail();
                if truncated {
                    c.stderr.mark_truncated();
                }
                c.stderr.push(&tail);
                c.processes.retire(c.wire);
            }
            Connection::Http(c) => {
                for s in c.streams {
                    s.abort();
                }
            }
        }
    }
}

impl StdioConnection {
    /// Classifies a wire failure while `method` was awaited (or sent).
    fn classify(&self, e: crate::wire::WireError, method: &str) -> SessionError {
        SessionError::from_wire(e, method, self.received_message)
    }
}

/// The method of a message, for error texts.
fn method_of(msg: &Value) -> &str {
    msg.get("method").and_then(Value::as_str).unwrap_or("(a message)")
}

impl HttpConnection {
    /// The raw wire, for checks that need status codes and headers.
    pub fn wire(&self) -> &HttpWire {
        &self.wire
    }

    /// Adds this connection's session and protocol headers (and the 2026 method headers for `msg`) to a request.
    pub fn decorate(&self, mut req: HttpRequest, msg: Option<&Value>) -> HttpRequest {
        if let Some(id) = &self.session_id {
            req = req.header("mcp-session-id", id);
        }
        if let Some(v) = &self.protocol_header {
            req = req.header("mcp-protocol-version", v);
        }
        if self.stateless_headers
            && let Some((method, name)) = msg.and_then(method_headers)
        {
            req = req.header("mcp-method", &method);
            if let Some(name) = name {
                req = req.header("mcp-name", &name);
            }
        }
        req
    }

    /// Opens the session's standalone SSE stream (`GET` on the endpoint), as SDK clients do after the handshake:
    /// servers send messages that relate to no request there (on 2025 wires, e.g. log notifications). What arrives
    /// on it joins the inbox until the connection closes. Returns whether the server offered a stream (a `405` or
    /// any other non-SSE answer is dropped, so it never reaches a request waiting for its reply).
    pub async fn open_get_stream(&mut self) -> Result<bool, SessionError> {
        let req =
            self.decorate(HttpRequest::get(), None).without_header("accept").header("accept", "text/event-stream");
        let reply = self.wire.send(req, self.timeout).await.map_err(|e| SessionError::from_wire(e, "GET", true))?;
        if !matches!(reply.body, ReplyBody::Sse(_)) {
            return Ok(false);
        }
        self.accept(reply, None).await;
        Ok(true)
    }

    async fn post(&mut self, body: String, msg: Option<&Value>) -> Result<(), SessionError> {
        let method = msg.map_or("(a raw message)", method_of).to_owned();
        let is_initialize = method == "initialize";
        // The id of a well-formed request: its reply must answer it.
        let request_id = msg.filter(|m| m.get("method").is_some()).and_then(|m| m.get("id")).cloned();
        let req = self.decorate(HttpRequest::post(body), msg);
        let reply = self.wire.send(req, self.timeout).await.map_err(|e| SessionError::from_wire(e, &method, true))?;
        if is_initialize && let Some(id) = reply.header("mcp-session-id") {
            self.session_id = Some(id.to_owned());
        }
        self.accept(reply, request_id.map(|id| (id, method))).await;
        Ok(())
    }

    /// Turns one HTTP reply into inbox items. `request` is the id and method of the well-formed request the POST
    /// carried: its reply must be JSON or SSE, and a JSON response in it must carry its id.
    async fn accept(&mut self, reply: HttpReply, request: Option<(Value, String)>) {
        let status = reply.status;
        let success = (200..300).contains(&status);
        let content_type = reply.content_type().map(str::to_owned);
        let challenge = reply.header("www-authenticate").map(str::to_owned);
        let content_type_violation = |body: &str| Violation::HttpContentType {
            method: request.as_ref().map(|(_, m)| m.clone()).unwrap_or_default(),
            status,
            content_type: content_type.clone(),
            body: body_excerpt(body),
        };
        let item = match reply.body {
            ReplyBody::Empty if success => match &request {
                // A request MUST be answered with JSON or an SSE stream; an empty 2xx answers nothing.
                Some((id, _)) => Inbound::Violation { about: id.clone(), violation: content_type_violation("") },
                None => return,
            },
            ReplyBody::Empty => Inbound::HttpStatus { status, content_type, challenge, body: String::new() },
            ReplyBody::Json(v) => {
                if let Some((id, method)) = &request
                    && let Some(violation) = self.judge_json_reply(&v, status, content_type.as_deref(), id, method)
                {
                    let _ = self.inbox_tx.send(Inbound::Violation { about: id.clone(), violation }).await;
                    return;
                }
                Inbound::Message(v, Some(status))
            }
            ReplyBody::Text { truncated: true, text } => {
                let bytes = reply
                    .headers
                    .get(http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(text.len() as u64)
                    .max(self.cap);
                let violation =
                    Violation::Oversized { method: request.as_ref().map(|(_, m)| m.clone()), bytes, cap: self.cap };
                self.log.violation(&violation);
                Inbound::Oversized(bytes)
            }
            ReplyBody::Text { text, .. } if success => match &request {
                Some((id, _)) => Inbound::Violation { about: id.clone(), violation: content_type_violation(&text) },
                None => Inbound::NotJson(text),
            },
            ReplyBody::Text { text, .. } => {
                Inbound::HttpStatus { status, content_type, challenge, body: clip(&text, EXCERPT_CHARS) }
            }
            ReplyBody::Sse(reader) => {
                self.spawn_stream(reader, status, request);
                return;
            }
            #[allow(unreachable_patterns)]
            _ => return,
        };
        let _ = self.inbox_tx.send(item).await;
    }

    /// Judges a JSON body that answers the request `id`: a response object with another id is a violation (an
    /// error response without an id in an HTTP error status is the spec's way of refusing input and passes here),
    /// and a JSON response with a Content-Type other than `application/json` is logged (the answer itself is
    /// still used).
    fn judge_json_reply(
        &self,
        v: &Value,
        status: u16,
        content_type: Option<&str>,
        id: &Value,
        method: &str,
    ) -> Option<Violation> {
        let is_response = v.is_object() && v.get("method").is_none();
        let json_type = content_type
            .and_then(|c| c.split(';').next())
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"));
        // The rule is about answering a request; a refusal only needs an HTTP error status.
        if !json_type && (200..300).contains(&status) {
            self.log.violation(&Violation::HttpContentType {
                method: method.to_owned(),
                status,
                content_type: content_type.map(str::to_owned),
                body: body_excerpt(&v.to_string()),
            });
        }
        let received = v.get("id").cloned().unwrap_or(Value::Null);
        let refused_without_id = !(200..300).contains(&status) && received.is_null() && v.get("error").is_some();
        (is_response && received != *id && !refused_without_id).then(|| Violation::ResponseIdMismatch {
            method: method.to_owned(),
            sent: id.to_string(),
            received: received.to_string(),
            response: clip(&v.to_string(), EXCERPT_CHARS),
        })
    }

    /// Reads an SSE reply in a task: its messages join the inbox; a stream for a request that ends without the
    /// request's response is a violation.
    fn spawn_stream(&mut self, mut reader: crate::wire::SseReader, status: u16, request: Option<(Value, String)>) {
        let tx = self.inbox_tx.clone();
        let deadline = self.timeout;
        self.streams.retain(|h| !h.is_finished());
        self.streams.push(tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            let request_id = request.as_ref().map(|(id, _)| id.clone());
            loop {
                let left = deadline.saturating_sub(started.elapsed());
                if left.is_zero() {
                    let _ = tx.send(Inbound::StreamError(format!("SSE stream still open after {deadline:?}"))).await;
                    return;
                }
                match reader.next_message(left).await {
                    Ok(Some((_event, Ok(v)))) => {
                        let ends =
                            request_id.is_some() && v.get("id") == request_id.as_ref() && v.get("method").is_none();
                        if tx.send(Inbound::Message(v, Some(status))).await.is_err() || ends {
                            return;
                        }
                    }
                    Ok(Some((_event, Err(raw)))) => {
                        if tx.send(Inbound::NotJson(raw)).await.is_err() {
                            return;
                        }
                    }
                    Ok(None) => {
                        let Some((about, method)) = request else { return };
                        // With event ids the server may have closed the stream for the client to resume it
                        // (SSE polling): the response can still come, so that is not a violation.
                        let item = match reader.last_event_id() {
                            Some(last) => Inbound::Unresumed { about, method, last_event_id: last.to_owned() },
                            None => {
                                let detail = "the stream closed without event ids, so it cannot be resumed".to_owned();
                                Inbound::Violation {
                                    about,
                                    violation: Violation::SseEndedWithoutResponse { method, detail },
                                }
                            }
                        };
                        let _ = tx.send(item).await;
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Inbound::StreamError(e.to_string())).await;
                        return;
                    }
                }
            }
        }));
    }
}

/// The 2026 `Mcp-Method` and `Mcp-Name` header values for a request message.
pub(crate) fn method_headers(msg: &Value) -> Option<(String, Option<String>)> {
    let method = msg.get("method")?.as_str()?.to_owned();
    let params = msg.get("params");
    let name = match method.as_str() {
        "tools/call" | "prompts/get" => params.and_then(|p| p.get("name")).and_then(Value::as_str),
        "resources/read" => params.and_then(|p| p.get("uri")).and_then(Value::as_str),
        _ => None,
    };
    Some((method, name.map(header_value)))
}

/// A header-safe value: plain when visible ASCII, otherwise the spec's Base64 sentinel `=?base64?…?=`.
pub(crate) fn header_value(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) && s.trim() == s {
        s.to_owned()
    } else {
        format!("=?base64?{}?=", base64::engine::general_purpose::STANDARD.encode(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_headers_name_the_target_of_named_methods() {
        let call = serde_json::json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}});
        assert_eq!(method_headers(&call), Some(("tools/call".to_owned(), Some("echo".to_owned()))));
        let list = serde_json::json!({"jsonrpc":"2.0","id":1,"method":"tools/list"});
        assert_eq!(method_headers(&list), Some(("tools/list".to_owned(), None)));
        assert_eq!(header_value("héllo"), "=?base64?aMOpbGxv?=");
    }
}
