//! The registered checks. [`ALL`] drives `list`, the runner, the cargo-test bridge and the docs.
//!
//! Areas are capability-driven and work on any server, except `official`: the opt-in official-fixture profile
//! (checks tagged [`OFFICIAL_FIXTURES_TAG`], skipped unless `RunOptions::official_fixtures` is set), which runs the
//! official conformance suite's scenarios by its fixture names. `integration` judges a data-tools contract over real
//! Postgres/Redis (suite `integration`), `security` defences the spec does not word as rules (suite `security`).
//!
//! Adding a check: write the record (stable id, title, level, spec reference with the quoted requirement, the
//! requirement-catalog ids it covers, applicability, tags) and one async function in a file of its area; add it
//! to [`ALL`]; make sure the reference server passes it; add a defect to `fixtures/broken-server` that makes it
//! fail and a row to `fixtures/expected-outcomes.json`.

mod capabilities;
mod evidence;
mod http;
mod integration;
mod jsonrpc;
mod lifecycle;
mod official;
mod pagination;
mod ping;
mod prompts;
mod observed;
mod resources;
mod robustness;
mod rules;
mod security;
mod stateless;
mod stdio;
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
            assert!(id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '.' || ch == '-'), "{id}");
        }
    }

    #[test]
    fn every_check_quotes_its_requirement_and_covers_catalog_entries() {
        for c in all() {
            assert!(!c.meta.spec.is_empty(), "{} has no spec reference", c.meta.id);
            for s in c.meta.spec {
                assert!(s.quote.len() > 20, "{} quotes too little", c.meta.id);
            }
            // Security checks test defences the spec motivates but does not word as rules: no catalog entry.
            if c.meta.suite != crate::check::Suite::Security {
                assert!(!c.meta.covers.is_empty(), "{} covers no requirement", c.meta.id);
            }
        }
    }

    #[test]
    fn covered_requirement_ids_exist_in_the_catalog_of_some_applicable_revision() {
        use crate::protocol::Revision;
        use crate::report::RequirementCatalog;
        for c in all() {
            if c.meta.suite == crate::check::Suite::Integration {
                let ids = crate::report::integration_requirement_ids();
                for req in c.meta.covers {
                    assert!(ids.iter().any(|i| i == req), "{} covers `{req}`, not in suites/integration/requirements.json", c.meta.id);
                }
                continue;
            }
            for req in c.meta.covers {
                if crate::report::harness_requirement(req).is_some() {
                    continue;
                }
                let found = Revision::ALL.iter().filter(|r| c.meta.applies.covers_revision(**r)).any(|r| {
                    RequirementCatalog::for_revision(*r).requirements.iter().any(|q| q.id == *req)
                });
                assert!(found, "{} covers `{req}`, which no catalog of its revisions lists", c.meta.id);
            }
        }
    }
}
