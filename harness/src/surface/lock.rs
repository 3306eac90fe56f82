//! The surface lock file: a server's tools, resources, resource templates and prompts as its author recorded them.
//!
//! # Format
//!
//! One JSON object, pretty-printed with a trailing newline; object keys in a fixed order (the fields below in
//! this order, the keys of recorded schemas and annotations sorted), one entry per item, items sorted by their key
//! (`name`, `uri` or `uriTemplate`). Absent optional fields are left out. The JSON Schema of the format is
//! generated from these types ([`generate_surface_schema`]) and committed at `suites/schemas/surface.schema.json`.
//!
//! ```json
//! {
//!   "formatVersion": 1,
//!   "protocolVersion": "2025-11-25",
//!   "server": { "name": "mcp-broken-server", "version": "0.1.0" },
//!   "tools": [
//!     {
//!       "name": "echo",
//!       "title": { "sha256": "6f1c…", "text": "Echo" },
//!       "description": { "sha256": "0b52…", "text": "Returns the message it is given." },
//!       "inputSchema": { "additionalProperties": false, "properties": { "message": { "type": "string" } },
//!                        "required": ["message"], "type": "object" },
//!       "annotations": { "readOnlyHint": true }
//!     }
//!   ],
//!   "resources": [
//!     { "uri": "fixture://hello", "name": "hello", "description": { "sha256": "…", "text": "A short text resource." },
//!       "mimeType": "text/plain" }
//!   ],
//!   "resourceTemplates": [ { "uriTemplate": "fixture://items/{id}", "name": "item" } ],
//!   "prompts": [
//!     { "name": "greet", "arguments": [ { "name": "name", "required": true } ] }
//!   ]
//! }
//! ```
//!
//! | field | meaning |
//! |---|---|
//! | `$schema` | optional; kept as written (for editors), never read |
//! | `formatVersion` | [`FORMAT_VERSION`]; a file of another version is refused, not guessed at |
//! | `protocolVersion` | the revision the surface was recorded with (informational: a run of another revision is still compared) |
//! | `server` | `serverInfo.name` and `.version` at recording time (informational) |
//! | `tools[]` | `name`, `title`, `description`, `inputSchema`, `outputSchema`, `annotations`, `execution` as listed |
//! | `resources[]` | `uri`, `name`, `title`, `description`, `mimeType`, `annotations` (without `lastModified`, which changes with the content, not the surface) |
//! | `resourceTemplates[]` | `uriTemplate`, `name`, `title`, `description`, `mimeType`, `annotations` (likewise) |
//! | `prompts[]` | `name`, `title`, `description`, `arguments[]` {`name`, `title`, `description`, `required`} (`required` always written; absent in the listing means `false`; arguments sorted by name) |
//!
//! **Texts** (every `title` and `description`, also of prompt arguments) are stored as `{"sha256", "text"}`: the
//! SHA-256 of the text's UTF-8 bytes in lowercase hex, and the text itself. The hash is what a run compares, so the
//! verdict never depends on how the text is displayed; the text is there so that a re-lock shows up in code
//! review as the readable change it is (a rug pull hides in exactly this text) and so that a run's evidence shows
//! the old text beside the new one. `mcp-harness surface --hash-only` leaves the texts out (for servers whose
//! descriptions are long or not to be committed): the lock then still detects every change, and the evidence shows
//! the new text beside the locked hash. A stored text must hash to its `sha256` (a hand-edited text would otherwise
//! make the evidence lie); loading refuses a file where it does not.
//!
//! Schemas (`inputSchema`, `outputSchema`) and annotations are stored as the server sent them (keys sorted):
//! descriptions inside a schema are part of the schema and compared with it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The version of the lock format this harness writes and reads. Bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// A surface lock: a server's tools, resources, resource templates and prompts as its author recorded them with
/// `mcp-harness surface --write FILE`, for `mcp-harness run --surface FILE` to compare later runs with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurfaceLock {
    /// A JSON Schema reference for editors; kept as written, never read.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The protocol revision the surface was recorded with.
    pub protocol_version: String,
    /// The server that was recorded.
    pub server: ServerIdentity,
    /// The tools, sorted by name.
    pub tools: Vec<LockedTool>,
    /// The resources, sorted by URI.
    pub resources: Vec<LockedResource>,
    /// The resource templates, sorted by URI template.
    pub resource_templates: Vec<LockedTemplate>,
    /// The prompts, sorted by name.
    pub prompts: Vec<LockedPrompt>,
}

