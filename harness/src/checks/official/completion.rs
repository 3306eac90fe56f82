//! Scenario `completion-complete`: completing argument `arg1` of the fixture prompt `test_prompt_with_arguments`.

use serde_json::{Value, json};

use super::TAG;
use super::fixture::{result_of, scenario, truthy, verdict};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Suite};
use crate::check_fn;
use crate::protocol::Revision;

/// `completion-complete`.
pub(crate) const COMPLETE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.completion-complete"),
        title: "completion/complete for argument arg1 of the official fixture prompt `test_prompt_with_arguments` returns completion.values as an array",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["completion.complete.request", "completion.complete.result", "completion.capability"],
        applies: scenario(Revision::V2025_06_18, None, Capability::Completions),
        tags: &[TAG, "completion"],
    },
    run: check_fn!(complete),
};

async fn complete(cx: &mut CheckContext) -> Conclusion {
    let expected = "completion/complete {ref: ref/prompt `test_prompt_with_arguments`, argument arg1 = \"test\"}: a result with \
                    `completion.values` as an array (possibly empty)";
    let params = json!({
        "ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"},
        "argument": {"name": "arg1", "value": "test"}
    });
    let result = result_of(cx.session()?, "completion/complete", params, expected).await?;
    let problems = completion_problems(&result);
    let values = result.pointer("/completion/values").map(Value::to_string).unwrap_or_default();
    Ok(verdict(expected, &problems, format!("values {values}"), &result))
}

/// The official `completion-complete` assertions.
fn completion_problems(result: &Value) -> Vec<String> {
    let Some(completion) = result.get("completion").filter(|c| truthy(Some(c))) else {
        return vec!["Missing completion field".to_owned()];
    };
    let mut p = Vec::new();
    if !truthy(completion.get("values")) {
        p.push("Missing values array in completion".to_owned());
    }
    if !completion.get("values").is_some_and(Value::is_array) {
        p.push("completion.values is not an array".to_owned());
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_must_be_an_array() {
        assert!(completion_problems(&json!({"completion": {"values": []}})).is_empty());
        assert!(completion_problems(&json!({"completion": {"values": ["paris"], "total": 1}})).is_empty());
        assert_eq!(completion_problems(&json!({})), vec!["Missing completion field"]);
        assert_eq!(
            completion_problems(&json!({"completion": {"values": "paris"}})),
            vec!["completion.values is not an array"]
        );
    }
}
