//! The security suite against the bundled reference server, as one test per check, transport and revision:
//! `cargo test -p mcp-harness-suites --test security`.
//!
//! Test names are `reference-<transport>-<revision>::<check id>`. Intrusive probes are off there (they are opt-in)
//! and on in `reference-<transport>-<revision>-intrusive::<check id>`, which runs the `security.inject.*` checks
//! alone with `--danger-intrusive`: the reference server resists every one (or has nothing they can probe).

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
                .suites([Suite::Security]);
            bridge = bridge.target(format!("reference-{name}-{revision}"), config);
            let mut intrusive = RunConfig::new(TargetSpec::Reference(transport))
                .protocol(RevisionChoice::Exact(revision))
                .suites([Suite::Security]);
            intrusive.selection.include = vec!["security.inject.*".to_owned()];
            intrusive.options.danger_intrusive = true;
            bridge = bridge.target(format!("reference-{name}-{revision}-intrusive"), intrusive);
        }
    }
    bridge.run()
}