/// `serverInfo` at recording time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerIdentity {
    /// `serverInfo.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `serverInfo.version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A title or description: its hash, and the text unless the lock was written with `--hash-only`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedText {
    /// SHA-256 of the text's UTF-8 bytes, 64 lowercase hex digits.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// The text itself, when stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl LockedText {
    /// The record of `text`, keeping the text when `store_text`.
    pub fn of(text: &str, store_text: bool) -> LockedText {
        LockedText { sha256: sha256_hex(text), text: store_text.then(|| text.to_owned()) }
    }

    /// Whether both record the same text (by hash).
    pub fn same_as(&self, other: &LockedText) -> bool {
        self.sha256 == other.sha256
    }
}

/// A tool as locked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedTool {
    /// The tool's name: its key.
    pub name: String,
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LockedText>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LockedText>,
    /// `inputSchema` as listed (`{}` when the listing had none).
    pub input_schema: Value,
    /// `outputSchema`, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    /// `annotations` (`readOnlyHint`, `destructiveHint`, …), when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Map<String, Value>>,
    /// `execution` (task support), when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<Value>,
}

/// A resource as locked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedResource {
    /// The resource's URI: its key.
    pub uri: String,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LockedText>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LockedText>,
    /// `mimeType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// `annotations` without `lastModified`, when any are left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Map<String, Value>>,
}

/// A resource template as locked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedTemplate {
    /// The template's `uriTemplate`: its key.
    pub uri_template: String,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LockedText>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LockedText>,
    /// `mimeType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// `annotations` without `lastModified`, when any are left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Map<String, Value>>,
}

/// A prompt as locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedPrompt {
    /// The prompt's name: its key.
    pub name: String,
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LockedText>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LockedText>,
    /// `arguments`, sorted by name.
    #[serde(default)]
    pub arguments: Vec<LockedArgument>,
}

/// A prompt argument as locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedArgument {
    /// The argument's name: its key within the prompt.
    pub name: String,
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LockedText>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LockedText>,
    /// Whether the argument must be given (`false` when the listing did not say).
    pub required: bool,
}

