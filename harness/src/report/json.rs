//! The JSON reporter and the report's JSON Schema.
//!
//! The schema is hand-written and committed at `harness/schema/report.schema.json`; the tests below validate a
//! rich sample report against it and walk both so that the Rust model and the schema cannot drift apart.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::model::TestReport;

/// Writes `report` as pretty-printed JSON with a trailing newline, creating parent directories.
pub fn write_json(report: &TestReport, path: &Path) -> Result<(), ReportWriteError> {
    let mut text = serde_json::to_string_pretty(report).map_err(ReportWriteError::Serialize)?;
    text.push('\n');
    write_file(path, text.as_bytes())
}

/// The JSON Schema (draft 2020-12) every `report.json` validates against.
///
/// # Panics
///
/// Never in practice: the schema is embedded at compile time and a unit test parses it.
pub fn report_json_schema() -> &'static serde_json::Value {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(|| match serde_json::from_str(REPORT_SCHEMA) {
        Ok(v) => v,
        Err(e) => panic!("embedded report schema is not JSON: {e}"),
    })
}

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportWriteError {
    /// The report could not be serialized.
    #[error("failed to serialize report")]
    Serialize(#[source] serde_json::Error),
    /// The file or its parent directory could not be written.
    #[error("failed to write report to {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

const REPORT_SCHEMA: &str = include_str!("../../schema/report.schema.json");

/// Writes `bytes` to `path`, creating parent directories; shared by the JSON and JUnit writers.
pub(super) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportWriteError> {
    let io = |source| ReportWriteError::Io { path: path.to_owned(), source };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::{json, Value};

    use super::*;
    use crate::report::test_support::sample_report;

    fn validator() -> jsonschema::Validator {
        jsonschema::draft202012::new(report_json_schema()).expect("schema compiles")
    }

    fn errors(instance: &Value) -> Vec<String> {
        validator().iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
    }

    #[test]
    fn schema_is_a_valid_draft_2020_12_schema() {
        assert_eq!(report_json_schema()["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert!(jsonschema::meta::is_valid(report_json_schema()));
        assert_eq!(report_json_schema()["properties"]["schemaVersion"]["const"], crate::report::SCHEMA_VERSION);
    }

    #[test]
    fn rich_sample_reports_validate() {
        for measured in [false, true] {
            let report = serde_json::to_value(sample_report(measured)).unwrap();
            assert_eq!(errors(&report), Vec::<String>::new());
            let outcomes: BTreeSet<_> = report["suites"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["checks"].as_array().unwrap())
                .map(|c| c["outcome"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(outcomes.len(), 5, "the sample covers every outcome kind: {outcomes:?}");
        }
    }

    #[test]
    fn schema_rejects_broken_reports() {
        let good = serde_json::to_value(sample_report(true)).unwrap();

        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("verdict");
        assert!(!errors(&missing).is_empty(), "missing required field must fail");

        let mut bad_outcome = good.clone();
        bad_outcome["suites"][0]["checks"][0]["outcome"] = json!("kinda-passed");
        assert!(!errors(&bad_outcome).is_empty(), "unknown outcome must fail");

        let mut extra = good.clone();
        extra["summary"]["flaky"] = json!(0);
        assert!(!errors(&extra).is_empty(), "unknown property must fail");

        let mut mark = good.clone();
        mark["suites"][0]["checks"][0]["baseline"] = json!("xpass");
        assert!(!errors(&mark).is_empty(), "unknown baseline mark must fail");

        let mut version = good.clone();
        version["schemaVersion"] = json!("0.9.0");
        assert!(!errors(&version).is_empty(), "other schema version must fail");

        let mut coverage = good;
        coverage["coverage"]["code"] = json!({"status": "measured", "reason": "x"});
        assert!(!errors(&coverage).is_empty(), "code coverage must match one variant exactly");
    }

    /// Walks the serialized sample and the schema together: at every object, the sample's keys, the schema's
    /// `properties` and its `required` list must be the same set (every model field is always serialized).
    #[test]
    fn schema_and_model_do_not_drift() {
        let schema = report_json_schema();
        for measured in [false, true] {
            let report = serde_json::to_value(sample_report(measured)).unwrap();
            let mut visited = 0;
            walk(&report, schema, schema, "$", &mut visited);
            assert!(visited >= 15, "walked only {visited} objects");
        }
    }

    fn resolve<'a>(node: &'a Value, root: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/$defs/").expect("local $defs refs only");
                resolve(&root["$defs"][name], root)
            }
            None => node,
        }
    }

    fn walk(value: &Value, node: &Value, root: &Value, at: &str, visited: &mut usize) {
        let node = resolve(node, root);
        if let Some(branches) = node.get("oneOf").and_then(Value::as_array) {
            let branch = branches
                .iter()
                .map(|b| resolve(b, root))
                .find(|b| match value {
                    Value::Null => b["type"] == "null",
                    Value::Object(o) => {
                        b["type"] == "object"
                            && b["properties"]["status"]
                                .get("const")
                                .is_none_or(|c| o.get("status") == Some(c))
                    }
                    _ => false,
                })
                .unwrap_or_else(|| panic!("{at}: no oneOf branch for {value}"));
            return walk(value, branch, root, at, visited);
        }
        match value {
            Value::Object(obj) if node.get("properties").is_some() => {
                *visited += 1;
                let props = node["properties"].as_object().unwrap();
                let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
                let schema_keys: BTreeSet<&str> = props.keys().map(String::as_str).collect();
                let required: BTreeSet<&str> =
                    node["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                assert_eq!(keys, schema_keys, "{at}: serialized keys vs schema properties");
                assert_eq!(required, schema_keys, "{at}: required vs properties");
                assert_eq!(node["additionalProperties"], false, "{at}: additionalProperties");
                for (k, v) in obj {
                    walk(v, &props[k.as_str()], root, &format!("{at}.{k}"), visited);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &node["items"], root, &format!("{at}[{i}]"), visited);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn write_json_creates_directories_and_ends_with_a_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/out/report.json");
        let report = sample_report(false);
        write_json(&report, &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("}\n"));
        assert_eq!(serde_json::from_str::<TestReport>(&text).unwrap(), report);

        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "").unwrap();
        let err = write_json(&report, &blocked.join("report.json")).unwrap_err();
        assert!(err.to_string().starts_with("failed to write report to "), "{err}");
    }

    #[test]
    fn json_report_snapshot() {
        insta::assert_json_snapshot!(sample_report(true), {
            ".startedAt" => "[timestamp]",
            ".finishedAt" => "[timestamp]",
            ".durationMs" => "[duration]",
            ".harness.version" => "[version]",
            ".suites[].checks[].durationMs" => "[duration]",
            ".suites[].checks[].wire[].atMs" => "[at]",
        });
    }
}
