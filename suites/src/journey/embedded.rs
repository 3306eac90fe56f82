//! The journeys shipped for the bundled reference server (`suites/e2e/`), embedded so an installed harness has
//! them too. A test keeps this list and the directory equal.

/// A file of a suite directory, embedded at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// The file's name in its directory (`data-crud.journey.yaml`, `snapshots/x.snap`).
    pub name: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// The directory of the reference journeys in this crate's source tree: `suites/e2e/` of a checkout.
pub const REFERENCE_JOURNEY_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/e2e");

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(EmbeddedFile { name: $name, text: include_str!(concat!("../../e2e/", $name)) }),*]
    };
}

/// The e2e suite's journeys for the reference server (`suites/e2e/*.journey.yaml`).
pub const REFERENCE_JOURNEYS: &[EmbeddedFile] = embed![
    "client-requests.journey.yaml",
    "data-crud.journey.yaml",
    "input-required.journey.yaml",
    "prompts-completion.journey.yaml",
    "subscriptions.journey.yaml",
    "tools-and-snapshots.journey.yaml",
];

/// Their accepted snapshots (`suites/e2e/snapshots/*.snap`).
pub const REFERENCE_SNAPSHOTS: &[EmbeddedFile] = embed![
    "snapshots/tools-and-snapshots__stable-answers__prompt-messages.snap",
    "snapshots/tools-and-snapshots__stable-answers__record-template.snap",
    "snapshots/tools-and-snapshots__stable-answers__static-text.snap",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn on_disk(dir: &str, suffix: &str) -> BTreeSet<String> {
        let path = std::path::Path::new(REFERENCE_JOURNEY_DIR).join(dir);
        std::fs::read_dir(&path)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(suffix))
                    .map(|n| if dir.is_empty() { n } else { format!("{dir}/{n}") })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn the_embedded_journeys_are_the_directory() {
        let embedded: BTreeSet<String> = REFERENCE_JOURNEYS.iter().map(|f| f.name.to_owned()).collect();
        assert_eq!(embedded, on_disk("", ".journey.yaml"), "list every suites/e2e/*.journey.yaml in embedded.rs");
        let snaps: BTreeSet<String> = REFERENCE_SNAPSHOTS.iter().map(|f| f.name.to_owned()).collect();
        assert_eq!(snaps, on_disk("snapshots", ".snap"), "list every suites/e2e/snapshots/*.snap in embedded.rs");
    }

    #[test]
    fn the_reference_journeys_parse_and_follow_the_schema() {
        let schema: serde_json::Value = serde_json::from_str(crate::journey::JOURNEY_SCHEMA).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        for f in REFERENCE_JOURNEYS {
            if let Err(e) = crate::journey::parse_journey_file(f.text, f.name) {
                panic!("{e}");
            }
            let as_json: serde_json::Value = serde_saphyr::from_str(f.text).unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&as_json).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", f.name);
        }
        let typo = serde_json::json!({"journeys": [{"name": "a", "steps": [{"cal": {"tool": "x"}}]}]});
        assert!(!validator.is_valid(&typo), "the schema rejects unknown keys");
        let two = serde_json::json!({"journeys": [{"name": "a", "steps": [{"ping": {}, "read": "x://y"}]}]});
        assert!(!validator.is_valid(&two), "the schema rejects two actions in a step");
    }
}
