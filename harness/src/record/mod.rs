//! Recording: a real client's session with a stdio server, proxied unchanged, written as a journey
//! (`mcp-harness record --out FILE -- CMD ARGS…`). A manual session becomes a regression test.
//!
//! - [`proxy`]: starts the server and copies bytes both ways while a copy of every line feeds the log;
//! - [`exchange`]: the log, pairing each client request with its answer and what the server sent meanwhile;
//! - [`to_journey`]: the mapping from exchanges to steps (its module documentation has the table);
//! - `expect` and `values`: the observed answers as editable expectations, and the values the client sent back
//!   as captured variables.

pub mod exchange;
mod expect;
pub mod proxy;
pub mod to_journey;
mod values;

pub use exchange::{Answer, Direction, Exchange, SessionLog};
pub use proxy::{DEFAULT_MAX_LINE_BYTES, ProxiedSession, SessionEnd, SpawnError, proxy};
pub use to_journey::{RecordedJourney, journey_from};
