//! The check record: everything about a check except the function that runs it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::protocol::{Era, Revision};

/// A check's stable dotted id (`lifecycle.initialize.version-negotiation`). Never renumbered: a renamed check
/// gets a new id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CheckId(pub &'static str);

impl CheckId {
    /// The id as a string.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// How strongly the spec words the requirement a check tests: it decides failed versus warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// MUST / MUST NOT / REQUIRED: a violation is a failure.
    Must,
    /// SHOULD / SHOULD NOT / RECOMMENDED: a violation is a warning.
    Should,
    /// MAY / informational: a violation is a warning at most.
    May,
}

impl Level {
    /// The RFC 2119 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Which test suite a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Suite {
    /// Generic, capability-driven protocol checks for any server.
    Conformance,
    /// Backing services (Postgres/Redis), data and cache behaviour, fault injection.
    Integration,
    /// User journeys declared as data.
    E2e,
    /// Open-loop load runs.
    Performance,
    /// Black-box security probes.
    Security,
}

impl Suite {
    /// Every suite, in report order.
    pub const ALL: [Suite; 5] = [Suite::Conformance, Suite::Integration, Suite::E2e, Suite::Performance, Suite::Security];

    /// The suite's name as used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Suite::Conformance => "conformance",
            Suite::Integration => "integration",
            Suite::E2e => "e2e",
            Suite::Performance => "performance",
            Suite::Security => "security",
        }
    }

    /// Parses a suite name.
    pub fn parse(s: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where in the spec a requirement is written, with the requirement quoted verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpecRef {
    /// Page path under the revision's specification root, with fragment (`basic/lifecycle#version-negotiation`),
    /// or an absolute URL for requirements from other specifications.
    pub anchor: &'static str,
    /// The sentence of the spec that states the requirement, quoted.
    pub quote: &'static str,
}

impl SpecRef {
    /// The full URL of this reference in the given revision's specification (anchors that are already absolute
    /// URLs, such as the JSON-RPC 2.0 specification, are returned as they are; `repo:PATH#ANCHOR` names a document
    /// of this repository, for requirements that are the project's own, such as the integration suite's).
    pub fn url(&self, revision: Revision) -> String {
        if self.anchor.starts_with("https://") {
            self.anchor.to_owned()
        } else if let Some(path) = self.anchor.strip_prefix("repo:") {
            // A requirement of this project (the integration suite's), documented in the repository.
            path.to_owned()
        } else {
            format!("{}/{}", revision.spec_url(), page_in(self.anchor, revision))
        }
    }
}

/// `anchor` moved to where `revision` has that page: 2026-07-28 split `basic/transports` into
/// `basic/transports/stdio` and `basic/transports/streamable-http` (fragments differ, so a moved anchor keeps its
/// page only; earlier revisions have the single page), and moved `basic/utilities/progress` to
/// `basic/patterns/progress`.
fn page_in(anchor: &str, revision: Revision) -> std::borrow::Cow<'_, str> {
    let stateless = revision.era() == Era::Stateless;
    let (page, fragment) = anchor.split_once('#').unwrap_or((anchor, ""));
    match page {
        "basic/transports" if stateless && fragment == "stdio" => "basic/transports/stdio".into(),
        "basic/transports" if stateless => "basic/transports/streamable-http".into(),
        // 2026-07-28 moved the request utilities under `basic/patterns`, fragments unchanged.
        "basic/utilities/progress" if stateless && fragment.is_empty() => "basic/patterns/progress".into(),
        "basic/utilities/progress" if stateless => format!("basic/patterns/progress#{fragment}").into(),
        "basic/transports/stdio" | "basic/transports/streamable-http" if !stateless => {
            let legacy = if page.ends_with("stdio") { "stdio" } else { "streamable-http" };
            format!("basic/transports#{legacy}").into()
        }
        _ => anchor.into(),
    }
}

/// Transports a check applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transports {
    /// stdio and Streamable HTTP.
    Any,
    /// Only stdio targets.
    Stdio,
    /// Only Streamable HTTP targets.
    Http,
}

/// Eras a check applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Eras {
    /// Both eras.
    Both,
    /// Only the stateful era (≤ 2025-11-25).
    Stateful,
    /// Only the stateless era (2026-07-28).
    Stateless,
}

impl Eras {
    /// Whether this set contains `era`.
    pub fn contains(self, era: Era) -> bool {
        matches!((self, era), (Eras::Both, _) | (Eras::Stateful, Era::Stateful) | (Eras::Stateless, Era::Stateless))
    }
}

/// A server capability a check needs advertised before it means anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Capability {
    /// `capabilities.tools`.
    Tools,
    /// `capabilities.resources`.
    Resources,
    /// `capabilities.resources.subscribe`.
    ResourceSubscribe,
    /// `capabilities.prompts`.
    Prompts,
    /// `capabilities.logging`.
    Logging,
    /// `capabilities.completions`.
    Completions,
}

