//! Why the wire could not do what was asked.

use std::time::Duration;

/// A wire-level failure. These are "could not test" conditions (or a target that went away), never verdicts.
///
/// Branch on the predicates ([`WireError::is_timeout`], [`WireError::is_closed`]) rather than on the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// A command line could not be split into words.
    #[error("failed to parse the command line: {reason}")]
    InvalidCommand {
        /// What was wrong with it.
        reason: String,
    },
    /// The process could not be started.
    #[error("failed to spawn `{program}`: {source}")]
    Spawn {
        /// The program that was started.
        program: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Nothing arrived (or a send or request did not complete) in time.
    #[error("failed to {action} within {timeout:?}")]
    Timeout {
        /// What was being waited for, e.g. "receive a line on stdout".
        action: String,
        /// How long the wire waited.
        timeout: Duration,
    },
    /// The stdio process closed its stdout or stdin (it exited or crashed).
    #[error("failed to exchange with the process: it closed the pipe ({}){}", exit_status.as_deref().unwrap_or("still running"), tail_excerpt(stderr_tail))]
    Closed {
        /// The exit status as text ("exit status: 1", "signal: 9 (SIGKILL)"), if the process has exited.
        exit_status: Option<String>,
        /// The last bytes it wrote to stderr.
        stderr_tail: String,
    },
    /// Writing to the process failed for another reason than a closed pipe.
    #[error("failed to write to the process's stdin: {source}")]
    Write {
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The target URL cannot be used.
    #[error("failed to use URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// A header name or value cannot be sent.
    #[error("failed to build header `{name}`: {reason}")]
    InvalidHeader {
        /// The header's name as given.
        name: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The TLS configuration could not be built (e.g. an unreadable `--ca-cert` file).
    #[error("failed to set up TLS: {detail}")]
    Tls {
        /// What went wrong.
        detail: String,
    },
    /// The OAuth flow that should authorize the request failed (no secret in the message).
    #[error("failed to authorize with OAuth: {detail}")]
    Auth {
        /// The failed step, one line.
        detail: String,
    },
    /// No connection to the target could be made.
    #[error("failed to connect to {url}: {detail}")]
    Connect {
        /// The target URL.
        url: String,
        /// The cause, with its chain of sources.
        detail: String,
    },
    /// The HTTP exchange failed after connecting (reset, protocol error, …).
    #[error("failed to exchange HTTP with {url}: {detail}")]
    Http {
        /// The target URL.
        url: String,
        /// The cause, with its chain of sources.
        detail: String,
    },
    /// An SSE stream broke one of the [`Limits`](super::Limits) or could not be read.
    #[error("failed to read the SSE stream: {detail}")]
    Sse {
        /// What happened.
        detail: String,
    },
}

impl WireError {
    /// Whether the failure was a timeout: nothing (or not everything) arrived in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, WireError::Timeout { .. })
    }

    /// Whether the stdio process closed its pipes (exited, crashed or closed stdout).
    pub fn is_closed(&self) -> bool {
        matches!(self, WireError::Closed { .. })
    }

    /// Whether no connection to the HTTP target could be made.
    pub fn is_connect(&self) -> bool {
        matches!(self, WireError::Connect { .. })
    }
}

/// Bytes of a stderr tail shown in an error message (the error keeps the whole tail).
const TAIL_IN_MESSAGE: usize = 1024;

/// "; stderr: …" with the last [`TAIL_IN_MESSAGE`] bytes of `tail`, or nothing when it is empty.
fn tail_excerpt(tail: &str) -> String {
    let tail = tail.trim_end();
    if tail.is_empty() {
        return String::new();
    }
    let mut start = tail.len().saturating_sub(TAIL_IN_MESSAGE);
    while !tail.is_char_boundary(start) {
        start += 1;
    }
    let ellipsis = if start > 0 { "…" } else { "" };
    format!("; stderr: {ellipsis}{}", &tail[start..])
}

/// `err` and its sources, joined by ": ".
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_message_shows_status_and_tail() {
        let e = WireError::Closed { exit_status: Some("exit status: 3".into()), stderr_tail: "boom\n".into() };
        assert_eq!(
            e.to_string(),
            "failed to exchange with the process: it closed the pipe (exit status: 3); stderr: boom"
        );
        assert!(e.is_closed() && !e.is_timeout());
    }

    #[test]
    fn long_tail_is_cut_on_a_char_boundary() {
        let tail = "é".repeat(2000);
        let e = WireError::Closed { exit_status: None, stderr_tail: tail };
        let msg = e.to_string();
        assert!(msg.contains("(still running); stderr: …é"));
        assert!(msg.len() < 1200);
    }
}
