//! Raw HTTP exchanges the transport checks share: a session whose requests the check builds itself, one request
//! at a time, so a single header can be overridden or removed while everything else stays correct.

use std::time::Duration;

use serde_json::Value;

use crate::check::{CheckContext, Outcome, SkipReason};
use crate::protocol::Era;
use crate::session::{Session, clip_json};
use crate::wire::{HttpReply, HttpRequest, ReplyBody};

/// A session opened for one transport check. Close it with [`Probe::close`].
#[derive(Debug)]
pub(crate) struct Probe {
    /// The session (handshake done).
    pub session: Session,
    /// Timeout for one exchange.
    pub timeout: Duration,
}

impl Probe {
    /// Opens a fresh session on the HTTP target; a stdio target is a skip, a failed handshake an error.
    pub async fn open(cx: &mut CheckContext) -> Result<Probe, Outcome> {
        if cx.http_target().is_none() {
            return Err(Outcome::skip(SkipReason::NotApplicable, "not a Streamable HTTP target"));
        }
        let session = cx.fresh_session().await?;
        Ok(Probe { session, timeout: cx.timeout() })
    }

    /// The `Mcp-Session-Id` the server issued, if any.
    pub fn session_id(&mut self) -> Option<String> {
        self.session.connection().http().and_then(|h| h.session_id.clone())
    }

    /// Adds the session's headers (session id, protocol version, 2026 method headers for `msg`) to `req`.
    fn decorate(&mut self, req: HttpRequest, msg: Option<&Value>) -> HttpRequest {
        match self.session.connection().http() {
            Some(h) => h.decorate(req, msg),
            None => req,
        }
    }

    /// Whether the session speaks the stateless (2026) era.
    pub fn stateless(&self) -> bool {
        self.session.revision().era() == Era::Stateless
    }

    /// A harmless request every server of the session's era answers: `ping` (stateful) or `server/discover`
    /// with the per-request `_meta` (stateless).
    pub fn harmless_request(&mut self) -> Value {
        let id = self.session.next_id();
        if self.stateless() {
            let params = self.session.stateless_params(None);
            crate::message::request(id, "server/discover", Some(params))
        } else {
            crate::message::request(id, "ping", None)
        }
    }

    /// A request for `method` with `params` (and the stateless `_meta` when the session is stateless).
    pub fn request(&mut self, method: &str, params: Option<Value>) -> Value {
        let id = self.session.next_id();
        let params = if self.stateless() { Some(self.session.stateless_params(params)) } else { params };
        crate::message::request(id, method, params)
    }

    /// A POST of `msg` with every header a correct client sends on this session (session id, protocol version,
    /// 2026 method headers), ready for one header to be changed.
    pub fn post(&mut self, msg: &Value) -> HttpRequest {
        self.decorate(HttpRequest::post(msg.to_string()), Some(msg))
    }

    /// A GET or DELETE with the session's headers.
    pub fn bare(&mut self, req: HttpRequest) -> HttpRequest {
        self.decorate(req, None)
    }

    /// Sends `req`, bounded by the run's timeout. A transport failure (refused, timed out) is an `error`.
    pub async fn send(&mut self, req: HttpRequest) -> Result<HttpReply, Outcome> {
        let timeout = self.timeout;
        let Some(http) = self.session.connection().http() else {
            return Err(Outcome::error("the probe session is not an HTTP session"));
        };
        http.wire()
            .send(req, timeout)
            .await
            .map_err(|e| Outcome::error(format!("could not exchange with the target: {e}")))
    }

    /// Sends `req` and reads the reply into a [`Seen`] (at most the first JSON-RPC message of an SSE body).
    pub async fn exchange(&mut self, req: HttpRequest) -> Result<Seen, Outcome> {
        let reply = self.send(req).await?;
        Ok(Seen::read(reply, self.timeout).await)
    }

    /// Ends the session (DELETE when the server issued an id).
    pub async fn close(self) {
        self.session.close().await;
    }

    /// Ends the session without a DELETE (for checks that already ended it).
    pub async fn close_without_delete(mut self) {
        if let Some(h) = self.session.connection().http() {
            h.session_id = None;
        }
        self.session.close().await;
    }
}

/// What one HTTP exchange produced, read far enough to judge it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seen {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// What the body held.
    pub body: SeenBody,
}

/// The body of a [`Seen`] reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SeenBody {
    /// No body.
    Empty,
    /// A JSON body.
    Json(Value),
    /// A body that is not JSON (capped text).
    Text(String),
    /// An SSE stream: the first JSON-RPC response or error on it, if one arrived in time.
    Sse(Option<Value>),
}

