//! What a run is asked to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::baseline::Baseline;
use crate::check::Suite;
use crate::journey::JourneySource;
use crate::protocol::RevisionChoice;
use crate::report::model::CodeCoverage;
use crate::services::{Service, ServiceConfig};
use crate::session::ClientAnswers;
use crate::target::TargetSpec;
use crate::wire::Limits;

use super::interrupt::Interrupt;

/// Opt-ins and allow-lists checks consult.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Call tools that are not annotated read-only (with arguments synthesised from their schemas).
    pub call_tools: bool,
    /// When non-empty, only these tool names (globs) may be called beyond read-only ones; with `danger_intrusive`,
    /// the tools the injection checks probe (`--tool-allow`).
    pub tool_allow: Vec<String>,
    /// Allow intrusive probes (attack payloads).
    pub danger_intrusive: bool,
    /// Run the official-fixture profile: the `official.*` checks, which call the official conformance suite's
    /// fixture tools, resources and prompts by name (`--profile official-fixtures`).
    pub official_fixtures: bool,
    /// Accept the answers of journeys' `snapshot` assertions that differ from their accepted snapshots, overwriting
    /// the `.snap` files (`--update-snapshots`).
    pub update_snapshots: bool,
    /// The surface lock to compare the server with: runs the `surface.*` checks (`--surface FILE`).
    pub surface: Option<std::sync::Arc<crate::surface::LoadedLock>>,
    /// How the unit suite draws its inputs (`--cases`, `--seed`).
    pub unit: UnitOptions,
    /// What the performance suite's load run does (`--rate`, `--duration`, …).
    pub load: crate::load::LoadOptions,
    /// The bearer token of a second principal (`--second-bearer-env VAR`), beside the target's own token
    /// (`--bearer-env`): enables `security.http.session-binding`, which presents one principal's session with the
    /// other's token.
    pub second_bearer_token: Option<SecretToken>,
    /// End the run at the first check that fails or cannot be evaluated (not counting failures a baseline
    /// expects): the checks left are reported skipped (`fail-fast`), the target is ended and the report written
    /// (`--fail-fast`).
    pub fail_fast: bool,
    /// The authorization material of the security suite's `security.auth.*` checks (`--auth-signing-key`,
    /// `--auth-issuer`, the `--*-token-env` flags); with a key the run mints its own bearer token.
    pub auth: crate::auth::AuthOptions,
}

/// A bearer token kept out of `Debug` output (and registered as a transcript secret before it is sent).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(pub String);

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(***)")
    }
}

/// How the unit suite draws its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitOptions {
    /// Valid inputs per tool (`--cases`); also the scale of the invalid ones (twice as many at most).
    pub cases: u32,
    /// The run's seed (`--seed`): with the same seed, the same target and the same check, the same inputs are
    /// drawn, so a reported failure replays.
    pub seed: u64,
}

/// Valid inputs per tool when `--cases` is not given: small enough that `--suite unit` against the bundled
/// reference server stays within seconds.
pub const DEFAULT_UNIT_CASES: u32 = 8;

impl Default for UnitOptions {
    fn default() -> Self {
        UnitOptions { cases: DEFAULT_UNIT_CASES, seed: random_seed() }
    }
}

impl UnitOptions {
    /// The seed of check `id`: the run's seed mixed with the id (FNV-1a), so that each check draws its own inputs
    /// and `--check ID --seed N` replays one check alone.
    pub fn seed_for(&self, id: &str) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.seed ^ h
    }
}

/// A seed from the clock and the process id (no dependency needed for one number per run).
fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    // Keep it short enough to type: 9 decimal digits.
    ((nanos as u64) ^ (u64::from(std::process::id()) << 20)) % 1_000_000_000
}

/// Backing services (Postgres, Redis) a run provides to its target.
///
/// The services are started when `with` names any, or when a selected check needs them (the `integration` suite
/// needs both). Environment URLs (`DATABASE_URL`, `REDIS_URL`, or their `TEST_` forms) are used first; otherwise
/// containers are started through the local Docker engine. Their URLs are passed to the target's environment when
/// the harness starts the target (stdio commands and the bundled reference server).
#[derive(Debug, Clone, Default)]
pub struct ServicesRequest {
    /// Services asked for explicitly (`--with postgres,redis`).
    pub with: Vec<Service>,
    /// When services cannot be provided, make the run "could not test" (exit 3) instead of skipping the checks
    /// that need them (`--require-services`).
    pub required: bool,
    /// Images and start-up timeout.
    pub config: ServiceConfig,
}

