//! Every message fits the run's message-size cap (judged over the whole run).

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Suite};
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
        requirements: &["wire.message-size"],
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