/// A lock file that could not be read, written or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// The file could not be read.
    #[error("failed to read the surface lock {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file or its directory could not be written.
    #[error("failed to write the surface lock {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON of the lock format.
    #[error("failed to parse the surface lock")]
    Parse(#[source] serde_json::Error),
    /// The file is of another format version.
    #[error(
        "the surface lock has format version {found}, this harness reads version {FORMAT_VERSION} (re-lock with `mcp-harness surface --write FILE`)"
    )]
    UnsupportedVersion {
        /// The version the file declares (0 when it declares none).
        found: u64,
    },
    /// The file parses but cannot be trusted: a key twice, a malformed hash, a text that does not match its hash.
    #[error("the surface lock is invalid: {item}: {problem}")]
    Invalid {
        /// The item (`tool `echo``).
        item: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl SurfaceLock {
    /// Parses and validates a lock file's text.
    pub fn parse(text: &str) -> Result<SurfaceLock, LockError> {
        let value: Value = serde_json::from_str(text).map_err(LockError::Parse)?;
        let found = value.get("formatVersion").and_then(Value::as_u64).unwrap_or(0);
        if found != u64::from(FORMAT_VERSION) {
            return Err(LockError::UnsupportedVersion { found });
        }
        let lock: SurfaceLock = serde_json::from_value(value).map_err(LockError::Parse)?;
        lock.validate()?;
        Ok(lock)
    }

    /// Reads, parses and validates the lock file at `path`.
    pub fn load(path: &Path) -> Result<SurfaceLock, LockError> {
        let text = std::fs::read_to_string(path).map_err(|source| LockError::Read { path: path.to_owned(), source })?;
        SurfaceLock::parse(&text)
    }

    /// The file's text: pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every map key is a string and no field serializes by hand.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the lock to `path`, creating parent directories.
    pub fn write(&self, path: &Path) -> Result<(), LockError> {
        let io = |source| LockError::Write { path: path.to_owned(), source };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(path, self.to_json()).map_err(io)
    }

    /// Sorts every list by its key, so the file's order never depends on the server's listing order.
    pub fn sort(&mut self) {
        self.tools.sort_by(|a, b| a.name.cmp(&b.name));
        self.resources.sort_by(|a, b| a.uri.cmp(&b.uri));
        self.resource_templates.sort_by(|a, b| a.uri_template.cmp(&b.uri_template));
        self.prompts.sort_by(|a, b| a.name.cmp(&b.name));
        for p in &mut self.prompts {
            p.arguments.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }

    /// Checks what the types cannot: keys unique per kind, hashes well-formed, stored texts matching their hashes.
    fn validate(&self) -> Result<(), LockError> {
        let invalid = |item: String, problem: String| Err(LockError::Invalid { item, problem });
        let mut seen = std::collections::HashSet::new();
        let keys = self
            .tools
            .iter()
            .map(|t| ("tool", t.name.as_str()))
            .chain(self.resources.iter().map(|r| ("resource", r.uri.as_str())))
            .chain(self.resource_templates.iter().map(|t| ("resource template", t.uri_template.as_str())))
            .chain(self.prompts.iter().map(|p| ("prompt", p.name.as_str())));
        for (kind, key) in keys {
            if !seen.insert((kind, key)) {
                return invalid(format!("{kind} `{key}`"), "recorded twice".to_owned());
            }
        }
        for (item, field, text) in self.texts() {
            if text.sha256.len() != 64 || !text.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return invalid(item, format!("{field}.sha256 is not 64 lowercase hex digits"));
            }
            if let Some(t) = &text.text
                && sha256_hex(t) != text.sha256
            {
                return invalid(item, format!("{field}.text does not hash to {field}.sha256 (edited by hand?)"));
            }
        }
        for p in &self.prompts {
            let mut names = std::collections::HashSet::new();
            if let Some(dup) = p.arguments.iter().find(|a| !names.insert(a.name.as_str())) {
                return invalid(format!("prompt `{}`", p.name), format!("argument `{}` recorded twice", dup.name));
            }
        }
        Ok(())
    }

    /// Every stored text with the item and field it belongs to.
    fn texts(&self) -> Vec<(String, String, &LockedText)> {
        let mut out = Vec::new();
        let mut push = |item: &str, field: String, t| {
            if let Some(t) = t {
                out.push((item.to_owned(), field, t));
            }
        };
        for t in &self.tools {
            let item = format!("tool `{}`", t.name);
            push(&item, "title".into(), t.title.as_ref());
            push(&item, "description".into(), t.description.as_ref());
        }
        for r in &self.resources {
            let item = format!("resource `{}`", r.uri);
            push(&item, "title".into(), r.title.as_ref());
            push(&item, "description".into(), r.description.as_ref());
        }
        for r in &self.resource_templates {
            let item = format!("resource template `{}`", r.uri_template);
            push(&item, "title".into(), r.title.as_ref());
            push(&item, "description".into(), r.description.as_ref());
        }
        for p in &self.prompts {
            let item = format!("prompt `{}`", p.name);
            push(&item, "title".into(), p.title.as_ref());
            push(&item, "description".into(), p.description.as_ref());
            for a in &p.arguments {
                push(&item, format!("arguments.{}.title", a.name), a.title.as_ref());
                push(&item, format!("arguments.{}.description", a.name), a.description.as_ref());
            }
        }
        out
    }
}

/// SHA-256 of `text`'s UTF-8 bytes, lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The JSON Schema (draft 2020-12) of the lock format, generated from [`SurfaceLock`]; committed at
/// `suites/schemas/surface.schema.json` (a test keeps the file in step with the types).
pub fn generate_surface_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<SurfaceLock>();
    let mut value = serde_json::to_value(schema).unwrap_or_default();
    if let Some(root) = value.as_object_mut() {
        root.insert(
            "$id".to_owned(),
            "https://github.com/mcp-harness/mcp-harness/suites/schemas/surface.schema.json".into(),
        );
        root.insert("title".to_owned(), "mcp-harness surface lock".into());
    }
    if let Some(version) = value.pointer_mut("/properties/formatVersion") {
        *version = serde_json::json!({
            "description": "The version of the lock format; a harness refuses a version it does not read.",
            "type": "integer",
            "const": FORMAT_VERSION
        });
    }
    value
}