/// A run's whole configuration.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// What to test.
    pub target: TargetSpec,
    /// Which checks.
    pub selection: crate::runner::Selection,
    /// Revision to speak.
    pub protocol: RevisionChoice,
    /// Time one check may take in all.
    pub check_timeout: Duration,
    /// Time one request may take.
    pub request_timeout: Duration,
    /// Time to start the target (and, for the HTTP reference server, to see it listening).
    pub launch_timeout: Duration,
    /// Size caps on everything read from the target.
    pub limits: Limits,
    /// Answers to server→client requests.
    pub answers: ClientAnswers,
    /// Opt-ins.
    pub options: RunOptions,
    /// Code coverage to put in the report, if measured.
    pub code_coverage: Option<CodeCoverage>,
    /// Expected failures to judge the results against (`--baseline`).
    pub baseline: Option<Baseline>,
    /// Backing services for the target.
    pub services: ServicesRequest,
    /// How long to listen for a late reply once a follow-up request proved the target alive (see
    /// [`crate::session::SessionOptions::silence_window`]).
    pub silence_window: Duration,
    /// Ends the run early when triggered (the CLI triggers it on SIGINT and SIGTERM).
    pub interrupt: Interrupt,
    /// Directories of journey files for the e2e suite (`--journeys`); `None` for the defaults (see
    /// [`RunConfig::journey_sources`]).
    pub journeys: Option<Vec<PathBuf>>,
    /// Extra flags for the bundled reference server when the harness launches it (`--reference-arg ARG`), e.g.
    /// `--auth-jwks=FILE` to make it require tokens the harness mints.
    pub reference_args: Vec<String>,
}

impl RunConfig {
    /// A configuration with the defaults: the conformance suite, `auto` revision, 10 s requests, 30 s checks.
    pub fn new(target: TargetSpec) -> Self {
        RunConfig {
            target,
            selection: crate::runner::Selection { suites: vec![Suite::Conformance], ..Default::default() },
            protocol: RevisionChoice::Auto,
            check_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            launch_timeout: Duration::from_secs(30),
            limits: Limits::default(),
            answers: ClientAnswers::default(),
            options: RunOptions::default(),
            code_coverage: None,
            baseline: None,
            services: ServicesRequest::default(),
            silence_window: Duration::from_millis(300),
            interrupt: Interrupt::default(),
            journeys: None,
            reference_args: Vec::new(),
        }
    }

    /// Where the run's journeys come from: the `journeys` directories when given; otherwise `./mcp-journeys/`
    /// when it exists, plus the journeys shipped for the bundled reference server when that is the target.
    pub fn journey_sources(&self) -> Vec<JourneySource> {
        default_journey_sources(self.journeys.as_deref(), matches!(self.target, TargetSpec::Reference(_)))
    }

    /// Use the journey files of these directories (instead of the defaults).
    pub fn journeys(mut self, dirs: impl IntoIterator<Item = impl Into<PathBuf>>) -> Self {
        self.journeys = Some(dirs.into_iter().map(Into::into).collect());
        self
    }

    /// Speak this revision.
    pub fn protocol(mut self, protocol: RevisionChoice) -> Self {
        self.protocol = protocol;
        self
    }

    /// Per-request timeout (the per-check timeout becomes at least three times it).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self.check_timeout = self.check_timeout.max(timeout * 3);
        self
    }

    /// Only checks whose id matches one of these globs or prefixes.
    pub fn include(mut self, patterns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.selection.include = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Provide these backing services to the target (see [`ServicesRequest`]).
    pub fn with_services(mut self, services: impl IntoIterator<Item = Service>) -> Self {
        self.services.with = services.into_iter().collect();
        self
    }

    /// Turn unavailable backing services into "could not test" instead of skips.
    pub fn require_services(mut self, required: bool) -> Self {
        self.services.required = required;
        self
    }

    /// These suites.
    pub fn suites(mut self, suites: impl IntoIterator<Item = Suite>) -> Self {
        self.selection.suites = suites.into_iter().collect();
        self
    }
}

/// The directory of journeys a run uses by default when it exists: `./mcp-journeys/`.
pub const DEFAULT_JOURNEY_DIR: &str = "mcp-journeys";

/// Journey sources: `dirs` when given; otherwise [`DEFAULT_JOURNEY_DIR`] when it exists, plus the reference
/// server's journeys when `reference` (the target is the bundled reference server).
pub fn default_journey_sources(dirs: Option<&[PathBuf]>, reference: bool) -> Vec<JourneySource> {
    match dirs {
        Some(dirs) => dirs.iter().cloned().map(JourneySource::Dir).collect(),
        None => {
            let mut out = Vec::new();
            if Path::new(DEFAULT_JOURNEY_DIR).is_dir() {
                out.push(JourneySource::Dir(PathBuf::from(DEFAULT_JOURNEY_DIR)));
            }
            if reference {
                out.push(JourneySource::Reference);
            }
            out
        }
    }
}
