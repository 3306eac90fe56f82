//! Targets: what is under test, how to start it and how to reach it.

mod launch;
mod processes;
mod reference;
mod spec;

pub use launch::{LaunchError, LaunchedTarget, StderrLog, TargetTransport};
pub use processes::StdioProcesses;
pub use reference::{REFERENCE_ENV, serve_reference_if_requested};
pub use spec::{ReferenceTransport, TargetSpec};
