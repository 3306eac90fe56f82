//! The tool-surface lock: record a server's tools, resources, resource templates and prompts once
//! (`mcp-harness surface … --write FILE`), then compare every later run against the record
//! (`mcp-harness run … --surface FILE`, the `surface.*` checks).
//!
//! - [`lock`]: the file format ([`SurfaceLock`], documented under `# Format`) and its JSON Schema.
//! - [`capture`](mod@capture): listing a live server into a lock ([`capture()`]).
//! - `compare` and `schema_diff`: what changed between the lock and the live surface, and whether the change
//!   breaks callers (a removed item, a new required argument, a narrowed type: the `surface.*` checks fail), is a
//!   silent change (a description, title or annotation, or a schema construct the comparison does not judge: they
//!   warn) or an addition (they pass, with a note).

pub mod capture;
pub(crate) mod compare;
pub mod lock;
pub(crate) mod schema_diff;

pub use capture::{CaptureError, CaptureOptions, Captured, Kind, capture};
pub use lock::{
    FORMAT_VERSION, LockError, LockedArgument, LockedPrompt, LockedResource, LockedTemplate, LockedText, LockedTool,
    ServerIdentity, SurfaceLock, generate_surface_schema, sha256_hex,
};

/// A lock as a run uses it: the file it was read from and what it records.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedLock {
    /// Where it was read from (shown in the evidence, and in how to re-lock).
    pub path: std::path::PathBuf,
    /// What it records.
    pub lock: SurfaceLock,
}

impl LoadedLock {
    /// Reads, parses and validates the lock file at `path`.
    pub fn load(path: impl Into<std::path::PathBuf>) -> Result<LoadedLock, LockError> {
        let path = path.into();
        let lock = SurfaceLock::load(&path)?;
        Ok(LoadedLock { path, lock })
    }
}
