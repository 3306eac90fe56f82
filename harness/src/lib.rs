//! mcp-harness: a test harness and conformance framework for MCP (Model Context Protocol) servers.
//!
//! It connects as an MCP client to a target (a stdio command, a Streamable HTTP URL, or the bundled reference
//! server), runs suites of checks, and writes one unified [`report::TestReport`] (JSON and JUnit XML).
//!
//! The layers, bottom up:
//! - [`wire`]: raw JSON-RPC over stdio and Streamable HTTP, size-capped, every byte recorded in a transcript.
//! - [`message`]: the builders of JSON-RPC messages (well-formed, and broken on purpose for negative checks).
//! - [`session`]: a message-level MCP client on the wire (handshake per era, requests with timeouts, answers to
//!   server→client requests), plus an rmcp [`rmcp::transport::Transport`] adapter for typed calls.
//! - [`oauth`]: the OAuth 2.1 client (discovery, client-credentials grant) for targets that answer `401`.
//! - [`target`]: what is under test and how to start it.
//! - [`check`] and [`checks`]: check records and the registered checks; [`journey`]: the e2e suite's journeys,
//!   loaded from files and registered as checks at run time.
//! - [`runner`]: plan (selection and static applicability), execution with timeouts, events.
//! - [`report`]: aggregation into the report, JSON/JUnit/console writers.
//! - [`baseline`]: expected-failures files (the official suite's YAML) and their judgement of a run.
//! - [`surface`]: the tool-surface lock (`mcp-harness surface --write FILE`) and the comparison the `surface.*`
//!   checks make against it.
//! - [`bridge`]: run checks as individual `cargo test` / nextest tests through libtest-mimic.
#![warn(missing_docs)]

pub mod auth;
pub mod baseline;
pub mod bridge;
pub mod check;
pub mod checks;
mod exit_code;
pub mod journey;
pub mod load;
pub mod message;
pub mod oauth;
pub mod protocol;
mod protocol_schema;
pub mod record;
pub mod report;
pub mod runner;
pub mod services;
pub mod session;
pub mod surface;
pub mod target;
pub mod unit;
pub mod wire;

pub use exit_code::ExitCode;
pub use runner::{Event, EventSink, Interrupt, RunConfig, RunError, Signal, run};
pub use target::TargetSpec;
