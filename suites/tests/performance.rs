//! The performance suite against the bundled reference server, one test per check and transport:
//! `cargo test -p mcp-harness-suites --test performance`.
//!
//! Test names are `reference-<transport>-<revision>::<check id>`. Each test runs its own short load (the bridge runs
//! one check per test, and tests run side by side), so the load is light and brief here: 100 requests/s for 2 s
//! after a 500 ms warm-up. `mcp-harness run --suite performance` runs one longer load for all the checks.

use std::time::Duration;

use mcp_harness::bridge::Bridge;
use mcp_harness::check::Suite;
use mcp_harness::protocol::{Revision, RevisionChoice};
use mcp_harness::target::ReferenceTransport;
use mcp_harness::{RunConfig, TargetSpec};

fn main() {
    let mut bridge = Bridge::new();
    for (name, transport, revision) in [
        ("stdio", ReferenceTransport::Stdio, Revision::V2025_11_25),
        ("http", ReferenceTransport::Http, Revision::V2026_07_28),
    ] {
        let mut config = RunConfig::new(TargetSpec::Reference(transport))
            .protocol(RevisionChoice::Exact(revision))
            .suites([Suite::Performance]);
        config.options.load.rate = 100.0;
        config.options.load.duration = Some(Duration::from_secs(2));
        config.options.load.warmup = Duration::from_millis(500);
        bridge = bridge.target(format!("reference-{name}-{revision}"), config);
    }
    bridge.run()
}
