//! The suites' data, typed: the requirement catalogs checks cite and the official JSON Schemas of each protocol
//! revision, read from the files beside this crate and embedded at compile time.
//!
//! - [`revision_catalog`], [`integration_catalog`], [`harness_catalog`], [`security_catalog`],
//!   [`performance_catalog`]: the catalogs,
//!   parsed once on first use (format in `requirements/README.md`).
//! - [`cite`]: a requirement by id, as a run of a given revision quotes and links it.
//! - [`official_schema`]: the official `schema.json` of a revision.
//! - [`journey`]: the e2e suite's journey format (`*.journey.yaml`), its reader and JSON Schema, and the journeys
//!   shipped for the reference server (`e2e/`).
//!
//! The `tests/` directory holds one cargo-test entry point per suite, which runs the harness against the bundled
//! reference server.

#![warn(missing_docs)]

mod catalog;
pub mod journey;
mod level;
mod schema;

pub use catalog::{
    Catalog, CatalogError, CatalogKind, Citation, REVISIONS, Requirement, catalogs, cite, e2e_catalog, harness_catalog,
    integration_catalog, performance_catalog, revision_catalog, security_catalog, spec_root,
};
pub use level::{Level, UnknownLevel};
pub use schema::official_schema;
