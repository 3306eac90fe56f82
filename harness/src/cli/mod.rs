//! The `mcp-harness` command line.

pub(crate) mod args;
pub(crate) mod auth;
pub(crate) mod journey;
pub(crate) mod list;
pub(crate) mod progress;
pub(crate) mod record;
pub(crate) mod run;
pub(crate) mod surface;
