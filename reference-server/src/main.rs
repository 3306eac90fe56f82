//! `mcp-reference-server`: the bundled, known-good MCP server of mcp-harness.
//!
//! All behaviour lives in the library so the harness can re-execute itself as
//! `mcp-harness serve-reference <args…>` and run the same code.

use clap::Parser;
use mcp_reference_server::{Cli, main_with};

fn main() -> std::process::ExitCode {
    main_with(Cli::parse())
}
