//! The e2e suite: user journeys read from `*.journey.yaml` files (format and reader in
//! [`mcp_harness_suites::journey`]), each run as one check `e2e.<file stem>.<journey name>`.
//!
//! - [`load`]: finds and reads the journey files of the run's [`JourneySource`]s and compiles every JSONPath,
//!   regular expression and schema, so a bad file is a usage error naming `file:line` before anything starts.
//! - `run`: the check function: opens the journey's sessions, runs setup, steps and teardown, and reports every
//!   step (the report's `details`).
//! - `action`, `assert` and `snapshot`: one step's action, its assertions, and the `.snap` files of `snapshot`
//!   assertions.
//! - [`scaffold`]: a starter journey from a server's surface (`mcp-harness journey init`).

mod action;
mod assert;
mod load;
mod path;
mod run;
mod scaffold;
mod snapshot;

pub(crate) use action::with_rounds;
pub use load::{JOURNEY_SUFFIX, JourneySet, JourneySource, LoadedJourney, SnapshotStore, load};
pub(crate) use run::run_journey;
pub use scaffold::{Scaffold, scaffold, try_steps};
