//! The tools a check may look at and the ones it may call.

use globset::Glob;
use serde_json::Value;

use crate::check::{CheckContext, Outcome};
use crate::checks::pagination::walk::list_all;

/// Pages followed at most when listing tools (pagination itself is judged by its own check).
const MAX_PAGES: usize = 50;

/// Every tool the server lists (following cursors up to a bound) on the shared session.
pub(crate) async fn list_tools(cx: &mut CheckContext) -> Result<Vec<Value>, Outcome> {
    let expected = "a tools/list result with a `tools` array";
    let session = cx.session()?;
    Ok(list_all(session, "tools/list", "tools", MAX_PAGES, expected).await?.items)
}

/// The tool's name, or `(unnamed)`.
pub(crate) fn name_of(tool: &Value) -> &str {
    tool.get("name").and_then(Value::as_str).unwrap_or("(unnamed)")
}

/// Whether the tool says it only reads (`annotations.readOnlyHint: true`).
pub(crate) fn is_read_only(tool: &Value) -> bool {
    tool.pointer("/annotations/readOnlyHint").and_then(Value::as_bool) == Some(true)
}

/// Whether the run allows calling `tool`: read-only tools always, others with `--call-tools` when the allow-list
/// (if any) matches the name. Tools that require task-augmented execution are never called directly.
pub(crate) fn may_call(cx: &CheckContext, tool: &Value) -> bool {
    if tool.pointer("/execution/taskSupport").and_then(Value::as_str) == Some("required") {
        return false;
    }
    if is_read_only(tool) {
        return true;
    }
    let options = cx.options();
    if !options.call_tools {
        return false;
    }
    if options.tool_allow.is_empty() {
        return true;
    }
    let name = name_of(tool);
    options.tool_allow.iter().any(|g| Glob::new(g).map(|g| g.compile_matcher().is_match(name)).unwrap_or(false))
}
