//! What a target did wrong on the wire, as a type: one variant per kind of misbehaviour, named as the fact it
//! makes true (rustls's `PeerMisbehaved`).
//!
//! A [`Violation`] is a verdict on the target: the session observed it in reply to what the harness sent. Each
//! names the requirement it breaks ([`Violation::requirement`]) and the check that judges it over the whole run
//! ([`Violation::check`]). Its `Display` is one line with the evidence; [`Violation::evidence`] has the rest
//! (samples, stderr tail, excerpts), bounded.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::rpc::clip;

/// Characters of a message or body kept as evidence.
pub(crate) const EXCERPT_CHARS: usize = 400;
/// Characters of a stderr tail kept in a violation.
pub(crate) const STDERR_TAIL_CHARS: usize = 2000;

/// The kinds of [`Violation`], for matching and for the report (`violation.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ViolationKind {
    /// A response carried another id than the request it answered.
    ResponseIdMismatch,
    /// A response had neither `result` nor `error`, or both, or a malformed `error`.
    MalformedResponse,
    /// A JSON value that is no JSON-RPC message (not a request, notification or response).
    MalformedMessage,
    /// Output on stdout that is not JSON.
    NonProtocolOutput,
    /// The process exited while a request was unanswered.
    Exited,
    /// The HTTP connection closed before the reply to a request.
    ConnectionDropped,
    /// A message larger than the run's message-size cap.
    Oversized,
    /// A request answered with an HTTP error status and no JSON-RPC message (a refusal for 4xx, a failure to reply
    /// for 5xx).
    HttpStatus,
    /// A request answered with a success status but neither a JSON object nor an SSE stream.
    HttpContentType,
    /// An SSE stream for a request ended before the request's response.
    SseEndedWithoutResponse,
}

impl ViolationKind {
    /// Every kind, in declaration order.
    pub const ALL: [ViolationKind; 10] = [
        ViolationKind::ResponseIdMismatch,
        ViolationKind::MalformedResponse,
        ViolationKind::MalformedMessage,
        ViolationKind::NonProtocolOutput,
        ViolationKind::Exited,
        ViolationKind::ConnectionDropped,
        ViolationKind::Oversized,
        ViolationKind::HttpStatus,
        ViolationKind::HttpContentType,
        ViolationKind::SseEndedWithoutResponse,
    ];

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::ResponseIdMismatch => "response-id-mismatch",
            ViolationKind::MalformedResponse => "malformed-response",
            ViolationKind::MalformedMessage => "malformed-message",
            ViolationKind::NonProtocolOutput => "non-protocol-output",
            ViolationKind::Exited => "exited",
            ViolationKind::ConnectionDropped => "connection-dropped",
            ViolationKind::Oversized => "oversized",
            ViolationKind::HttpStatus => "http-status",
            ViolationKind::HttpContentType => "http-content-type",
            ViolationKind::SseEndedWithoutResponse => "sse-ended-without-response",
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A bounded sample of non-protocol output: the first distinct lines (clipped, each with how many times it came in
/// a row) and how much there was in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputSample {
    /// The first lines, each clipped to [`OutputSample::LINE_CHARS`] characters, with the number of times it was
    /// repeated in a row.
    pub lines: Vec<(String, u64)>,
    /// Lines seen in all.
    pub total_lines: u64,
    /// Bytes seen in all (newlines excluded).
    pub total_bytes: u64,
}

impl OutputSample {
    /// Distinct lines kept.
    pub const LINES: usize = 5;
    /// Characters kept per line.
    pub const LINE_CHARS: usize = 200;

    /// Adds one line.
    pub fn push(&mut self, line: &str) {
        self.add(&clip(line, Self::LINE_CHARS), 1);
        self.total_lines += 1;
        self.total_bytes += line.len() as u64;
    }

    fn add(&mut self, clipped: &str, times: u64) {
        let kept = self.lines.len();
        match self.lines.last_mut() {
            Some((last, n)) if last == clipped => *n += times,
            _ if kept < Self::LINES => self.lines.push((clipped.to_owned(), times)),
            _ => {}
        }
    }

    /// Adds everything of `other`.
    pub fn merge(&mut self, other: &OutputSample) {
        for (line, times) in &other.lines {
            self.add(line, *times);
        }
        self.total_lines += other.total_lines;
        self.total_bytes += other.total_bytes;
    }

