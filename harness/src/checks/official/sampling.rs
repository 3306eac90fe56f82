//! Scenario `tools-call-sampling`: `test_sampling` asks the client for an LLM sampling mid-call.

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{result_of, scenario, truthy, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Suite};
use crate::check_fn;
use crate::protocol::Revision;

/// `tools-call-sampling` (removed in 2026-07-28, where servers ask through input-required results).
pub(crate) const SAMPLING: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.tools-call-sampling"),
        title: "official fixture `test_sampling` sends sampling/createMessage to the client (without tools) and returns content",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["sampling.create-message", "sampling.tools-capability"],
        applies: scenario(Revision::V2025_06_18, Some(Revision::V2026_07_28), Capability::Tools),
        tags: &[TAG, "tools", "sampling"],
    },
    run: check_fn!(sampling),
};

async fn sampling(cx: &mut CheckContext) -> Conclusion {
    let expected = "tools/call `test_sampling` {prompt}: the server sends sampling/createMessage to the client (the harness \
                    declared `sampling` without `tools`, so the request carries no `tools`) and the tool returns non-empty content";
    let session = cx.session()?;
    session.take_server_requests();
    let params = json!({"name": "test_sampling", "arguments": {"prompt": "Test prompt for sampling"}});
    let result = result_of(session, "tools/call", params, expected).await?;
    let requests = session.take_server_requests();
    let problems = sampling_problems(&requests, &result);
    let evidence = json!({"samplingRequests": requests, "result": result});
    Ok(verdict(expected, &problems, format!("{} sampling request(s)", requests.len()), &evidence))
}

/// The official assertions, plus the spec's ban on tool-enabled sampling for clients without `sampling.tools`.
fn sampling_problems(requests: &[Value], result: &Value) -> Vec<String> {
    let sampling: Vec<&Value> =
        requests.iter().filter(|r| r.get("method").and_then(Value::as_str) == Some("sampling/createMessage")).collect();
    let mut p = Vec::new();
    if sampling.is_empty() {
        p.push("Server did not request sampling from client".to_owned());
    }
    if result.get("content").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        p.push("Tool did not return content".to_owned());
    }
    if sampling.iter().any(|r| truthy(r.pointer("/params/tools"))) {
        p.push("the sampling request carries `tools`, but the harness did not declare `sampling.tools`".to_owned());
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sampling_request_and_content_are_needed() {
        let req = json!({"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 100}});
        let content = json!({"content": [{"type": "text", "text": "LLM response: hi"}]});
        assert!(sampling_problems(std::slice::from_ref(&req), &content).is_empty());
        assert_eq!(sampling_problems(&[], &content), vec!["Server did not request sampling from client"]);
        assert_eq!(sampling_problems(&[req], &json!({"content": []})), vec!["Tool did not return content"]);
        let tools = json!({"method": "sampling/createMessage", "params": {"tools": [{"name": "x"}]}});
        assert_eq!(sampling_problems(&[tools], &content).len(), 1);
    }
}
