//! The e2e suite against the bundled reference server: every journey of `suites/e2e/` as one test per transport and
//! revision, `cargo test -p mcp-harness-suites --test e2e`.
//!
//! Test names are `reference-<transport>-<revision>::e2e.<file stem>.<journey>`; journeys that do not apply to a
//! transport or revision are listed as ignored.

use mcp_harness::bridge::Bridge;
use mcp_harness::check::Suite;
use mcp_harness::protocol::{Revision, RevisionChoice};
use mcp_harness::target::ReferenceTransport;
use mcp_harness::{RunConfig, TargetSpec};

fn main() {
    let mut bridge = Bridge::new();
    for (name, transport) in [("stdio", ReferenceTransport::Stdio), ("http", ReferenceTransport::Http)] {
        for revision in [Revision::V2025_11_25, Revision::V2026_07_28] {
            let config = RunConfig::new(TargetSpec::Reference(transport))
                .protocol(RevisionChoice::Exact(revision))
                .suites([Suite::E2e])
                .journeys([mcp_harness_suites::journey::REFERENCE_JOURNEY_DIR]);
            bridge = bridge.target(format!("reference-{name}-{revision}"), config);
        }
    }
    bridge.run()
}
