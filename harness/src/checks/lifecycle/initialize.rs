//! The stateful `initialize` handshake.

use serde_json::Value;

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Needs, Outcome, Suite,
};
use crate::check_fn;
use crate::checks::evidence::{bare_session, brief, expect_result, initialize_params, is_known_revision};

/// The stateful era; the checks perform the handshake themselves, so they run even when the run's failed.
const STATEFUL: Applicability =
    Applicability { eras: Eras::Stateful, needs: Needs::Connection, ..Applicability::ALWAYS };

/// `initialize` is answered with the server's version, capabilities and information.
pub(crate) const SUCCEEDS: Check = Check {
    meta: CheckMeta {
        id: CheckId("lifecycle.initialize.succeeds"),
        title: "initialize is answered with protocolVersion, capabilities and serverInfo",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["lifecycle.initialize-result"],
        applies: STATEFUL,
        tags: &["lifecycle", "handshake"],
    },
    run: check_fn!(succeeds),
};

async fn succeeds(cx: &mut CheckContext) -> Conclusion {
    let expected = "a result with protocolVersion (string), capabilities (object) and serverInfo {name, version}";
    let mut s = bare_session(cx).await?;
    let params = initialize_params(cx, cx.revision().as_str());
    let reply = s.request("initialize", Some(params)).await;
    s.close().await;
    let reply = reply.map_err(|e| Outcome::from_session(e, expected))?;
    let result = expect_result(&reply, expected)?;
    let mut problems = Vec::new();
    if !result.get("protocolVersion").is_some_and(Value::is_string) {
        problems.push("protocolVersion is missing or not a string");
    }
    if !result.get("capabilities").is_some_and(Value::is_object) {
        problems.push("capabilities is missing or not an object");
    }
    match result.get("serverInfo") {
        Some(info)
            if info.get("name").is_some_and(Value::is_string) && info.get("version").is_some_and(Value::is_string) => {}
        _ => problems.push("serverInfo is missing or lacks string name/version"),
    }
    if problems.is_empty() {
        Ok(Outcome::pass_with(format!("protocolVersion {}", result["protocolVersion"])))
    } else {
        Ok(Outcome::violated(expected, format!("{}: {}", problems.join("; "), brief(result))))
    }
}

/// An unknown requested version is answered with a version the server supports.
pub(crate) const VERSION_NEGOTIATION: Check = Check {
    meta: CheckMeta {
        id: CheckId("lifecycle.initialize.version-negotiation"),
        title: "an unsupported requested protocol version is answered with a version the server supports",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["lifecycle.version-negotiation", "lifecycle.version-fallback"],
        applies: STATEFUL,
        tags: &["lifecycle", "handshake", "version"],
    },
    run: check_fn!(version_negotiation),
};

/// Whether `v` has the form of an MCP protocol version: a `YYYY-MM-DD` date.
fn is_revision_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A version string no server supports.
const UNSUPPORTED_VERSION: &str = "1999-01-01";

async fn version_negotiation(cx: &mut CheckContext) -> Conclusion {
    let expected = format!(
        "requested {UNSUPPORTED_VERSION}: a result naming another protocol version (a revision date) \
         (or an error whose data lists the supported versions)"
    );
    let mut s = bare_session(cx).await?;
    let params = initialize_params(cx, UNSUPPORTED_VERSION);
    let reply = s.request("initialize", Some(params)).await;
    s.close().await;
    let reply = reply.map_err(|e| Outcome::from_session(e, &expected))?;
    match &reply.outcome {
        Ok(result) => match result.get("protocolVersion").and_then(Value::as_str) {
            Some(v) if v == UNSUPPORTED_VERSION => {
                Ok(Outcome::violated(expected, format!("echoed the unsupported version {v:?}")))
            }
            Some(v) if is_known_revision(v) => Ok(Outcome::pass_with(format!("answered {v}"))),
            // Another version the server supports, which this harness does not speak (older, newer, a draft).
            Some(v) if is_revision_date(v) => {
                Ok(Outcome::pass_with(format!("answered {v} (a version mcp-harness does not speak)")))
            }
            Some(v) => Ok(Outcome::violated(
                expected,
                format!("answered protocolVersion {v:?}, which is not a protocol version"),
            )),
            None => Ok(Outcome::violated(expected, format!("result has no protocolVersion string: {}", brief(result)))),
        },
        // The spec's own lifecycle example answers an unsupported version with an error listing the supported
        // ones; accept that shape too rather than fail a server for following the example.
        Err(e) => {
            let lists_supported = e
                .data
                .as_ref()
                .and_then(|d| d.get("supported"))
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().filter_map(Value::as_str).any(is_known_revision));
            if lists_supported {
                Ok(Outcome::pass_with(format!("error {} listing supported versions", e.code.unwrap_or_default())))
            } else {
                Ok(Outcome::violated(expected, format!("answered {}", reply.brief())))
            }
        }
    }
}
