//! The requirement catalogs as the report uses them, keyed by the harness's [`Revision`].
//!
//! The catalogs themselves (files, parsing, validation, URLs) are the `mcp-harness-suites` crate's: checks cite
//! requirement ids, and the quote a report shows is the catalog's.

pub use mcp_harness_suites::{Catalog, CatalogError, CatalogKind, Citation, Requirement};

use crate::protocol::Revision;

/// The catalog of `revision`: what requirement coverage is computed against.
///
/// # Panics
///
/// Never: every [`Revision`] has a catalog (a unit test checks it), and the embedded catalogs are valid (the
/// suites crate's tests parse every one).
pub fn revision_catalog(revision: Revision) -> &'static Catalog {
    match mcp_harness_suites::revision_catalog(revision.as_str()) {
        Some(catalog) => catalog,
        None => panic!("mcp-harness-suites has no requirement catalog for {revision}"),
    }
}

/// Requirement `id` as a run that speaks `revision` cites it: `revision`'s wording if its catalog has the id,
/// else the nearest revision's, else the integration, harness or security catalog's (see
/// [`mcp_harness_suites::cite`]).
pub fn cite(id: &str, revision: Revision) -> Option<Citation> {
    mcp_harness_suites::cite(id, revision.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_revision_has_a_catalog_rooted_at_its_specification() {
        let names: Vec<&str> = Revision::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, mcp_harness_suites::REVISIONS, "the harness's revisions and the catalogs' differ");
        for revision in Revision::ALL {
            let catalog = revision_catalog(revision);
            assert_eq!(catalog.revision(), Some(revision.as_str()));
            assert_eq!(catalog.source, revision.spec_url());
            assert_eq!(mcp_harness_suites::spec_root(revision.as_str()), revision.spec_url());
        }
    }
}
