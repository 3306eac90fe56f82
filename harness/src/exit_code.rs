//! The CLI's documented exit codes.

use serde::Serialize;

/// Exit codes of `mcp-harness`. Scripts rely on them; never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum ExitCode {
    /// 0: every selected check passed (warnings allowed).
    Passed,
    /// 1: at least one check failed, or errored while others could be evaluated.
    Failed,
    /// 2: usage or configuration error (bad flag, bad filter, bad baseline file).
    Usage,
    /// 3: could not test: target unreachable, crashed before any check, required services unavailable.
    CouldNotTest,
    /// 4: the selection matched no checks.
    NoChecks,
}

impl ExitCode {
    /// The numeric process exit code.
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Passed => 0,
            ExitCode::Failed => 1,
            ExitCode::Usage => 2,
            ExitCode::CouldNotTest => 3,
            ExitCode::NoChecks => 4,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c.code() as u8)
    }
}
