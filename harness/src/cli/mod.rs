//! The `mcp-harness` command line.

pub(crate) mod args;
pub(crate) mod auth;
pub(crate) mod config_file;
pub(crate) mod journey;
pub(crate) mod list;
pub(crate) mod output;
pub(crate) mod progress;
pub(crate) mod record;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod surface;
