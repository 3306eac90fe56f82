//! `snapshot` assertions: the normalised answer (redactions applied, keys sorted, pretty JSON) kept in an
//! insta-compatible `.snap` file, `snapshots/<file stem>__<journey>__<name>.snap` beside the journey file.
//!
//! The file is insta's: a YAML header between `---` lines (`source`, `description`, `expression`), then the
//! contents; a mismatch writes `<name>.snap.new` (with `assertion_line`) next to it, which `cargo insta review` can
//! accept. A missing snapshot is written and passes with a note; `--update-snapshots` overwrites mismatches.

use std::path::PathBuf;

use mcp_harness_suites::journey::{AssertionKind, SnapshotSpec};
use serde_json::{Map, Value};

use super::assert::Verdict;
use super::load::{LoadedJourney, SnapshotStore};
use super::path::Query;

/// What replaces a redacted node.
const REDACTED: &str = "[redacted]";

/// What a snapshot assertion needs besides the value.
pub(super) struct SnapshotCx<'a> {
    /// The journey.
    pub journey: &'a LoadedJourney,
    /// The step, in one line (the snapshot's `expression`).
    pub step: &'a str,
    /// The line of the assertion.
    pub line: u64,
    /// Accept mismatches (`--update-snapshots`).
    pub update: bool,
}

/// The normalised text of `value`: the nodes `redact` selects replaced, object keys sorted, pretty JSON.
pub(super) fn normalise(value: &Value, redact: &[String]) -> Result<String, String> {
    let mut v = value.clone();
    for r in redact {
        Query::parse(r)?.replace(&mut v, &Value::String(REDACTED.to_owned()));
    }
    serde_json::to_string_pretty(&sorted(v)).map_err(|e| e.to_string())
}

/// `v` with every object's keys in order.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect::<Map<String, Value>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The snapshot's file name under `snapshots/`.
pub(super) fn file_name(journey: &LoadedJourney, name: &str) -> String {
    format!("{}__{}__{name}.snap", journey.stem, journey.journey.name)
}

/// Judges `value` against the accepted snapshot `spec` names.
pub(super) fn judge(cx: &SnapshotCx<'_>, spec: &SnapshotSpec, value: &Value, path: Option<&str>) -> Verdict {
    let statement = format!("{} matches snapshot `{}`", path.unwrap_or("$"), spec.name);
    let fail = |failure: String| Verdict::fail(AssertionKind::Snapshot, cx.line, statement.clone(), failure);
    let received = match normalise(value, &spec.redact) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let name = file_name(cx.journey, &spec.name);
    let accepted = match read(&cx.journey.snapshots, &name) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let mut verdict = Verdict::pass(AssertionKind::Snapshot, cx.line, statement.clone());
    match (accepted, &cx.journey.snapshots) {
        (Some(a), store) if same(&a, &received) => {
            // A pending `.snap.new` from an earlier mismatch is stale once the answer matches again.
            if let SnapshotStore::Dir(dir) = store {
                let _ = std::fs::remove_file(new_path(dir, &name));
            }
        }
        (Some(_), SnapshotStore::Dir(dir)) if cx.update => {
            verdict.note = Some(match write(&snap_path(dir, &name), &header(cx, None), &received) {
                Ok(()) => {
                    let _ = std::fs::remove_file(new_path(dir, &name));
                    format!("snapshot updated: {}", snap_path(dir, &name).display())
                }
                Err(e) => return fail(format!("could not update the snapshot: {e}")),
            });
        }
        (Some(a), store) => {
            let (old, new) = (format!("{}\n", contents_of(&a).trim_end()), format!("{}\n", received.trim_end()));
            let diff = similar::TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(3)
                .header("accepted", "received")
                .to_string();
            let written = match store {
                SnapshotStore::Dir(dir) => match write(&new_path(dir, &name), &header(cx, Some(cx.line)), &received) {
                    Ok(()) => format!(
                        "the received answer is in {} (accept it with --update-snapshots or `cargo insta review`)",
                        new_path(dir, &name).display()
                    ),
                    Err(e) => format!("could not write the .snap.new file: {e}"),
                },
                SnapshotStore::Embedded(_) => {
                    "embedded journeys are read-only: run with --journeys suites/e2e to write the .snap.new file"
                        .to_owned()
                }
            };
            return fail(format!("the answer differs from snapshots/{name} ({written}):\n{diff}"));
        }
        (None, SnapshotStore::Dir(dir)) => {
            let path = snap_path(dir, &name);
            verdict.note = Some(match write(&path, &header(cx, None), &received) {
                Ok(()) => format!("no accepted snapshot yet: written to {}", path.display()),
                Err(e) => format!("no accepted snapshot yet, and it could not be written: {e}"),
            });
        }
        (None, SnapshotStore::Embedded(_)) => {
            verdict.note = Some(format!(
                "no accepted snapshot snapshots/{name} (embedded journeys are read-only: run with --journeys \
                 suites/e2e to record it)"
            ));
        }
    }
    verdict
}

