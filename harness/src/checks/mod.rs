//! The registered checks. [`ALL`] drives `list`, the runner, the cargo-test bridge and the docs.
//!
//! Areas are capability-driven and work on any server, except `official`: the opt-in official-fixture profile
//! (checks tagged [`OFFICIAL_FIXTURES_TAG`], skipped unless `RunOptions::official_fixtures` is set), which runs the
//! official conformance suite's scenarios by its fixture names. `integration` judges a data-tools contract over real
//! Postgres/Redis (suite `integration`), `security` defences the spec does not word as rules (suite `security`),
//! `surface` compares the server with a surface lock (suite `e2e`, opt-in: `RunOptions::surface`, `--surface FILE`).
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
mod observed;
mod official;
pub(crate) mod pagination;
mod ping;
mod prompts;
mod resources;
mod robustness;
mod security;
mod stateless;
mod stdio;
mod surface;
mod tools;

use std::sync::LazyLock;

use crate::check::Check;

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
        security::CHECKS,
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
];

/// Every registered check, in report order.
pub fn all() -> &'static [Check] {
    &ALL
}

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static Check> {
    all().iter().find(|c| c.meta.id.as_str() == id)
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
