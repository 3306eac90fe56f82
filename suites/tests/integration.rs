//! The integration suite against the bundled reference server with real Postgres and Redis, one test per check:
//! `cargo test -p mcp-harness-suites --test integration` (or nextest). Test names are `reference-stdio::<check id>`.
//!
//! Each test starts its own containers through the local Docker engine (or uses `DATABASE_URL` / `REDIS_URL`),
//! injects its faults into them and removes them. Without a Docker engine and URLs the tests are reported as
//! ignored, with the reason; set `MCP_HARNESS_REQUIRE_SERVICES=1` (CI does) to make that a failure instead.
//! Images: `MCP_HARNESS_POSTGRES_IMAGE` / `MCP_HARNESS_REDIS_IMAGE` (see scripts/README.md).

use mcp_harness::bridge::Bridge;
use mcp_harness::check::Suite;
use mcp_harness::services::ServiceConfig;
use mcp_harness::target::ReferenceTransport;
use mcp_harness::{RunConfig, TargetSpec};

fn main() {
    let required = std::env::var_os("MCP_HARNESS_REQUIRE_SERVICES").is_some_and(|v| !v.is_empty() && v != "0");
    let mut config = RunConfig::new(TargetSpec::Reference(ReferenceTransport::Stdio))
        .suites([Suite::Integration])
        .require_services(required);
    match ServiceConfig::from_env() {
        Ok(services) => config.services.config = services,
        Err(e) => {
            eprintln!("invalid service configuration: {e}");
            std::process::exit(2);
        }
    }
    Bridge::new().target("reference-stdio", config).run()
}
