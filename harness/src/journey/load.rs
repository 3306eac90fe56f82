//! Finding, reading and compiling journey files.

use std::path::PathBuf;

use mcp_harness_suites::journey::{
    Assertion, EmbeddedFile, Journey, JourneyError, REFERENCE_JOURNEYS, REFERENCE_SNAPSHOTS, Spanned, Step,
    parse_journey_file,
};

use super::path::Query;

/// Where a run's journeys come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum JourneySource {
    /// The `*.journey.yaml` files of a directory (not its subdirectories).
    Dir(PathBuf),
    /// The journeys shipped for the bundled reference server (`suites/e2e/`, embedded in the harness).
    Reference,
}

/// Where a journey's snapshots are kept.
#[derive(Debug, Clone)]
pub enum SnapshotStore {
    /// `snapshots/` in this directory (the journey file's): read, and written when missing, mismatched (`.snap.new`)
    /// or updated.
    Dir(PathBuf),
    /// The embedded snapshots of the reference journeys: read only.
    Embedded(&'static [EmbeddedFile]),
}

/// One journey, read and checked, ready to run.
#[derive(Debug, Clone)]
pub struct LoadedJourney {
    /// Its check id, `e2e.<file stem>.<name>`.
    pub id: String,
    /// The file, as found (`suites/e2e/data-crud.journey.yaml`, or the directory given joined with the name).
    pub file: String,
    /// The file's name without `.journey.yaml`.
    pub stem: String,
    /// The line where the journey starts.
    pub line: u64,
    /// The journey.
    pub journey: Journey,
    /// Where its snapshots are.
    pub snapshots: SnapshotStore,
}

/// The journeys of a run, in source order, then file name order, then file order.
#[derive(Debug, Clone, Default)]
pub struct JourneySet {
    journeys: Vec<LoadedJourney>,
}

impl JourneySet {
    /// The journey whose check id is `id`.
    pub fn get(&self, id: &str) -> Option<&LoadedJourney> {
        self.journeys.iter().find(|j| j.id == id)
    }

    /// Every journey.
    pub fn iter(&self) -> impl Iterator<Item = &LoadedJourney> {
        self.journeys.iter()
    }

    /// How many journeys there are.
    pub fn len(&self) -> usize {
        self.journeys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.journeys.is_empty()
    }
}

/// The file-name suffix of journey files.
pub const JOURNEY_SUFFIX: &str = ".journey.yaml";

/// Reads every journey of `sources`. A file that cannot be read or is not a valid journey file, an expression that
/// does not compile, or two journeys with one check id are errors naming the file and line.
pub fn load(sources: &[JourneySource]) -> Result<JourneySet, JourneyError> {
    let mut set = JourneySet::default();
    for source in sources {
        match source {
            JourneySource::Dir(dir) => {
                let read = |source| JourneyError::Read { path: dir.display().to_string(), source };
                let mut names: Vec<String> = std::fs::read_dir(dir)
                    .map_err(read)?
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(JOURNEY_SUFFIX))
                    .collect();
                names.sort();
                for name in names {
                    let path = dir.join(&name);
                    let file = path.display().to_string();
                    let text = std::fs::read_to_string(&path)
                        .map_err(|source| JourneyError::Read { path: file.clone(), source })?;
                    add_file(&mut set, &name, &file, &text, SnapshotStore::Dir(dir.clone()))?;
                }
            }
            JourneySource::Reference => {
                for f in REFERENCE_JOURNEYS {
                    let file = format!("suites/e2e/{}", f.name);
                    add_file(&mut set, f.name, &file, f.text, SnapshotStore::Embedded(REFERENCE_SNAPSHOTS))?;
                }
            }
        }
    }
    Ok(set)
}

/// Parses and compiles one file's journeys into `set`.
fn add_file(
    set: &mut JourneySet,
    name: &str,
    file: &str,
    text: &str,
    store: SnapshotStore,
) -> Result<(), JourneyError> {
    let stem = name.strip_suffix(JOURNEY_SUFFIX).unwrap_or(name);
    if !mcp_harness_suites::journey::is_journey_name(stem) {
        return Err(JourneyError::Invalid {
            file: file.to_owned(),
            line: 0,
            column: 0,
            message: format!(
                "the file name before `{JOURNEY_SUFFIX}` must be lowercase letters, digits and dashes (it becomes part \
                 of check ids): rename `{stem}`"
            ),
        });
    }
    let parsed = parse_journey_file(text, file)?;
    for j in parsed.journeys {
        compile(file, &j)?;
        let id = format!("e2e.{stem}.{}", j.value.name);
        if let Some(other) = set.get(&id) {
            return Err(JourneyError::at(
                file,
                &j,
                format!("journey check id `{id}` is also defined in {}:{}", other.file, other.line),
            ));
        }
        set.journeys.push(LoadedJourney {
            id,
            file: file.to_owned(),
            stem: stem.to_owned(),
            line: j.referenced.line(),
            journey: j.value,
            snapshots: store.clone(),
        });
    }
    Ok(())
}

