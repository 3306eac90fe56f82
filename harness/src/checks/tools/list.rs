//! `tools/list` result shape.

use serde_json::Value;

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite,
};
use crate::check_fn;
use crate::checks::evidence::{brief, expect_result};
use crate::protocol::Era;

/// Pages followed at most when listing (pagination itself is judged by its own check).
const MAX_PAGES: usize = 50;

/// Every listed tool has a name and an object input schema.
pub(crate) const SHAPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("tools.list.shape"),
        title: "tools/list returns tools that each have a name and an inputSchema object",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["tools.input-schema", "tools.list.result"],
        applies: Applicability { capability: Some(Capability::Tools), ..Applicability::ALWAYS },
        tags: &["tools"],
    },
    run: check_fn!(shape),
};

async fn shape(cx: &mut CheckContext) -> Conclusion {
    let expected =
        "a result whose `tools` is an array of objects with a non-empty string `name` and an object `inputSchema`";
    let stateless = cx.revision().era() == Era::Stateless;
    let session = cx.session()?;
    let mut problems = Vec::new();
    let mut cursor: Option<String> = None;
    let mut count = 0usize;
    for _ in 0..MAX_PAGES {
        let params = cursor.as_ref().map(|c| serde_json::json!({"cursor": c}));
        let reply = session.request("tools/list", params).await.map_err(|e| Outcome::from_session(e, expected))?;
        let result = expect_result(&reply, expected)?;
        let Some(tools) = result.get("tools").and_then(Value::as_array) else {
            return Ok(Outcome::violated(expected, format!("`tools` is missing or not an array: {}", brief(result))));
        };
        for (i, tool) in tools.iter().enumerate() {
            let name = tool.get("name").and_then(Value::as_str);
            let label = name.map_or_else(|| format!("tool #{}", count + i), |n| format!("tool `{n}`"));
            // The schema asks for a string; its length is `tools.list.name-format`'s SHOULD.
            if name.is_none() {
                problems.push(format!("{label}: `name` is missing or not a string"));
            }
            match tool.get("inputSchema") {
                Some(Value::Object(schema)) => {
                    // Up to 2025-11-25 the schema type is fixed to "object"; 2026-07-28 loosened schema rules.
                    if !stateless && schema.get("type").and_then(Value::as_str) != Some("object") {
                        problems.push(format!("{label}: inputSchema.type is not \"object\""));
                    }
                }
                Some(other) => problems.push(format!("{label}: inputSchema is not an object: {}", brief(other))),
                None => problems.push(format!("{label}: inputSchema is missing")),
            }
        }
        count += tools.len();
        cursor = result.get("nextCursor").and_then(Value::as_str).map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    if problems.is_empty() {
        Ok(Outcome::pass_with(format!("{count} tools")))
    } else {
        Ok(Outcome::violated(expected, problems.join("\n")))
    }
}
