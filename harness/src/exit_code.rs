//! The CLI's documented exit codes, shared by the report (`exit.code`), the CLI and the bridge.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::runner::Signal;

/// Exit codes of `mcp-harness`. Scripts rely on them; never renumber. Serialized as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExitCode {
    /// 0: every evaluated check passed (warnings allowed).
    Passed,
    /// 1: at least one check failed, or errored while others could be evaluated, or a baseline entry is stale.
    Failed,
    /// 2: usage or configuration error (bad flag, bad filter, bad baseline file, unwritable `--out`; for `report`,
    /// an input that is not a report of this schema major version, or shards that disagree on a check).
    Usage,
    /// 3: could not test: target not started or unreachable, silent, or required services unavailable.
    CouldNotTest,
    /// 4: nothing was evaluated: no check selected, or every selected check skipped or not applicable.
    NothingEvaluated,
    /// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM): the run was interrupted; the report marks the
    /// unfinished checks `interrupted`.
    Interrupted(Signal),
}

impl ExitCode {
    /// Every code, in numeric order.
    pub const ALL: [ExitCode; 7] = [
        ExitCode::Passed,
        ExitCode::Failed,
        ExitCode::Usage,
        ExitCode::CouldNotTest,
        ExitCode::NothingEvaluated,
        ExitCode::Interrupted(Signal::Sigint),
        ExitCode::Interrupted(Signal::Sigterm),
    ];

    /// The numeric process exit code.
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Passed => 0,
            ExitCode::Failed => 1,
            ExitCode::Usage => 2,
            ExitCode::CouldNotTest => 3,
            ExitCode::NothingEvaluated => 4,
            ExitCode::Interrupted(signal) => crate::runner::signal_exit(signal),
        }
    }

    /// The code for a number, if it is one of [`ExitCode::ALL`].
    pub fn from_code(code: i32) -> Option<ExitCode> {
        ExitCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

impl std::fmt::Display for ExitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(u8::try_from(c.code()).unwrap_or(1))
    }
}

impl Serialize for ExitCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.code())
    }
}

impl<'de> Deserialize<'de> for ExitCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = i32::deserialize(d)?;
        ExitCode::from_code(code).ok_or_else(|| serde::de::Error::custom(format!("unknown exit code {code}")))
    }
}

impl schemars::JsonSchema for ExitCode {
    fn schema_name() -> Cow<'static, str> {
        "ExitCode".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<i32> = ExitCode::ALL.iter().map(|c| c.code()).collect();
        schemars::json_schema!({
            "description": "The process exit code: 0 passed, 1 failed, 2 usage error, 3 could not test, 4 nothing evaluated, 130/143 interrupted by SIGINT/SIGTERM.",
            "type": "integer",
            "enum": codes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_as_numbers() {
        for c in ExitCode::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, c.code().to_string());
            assert_eq!(serde_json::from_str::<ExitCode>(&json).unwrap(), c);
        }
        assert_eq!(ExitCode::Interrupted(Signal::Sigint).code(), 130);
        assert_eq!(ExitCode::Interrupted(Signal::Sigterm).code(), 143);
        assert!(serde_json::from_str::<ExitCode>("5").is_err());
    }
}
