//! Why the harness could not test: the target could not be started or reached, or stayed silent. Never a verdict
//! on the target.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The kinds of [`Blocker`], for grouping one root cause in the console and the report (`blocker.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BlockerKind {
    /// The target process could not be started.
    Spawn,
    /// The target process exited before it sent anything.
    ExitedAtStart,
    /// No connection to the target could be made.
    Unreachable,
    /// The target asks for credentials the run does not have.
    Unauthorized,
    /// The target (or a proxy in front of it) says it is unavailable.
    Unavailable,
    /// Nothing arrived before the deadline.
    Silent,
    /// The harness failed on its own side (bad configuration, I/O error).
    Harness,
}

impl BlockerKind {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockerKind::Spawn => "spawn",
            BlockerKind::ExitedAtStart => "exited-at-start",
            BlockerKind::Unreachable => "unreachable",
            BlockerKind::Unauthorized => "unauthorized",
            BlockerKind::Unavailable => "unavailable",
            BlockerKind::Silent => "silent",
            BlockerKind::Harness => "harness",
        }
    }
}

impl fmt::Display for BlockerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Why the harness could not get an answer it can judge.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Blocker {
    /// The process could not be spawned.
    Spawn {
        /// The program.
        program: String,
        /// The operating system's error.
        detail: String,
    },
    /// The process exited before it wrote a single message: a broken command line or set-up, not a verdict.
    ExitedAtStart {
        /// The exit status, when known.
        exit_status: Option<String>,
        /// The end of its stderr (clipped).
        stderr_tail: String,
    },
    /// No connection could be made to the URL.
    Unreachable {
        /// The URL.
        url: String,
        /// The cause.
        detail: String,
    },
    /// The target answered 401 (or 403 with a challenge): it needs credentials.
    Unauthorized {
        /// The status code.
        status: u16,
        /// The `WWW-Authenticate` header, when present.
        challenge: Option<String>,
    },
    /// The OAuth flow that should have authorized the run failed (discovery, a refused URL, the grant).
    OAuth {
        /// The failed step, one line, no secret.
        detail: String,
    },
    /// The target answered 502, 503 or 504.
    Unavailable {
        /// The status code.
        status: u16,
        /// The body, clipped.
        body: String,
    },
    /// No answer to `method` within `waited`.
    Silent {
        /// What was awaited.
        method: String,
        /// How long the harness waited.
        waited: Duration,
    },
    /// The harness itself failed.
    Harness(String),
}

impl Blocker {
    /// The kind of blocker.
    pub fn kind(&self) -> BlockerKind {
        match self {
            Blocker::Spawn { .. } => BlockerKind::Spawn,
            Blocker::ExitedAtStart { .. } => BlockerKind::ExitedAtStart,
            Blocker::Unreachable { .. } => BlockerKind::Unreachable,
            Blocker::Unauthorized { .. } | Blocker::OAuth { .. } => BlockerKind::Unauthorized,
            Blocker::Unavailable { .. } => BlockerKind::Unavailable,
            Blocker::Silent { .. } => BlockerKind::Silent,
            Blocker::Harness(_) => BlockerKind::Harness,
        }
    }
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::Spawn { program, detail } => write!(f, "failed to start `{program}`: {detail}"),
            Blocker::ExitedAtStart { exit_status, stderr_tail } => {
                write!(
                    f,
                    "the target exited ({}) before it sent anything",
                    exit_status.as_deref().unwrap_or("exit status unknown")
                )?;
                let tail = stderr_tail.trim();
                if tail.is_empty() {
                    write!(f, "; its stderr was empty")
                } else {
                    write!(f, "; its stderr ends: {tail}")
                }
            }
            Blocker::Unreachable { url, detail } => write!(f, "could not connect to {url}: {detail}"),
            Blocker::Unauthorized { status, challenge } => write!(
                f,
                "the target answered HTTP {status}: it needs credentials{} (give a token with --bearer-env VAR, or an OAuth \
                 client with --oauth-client-id and --oauth-client-secret-env)",
                challenge.as_deref().map(|c| format!(" (WWW-Authenticate: {c})")).unwrap_or_default()
            ),
            Blocker::OAuth { detail } => write!(f, "the target needs OAuth and the flow failed: {detail}"),
            Blocker::Unavailable { status, body } => write!(
                f,
                "the target answered HTTP {status}: unavailable{}",
                if body.is_empty() { String::new() } else { format!(" ({body})") }
            ),
            Blocker::Silent { method, waited } => write!(f, "no response to `{method}` within {waited:?}"),
            Blocker::Harness(detail) => f.write_str(detail),
        }
    }
}