/// `value` with the keys of every object sorted, recursively (arrays keep their order: it can carry meaning).
pub(crate) fn sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(sorted_map(map)),
        Value::Array(items) => Value::Array(items.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

/// [`sorted_keys`] for an object.
pub(crate) fn sorted_map(map: &Map<String, Value>) -> Map<String, Value> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys.into_iter().map(|k| (k.clone(), sorted_keys(&map[k.as_str()]))).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> SurfaceLock {
        SurfaceLock {
            schema: None,
            format_version: FORMAT_VERSION,
            protocol_version: "2025-11-25".into(),
            server: ServerIdentity { name: Some("s".into()), version: Some("1".into()) },
            tools: vec![LockedTool {
                name: "echo".into(),
                title: Some(LockedText::of("Echo", true)),
                description: Some(LockedText::of("Returns the message.", false)),
                input_schema: json!({"type": "object", "properties": {"message": {"type": "string"}}}),
                output_schema: None,
                annotations: Some(sorted_map(json!({"readOnlyHint": true}).as_object().unwrap())),
                execution: None,
            }],
            resources: vec![LockedResource {
                uri: "fixture://hello".into(),
                name: Some("hello".into()),
                title: None,
                description: None,
                mime_type: Some("text/plain".into()),
                annotations: None,
            }],
            resource_templates: vec![LockedTemplate {
                uri_template: "fixture://items/{id}".into(),
                name: Some("item".into()),
                title: None,
                description: Some(LockedText::of("An item.", true)),
                mime_type: None,
                annotations: None,
            }],
            prompts: vec![LockedPrompt {
                name: "greet".into(),
                title: None,
                description: None,
                arguments: vec![LockedArgument {
                    name: "name".into(),
                    title: None,
                    description: Some(LockedText::of("Who", true)),
                    required: true,
                }],
            }],
        }
    }

    #[test]
    fn hashes_are_sha256_of_the_utf8_bytes() {
        assert_eq!(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_lock_round_trips_through_its_text() {
        let lock = sample();
        let text = lock.to_json();
        assert!(text.ends_with("}\n"));
        assert_eq!(SurfaceLock::parse(&text).unwrap(), lock);
        // Absent optional fields are left out, `required` is always written.
        assert!(!text.contains("outputSchema") && text.contains("\"required\": true"));
    }

    #[test]
    fn other_versions_unknown_fields_edited_texts_and_duplicates_are_refused() {
        let good: Value = serde_json::from_str(&sample().to_json()).unwrap();

        let mut v = good.clone();
        v["formatVersion"] = json!(2);
        assert!(matches!(SurfaceLock::parse(&v.to_string()), Err(LockError::UnsupportedVersion { found: 2 })));

        let mut v = good.clone();
        v["tools"][0]["colour"] = json!("red");
        assert!(matches!(SurfaceLock::parse(&v.to_string()), Err(LockError::Parse(_))));

        let mut v = good.clone();
        v["tools"][0]["title"]["text"] = json!("Echo!");
        let err = SurfaceLock::parse(&v.to_string()).unwrap_err().to_string();
        assert!(err.contains("tool `echo`") && err.contains("title.text does not hash"), "{err}");

        let mut v = good.clone();
        v["tools"][0]["description"]["sha256"] = json!("ABC");
        assert!(matches!(SurfaceLock::parse(&v.to_string()), Err(LockError::Invalid { .. })));

        let mut v = good.clone();
        let tool = v["tools"][0].clone();
        v["tools"].as_array_mut().unwrap().push(tool);
        let err = SurfaceLock::parse(&v.to_string()).unwrap_err().to_string();
        assert!(err.contains("recorded twice"), "{err}");

        assert!(matches!(SurfaceLock::parse("not json"), Err(LockError::Parse(_))));
    }

    #[test]
    fn sorted_keys_sorts_objects_at_every_depth_and_keeps_array_order() {
        let v = json!({"b": {"z": 1, "a": [{"y": 1, "x": 2}, 3]}, "a": 0});
        let text = serde_json::to_string(&sorted_keys(&v)).unwrap();
        assert_eq!(text, r#"{"a":0,"b":{"a":[{"x":2,"y":1},3],"z":1}}"#);
    }

    #[test]
    fn the_sample_validates_against_the_generated_schema() {
        let schema = generate_surface_schema();
        assert!(jsonschema::meta::is_valid(&schema));
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let instance: Value = serde_json::from_str(&sample().to_json()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&instance).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let mut wrong = instance.clone();
        wrong["formatVersion"] = json!(7);
        assert!(!validator.is_valid(&wrong));
        let mut wrong = instance;
        wrong["tools"][0]["title"]["sha256"] = json!("xyz");
        assert!(!validator.is_valid(&wrong));
    }

    /// The committed schema is what the types generate (set `MCP_HARNESS_UPDATE_SCHEMA=1` to rewrite it).
    #[test]
    fn committed_schema_matches_the_types() {
        let generated = format!("{}\n", serde_json::to_string_pretty(&generate_surface_schema()).unwrap());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites/schemas/surface.schema.json");
        if std::env::var_os("MCP_HARNESS_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "suites/schemas/surface.schema.json is out of date with the lock types; regenerate it with \
             `MCP_HARNESS_UPDATE_SCHEMA=1 cargo test -p mcp-harness --lib surface::lock`"
        );
    }
}
