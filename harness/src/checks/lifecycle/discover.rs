//! The stateless era's `server/discover`.

use serde_json::Value;

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Needs, Outcome, Suite,
};
use crate::check_fn;
use crate::checks::evidence::{bare_session, brief, expect_result};
use crate::protocol::Revision;

/// `server/discover` lists supported versions and capabilities.
pub(crate) const RESULT: Check = Check {
    meta: CheckMeta {
        id: CheckId("lifecycle.discover.result"),
        title: "server/discover answers with supportedVersions (including 2026-07-28) and capabilities",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["discover.result"],
        applies: Applicability {
            eras: Eras::Stateless,
            since: Revision::V2026_07_28,
            needs: Needs::Connection,
            ..Applicability::ALWAYS
        },
        tags: &["lifecycle", "discover", "stateless"],
    },
    run: check_fn!(discover_result),
};

async fn discover_result(cx: &mut CheckContext) -> Conclusion {
    let expected = "a result with supportedVersions (array of strings including 2026-07-28) and capabilities (object)";
    let mut s = bare_session(cx).await?;
    let reply = s.request("server/discover", Some(s.stateless_params(None))).await;
    s.close().await;
    let reply = reply.map_err(|e| Outcome::from_session(e, expected))?;
    let result = expect_result(&reply, expected)?;
    let versions = result.get("supportedVersions").and_then(Value::as_array);
    let mut problems = Vec::new();
    match versions {
        Some(v) if v.iter().all(Value::is_string) && v.iter().any(|x| x == Revision::V2026_07_28.as_str()) => {}
        Some(_) => problems.push("supportedVersions does not list 2026-07-28 (or has non-strings)"),
        None => problems.push("supportedVersions is missing or not an array"),
    }
    if !result.get("capabilities").is_some_and(Value::is_object) {
        problems.push("capabilities is missing or not an object");
    }
    if problems.is_empty() {
        Ok(Outcome::pass())
    } else {
        Ok(Outcome::violated(expected, format!("{}: {}", problems.join("; "), brief(result))))
    }
}
