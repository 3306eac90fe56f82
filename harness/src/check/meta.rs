//! The check record: everything about a check except the function that runs it.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use mcp_harness_suites::Level;

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

/// Which test suite a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Suite {
    /// Each tool, prompt and resource exercised alone: schema-driven property tests.
    Unit,
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
    pub const ALL: [Suite; 6] =
        [Suite::Unit, Suite::Conformance, Suite::Integration, Suite::E2e, Suite::Performance, Suite::Security];

    /// The suite's name as used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Suite::Unit => "unit",
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
    /// A surface lock to compare the server's tools, resources, templates and prompts with: `--surface FILE`.
    SurfaceLock,
}

impl OptIn {
    /// How to give the opt-in on the command line.
    pub fn flag(self) -> &'static str {
        match self {
            OptIn::DangerIntrusive => "--danger-intrusive",
            OptIn::OfficialFixtures => "--profile official-fixtures",
            OptIn::SurfaceLock => "--surface FILE",
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
    /// Ids of the requirements the check tests, from the catalogs of `mcp-harness-suites`: a revision catalog
    /// (`suites/requirements/<revision>.json`) for conformance checks, else the integration, harness or security
    /// catalog. The first is the primary requirement, quoted in the report; every one counts for requirement
    /// coverage when the check is evaluated. The quote lives in the catalog only.
    pub requirements: &'static [&'static str],
    /// When the check applies.
    pub applies: Applicability,
    /// Free tags for selection (`--tag`).
    pub tags: &'static [&'static str],
}

impl CheckMeta {
    /// The primary requirement: the one the report quotes (the first of `requirements`).
    pub fn primary_requirement(&self) -> Option<&'static str> {
        self.requirements.first().copied()
    }
}
