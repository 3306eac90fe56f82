//! The JSON reporter and the report's JSON Schema.
//!
//! The schema is generated from the model's types ([`generate_report_schema`], schemars) and committed at
//! `harness/schema/report.schema.json`, so editors and other tools can use it without building the harness; a test
//! fails when the committed file differs from what the types generate (`MCP_HARNESS_UPDATE_SCHEMA=1 cargo test -p
//! mcp-harness --lib report::json` rewrites it), and another validates a rich sample report against it.

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

/// The JSON Schema (draft 2020-12) of [`TestReport`], generated from the types: every object lists all its
/// properties as required (every field is always serialized, `null` when empty) and allows no others, and
/// `schemaVersion` is the constant [`super::SCHEMA_VERSION`].
pub fn generate_report_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().with_transform(Strict).into_generator();
    let schema = generator.into_root_schema_for::<TestReport>();
    let mut value = serde_json::to_value(schema).unwrap_or_default();
    if let Some(root) = value.as_object_mut() {
        root.insert(
            "$id".to_owned(),
            "https://github.com/mcp-harness/mcp-harness/harness/schema/report.schema.json".into(),
        );
        root.insert("title".to_owned(), "mcp-harness TestReport".into());
    }
    if let Some(version) = value.pointer_mut("/properties/schemaVersion") {
        *version = serde_json::json!({"type": "string", "const": super::SCHEMA_VERSION});
    }
    open_tagged_variants(&mut value);
    value
}

/// An internally tagged enum's variant is `{properties: {kind}, $ref: Target}`: `Target` alone must not forbid the
/// tag, so it is left open and the variant is closed with `unevaluatedProperties` (which sees what `$ref`
/// evaluated), so unknown properties are still rejected.
fn open_tagged_variants(root: &mut serde_json::Value) {
    fn visit(v: &mut serde_json::Value, targets: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let (Some(serde_json::Value::String(r)), true) = (m.get("$ref"), m.contains_key("properties")) {
                    targets.push(r.trim_start_matches("#/$defs/").to_owned());
                    m.remove("additionalProperties");
                    m.insert("unevaluatedProperties".to_owned(), serde_json::Value::Bool(false));
                }
                m.values_mut().for_each(|x| visit(x, targets));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|x| visit(x, targets)),
            _ => {}
        }
    }
    let mut targets = Vec::new();
    visit(root, &mut targets);
    for t in targets {
        if let Some(serde_json::Value::Object(def)) = root.pointer_mut(&format!("/$defs/{t}")) {
            def.remove("additionalProperties");
        }
    }
}

/// Makes every object schema closed and every property required.
#[derive(Clone)]
struct Strict;

impl schemars::transform::Transform for Strict {
    fn transform(&mut self, schema: &mut schemars::Schema) {
        if let Some(obj) = schema.as_object_mut()
            && let Some(props) = obj.get("properties").and_then(serde_json::Value::as_object)
        {
            let keys: Vec<serde_json::Value> = props.keys().map(|k| serde_json::Value::String(k.clone())).collect();
            obj.insert("required".to_owned(), serde_json::Value::Array(keys));
            obj.insert("additionalProperties".to_owned(), serde_json::Value::Bool(false));
        }
        schemars::transform::transform_subschemas(self, schema);
    }
}

// The committed schema, `harness/schema/report.schema.json`: a file of this crate.
const REPORT_SCHEMA: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/report.schema.json"));

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

    use serde_json::{Value, json};

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
            assert_eq!(outcomes.len(), 7, "the sample covers every outcome kind: {outcomes:?}");
        }
    }

    #[test]
    fn journey_details_validate_and_stay_closed() {
        let mut report = serde_json::to_value(sample_report(true)).unwrap();
        let details = report["suites"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .flat_map(|s| s["checks"].as_array_mut().unwrap().iter_mut())
            .find(|c| c["details"].is_object())
            .map(|c| &mut c["details"])
            .expect("the sample has a journey");
        assert_eq!(details["kind"], "journey");
        details["surprise"] = json!(1);
        assert!(!errors(&report).is_empty(), "unknown detail property must fail");
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

    /// The committed schema is what the types generate (set `MCP_HARNESS_UPDATE_SCHEMA=1` to rewrite it).
    #[test]
    fn committed_schema_matches_the_types() {
        let generated = format!("{}\n", serde_json::to_string_pretty(&generate_report_schema()).unwrap());
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json");
        if std::env::var_os("MCP_HARNESS_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap();
        assert!(
            committed == generated,
            "harness/schema/report.schema.json is out of date with the report types; regenerate it with \
             `MCP_HARNESS_UPDATE_SCHEMA=1 cargo test -p mcp-harness --lib report::json`"
        );
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
