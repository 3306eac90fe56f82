//! A 16 MiB message (one stdio line, one HTTP body) is refused without harm, and the server stays alive.

use std::time::Duration;

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Severity, Suite};
use crate::check_fn;
use crate::checks::security::robust::{Input, Judgement, run_and_judge, with_hostile_param};

/// What to change when the check fails.
const REMEDIATION: &str = "cap the size of a message before buffering it (the MCP SDKs use 4 MiB) and refuse a \
     larger one with HTTP 413 (or 400) or a JSON-RPC error, discarding the rest of the line on stdio";

/// The size of the parameter that makes the message oversized.
const SIZE: usize = 16 * 1024 * 1024;

/// How long the server may take to take in and refuse the message (and answer the follow-up).
const BOUND: Duration = Duration::from_secs(15);

/// The SHOULD rule an oversized message processed as valid (or left unanswered) breaks.
const SIZE_RULE: &str = "security.message-size-limit";

/// An oversized message is refused and survived.
///
/// One request, the era's harmless one with an extra parameter `note` holding a string of 16 MiB (so the message
/// is just over 16 MiB): on stdio one line, over HTTP one body with `Content-Length`. Refused (HTTP 413 or 400, a
/// JSON-RPC error) passes; processed as valid, or unanswered, warns; exiting, closing the connection or no answer
/// within [`BOUND`] fails. Not sent (yet): chunked or slowly sent bodies, 128 MiB bodies.
pub(crate) const OVERSIZED_MESSAGE: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.robust.oversized-message"),
        title: "a 16 MiB message (stdio line, HTTP body) is refused (HTTP 413/400 or a JSON-RPC error), and the server keeps answering",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.resource-consumption", SIZE_RULE],
        applies: Applicability::ALWAYS,
        tags: &["robustness", "security", "limits", "negative"],
    },
    run: check_fn!(oversized_message),
};

async fn oversized_message(cx: &mut CheckContext) -> Conclusion {
    let mut s = cx.fresh_session_unobserved().await?;
    let value = [b"\"".as_slice(), &vec![b'a'; SIZE], b"\""].concat();
    let (msg, bytes) = with_hostile_param(&mut s, &value);
    drop(value);
    let inputs = vec![Input {
        name: format!("a message of {} bytes", bytes.len()),
        bytes,
        headers_from: Some(msg),
        may_accept: false,
        weak_rule: SIZE_RULE,
        // A stdio server that ends the session cleanly at its size limit kept its memory bounded (the TypeScript
        // SDK closes the transport past 10 MiB): it refused the message, but not the way that keeps it serving.
        ending_refuses: true,
    }];
    let judgement = Judgement {
        expected: "the 16 MiB message refused with HTTP 413 (or 400) or a JSON-RPC error, and a harmless request afterwards answered",
        cwe: 400,
        remediation: REMEDIATION,
        weak: Severity::Medium,
    };
    run_and_judge(s, inputs, BOUND.max(cx.timeout()), &judgement).await
}