fn snap_path(dir: &std::path::Path, name: &str) -> PathBuf {
    dir.join("snapshots").join(name)
}

fn new_path(dir: &std::path::Path, name: &str) -> PathBuf {
    dir.join("snapshots").join(format!("{name}.new"))
}

/// The accepted snapshot's text, if there is one.
fn read(store: &SnapshotStore, name: &str) -> Result<Option<String>, String> {
    match store {
        SnapshotStore::Dir(dir) => match std::fs::read_to_string(snap_path(dir, name)) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("could not read {}: {e}", snap_path(dir, name).display())),
        },
        SnapshotStore::Embedded(files) => {
            let wanted = format!("snapshots/{name}");
            Ok(files.iter().find(|f| f.name == wanted).map(|f| f.text.to_owned()))
        }
    }
}

/// The contents of a `.snap` file: what follows its YAML header (the whole text of a file without one).
fn contents_of(file: &str) -> &str {
    let Some(rest) = file.strip_prefix("---\n") else { return file };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => file,
    }
}

/// Whether an accepted file's contents equal `received`, trailing whitespace aside.
fn same(accepted: &str, received: &str) -> bool {
    let norm = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim_end().to_owned();
    norm(contents_of(accepted)) == norm(received)
}

/// insta's header fields for this snapshot (`assertion_line` only in `.snap.new` files, as insta does).
fn header(cx: &SnapshotCx<'_>, assertion_line: Option<u64>) -> Vec<(&'static str, String)> {
    let mut fields = vec![("source", cx.journey.file.clone())];
    if let Some(line) = assertion_line {
        fields.push(("assertion_line", line.to_string()));
    }
    fields.push(("description", format!("journey {} (line {})", cx.journey.journey.name, cx.journey.line)));
    fields.push(("expression", cx.step.to_owned()));
    fields
}

fn write(path: &std::path::Path, header: &[(&str, String)], contents: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut text = String::from("---\n");
    for (k, v) in header {
        let value = if *k == "assertion_line" { v.clone() } else { yaml_scalar(v) };
        text.push_str(&format!("{k}: {value}\n"));
    }
    text.push_str("---\n");
    text.push_str(contents.trim_end());
    text.push('\n');
    std::fs::write(path, text)
}

/// `s` as a YAML scalar the way insta's emitter writes it: plain when that reads back as the same string, else
/// double-quoted (JSON string syntax is valid YAML).
fn yaml_scalar(s: &str) -> String {
    let needs_quotes = s.is_empty()
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with(['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@', '.'])
        || s.contains([':', '{', '}', '[', ']', ',', '#', '`', '"', '\'', '\\', '\t', '\n', '\r'])
        || s.chars().any(char::is_control)
        || ["yes", "no", "true", "false", "on", "off", "null", "~"].contains(&s.to_ascii_lowercase().as_str())
        || s.starts_with("0x")
        || s.parse::<f64>().is_ok();
    if needs_quotes { Value::String(s.to_owned()).to_string() } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn normalising_sorts_keys_and_redacts() {
        let text = normalise(&json!({"b": 1, "a": {"id": "x", "z": [{"d": 1, "c": 2}]}}), &["$.a.id".into()]).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": {\n    \"id\": \"[redacted]\",\n    \"z\": [\n      {\n        \"c\": 2,\n        \"d\": 1\n      }\n    ]\n  },\n  \"b\": 1\n}"
        );
    }

    #[test]
    fn snap_files_have_insta_headers() {
        let file = "---\nsource: suites/e2e/x.journey.yaml\nexpression: \"call echo\"\n---\n{\n  \"a\": 1\n}\n";
        assert_eq!(contents_of(file), "{\n  \"a\": 1\n}\n");
        assert!(same(file, "{\n  \"a\": 1\n}"));
        assert_eq!(yaml_scalar("suites/e2e/x.journey.yaml"), "suites/e2e/x.journey.yaml");
        assert_eq!(yaml_scalar("read test://static-text"), "\"read test://static-text\"");
        assert_eq!(yaml_scalar("true"), "\"true\"");
    }
}