    /// Whether nothing was seen.
    pub fn is_empty(&self) -> bool {
        self.total_lines == 0
    }

    /// `3 lines (57 bytes): "INFO starting" | "y" (×2)`.
    pub fn describe(&self) -> String {
        let shown: Vec<String> = self.lines.iter().map(|(l, n)| sample_line(l, *n)).collect();
        let listed: u64 = self.lines.iter().map(|(_, n)| n).sum();
        let more = if self.total_lines > listed { " | …" } else { "" };
        format!(
            "{} line{} ({} bytes): {}{more}",
            self.total_lines,
            if self.total_lines == 1 { "" } else { "s" },
            self.total_bytes,
            shown.join(" | ")
        )
    }
}

/// One sampled line, quoted, with its repetitions.
fn sample_line(line: &str, times: u64) -> String {
    if times > 1 { format!("{line:?} (×{times})") } else { format!("{line:?}") }
}

/// Something the target did that breaks a rule, observed in reply to a request the harness sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Violation {
    /// The response to `method` carried `received` instead of the request's id `sent`.
    ResponseIdMismatch {
        /// The request's method.
        method: String,
        /// The id the request carried, as JSON text.
        sent: String,
        /// The id the response carried, as JSON text (`null` when absent).
        received: String,
        /// The response, clipped.
        response: String,
    },
    /// The response to `method` is not a valid response object.
    MalformedResponse {
        /// The request's method.
        method: String,
        /// What is wrong with it.
        reason: String,
        /// The response, clipped.
        response: String,
    },
    /// A JSON value arrived that is no JSON-RPC message at all.
    MalformedMessage {
        /// What is wrong with it.
        reason: String,
        /// The value, clipped.
        message: String,
    },
    /// Lines on stdout that are not JSON.
    NonProtocolOutput {
        /// What was printed (bounded).
        sample: OutputSample,
    },
    /// The process exited while `method` was unanswered.
    Exited {
        /// The unanswered request's method.
        method: String,
        /// The exit status as text, when known.
        exit_status: Option<String>,
        /// The end of its stderr (clipped).
        stderr_tail: String,
    },
    /// The HTTP connection closed before the reply to `method` was complete.
    ConnectionDropped {
        /// The request's method.
        method: String,
        /// What the HTTP client saw.
        detail: String,
    },
    /// A message over the cap. `bytes` is its size, or for an HTTP body at least the cap when its length is
    /// unknown.
    Oversized {
        /// The request's method, when the message was the awaited reply.
        method: Option<String>,
        /// The message's size in bytes (at least).
        bytes: u64,
        /// The cap in bytes.
        cap: u64,
    },
    /// `method` was answered with an HTTP error status and no JSON-RPC message.
    HttpStatus {
        /// The request's method.
        method: String,
        /// The status code.
        status: u16,
        /// The `Content-Type`, when present.
        content_type: Option<String>,
        /// The body, clipped.
        body: String,
    },
    /// `method` was answered with a success status but neither a JSON object nor an SSE stream.
    HttpContentType {
        /// The request's method.
        method: String,
        /// The status code.
        status: u16,
        /// The `Content-Type`, when present.
        content_type: Option<String>,
        /// The body, clipped (empty for an empty body).
        body: String,
    },
    /// The SSE stream opened for `method` ended before carrying its response.
    SseEndedWithoutResponse {
        /// The request's method.
        method: String,
        /// How it ended.
        detail: String,
    },
}

impl Violation {
    /// The kind of violation.
    pub fn kind(&self) -> ViolationKind {
        match self {
            Violation::ResponseIdMismatch { .. } => ViolationKind::ResponseIdMismatch,
            Violation::MalformedResponse { .. } => ViolationKind::MalformedResponse,
            Violation::MalformedMessage { .. } => ViolationKind::MalformedMessage,
            Violation::NonProtocolOutput { .. } => ViolationKind::NonProtocolOutput,
            Violation::Exited { .. } => ViolationKind::Exited,
            Violation::ConnectionDropped { .. } => ViolationKind::ConnectionDropped,
            Violation::Oversized { .. } => ViolationKind::Oversized,
            Violation::HttpStatus { .. } => ViolationKind::HttpStatus,
            Violation::HttpContentType { .. } => ViolationKind::HttpContentType,
            Violation::SseEndedWithoutResponse { .. } => ViolationKind::SseEndedWithoutResponse,
        }
    }

