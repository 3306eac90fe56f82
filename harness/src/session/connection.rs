//! One connection to a target at the message level, the same shape for both transports: send a message, receive
//! the next inbound item. Over HTTP, replies arrive as JSON bodies or SSE streams; both are drained into one inbox.

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::SessionError;
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
    /// A line or body over the size cap (discarded).
    Oversized(usize),
    /// An HTTP reply with no JSON body, e.g. `400` with a text body or a `404` with none.
    HttpStatus {
        /// The status code.
        status: u16,
        /// The body text (capped).
        body: String,
    },
    /// An SSE stream broke or exceeded its caps.
    StreamError(String),
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
}

/// Inbound items buffered at most per HTTP connection; SSE readers wait when it is full.
const INBOX_CAP: usize = 1024;

impl Connection {
    /// Opens a connection: spawns a process for stdio targets, builds a client for HTTP ones.
    pub async fn open(target: &LaunchedTarget, limits: &Limits, transcript: &Transcript, timeout: Duration) -> Result<Self, SessionError> {
        match &target.transport {
            TargetTransport::Stdio(cmd) => {
                let wire = StdioWire::spawn(cmd, limits, transcript.clone()).await?;
                Ok(Connection::Stdio(StdioConnection { wire, stderr: target.stderr.clone() }))
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
                }))
            }
        }
    }

    /// Sends one message.
    pub async fn send(&mut self, msg: &Value) -> Result<(), SessionError> {
        match self {
            Connection::Stdio(c) => Ok(c.wire.send(msg).await?),
            Connection::Http(c) => c.post(msg.to_string(), Some(msg)).await,
        }
    }

    /// Sends text exactly as given (a line on stdio, a POST body over HTTP), for negative checks.
    pub async fn send_raw(&mut self, text: &str) -> Result<(), SessionError> {
        match self {
            Connection::Stdio(c) => Ok(c.wire.send_line(text).await?),
            Connection::Http(c) => c.post(text.to_owned(), None).await,
        }
    }

    /// The next inbound item, waiting at most `timeout`.
    pub async fn recv(&mut self, timeout: Duration) -> Result<Inbound, SessionError> {
        match self {
            Connection::Stdio(c) => match c.wire.recv(timeout).await? {
                Incoming::Message(v) => Ok(Inbound::Message(v, None)),
                Incoming::NotJson(s) => Ok(Inbound::NotJson(s)),
                Incoming::Oversized { bytes } => Ok(Inbound::Oversized(bytes)),
                #[allow(unreachable_patterns)]
                _ => Ok(Inbound::StreamError("unrecognised stdio item".to_owned())),
            },
            Connection::Http(c) => match tokio::time::timeout(timeout, c.inbox_rx.recv()).await {
                Ok(Some(item)) => Ok(item),
                Ok(None) => Err(SessionError::Closed("the HTTP connection's inbox closed".to_owned())),
                Err(_) => Err(SessionError::Timeout { method: "(any message)".to_owned(), timeout }),
            },
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

    /// Closes the connection: ends the stdio process (keeping its stderr) or ends HTTP streams.
    pub async fn close(self) {
        match self {
            Connection::Stdio(c) => {
                let (tail, truncated) = c.wire.stderr_tail();
                if truncated {
                    c.stderr.mark_truncated();
                }
                c.stderr.push(&tail);
                c.wire.shutdown(Duration::from_secs(2)).await;
            }
            Connection::Http(c) => {
                for s in c.streams {
                    s.abort();
                }
            }
        }
    }
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
        if self.stateless_headers {
            if let Some((method, name)) = msg.and_then(method_headers) {
                req = req.header("mcp-method", &method);
                if let Some(name) = name {
                    req = req.header("mcp-name", &name);
                }
            }
        }
        req
    }

    /// Opens the session's standalone SSE stream (`GET` on the endpoint), as SDK clients do after the handshake:
    /// servers send messages that relate to no request there (on 2025 wires, e.g. log notifications). What arrives
    /// on it joins the inbox until the connection closes. Returns whether the server offered a stream (a `405` or
    /// any other non-SSE answer is dropped, so it never reaches a request waiting for its reply).
    pub async fn open_get_stream(&mut self) -> Result<bool, SessionError> {
        let req = self.decorate(HttpRequest::get(), None).without_header("accept").header("accept", "text/event-stream");
        let reply = self.wire.send(req, self.timeout).await?;
        if !matches!(reply.body, ReplyBody::Sse(_)) {
            return Ok(false);
        }
        self.accept(reply, None).await;
        Ok(true)
    }

    async fn post(&mut self, body: String, msg: Option<&Value>) -> Result<(), SessionError> {
        let is_initialize = msg.and_then(|m| m.get("method")).and_then(Value::as_str) == Some("initialize");
        let req = self.decorate(HttpRequest::post(body), msg);
        let reply = self.wire.send(req, self.timeout).await?;
        if is_initialize {
            if let Some(id) = reply.header("mcp-session-id") {
                self.session_id = Some(id.to_owned());
            }
        }
        self.accept(reply, msg.and_then(|m| m.get("id")).cloned()).await;
        Ok(())
    }

    async fn accept(&mut self, reply: HttpReply, request_id: Option<Value>) {
        let status = reply.status;
        let success = (200..300).contains(&status);
        let item = match reply.body {
            ReplyBody::Empty if success => return,
            ReplyBody::Empty => Inbound::HttpStatus { status, body: String::new() },
            ReplyBody::Json(v) => Inbound::Message(v, Some(status)),
            ReplyBody::Text { text, .. } if success => Inbound::NotJson(text),
            ReplyBody::Text { text, .. } => Inbound::HttpStatus { status, body: text },
            ReplyBody::Sse(mut reader) => {
                let tx = self.inbox_tx.clone();
                let deadline = self.timeout;
                self.streams.retain(|h| !h.is_finished());
                self.streams.push(tokio::spawn(async move {
                    let started = tokio::time::Instant::now();
                    loop {
                        let left = deadline.saturating_sub(started.elapsed());
                        if left.is_zero() {
                            let _ = tx.send(Inbound::StreamError(format!("SSE stream still open after {deadline:?}"))).await;
                            return;
                        }
                        match reader.next_message(left).await {
                            Ok(Some((_event, Ok(v)))) => {
                                let ends = request_id.is_some()
                                    && v.get("id") == request_id.as_ref()
                                    && v.get("method").is_none();
                                if tx.send(Inbound::Message(v, Some(status))).await.is_err() || ends {
                                    return;
                                }
                            }
                            Ok(Some((_event, Err(raw)))) => {
                                if tx.send(Inbound::NotJson(raw)).await.is_err() {
                                    return;
                                }
                            }
                            Ok(None) => return,
                            Err(e) => {
                                let _ = tx.send(Inbound::StreamError(e.to_string())).await;
                                return;
                            }
                        }
                    }
                }));
                return;
            }
        };
        let _ = self.inbox_tx.send(item).await;
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
