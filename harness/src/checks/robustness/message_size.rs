//! Every message fits the run's message-size cap (judged over the whole run).

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, SpecRef, Suite};
use crate::check_fn;
use crate::checks::observed;
use crate::session::ViolationKind;

/// Messages fit the cap.
pub(crate) const MESSAGE_SIZE: Check = Check {
    meta: CheckMeta {
        id: CheckId("wire.message-size"),
        title: "every message the server sends fits the run's message-size cap (--max-message-bytes, 16 MiB by default)",
        suite: Suite::Conformance,
        level: Level::Must,
        spec: &[SpecRef {
            anchor: "repo:suites/requirements/README.md#the-harnesss-own-limits",
            quote: "Every message a server sends MUST fit within the client's message-size limit: mcp-harness reads at \
                    most --max-message-bytes (16 MiB by default) per stdio line or HTTP body, and a larger message \
                    cannot be read, so the answer it carries cannot be used.",
        }],
        covers: &["wire.message-size"],
        applies: Applicability { needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["robustness", "wire", "limits"],
    },
    run: check_fn!(message_size),
};

async fn message_size(cx: &mut CheckContext) -> Conclusion {
    let cap = cx.limits().max_line_bytes.max(cx.limits().max_body_bytes);
    observed::judge(cx, &[ViolationKind::Oversized], &format!("messages of at most {cap} bytes"), |_| {
        format!("no message over the cap of {cap} bytes")
    })
    .await
}
