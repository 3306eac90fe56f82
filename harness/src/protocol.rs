//! MCP protocol revisions and the two wire eras they belong to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A published MCP specification revision the harness knows how to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub enum Revision {
    /// 2025-03-26: Streamable HTTP, batching.
    #[serde(rename = "2025-03-26")]
    V2025_03_26,
    /// 2025-06-18: structured output, elicitation, batching removed.
    #[serde(rename = "2025-06-18")]
    V2025_06_18,
    /// 2025-11-25: the last stateful (initialize + sessions) revision.
    #[serde(rename = "2025-11-25")]
    V2025_11_25,
    /// 2026-07-28: stateless (`server/discover`, per-request `_meta`).
    #[serde(rename = "2026-07-28")]
    V2026_07_28,
}

/// The wire era of a revision: how a client connects and what every request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    /// `initialize`/`initialized`, sessions, `ping`, server→client requests.
    Stateful,
    /// `server/discover`, per-request `_meta`, `resultType`, no sessions.
    Stateless,
}

impl Revision {
    /// Every revision, oldest first.
    pub const ALL: [Revision; 4] =
        [Revision::V2025_03_26, Revision::V2025_06_18, Revision::V2025_11_25, Revision::V2026_07_28];

    /// The newest stateful revision, what `initialize` asks for by default.
    pub const LATEST_STATEFUL: Revision = Revision::V2025_11_25;

    /// The newest revision.
    pub const LATEST: Revision = Revision::V2026_07_28;

    /// The date string that goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Revision::V2025_03_26 => "2025-03-26",
            Revision::V2025_06_18 => "2025-06-18",
            Revision::V2025_11_25 => "2025-11-25",
            Revision::V2026_07_28 => "2026-07-28",
        }
    }

    /// The era this revision belongs to.
    pub fn era(self) -> Era {
        match self {
            Revision::V2026_07_28 => Era::Stateless,
            _ => Era::Stateful,
        }
    }

    /// Base URL of this revision's rendered specification.
    pub fn spec_url(self) -> String {
        format!("https://modelcontextprotocol.io/specification/{}", self.as_str())
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no revision the harness knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol revision `{0}` (known: 2025-03-26, 2025-06-18, 2025-11-25, 2026-07-28)")]
pub struct UnknownRevision(pub String);

impl FromStr for Revision {
    type Err = UnknownRevision;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Revision::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRevision(s.to_owned()))
    }
}

/// Which revision a run speaks: one fixed revision, or whatever the server supports (probed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RevisionChoice {
    /// Probe with `server/discover`, fall back to `initialize` (the spec's dual-era probe).
    #[default]
    Auto,
    /// Speak exactly this revision.
    Exact(Revision),
}

impl FromStr for RevisionChoice {
    type Err = UnknownRevision;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "auto" { Ok(RevisionChoice::Auto) } else { s.parse().map(RevisionChoice::Exact) }
    }
}

impl fmt::Display for RevisionChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RevisionChoice::Auto => f.write_str("auto"),
            RevisionChoice::Exact(r) => r.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_round_trip_through_their_wire_strings() {
        for r in Revision::ALL {
            assert_eq!(r.as_str().parse::<Revision>(), Ok(r));
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(r.as_str()));
        }
        assert!("2024-01-01".parse::<Revision>().is_err());
    }

    #[test]
    fn only_2026_is_stateless() {
        let stateless: Vec<_> = Revision::ALL.into_iter().filter(|r| r.era() == Era::Stateless).collect();
        assert_eq!(stateless, vec![Revision::V2026_07_28]);
        assert_eq!("auto".parse::<RevisionChoice>(), Ok(RevisionChoice::Auto));
    }
}
