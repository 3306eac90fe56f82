//! The registered checks. [`ALL`] drives `list`, the runner, the cargo-test bridge and the docs.
//!
//! Areas are capability-driven and work on any server, except `official`: the opt-in official-fixture profile
//! (checks tagged [`OFFICIAL_FIXTURES_TAG`], skipped unless `RunOptions::official_fixtures` is set), which runs the
//! official conformance suite's scenarios by its fixture names. `integration` judges a data-tools contract over real
//! Postgres/Redis (suite `integration`), `security` defences the spec does not word as rules (suite `security`),
//! `surface` compares the server with a surface lock (suite `e2e`, opt-in: `RunOptions::surface`, `--surface FILE`),
//! `performance` judges one load run against the SLOs of `suites/performance/` (suite `performance`).
//!
//! Adding a check: write the record (stable id, title, level, the ids of the requirements it tests, applicability,
//! tags) and one async function in a file of its area; add it to [`ALL`]; make sure the reference server passes
//! it; add a defect to `fixtures/broken-server` that makes it fail and a row to `fixtures/broken-server/expected-outcomes.json`.
//! A check cites requirements by id only, the primary one first: the quote lives once, in the requirement catalog
//! of `mcp-harness-suites` (`suites/requirements/<revision>.json` for a conformance check, else the integration,
//! harness or security catalog). A sentence no catalog quotes yet is added to the catalog of every revision the
//! check applies to, verbatim from the spec (format in `suites/requirements/README.md`).

mod capabilities;
mod evidence;
mod http;
mod integration;
mod jsonrpc;
mod lifecycle;
pub(crate) mod observed;
pub(crate) mod official;
pub(crate) mod pagination;
pub(crate) mod performance;
mod ping;
mod prompts;
mod resources;
mod robustness;
mod security;
mod stateless;
mod stdio;
mod surface;
pub(crate) mod tools;

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use crate::check::{Applicability, Check, CheckId, CheckMeta, Level, Needs, Suite, Transports};
use crate::journey::{JourneySet, JourneySource, LoadedJourney};
use crate::protocol::Revision;
use crate::unit::UnitSet;
use mcp_harness_suites::journey::{JourneyError, TransportFilter};

/// The tag of the official-fixture profile's checks (`official.*`): the plan skips them unless the run opts in
/// (`--profile official-fixtures`).
pub const OFFICIAL_FIXTURES_TAG: &str = official::TAG;

/// Every check, in report order: each area's `CHECKS`, areas in protocol order.
static ALL: LazyLock<Vec<Check>> = LazyLock::new(|| {
    [
        lifecycle::CHECKS,
        ping::CHECKS,
        // The surface lock (opt-in): early, so the listings are compared before other checks call any tool.
        surface::CHECKS,
        jsonrpc::CHECKS,
        capabilities::CHECKS,
        tools::CHECKS,
        resources::CHECKS,
        prompts::CHECKS,
        pagination::CHECKS,
        stateless::CHECKS,
        http::CHECKS,
        official::CHECKS,
        integration::CHECKS,
        performance::CHECKS,
        security::CHECKS,
        &[
            crate::unit::SURFACE_CHECK,
            crate::unit::SEQUENCE_CHECK,
            crate::unit::RESOURCE_READ_CHECK,
            crate::unit::RESOURCE_TEMPLATES_CHECK,
        ],
        // The checks that judge what the whole run observed; the runner runs them after all others.
        OBSERVED,
    ]
    .concat()
});

/// The checks that judge the run's wire log and schema audit (`Needs::Observations`).
const OBSERVED: &[Check] = &[
    jsonrpc::response_id::RESPONSE_ID,
    jsonrpc::response_shape::RESPONSE_SHAPE,
    stdio::stdout_only::CHECK,
    http::response_type::RESPONSE_CONTENT_TYPE,
    robustness::survives::SURVIVES_VALID_REQUESTS,
    robustness::message_size::MESSAGE_SIZE,
    jsonrpc::schema_valid::CHECK,
    security::OBSERVED[0],
    security::OBSERVED[1],
];

/// Every registered check, in report order.
pub fn all() -> &'static [Check] {
    &ALL
}

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static Check> {
    all().iter().find(|c| c.meta.id.as_str() == id)
}