    /// The requirement-catalog id of the rule broken, when it is a rule of its own. `None` for a request refused
    /// with an HTTP 4xx status: the transport lets a server refuse input that way, so whether refusing was wrong is
    /// the rule of the check that sent the request.
    pub fn requirement(&self) -> Option<&'static str> {
        Some(match self {
            // An error response with another id breaks the error-response rule, a result the result rule.
            Violation::ResponseIdMismatch { response, .. } if response.contains("\"error\"") => "jsonrpc.error-id",
            Violation::ResponseIdMismatch { .. } => "jsonrpc.response-id",
            Violation::MalformedResponse { .. } => "jsonrpc.result-or-error",
            Violation::MalformedMessage { .. } => "jsonrpc.messages",
            Violation::NonProtocolOutput { .. } => "transport.stdio.stdout-only-mcp",
            Violation::Exited { .. }
            | Violation::ConnectionDropped { .. }
            | Violation::SseEndedWithoutResponse { .. } => "jsonrpc.reply-required",
            Violation::HttpStatus { status, .. } if *status >= 500 => "jsonrpc.reply-required",
            Violation::HttpStatus { .. } => return None,
            Violation::Oversized { .. } => "wire.message-size",
            Violation::HttpContentType { .. } => "transport.http.request-content-type",
        })
    }

    /// The check that judges this kind of violation over the whole run, when one does (see
    /// [`Violation::requirement`]).
    pub fn check(&self) -> Option<&'static str> {
        Some(match self {
            Violation::ResponseIdMismatch { .. } => "jsonrpc.response-id",
            Violation::MalformedResponse { .. } | Violation::MalformedMessage { .. } => "jsonrpc.response-shape",
            Violation::NonProtocolOutput { .. } => "stdio.stdout-only-messages",
            Violation::Exited { .. }
            | Violation::ConnectionDropped { .. }
            | Violation::SseEndedWithoutResponse { .. } => "robustness.survives-valid-requests",
            Violation::HttpStatus { status, .. } if *status >= 500 => "robustness.survives-valid-requests",
            Violation::HttpStatus { .. } => return None,
            Violation::Oversized { .. } => "wire.message-size",
            Violation::HttpContentType { .. } => "http.response-content-type",
        })
    }

    /// What a correct server does instead, in one line.
    pub fn expected(&self) -> String {
        match self {
            Violation::ResponseIdMismatch { method, sent, .. } => {
                format!("a response to `{method}` carrying the request's id {sent}")
            }
            Violation::MalformedResponse { method, .. } => {
                format!("a response to `{method}` with exactly one of `result` and `error`")
            }
            Violation::MalformedMessage { .. } => "only JSON-RPC 2.0 requests, notifications and responses".to_owned(),
            Violation::NonProtocolOutput { .. } => "nothing but MCP messages on stdout".to_owned(),
            Violation::Exited { method, .. }
            | Violation::ConnectionDropped { method, .. }
            | Violation::SseEndedWithoutResponse { method, .. } => {
                format!("a response to `{method}`")
            }
            Violation::Oversized { cap, .. } => format!("messages that fit the message-size cap of {cap} bytes"),
            Violation::HttpStatus { method, .. } | Violation::HttpContentType { method, .. } => {
                format!("`{method}` answered with Content-Type application/json or text/event-stream")
            }
        }
    }

    /// Everything observed, on several lines: the one-line fact, then samples, excerpts or the stderr tail.
    pub fn evidence(&self) -> String {
        let mut text = self.to_string();
        match self {
            Violation::ResponseIdMismatch { response, .. } | Violation::MalformedResponse { response, .. } => {
                text.push_str(&format!("\nresponse: {response}"));
            }
            Violation::MalformedMessage { message, .. } => text.push_str(&format!("\nmessage: {message}")),
            Violation::NonProtocolOutput { sample } => {
                for (line, times) in &sample.lines {
                    let times = if *times > 1 { format!(" (×{times})") } else { String::new() };
                    text.push_str(&format!("\nstdout: {line}{times}"));
                }
            }
            Violation::Exited { stderr_tail, .. } if !stderr_tail.trim().is_empty() => {
                text.push_str(&format!("\nstderr (end): {}", stderr_tail.trim_end()));
            }
            Violation::HttpStatus { body, .. } | Violation::HttpContentType { body, .. } if !body.is_empty() => {
                text.push_str(&format!("\nbody: {body}"));
            }
            _ => {}
        }
        text
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::ResponseIdMismatch { method, sent, received, .. } => {
                write!(f, "the response to `{method}` (request id {sent}) carried id {received}")
            }
            Violation::MalformedResponse { method, reason, .. } => {
                write!(f, "the response to `{method}` is malformed: {reason}")
            }
            Violation::MalformedMessage { reason, message } => {
                write!(f, "the target sent a value that is no JSON-RPC message ({reason}): {}", clip(message, 120))
            }
            Violation::NonProtocolOutput { sample } => {
                write!(f, "the target wrote non-JSON output on stdout: {}", sample.describe())
            }
            Violation::Exited { method, exit_status, .. } => write!(
                f,
                "the target exited ({}) without answering `{method}`",
                exit_status.as_deref().unwrap_or("exit status unknown")
            ),
            Violation::ConnectionDropped { method, detail } => {
                write!(f, "the connection closed before the reply to `{method}`: {detail}")
            }
            Violation::Oversized { method, bytes, cap } => {
                let to = method.as_deref().map(|m| format!(" in reply to `{m}`")).unwrap_or_default();
                write!(f, "the target sent a message of {bytes} bytes{to}, over the cap of {cap} bytes")
            }
            Violation::HttpStatus { method, status, content_type, body } => write!(
                f,
                "`{method}` was answered with HTTP {status} ({}) and no JSON-RPC message{}",
                content_type.as_deref().unwrap_or("no Content-Type"),
                if body.is_empty() { String::new() } else { format!(": {}", clip(body, 120)) }
            ),
            Violation::HttpContentType { method, status, content_type, body } => write!(
                f,
                "`{method}` was answered with HTTP {status} ({}) and {}",
                content_type.as_deref().unwrap_or("no Content-Type"),
                if body.is_empty() {
                    "no body".to_owned()
                } else {
                    format!("a body that is not a JSON-RPC message: {}", clip(body, 120))
                }
            ),
            Violation::SseEndedWithoutResponse { method, detail } => {
                write!(f, "the SSE stream for `{method}` ended without its response ({detail})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_refusal_with_a_4xx_is_judged_by_the_sending_check_and_a_5xx_is_a_failure_to_reply() {
        let status = |status| Violation::HttpStatus {
            method: "initialize".into(),
            status,
            content_type: None,
            body: String::new(),
        };
        assert_eq!(status(404).requirement(), None);
        assert_eq!(status(404).check(), None);
        assert_eq!(status(500).requirement(), Some("jsonrpc.reply-required"));
        assert_eq!(status(500).check(), Some("robustness.survives-valid-requests"));
    }

    #[test]
    fn id_mismatch_shows_both_ids() {
        let v = Violation::ResponseIdMismatch {
            method: "initialize".into(),
            sent: json!(1).to_string(),
            received: json!("1").to_string(),
            response: r#"{"id":"1","jsonrpc":"2.0","result":{}}"#.into(),
        };
        assert_eq!(v.to_string(), r#"the response to `initialize` (request id 1) carried id "1""#);
        assert_eq!(v.requirement(), Some("jsonrpc.response-id"));
        assert_eq!(v.check(), Some("jsonrpc.response-id"));
    }

    #[test]
    fn sample_is_bounded() {
        let mut s = OutputSample::default();
        for n in 0..10_000 {
            s.push(&format!("{n}{}", "y".repeat(1000)));
        }
        assert_eq!(s.lines.len(), OutputSample::LINES);
        assert_eq!(s.total_lines, 10_000);
        assert_eq!(s.total_bytes, 10_000_000 + 38_890);
        assert!(s.lines.iter().all(|(l, _)| l.chars().count() <= OutputSample::LINE_CHARS + 1));
        assert!(s.describe().starts_with("10000 lines (10038890 bytes)"));
        assert!(s.describe().ends_with(" | …"));
        // Repeats in a row are counted, not kept again.
        let mut y = OutputSample::default();
        for _ in 0..1000 {
            y.push("y");
        }
        assert_eq!(y.lines, vec![("y".to_owned(), 1000)]);
        assert_eq!(y.describe(), "1000 lines (1000 bytes): \"y\" (×1000)");
    }
}
