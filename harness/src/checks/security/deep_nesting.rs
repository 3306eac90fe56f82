//! Deeply nested JSON is refused (or handled) in bounded time, without a stack overflow, and the server stays
//! alive.

use std::time::Duration;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Severity, Suite};
use crate::check_fn;
use crate::checks::security::robust::{Input, Judgement, run_and_judge, with_hostile_param};

/// What to change when the check fails.
const REMEDIATION: &str = "limit the nesting depth the JSON parser accepts (serde_json's default is 128; a \
     recursive parser without a limit overflows its stack) and answer deeper input with -32700 or -32600 \
     (HTTP 400)";

/// How long the server may take to answer one nested message (and the follow-up after it).
const BOUND: Duration = Duration::from_secs(5);

/// The SHOULD rule deep input accepted without an error (or left unanswered) breaks.
const DEPTH_RULE: &str = "security.input-depth-limit";

/// Deep nesting is handled in bounded time and survived.
///
/// Three requests, each the era's harmless request with an extra parameter `note`: arrays nested 10,000 and
/// 100,000 deep (the second ≈200 KB), and objects nested 1,000 deep. The first two must be refused with an error
/// within [`BOUND`]; the third is legal JSON a server may accept. A crash (stack overflow), a closed connection or
/// no answer in time fails.
pub(crate) const DEEP_NESTING: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.robust.deep-nesting"),
        title: "parameters nested 10,000 and 100,000 deep are refused within 5 s (1,000 deep handled), and the server keeps answering",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.uncontrolled-recursion", DEPTH_RULE],
        applies: Applicability::ALWAYS,
        tags: &["robustness", "security", "limits", "negative"],
    },
    run: check_fn!(deep_nesting),
};

async fn deep_nesting(cx: &mut CheckContext) -> Conclusion {
    let mut s = cx.fresh_session_unobserved().await?;
    let payloads: [(&str, Vec<u8>, bool); 3] = [
        ("arrays nested 10,000 deep", nested_arrays(10_000), false),
        ("arrays nested 100,000 deep (200 KB)", nested_arrays(100_000), false),
        ("objects nested 1,000 deep", nested_objects(1_000), true),
    ];
    let mut inputs = Vec::new();
    for (name, value, may_accept) in payloads {
        let (msg, bytes) = with_hostile_param(&mut s, &value);
        inputs.push(Input {
            name: name.to_owned(),
            bytes,
            headers_from: Some(msg),
            may_accept,
            weak_rule: DEPTH_RULE,
            ending_refuses: false,
        });
    }
    let judgement = Judgement {
        expected: "10,000 and 100,000 levels refused with an error (or HTTP 400) within 5 s, 1,000 levels answered, and a harmless request afterwards answered",
        cwe: 674,
        remediation: REMEDIATION,
        weak: Severity::Medium,
    };
    run_and_judge(s, inputs, BOUND, &judgement).await
}

/// `[[[…]]]`, `depth` arrays deep.
fn nested_arrays(depth: usize) -> Vec<u8> {
    [vec![b'['; depth], vec![b']'; depth]].concat()
}

/// `{"a":{"a":…0…}}`, `depth` objects deep.
fn nested_objects(depth: usize) -> Vec<u8> {
    [b"{\"a\":".repeat(depth), b"0".to_vec(), vec![b'}'; depth]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payloads_have_the_stated_depth_and_size() {
        assert_eq!(nested_arrays(100_000).len(), 200_000);
        assert_eq!(nested_arrays(2), b"[[]]");
        assert_eq!(nested_objects(2), br#"{"a":{"a":0}}"#);
    }
}
