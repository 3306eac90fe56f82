//! `ping` (stateful era).

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::evidence::{brief, expect_result};
use crate::protocol::Revision;

/// The checks of this area.
pub(crate) const CHECKS: &[Check] = &[RESPONDS];

/// `ping` is answered with an empty result.
pub(crate) const RESPONDS: Check = Check {
    meta: CheckMeta {
        id: CheckId("ping.responds"),
        title: "ping is answered promptly with an empty result",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["ping.response"],
        applies: Applicability { eras: Eras::Stateful, until: Some(Revision::V2026_07_28), ..Applicability::ALWAYS },
        tags: &["ping"],
    },
    run: check_fn!(responds),
};

async fn responds(cx: &mut CheckContext) -> Conclusion {
    let expected = "an empty result object ({} or only _meta)";
    let reply = cx.session()?.request("ping", None).await.map_err(|e| Outcome::from_session(e, expected))?;
    let result = expect_result(&reply, expected)?;
    match result.as_object() {
        Some(m) if m.keys().all(|k| k == "_meta") => Ok(Outcome::pass()),
        _ => Ok(Outcome::violated(expected, format!("result {}", brief(result)))),
    }
}
