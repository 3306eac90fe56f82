//! The RFC 2119 strength of a requirement.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How strongly the spec words the requirement a check tests: it decides failed versus warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// MUST / MUST NOT / REQUIRED: a violation is a failure.
    Must,
    /// SHOULD / SHOULD NOT / RECOMMENDED: a violation is a warning.
    Should,
    /// MAY / informational: a violation is a warning at most.
    May,
}

impl Level {
    /// The RFC 2119 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A level that is not `MUST`, `SHOULD` or `MAY`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown requirement level `{0}` (known: MUST, SHOULD, MAY)")]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "MUST" => Ok(Level::Must),
            "SHOULD" => Ok(Level::Should),
            "MAY" => Ok(Level::May),
            _ => Err(UnknownLevel(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip_through_their_keyword() {
        for level in [Level::Must, Level::Should, Level::May] {
            assert_eq!(level.as_str().parse::<Level>(), Ok(level));
            assert_eq!(serde_json::to_string(&level).unwrap(), format!("\"{level}\""));
        }
        assert_eq!("must".parse::<Level>(), Err(UnknownLevel("must".to_owned())));
        assert_eq!(format!("{:<6}|", Level::May), "MAY   |");
    }
}
