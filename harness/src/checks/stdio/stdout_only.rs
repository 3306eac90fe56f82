//! Nothing but MCP messages on stdout (judged over every process of the run).

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Suite, Transports,
};
use crate::check_fn;
use crate::checks::observed;
use crate::session::ViolationKind;

/// stdout carries only valid MCP messages.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("stdio.stdout-only-messages"),
        title: "the server writes nothing but MCP messages to stdout, in any of the run's processes",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.stdio.stdout-only-mcp"],
        applies: Applicability { transports: Transports::Stdio, needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["transport", "stdio", "wire"],
    },
    run: check_fn!(stdout_only),
};

async fn stdout_only(cx: &mut CheckContext) -> Conclusion {
    observed::judge(cx, &[ViolationKind::NonProtocolOutput], "only JSON-RPC messages on stdout", |s| {
        format!("{} lines on stdout, every one a JSON message", s.stdout_messages)
    })
    .await
}
