//! Run checks as individual `cargo test` / nextest tests (libtest-mimic), one test per check and target.
//!
//! In a `harness = false` test file of your crate:
//!
//! ```no_run
//! use mcp_harness::bridge::Bridge;
//! use mcp_harness::{RunConfig, TargetSpec};
//!
//! fn main() {
//!     let server = env!("CARGO_MANIFEST_DIR").to_owned() + "/../target/debug/my-server"; // or CARGO_BIN_EXE_<name>
//!     Bridge::new().target("stdio", RunConfig::new(TargetSpec::stdio(server, ["--stdio"]))).run();
//! }
//! ```
//!
//! Test names are `<label>::<check id>`. Applicability that is known without connecting (transport, a fixed
//! protocol revision, opt-ins) is decided when tests are listed: such checks are listed as ignored, because
//! nextest shows a test that skips at run time as passed. Capability-dependent skips are decided at run time
//! and show as passed under nextest (ignored under `cargo test`); the JSON report from the CLI keeps them apart.

mod imp;

pub use imp::Bridge;
