//! `mcp-reference-server`: the bundled, known-good MCP server of mcp-harness.
//!
//! All behaviour lives in the library so the harness can re-execute itself as
//! `mcp-harness serve-reference <args…>` and run the same code.

use clap::Parser;
use mcp_reference_server::{Cli, main_with};

/// mimalloc instead of glibc malloc: every request allocates and frees many small and a few large blocks (rmcp's
/// per-request service, channels, JSON values); glibc spent about a fifth of the server's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    main_with(Cli::parse())
}
