//! Scenario `json-schema-2020-12`: `json_schema_2020_12_tool` is listed with its JSON Schema 2020-12 keywords
//! intact (SEP-1613; from 2026-07-28 also the SEP-2106 vocabulary).

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{scenario, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Suite};
use crate::check_fn;
use crate::checks::pagination::walk::list_all;
use crate::protocol::Revision;

/// The fixture tool.
const TOOL: &str = "json_schema_2020_12_tool";

/// The dialect the fixture declares.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Pages of `tools/list` followed at most.
const MAX_PAGES: usize = 50;

/// `json-schema-2020-12`.
pub(crate) const JSON_SCHEMA_2020_12: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.json-schema-2020-12"),
        title: "official fixture `json_schema_2020_12_tool` is listed with $schema, $defs.address and additionalProperties: false kept \
                (from 2026-07-28 also allOf/anyOf, if/then/else and $anchor)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["schema.valid-dialect", "tools.input-schema"],
        applies: scenario(Revision::V2025_11_25, None, Capability::Tools),
        tags: &[TAG, "tools", "schema"],
    },
    run: check_fn!(json_schema_2020_12),
};

async fn json_schema_2020_12(cx: &mut CheckContext) -> Conclusion {
    let sep2106 = cx.revision() >= Revision::V2026_07_28;
    let expected = format!(
        "tools/list lists `{TOOL}` whose inputSchema keeps `$schema` = {DIALECT:?}, `$defs` with `address`, and \
         `additionalProperties: false`{}",
        if sep2106 {
            ", plus allOf with a nested anyOf, if/then/else, and `$anchor` in $defs.address (SEP-2106)"
        } else {
            ""
        }
    );
    let listing = list_all(cx.session()?, "tools/list", "tools", MAX_PAGES, &expected).await?;
    let Some(tool) = listing.items.iter().find(|t| t.get("name").and_then(Value::as_str) == Some(TOOL)) else {
        let names: Vec<&str> = listing.items.iter().filter_map(|t| t.get("name").and_then(Value::as_str)).collect();
        let problem = format!(
            "Tool '{TOOL}' not found. Available tools: {}",
            if names.is_empty() { "none".to_owned() } else { names.join(", ") }
        );
        return Ok(verdict(&expected, &[problem], "", &json!({"tools": names})));
    };
    let schema = tool.get("inputSchema").unwrap_or(&Value::Null);
    let (mut problems, missing_2106) = schema_problems(schema);
    let mut seen = "SEP-1613 keywords kept".to_owned();
    if sep2106 {
        problems.extend(missing_2106);
        seen.push_str("; SEP-2106 keywords kept");
    } else if missing_2106.is_empty() {
        seen.push_str("; SEP-2106 keywords kept too");
    } else {
        // The official suite reports these SKIPPED before 2026-07-28.
        seen.push_str(&format!("; SEP-2106 keywords (required from 2026-07-28 only): {}", missing_2106.join("; ")));
    }
    Ok(verdict(&expected, &problems, seen, schema))
}

/// The official assertions on the listed schema: SEP-1613 problems, and SEP-2106 problems (failures from
/// 2026-07-28, skipped before).
fn schema_problems(schema: &Value) -> (Vec<String>, Vec<String>) {
    let mut sep1613 = Vec::new();
    match schema.get("$schema") {
        None => sep1613.push("$schema field missing from inputSchema - field was likely stripped".to_owned()),
        Some(v) if v != DIALECT => sep1613.push(format!("$schema has unexpected value: {v}")),
        Some(_) => {}
    }
    let defs = schema.get("$defs");
    match defs {
        None => sep1613.push("$defs field missing from inputSchema - field was likely stripped".to_owned()),
        Some(d) if d.get("address").is_none() => {
            sep1613.push("$defs exists but missing expected \"address\" definition".to_owned())
        }
        Some(_) => {}
    }
    match schema.get("additionalProperties") {
        None => {
            sep1613.push("additionalProperties field missing from inputSchema - field was likely stripped".to_owned())
        }
        Some(Value::Bool(false)) => {}
        Some(v) => sep1613.push(format!("additionalProperties has unexpected value: {v}, expected: false")),
    }
    let mut sep2106 = Vec::new();
    match schema.get("allOf").and_then(Value::as_array).filter(|a| !a.is_empty()) {
        None => {
            sep2106.push("allOf keyword missing from inputSchema - composition keyword was likely stripped".to_owned())
        }
        Some(all) if !all.iter().any(|x| x.get("anyOf").is_some_and(Value::is_array)) => {
            sep2106.push("nested anyOf missing from allOf - composition keyword was likely stripped".to_owned());
        }
        Some(_) => {}
    }
    let (i, t, e) = (schema.get("if").is_some(), schema.get("then").is_some(), schema.get("else").is_some());
    if !(i && t && e) {
        sep2106.push(format!("Conditional keywords missing (if={i}, then={t}, else={e}) - likely stripped"));
    }
    if defs.and_then(|d| d.get("address")).is_none_or(|a| a.get("$anchor").is_none()) {
        sep2106.push("$anchor missing from $defs.address - reference keyword was likely stripped".to_owned());
    }
    (sep1613, sep2106)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_schema_keeps_every_keyword_and_a_stripped_one_does_not() {
        let fixture = json!({
            "$schema": DIALECT, "type": "object",
            "$defs": {"address": {"$anchor": "addressDef", "type": "object"}},
            "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"required": ["contactMethod"]}, "then": {"required": ["phone"]}, "else": {"required": ["email"]},
            "additionalProperties": false
        });
        assert_eq!(schema_problems(&fixture), (vec![], vec![]));
        let stripped = json!({"type": "object", "properties": {"name": {"type": "string"}}});
        let (a, b) = schema_problems(&stripped);
        assert_eq!((a.len(), b.len()), (3, 3));
    }
}