/// Compiles every JSONPath, regular expression and schema of a journey, so a mistake is found before the run.
fn compile(file: &str, journey: &Spanned<Journey>) -> Result<(), JourneyError> {
    for (_, steps) in journey.value.phases() {
        for step in steps {
            compile_step(file, step)?;
        }
    }
    Ok(())
}

fn compile_step(file: &str, step: &Spanned<Step>) -> Result<(), JourneyError> {
    for (name, path) in &step.value.capture {
        Query::parse(path).map_err(|e| JourneyError::at(file, step, format!("capture `{name}`: {e}")))?;
    }
    let assertions = step.value.expect.iter().chain(step.value.notifications.iter().flat_map(|n| &n.value.expect));
    for a in assertions {
        compile_assertion(&a.value).map_err(|e| JourneyError::at(file, a, e))?;
    }
    Ok(())
}

/// Checks that an assertion's expressions compile; `Err` says which does not.
pub(super) fn compile_assertion(a: &Assertion) -> Result<(), String> {
    if let Some(p) = &a.path {
        Query::parse(p)?;
    }
    if let Some(re) = &a.matches {
        regex::Regex::new(re).map_err(|e| format!("`matches`: invalid regular expression: {e}"))?;
    }
    if let Some(schema) = &a.schema {
        jsonschema::validator_for(schema).map_err(|e| format!("`schema`: not a valid JSON Schema: {e}"))?;
    }
    if let Some(s) = &a.snapshot {
        for r in &s.redact {
            Query::parse(r).map_err(|e| format!("snapshot `{}` redact: {e}", s.name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_journeys_load_and_compile() {
        let set = load(&[JourneySource::Reference]).unwrap_or_else(|e| panic!("{e}"));
        assert!(set.len() >= 5, "{} reference journeys", set.len());
        for j in set.iter() {
            assert!(j.id.starts_with("e2e."), "{}", j.id);
            assert!(j.file.starts_with("suites/e2e/"), "{}", j.file);
        }
    }

    #[test]
    fn bad_files_and_expressions_are_located_errors() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("ok.journey.yaml", "journeys:\n  - name: a\n    steps:\n      - ping: {}\n");
        let set = load(&[JourneySource::Dir(dir.path().to_owned())]).unwrap();
        assert_eq!(set.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["e2e.ok.a"]);

        write(
            "bad.journey.yaml",
            "journeys:\n  - name: a\n    steps:\n      - ping: {}\n        expect:\n          - {path: \"$[\", exists: true}\n",
        );
        let e = load(&[JourneySource::Dir(dir.path().to_owned())]).unwrap_err().to_string();
        assert!(e.contains("bad.journey.yaml:6:13: "), "{e}");
        write(
            "bad.journey.yaml",
            "journeys:\n  - name: a\n    steps:\n      - ping: {}\n        expect:\n          - {matches: \"(\"}\n",
        );
        let e = load(&[JourneySource::Dir(dir.path().to_owned())]).unwrap_err().to_string();
        assert!(e.contains("invalid regular expression"), "{e}");
        std::fs::remove_file(dir.path().join("bad.journey.yaml")).unwrap();

        write("Bad_Name.journey.yaml", "journeys: []\n");
        let e = load(&[JourneySource::Dir(dir.path().to_owned())]).unwrap_err().to_string();
        assert!(e.contains("rename `Bad_Name`"), "{e}");
        std::fs::remove_file(dir.path().join("Bad_Name.journey.yaml")).unwrap();

        let twice = [JourneySource::Dir(dir.path().to_owned()), JourneySource::Dir(dir.path().to_owned())];
        assert!(load(&twice).unwrap_err().to_string().contains("is also defined in"));
        let missing = load(&[JourneySource::Dir(dir.path().join("nope"))]).unwrap_err().to_string();
        assert!(missing.starts_with("failed to read "), "{missing}");
    }
}
