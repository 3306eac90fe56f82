//! The user's description of a target, before anything is started.

use crate::report::model::{TargetKind, TransportKind};
use crate::wire::{HttpTarget, StdioCommand};

/// Transport the bundled reference server is launched with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferenceTransport {
    /// A child process speaking newline-delimited JSON-RPC on stdin/stdout.
    #[default]
    Stdio,
    /// A child process serving Streamable HTTP on a free loopback port.
    Http,
}

/// What to test.
#[derive(Debug, Clone)]
pub enum TargetSpec {
    /// A command started once per connection; MCP over its stdin/stdout, its stderr captured.
    Stdio(StdioCommand),
    /// A running Streamable HTTP endpoint.
    Http(HttpTarget),
    /// The bundled reference server, started by the harness.
    Reference(ReferenceTransport),
}

impl TargetSpec {
    /// A stdio target from a program and its arguments.
    pub fn stdio(program: impl Into<String>, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        TargetSpec::Stdio(StdioCommand {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            cwd: None,
        })
    }

    /// A Streamable HTTP target at `url`, with no extra headers.
    pub fn http(url: impl Into<String>) -> Self {
        TargetSpec::Http(HttpTarget::new(url))
    }

    /// How the target was given.
    pub fn kind(&self) -> TargetKind {
        match self {
            TargetSpec::Stdio(_) => TargetKind::Stdio,
            TargetSpec::Http(_) => TargetKind::Http,
            TargetSpec::Reference(_) => TargetKind::Reference,
        }
    }

    /// How the target is reached.
    pub fn transport(&self) -> TransportKind {
        if self.is_stdio() { TransportKind::Stdio } else { TransportKind::Http }
    }

    /// Whether the target is reached over stdio (known before launching, for planning).
    pub fn is_stdio(&self) -> bool {
        matches!(self, TargetSpec::Stdio(_) | TargetSpec::Reference(ReferenceTransport::Stdio))
    }

    /// How the target is reached, for the report: TLS verification changes and the auth flow (no secrets).
    pub fn connection_notes(&self) -> Vec<String> {
        match self {
            TargetSpec::Http(t) => t.connection_notes(),
            _ => Vec::new(),
        }
    }

    /// A description for reports and logs, without secrets (header values and tokens are never shown).
    pub fn describe(&self) -> String {
        match self {
            TargetSpec::Stdio(cmd) => cmd.display(),
            TargetSpec::Http(t) => redact_url(&t.url),
            TargetSpec::Reference(ReferenceTransport::Stdio) => "bundled reference server (stdio)".to_owned(),
            TargetSpec::Reference(ReferenceTransport::Http) => "bundled reference server (Streamable HTTP)".to_owned(),
        }
    }
}

/// Removes userinfo and query values from a URL for display.
pub(crate) fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) if !host.contains('/') || rest.find('@') < rest.find('/') => {
                format!("{scheme}://***@{host}")
            }
            _ => base.to_owned(),
        },
        None => base.to_owned(),
    };
    match query {
        Some(q) => {
            let redacted: Vec<String> =
                q.split('&').map(|kv| kv.split_once('=').map_or(kv.to_owned(), |(k, _)| format!("{k}=***"))).collect();
            format!("{base}?{}", redacted.join("&"))
        }
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials_and_query_values() {
        assert_eq!(redact_url("http://127.0.0.1:3000/mcp"), "http://127.0.0.1:3000/mcp");
        assert_eq!(redact_url("https://user:pw@example.com/mcp"), "https://***@example.com/mcp");
        assert_eq!(redact_url("http://h/mcp?token=abc&x=1"), "http://h/mcp?token=***&x=***");
    }
}