impl Capability {
    /// The JSON path of the capability in `capabilities`, as `["resources", "subscribe"]`.
    pub fn path(self) -> &'static [&'static str] {
        match self {
            Capability::Tools => &["tools"],
            Capability::Resources => &["resources"],
            Capability::ResourceSubscribe => &["resources", "subscribe"],
            Capability::Prompts => &["prompts"],
            Capability::Logging => &["logging"],
            Capability::Completions => &["completions"],
        }
    }

    /// A readable name (`resources.subscribe`).
    pub fn name(self) -> String {
        self.path().join(".")
    }
}

/// What a check needs from the run, beyond a target it can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Needs {
    /// An established session: the run's handshake must have succeeded (most checks).
    Session,
    /// Only a connection: the check performs the handshake itself and judges it (the lifecycle checks). It runs
    /// even when the run's handshake failed.
    Connection,
    /// Nothing but what the run observed (the checks that judge the wire log); runs after the checks it judges.
    Observations,
}

/// An opt-in a check needs before it may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OptIn {
    /// Attack payloads: `--danger-intrusive`.
    DangerIntrusive,
    /// The official conformance suite's fixture names: `--profile official-fixtures`.
    OfficialFixtures,
}

impl OptIn {
    /// How to give the opt-in on the command line.
    pub fn flag(self) -> &'static str {
        match self {
            OptIn::DangerIntrusive => "--danger-intrusive",
            OptIn::OfficialFixtures => "--profile official-fixtures",
        }
    }
}

/// When a check applies and what it needs. Static parts (transport, era, revision window, opt-ins) are decided
/// when the plan is made, so `list` and the cargo-test bridge know them without connecting; capabilities and
/// services are decided at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Applicability {
    /// Transports the check can run over.
    pub transports: Transports,
    /// Eras the check applies to.
    pub eras: Eras,
    /// Oldest revision the requirement exists in.
    pub since: Revision,
    /// First revision that removed the requirement, if any.
    pub until: Option<Revision>,
    /// Capability the server must advertise, if any.
    pub capability: Option<Capability>,
    /// What the check needs from the run.
    pub needs: Needs,
    /// Backing services the target must be given for the check to mean anything (the integration checks).
    pub services: &'static [crate::services::Service],
    /// The opt-in the run must be given, if any.
    pub opt_in: Option<OptIn>,
}

impl Applicability {
    /// Applies everywhere: any transport, both eras, every revision, no capability, a session, no opt-in.
    pub const ALWAYS: Applicability = Applicability {
        transports: Transports::Any,
        eras: Eras::Both,
        since: Revision::V2025_03_26,
        until: None,
        capability: None,
        needs: Needs::Session,
        services: &[],
        opt_in: None,
    };

    /// Whether `revision` lies within this check's window.
    pub fn covers_revision(&self, revision: Revision) -> bool {
        revision >= self.since && self.until.is_none_or(|u| revision < u) && self.eras.contains(revision.era())
    }

    /// Whether the check applies to a target over this transport.
    pub fn covers_transport(&self, stdio: bool) -> bool {
        match self.transports {
            Transports::Any => true,
            Transports::Stdio => stdio,
            Transports::Http => !stdio,
        }
    }
}

/// Everything about a check except its function: drives `list`, the report, the docs and the cargo-test names.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckMeta {
    /// Stable dotted id.
    pub id: CheckId,
    /// One-line title, a statement of what a correct server does.
    pub title: &'static str,
    /// Suite the check belongs to.
    pub suite: Suite,
    /// MUST fails, SHOULD warns.
    pub level: Level,
    /// The spec text the check tests (first entry is the primary reference).
    pub spec: &'static [SpecRef],
    /// Ids of the requirement-catalog entries (in `suites/requirements/`) this check covers.
    pub covers: &'static [&'static str],
    /// When the check applies.
    pub applies: Applicability,
    /// Free tags for selection (`--tag`).
    pub tags: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(anchor: &'static str, revision: Revision) -> String {
        SpecRef { anchor, quote: "" }.url(revision)
    }

    #[test]
    fn transport_anchors_follow_the_page_split_of_2026() {
        let base = |r: Revision| r.spec_url();
        let (old, new) = (Revision::V2025_11_25, Revision::V2026_07_28);
        assert_eq!(url("basic/transports#session-management", old), format!("{}/basic/transports#session-management", base(old)));
        assert_eq!(url("basic/transports#session-management", new), format!("{}/basic/transports/streamable-http", base(new)));
        assert_eq!(url("basic/transports#stdio", new), format!("{}/basic/transports/stdio", base(new)));
        assert_eq!(url("basic/transports/streamable-http#server-validation", new), format!("{}/basic/transports/streamable-http#server-validation", base(new)));
        assert_eq!(url("basic/transports/streamable-http#server-validation", old), format!("{}/basic/transports#streamable-http", base(old)));
        assert_eq!(url("server/tools#error-handling", new), format!("{}/server/tools#error-handling", base(new)));
        assert_eq!(url("basic/utilities/progress#progress-flow", new), format!("{}/basic/patterns/progress#progress-flow", base(new)));
        assert_eq!(url("basic/utilities/progress#progress-flow", old), format!("{}/basic/utilities/progress#progress-flow", base(old)));
        assert_eq!(url("https://www.jsonrpc.org/specification", new), "https://www.jsonrpc.org/specification");
        assert_eq!(url("repo:suites/integration/README.md#durable", new), "suites/integration/README.md#durable");
    }
}
