//! Tool definitions: schemas that are valid JSON Schema, names in the recommended format.

use serde_json::Value;

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::tools::catalog::{list_tools, name_of};
use crate::protocol::Revision;

/// Every inputSchema and outputSchema is a valid JSON Schema of its dialect.
pub(crate) const INPUT_SCHEMA_VALID: Check = Check {
    meta: CheckMeta {
        id: CheckId("tools.list.input-schema-valid"),
        title: "every tool's inputSchema and outputSchema is a valid JSON Schema (2020-12 unless $schema says otherwise)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.input-schema", "schema.valid-dialect"],
        applies: Applicability { capability: Some(Capability::Tools), ..Applicability::ALWAYS },
        tags: &["tools", "schema"],
    },
    run: check_fn!(input_schema_valid),
};

/// `$schema` values whose meta-schema the harness carries (draft 4 to 2020-12).
const KNOWN_DIALECTS: &[&str] = &[
    "json-schema.org/draft-04/schema",
    "json-schema.org/draft-06/schema",
    "json-schema.org/draft-07/schema",
    "json-schema.org/draft/2019-09/schema",
    "json-schema.org/draft/2020-12/schema",
];

/// Why a schema is invalid, `Ok(None)` when valid, `Ok(Some(note))` when it could not be judged. Without `$schema`,
/// 2020-12 is the default dialect from revision 2025-11-25 on (`dialect_2020_12`); before, no revision names one,
/// so a schema valid as draft-07 is accepted too.
fn judge_schema(schema: &Value, dialect_2020_12: bool) -> Result<Option<String>, String> {
    let Value::Object(obj) = schema else {
        return Err(format!("is not an object: {}", crate::checks::evidence::brief(schema)));
    };
    if let Some(dialect) = obj.get("$schema") {
        let Some(uri) = dialect.as_str() else {
            return Err(format!("$schema is not a string: {dialect}"));
        };
        let bare = uri.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('#');
        if !KNOWN_DIALECTS.contains(&bare) {
            return Ok(Some(format!("dialect {uri:?} not judged")));
        }
    }
    match jsonschema::meta::validate(schema) {
        Ok(()) => Ok(None),
        Err(_) if !dialect_2020_12 && obj.get("$schema").is_none() && jsonschema::draft7::meta::is_valid(schema) => {
            Ok(None)
        }
        Err(e) => Err(format!("{} (at {})", e, e.instance_path())),
    }
}

async fn input_schema_valid(cx: &mut CheckContext) -> Conclusion {
    let tools = list_tools(cx).await?;
    if tools.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no tools"));
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut judged = 0usize;
    for tool in &tools {
        let name = name_of(tool);
        for key in ["inputSchema", "outputSchema"] {
            let Some(schema) = tool.get(key) else {
                if key == "inputSchema" {
                    problems.push(format!("tool `{name}`: inputSchema is missing"));
                }
                continue;
            };
            match judge_schema(schema, cx.revision() >= crate::protocol::Revision::V2025_11_25) {
                Ok(None) => judged += 1,
                Ok(Some(note)) => notes.push(format!("tool `{name}` {key}: {note}")),
                Err(why) => problems.push(format!("tool `{name}` {key} {why}")),
            }
        }
    }
    if problems.is_empty() {
        let mut seen = format!("{judged} schemas of {} tools valid", tools.len());
        if !notes.is_empty() {
            seen.push_str(&format!("; {}", notes.join("; ")));
        }
        Ok(Outcome::pass_with(seen))
    } else {
        Ok(Outcome::violated(
            "every inputSchema/outputSchema valid against its dialect's meta-schema",
            problems.join("\n"),
        ))
    }
}

/// Tool names are 1–128 characters of `[A-Za-z0-9_.-]`.
pub(crate) const NAME_FORMAT: Check = Check {
    meta: CheckMeta {
        id: CheckId("tools.list.name-format"),
        title: "tool names are 1 to 128 characters of A-Z, a-z, 0-9, underscore, hyphen and dot",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["tools.name-length", "tools.name-charset"],
        applies: Applicability {
            capability: Some(Capability::Tools),
            since: Revision::V2025_11_25,
            ..Applicability::ALWAYS
        },
        tags: &["tools"],
    },
    run: check_fn!(name_format),
};

/// Whether `name` follows the 2025-11-25 tool-name recommendation.
fn name_ok(name: &str) -> bool {
    (1..=128).contains(&name.chars().count())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

async fn name_format(cx: &mut CheckContext) -> Conclusion {
    let tools = list_tools(cx).await?;
    if tools.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no tools"));
    }
    let bad: Vec<String> = tools
        .iter()
        .filter_map(|t| match t.get("name").and_then(Value::as_str) {
            Some(n) if name_ok(n) => None,
            Some(n) => Some(crate::session::clip_json(&Value::String(n.to_owned()), 160)),
            None => Some("(tool without a string name)".to_owned()),
        })
        .collect();
    if bad.is_empty() {
        Ok(Outcome::pass_with(format!("{} tool names", tools.len())))
    } else {
        Ok(Outcome::violated(
            "names of 1–128 characters from [A-Za-z0-9_.-]",
            format!("names outside the format: {}", bad.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_follow_the_recommended_format() {
        assert!(name_ok("admin.tools.list"));
        assert!(name_ok("DATA_EXPORT_v2"));
        assert!(!name_ok(""));
        assert!(!name_ok("has space"));
        assert!(!name_ok("a/b"));
        assert!(!name_ok(&"x".repeat(129)));
    }

    #[test]
    fn schemas_are_judged_against_their_dialect() {
        assert_eq!(judge_schema(&json!({"type": "object"}), true), Ok(None));
        assert!(judge_schema(&json!({"type": "objekt"}), true).is_err());
        // Before 2025-11-25 no dialect is the default: a draft-07 tuple `items` is fine there, not under 2020-12.
        let tuple = json!({"type": "object", "properties": {"a": {"type": "array", "items": [{"type": "string"}]}}});
        assert_eq!(judge_schema(&tuple, false), Ok(None));
        assert!(judge_schema(&tuple, true).is_err());
        assert!(judge_schema(&json!(null), true).is_err());
        assert!(
            judge_schema(&json!({"$schema": "https://example.com/custom", "type": "object"}), true).unwrap().is_some()
        );
        assert_eq!(
            judge_schema(&json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}), true),
            Ok(None)
        );
    }
}