/// The checks a run can select: every registered check ([`all`]) and one check per journey of its journey
/// sources (the e2e suite), with the journeys those checks run.
#[derive(Debug)]
pub struct Registry {
    /// Every check, in report order: the registered checks, then the journeys.
    pub checks: &'static [Check],
    /// The journeys of the journey checks; a journey check finds its own by its id.
    pub journeys: &'static JourneySet,
    /// The unit suite's view of the target: the generated unit checks find their tool or prompt in it.
    pub unit: &'static UnitSet,
}

/// [`registry`] plus the unit checks generated for one target (`unit.tool.<name>.*`, `unit.prompt.<name>.get`),
/// which come after the registered checks. Built anew for each set (it is as long-lived as the process: the
/// records are `'static`), so call it once per run.
pub fn registry_with_unit(sources: &[JourneySource], unit: UnitSet) -> Result<&'static Registry, JourneyError> {
    let base = registry(sources)?;
    if unit.is_empty() && unit.problem.is_none() && unit.surface.is_none() {
        return Ok(base);
    }
    let unit: &'static UnitSet = Box::leak(Box::new(unit));
    let checks: Vec<Check> = base.checks.iter().copied().chain(unit.checks()).collect();
    Ok(Box::leak(Box::new(Registry { checks: Box::leak(checks.into_boxed_slice()), journeys: base.journeys, unit })))
}

/// The registry for `sources`: [`all`] plus one check `e2e.<file stem>.<journey>` per journey. Loaded once per
/// set of sources and kept for the life of the process (the checks' records are `'static`), so a process that runs
/// the same sources again reads the files once.
///
/// A journey file that cannot be read, or is not valid, is an error naming its file and line.
pub fn registry(sources: &[JourneySource]) -> Result<&'static Registry, JourneyError> {
    static NO_UNIT: LazyLock<UnitSet> = LazyLock::new(UnitSet::empty);
    static EMPTY: LazyLock<JourneySet> = LazyLock::new(JourneySet::default);
    static REGISTRIES: LazyLock<Mutex<HashMap<Vec<JourneySource>, &'static Registry>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if sources.is_empty() {
        static PLAIN: LazyLock<Registry> =
            LazyLock::new(|| Registry { checks: all(), journeys: &EMPTY, unit: &NO_UNIT });
        return Ok(&PLAIN);
    }
    let mut cache = REGISTRIES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = cache.get(sources) {
        return Ok(r);
    }
    let journeys: &'static JourneySet = Box::leak(Box::new(crate::journey::load(sources)?));
    let checks: Vec<Check> = all().iter().copied().chain(journeys.iter().map(journey_check)).collect();
    let registry: &'static Registry =
        Box::leak(Box::new(Registry { checks: Box::leak(checks.into_boxed_slice()), journeys, unit: &NO_UNIT }));
    cache.insert(sources.to_vec(), registry);
    Ok(registry)
}

/// The requirements every journey check cites: the e2e suite's catalog, the primary one first.
const JOURNEY_REQUIREMENTS: &[&str] =
    &["e2e.journey-expectations", "e2e.journey-notifications", "e2e.journey-snapshots", "e2e.journey-latency"];

