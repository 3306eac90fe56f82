//! Nothing but MCP messages on stdout.

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SpecRef, Suite, Transports};
use crate::check_fn;
use crate::protocol::Era;

/// stdout carries only valid MCP messages.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("stdio.stdout-hygiene"),
        title: "the server writes nothing but MCP messages to stdout",
        suite: Suite::Conformance,
        level: Level::Must,
        spec: &[SpecRef {
            anchor: "basic/transports#stdio",
            quote: "The server MUST NOT write anything to its stdout that is not a valid MCP message.",
        }],
        covers: &["transport.stdio.stdout-only-mcp"],
        applies: Applicability { transports: Transports::Stdio, ..Applicability::ALWAYS },
        tags: &["transport", "stdio"],
    },
    run: check_fn!(hygiene),
};

async fn hygiene(cx: &mut CheckContext) -> Conclusion {
    let mut s = cx.fresh_session().await?;
    // Exercise a few exchanges so that anything the server prints along the way shows up.
    if s.profile.capabilities.get("tools").is_some() {
        let _ = s.request("tools/list", None).await;
    }
    if cx.revision().era() == Era::Stateful {
        let _ = s.request("ping", None).await;
    }
    let _ = s.request("mcp-harness/no-such-method", None).await;
    let _ = s.collect_notifications(std::time::Duration::from_millis(200), |_| false).await;
    let stray: Vec<String> = s.stray().filter(|l| l.starts_with("not JSON") || l.starts_with("oversized")).cloned().collect();
    s.close().await;
    if stray.is_empty() {
        Ok(Outcome::pass())
    } else {
        Ok(Outcome::violated("only JSON-RPC messages on stdout", format!("{} non-MCP line(s) on stdout:\n{}", stray.len(), stray.join("\n"))))
    }
}
