//! Reading a `report.json` back (for `mcp-harness report merge|diff|render`), refusing anything that is not a
//! report of a schema major version this build understands.

use std::io::Read as _;
use std::path::Path;

use super::model::{SCHEMA_VERSION, TestReport};

/// Largest report file read.
pub const MAX_REPORT_BYTES: u64 = 512 << 20;

/// A file that cannot be used as a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportReadError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_REPORT_BYTES`].
    #[error("{path}: larger than {MAX_REPORT_BYTES} bytes, not a report")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file is not a JSON object with a `schemaVersion`.
    #[error("{path}: not an mcp-harness report ({problem})")]
    NotAReport {
        /// The file.
        path: String,
        /// What is wrong, in a few words.
        problem: String,
    },
    /// The report's schema major version differs from this build's.
    #[error(
        "{path}: report schema version {found} is not supported (this build reads {major}.x, writes {SCHEMA_VERSION})"
    )]
    UnsupportedVersion {
        /// The file.
        path: String,
        /// The version it declares.
        found: String,
        /// The major version this build reads.
        major: String,
    },
}

/// Reads and checks a `report.json`: a JSON object whose `schemaVersion` has this build's major version and which
/// deserializes as a [`TestReport`] (fields added by later minor versions are ignored).
pub fn read_report(path: &Path) -> Result<TestReport, ReportReadError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReportReadError::Read { path: shown.clone(), source })?;
    let mut text = String::new();
    file.take(MAX_REPORT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|source| ReportReadError::Read { path: shown.clone(), source })?;
    if text.len() as u64 > MAX_REPORT_BYTES {
        return Err(ReportReadError::TooLarge { path: shown });
    }
    parse_report(&text, &shown)
}

/// [`read_report`] on text already read; `path` names it in errors.
pub(crate) fn parse_report(text: &str, path: &str) -> Result<TestReport, ReportReadError> {
    let not_a_report = |problem: String| ReportReadError::NotAReport { path: path.to_owned(), problem };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| not_a_report(format!("not JSON: {e}")))?;
    let version = value
        .get("schemaVersion")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| not_a_report("no `schemaVersion`".to_owned()))?;
    let major = |v: &str| v.split('.').next().unwrap_or_default().to_owned();
    if major(version) != major(SCHEMA_VERSION) {
        return Err(ReportReadError::UnsupportedVersion {
            path: path.to_owned(),
            found: version.to_owned(),
            major: major(SCHEMA_VERSION),
        });
    }
    serde_json::from_value(value).map_err(|e| not_a_report(format!("invalid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn reads_reports_and_refuses_everything_else() {
        let report = sample_report(true);
        let text = serde_json::to_string(&report).unwrap();
        assert_eq!(parse_report(&text, "r.json").unwrap(), report);
        assert!(matches!(parse_report("[1]", "x"), Err(ReportReadError::NotAReport { .. })));
        assert!(matches!(parse_report("nope", "x"), Err(ReportReadError::NotAReport { .. })));
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["schemaVersion"] = "1.2.0".into();
        let err = parse_report(&v.to_string(), "old.json").unwrap_err();
        assert!(matches!(err, ReportReadError::UnsupportedVersion { .. }));
        assert!(err.to_string().starts_with("old.json: report schema version 1.2.0 is not supported"));
        // A report of an earlier minor version (no `warningsAsErrors`) is read.
        v["schemaVersion"] = "2.3.0".into();
        v.as_object_mut().unwrap().remove("warningsAsErrors");
        assert!(!parse_report(&v.to_string(), "r.json").unwrap().warnings_as_errors);
        v.as_object_mut().unwrap().remove("suites");
        assert!(matches!(parse_report(&v.to_string(), "x"), Err(ReportReadError::NotAReport { .. })));
    }
}