/// The check of one journey.
fn journey_check(j: &LoadedJourney) -> Check {
    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }
    let allowed: Vec<Revision> = Revision::ALL
        .into_iter()
        .filter(|r| j.journey.revisions.as_ref().is_none_or(|c| c.allows(r.as_str())))
        .collect();
    // The hull of the allowed revisions; a gap in a list (2025-03-26 and 2026-07-28 only) is decided at run time.
    let since = allowed.first().copied().unwrap_or(Revision::V2025_03_26);
    let until = allowed.last().and_then(|last| Revision::ALL.into_iter().find(|r| r > last));
    let title = match j.journey.description.as_deref().and_then(|d| d.lines().next()).filter(|l| !l.trim().is_empty()) {
        Some(line) => format!("journey `{}`: {}", j.journey.name, line.trim()),
        None => format!("journey `{}` of {} passes", j.journey.name, j.file),
    };
    let mut tags: Vec<&'static str> = vec!["e2e", "journey"];
    tags.extend(j.journey.tags.iter().map(|t| leak(t.clone())));
    Check {
        meta: CheckMeta {
            id: CheckId(leak(j.id.clone())),
            title: leak(title),
            suite: Suite::E2e,
            level: Level::Must,
            requirements: JOURNEY_REQUIREMENTS,
            applies: Applicability {
                transports: match j.journey.transport {
                    TransportFilter::Stdio => Transports::Stdio,
                    TransportFilter::Http => Transports::Http,
                    _ => Transports::Any,
                },
                since,
                until,
                needs: Needs::Session,
                ..Applicability::ALWAYS
            },
            tags: Box::leak(tags.into_boxed_slice()),
        },
        run: crate::check_fn!(crate::journey::run_journey),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_dotted_and_lowercase() {
        let mut seen = HashSet::new();
        for c in all() {
            let id = c.meta.id.as_str();
            assert!(seen.insert(id), "duplicate id {id}");
            assert!(id.contains('.'), "{id} is not dotted");
            assert!(
                id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '.' || ch == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn every_check_cites_a_requirement_once() {
        for c in all() {
            let ids = c.meta.requirements;
            assert!(!ids.is_empty(), "{} cites no requirement", c.meta.id);
            let unique: HashSet<&str> = ids.iter().copied().collect();
            assert_eq!(unique.len(), ids.len(), "{} cites a requirement twice", c.meta.id);
        }
    }

    #[test]
    fn cited_requirements_exist_in_the_catalog_of_the_checks_suite() {
        use mcp_harness_suites::{harness_catalog, integration_catalog, security_catalog};

        use crate::check::Suite;
        use crate::protocol::Revision;
        use crate::report::revision_catalog;

        for c in all() {
            for id in c.meta.requirements {
                let found = match c.meta.suite {
                    // Project catalogs: integration and security requirements never count toward the revision's
                    // coverage.
                    Suite::Integration => integration_catalog().contains(id),
                    Suite::Security => security_catalog().contains(id),
                    Suite::Performance => mcp_harness_suites::performance_catalog().contains(id),
                    // Journeys cite the e2e catalog; the surface lock's checks the harness's own catalog.
                    Suite::E2e => mcp_harness_suites::e2e_catalog().contains(id) || harness_catalog().contains(id),
                    // A protocol requirement of a revision the check applies to, or a limit the harness sets.
                    _ => {
                        harness_catalog().contains(id)
                            || Revision::ALL
                                .iter()
                                .filter(|r| c.meta.applies.covers_revision(**r))
                                .any(|r| revision_catalog(*r).contains(id))
                    }
                };
                assert!(found, "{} cites `{id}`, which no catalog of its suite and revisions lists", c.meta.id);
            }
        }
    }

    #[test]
    fn journeys_become_checks_of_the_e2e_suite_citing_its_catalog() {
        let r = registry(&[JourneySource::Reference]).unwrap();
        assert_eq!(r.checks.len(), all().len() + r.journeys.len());
        let again = registry(&[JourneySource::Reference]).unwrap();
        assert!(std::ptr::eq(r, again), "registries are cached per set of sources");
        let mut seen = HashSet::new();
        // The journeys' checks (the surface lock's checks are in the e2e suite too, but static).
        for c in r.checks.iter().filter(|c| c.meta.suite == Suite::E2e && !c.meta.id.as_str().starts_with("surface.")) {
            assert!(c.meta.id.as_str().starts_with("e2e."), "{}", c.meta.id);
            assert!(seen.insert(c.meta.id.as_str()));
            assert!(r.journeys.get(c.meta.id.as_str()).is_some());
            for id in c.meta.requirements {
                assert!(mcp_harness_suites::e2e_catalog().contains(id), "{id}");
            }
            let ok = |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '.' || ch == '-';
            assert!(c.meta.id.as_str().chars().all(ok), "{}", c.meta.id);
        }
        assert!(registry(&[]).unwrap().journeys.is_empty());
    }

    #[test]
    fn the_primary_requirement_is_quoted_for_every_revision_a_check_applies_to() {
        use crate::protocol::Revision;
        use crate::report::cite;

        for c in all() {
            let id = c.meta.primary_requirement().unwrap_or_default();
            for revision in Revision::ALL.into_iter().filter(|r| c.meta.applies.covers_revision(*r)) {
                let cited = cite(id, revision).unwrap_or_else(|| panic!("{}: `{id}` is in no catalog", c.meta.id));
                assert!(cited.requirement.quote.len() > 20, "{} quotes too little", c.meta.id);
                assert!(cited.url.starts_with("https://") || cited.url.starts_with("suites/"), "{}", cited.url);
            }
        }
    }
}