impl Seen {
    /// Reads `reply`: JSON and text bodies as they are, an SSE stream until its first response (or the timeout).
    pub async fn read(reply: HttpReply, timeout: Duration) -> Seen {
        let status = reply.status;
        let content_type = reply.header("content-type").map(str::to_owned);
        let body = match reply.body {
            ReplyBody::Empty => SeenBody::Empty,
            ReplyBody::Json(v) => SeenBody::Json(v),
            ReplyBody::Text { text, .. } => SeenBody::Text(text),
            ReplyBody::Sse(mut reader) => {
                let deadline = tokio::time::Instant::now() + timeout;
                let mut first = None;
                loop {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    match reader.next_message(left).await {
                        Ok(Some((_, Ok(v)))) if v.get("method").is_none() => {
                            first = Some(v);
                            break;
                        }
                        Ok(Some(_)) => continue,
                        Ok(None) | Err(_) => break,
                    }
                }
                SeenBody::Sse(first)
            }
        };
        Seen { status, content_type, body }
    }

    /// Whether the status is 2xx.
    pub fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the status is 4xx.
    pub fn client_error(&self) -> bool {
        (400..500).contains(&self.status)
    }

    /// The JSON-RPC message the body carried (a JSON body, or the first response on an SSE stream).
    pub fn message(&self) -> Option<&Value> {
        match &self.body {
            SeenBody::Json(v) => Some(v),
            SeenBody::Sse(v) => v.as_ref(),
            SeenBody::Empty | SeenBody::Text(_) => None,
        }
    }

    /// The JSON-RPC error code in the body, if it carried an error.
    pub fn error_code(&self) -> Option<i64> {
        self.message().and_then(|m| m.pointer("/error/code")).and_then(Value::as_i64)
    }

    /// Whether the body carried a JSON-RPC result.
    pub fn has_result(&self) -> bool {
        self.message().is_some_and(|m| m.get("result").is_some())
    }

    /// The media type of the reply, lower-cased, without parameters (`application/json`).
    pub fn media_type(&self) -> Option<String> {
        self.content_type.as_deref().map(media_type)
    }

    /// A one-line description for evidence: `HTTP 400, text/plain, body "…"`.
    pub fn describe(&self) -> String {
        let ct = self.content_type.as_deref().unwrap_or("no Content-Type");
        let body = match &self.body {
            SeenBody::Empty => "no body".to_owned(),
            SeenBody::Json(v) => format!("body {}", clip_json(v, 300)),
            SeenBody::Text(t) => format!("body {:?}", clip(t, 200)),
            SeenBody::Sse(Some(v)) => format!("SSE stream, first response {}", clip_json(v, 300)),
            SeenBody::Sse(None) => "SSE stream with no response in time".to_owned(),
        };
        format!("HTTP {}, {ct}, {body}", self.status)
    }
}

/// The method of a request message, for evidence.
pub(crate) fn method_of(msg: &Value) -> String {
    msg.get("method").and_then(Value::as_str).unwrap_or("(request)").to_owned()
}

/// The media type of a `Content-Type` value, lower-cased, without parameters.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Whether a `Content-Type` value names one of the two media types MCP allows for replies to requests.
pub(crate) fn is_mcp_reply_type(content_type: &str) -> bool {
    matches!(media_type(content_type).as_str(), "application/json" | "text/event-stream")
}

/// Shortens text to `max` characters with an ellipsis.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

/// The host and port of a loopback URL (`localhost`, `127.0.0.0/8`, `[::1]`), or `None` for other URLs.
pub(crate) fn loopback_authority(url: &str) -> Option<(String, u16)> {
    let url = url::Url::parse(url).ok()?;
    let port = url.port_or_known_default()?;
    let host = url.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback =
        bare.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    loopback.then(|| (host.to_owned(), port))
}

/// A random id in UUID form that no server issued.
pub(crate) fn made_up_session_id() -> String {
    let n: u128 = rand::random();
    let h = format!("{n:032x}");
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_are_recognised() {
        assert_eq!(loopback_authority("http://127.0.0.1:8080/mcp"), Some(("127.0.0.1".to_owned(), 8080)));
        assert_eq!(loopback_authority("http://localhost/mcp"), Some(("localhost".to_owned(), 80)));
        assert_eq!(loopback_authority("http://[::1]:3001/mcp"), Some(("[::1]".to_owned(), 3001)));
        assert_eq!(loopback_authority("https://example.com/mcp"), None);
        assert_eq!(loopback_authority("not a url"), None);
    }

    #[test]
    fn media_types_ignore_parameters_and_case() {
        assert!(is_mcp_reply_type("application/json; charset=utf-8"));
        assert!(is_mcp_reply_type("Text/Event-Stream"));
        assert!(!is_mcp_reply_type("text/plain"));
    }

    #[test]
    fn made_up_ids_look_like_uuids() {
        let id = made_up_session_id();
        assert_eq!(id.len(), 36);
        assert!(id.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    }
}
