//! The unit suite against the bundled reference server: every tool and prompt it lists, alone, as tests per
//! transport and revision, `cargo test -p mcp-harness-suites --test unit`. The checks are generated from the
//! server's surface (listed once per target before the tests are named); the seed is fixed so a failure replays.
//!
//! Test names are `reference-<transport>-<revision>::unit.tool.<name>.<check>`; checks that do not apply (tools
//! not annotated read-only, tools without an outputSchema) are reported ignored.

use mcp_harness::bridge::Bridge;
use mcp_harness::check::Suite;
use mcp_harness::protocol::{Revision, RevisionChoice};
use mcp_harness::target::ReferenceTransport;
use mcp_harness::{RunConfig, TargetSpec};

fn main() {
    let mut bridge = Bridge::new();
    for (name, transport) in [("stdio", ReferenceTransport::Stdio), ("http", ReferenceTransport::Http)] {
        for revision in [Revision::V2025_11_25, Revision::V2026_07_28] {
            let mut config = RunConfig::new(TargetSpec::Reference(transport))
                .protocol(RevisionChoice::Exact(revision))
                .suites([Suite::Unit]);
            config.options.unit.seed = 20_261_207;
            bridge = bridge.target(format!("reference-{name}-{revision}"), config);
        }
    }
    bridge.run()
}
