//! Malformed session ids are never served: empty, 10 KB long, or with characters outside visible ASCII.

use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite};
use crate::check_fn;
use crate::checks::http::probe::{Probe, clip, method_of};
use crate::checks::http::sessions::{STATEFUL_HTTP, no_sessions};

/// Length of the oversized id.
const LONG_ID: usize = 10 * 1024;

/// What to change when the check fails.
const REMEDIATION: &str = "look session ids up by exact match only and refuse anything else (empty, oversized, \
     characters outside 0x21–0x7E) with HTTP 400 or 404, never by falling back to a default or prefix-matched session";

/// Requests carrying a malformed `Mcp-Session-Id` are refused, not served.
///
/// After a normal initialize, the same harmless request is sent three times with a session id no server can have
/// issued: an empty value; the issued id padded to 10 KB (a server that compares a prefix would serve it); the
/// issued id with a space and a tab in the middle (not visible ASCII, which the spec requires of ids). Each must be
/// refused with a 4xx (400 or 404). The other cases of the catalogue row are judged by conformance checks: no id
/// (`http.session-required`), a never-issued UUID (`http.session-unknown-404`) and the ended id after DELETE
/// (`http.session-delete`). No sentence names these malformed ids, so serving them is a warning.
pub(crate) const SESSION_ENFORCEMENT: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.session-enforcement"),
        title: "requests with an empty, 10 KB or non-visible-ASCII Mcp-Session-Id are refused with HTTP 400 or 404",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &["security.session-required", "security.session-ids-non-deterministic"],
        applies: STATEFUL_HTTP,
        tags: &["http", "security", "session", "negative"],
    },
    run: check_fn!(session_enforcement),
};

async fn session_enforcement(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let Some(issued) = p.session_id() else {
        p.close().await;
        return Ok(no_sessions());
    };
    let result = enforcement(&mut p, &issued).await;
    p.close().await;
    result
}

/// The malformed ids, each with a name for evidence.
fn malformed(issued: &str) -> Vec<(&'static str, String)> {
    let mut long = issued.to_owned();
    long.extend(std::iter::repeat_n('A', LONG_ID.saturating_sub(issued.len())));
    let mid = issued.char_indices().nth(issued.chars().count() / 2).map_or(issued.len(), |(i, _)| i);
    let spaced = format!("{} \t{}", &issued[..mid], &issued[mid..]);
    vec![
        ("an empty Mcp-Session-Id", String::new()),
        ("the issued id padded to 10 KB", long),
        ("the issued id with a space and a tab inside", spaced),
    ]
}

async fn enforcement(p: &mut Probe, issued: &str) -> Conclusion {
    let expected = "each malformed Mcp-Session-Id refused with HTTP 400 or 404 (any 4xx), never served";
    let mut seen_all = Vec::new();
    for (what, id) in malformed(issued) {
        let msg = p.harmless_request();
        let method = method_of(&msg);
        let req = p.post(&msg).header("mcp-session-id", &id);
        let seen = p.exchange(req).await?;
        if !seen.client_error() {
            let observed = format!("`{method}` with {what} answered {}", seen.describe());
            let finding = Finding::new(Severity::High, Some(284), REMEDIATION)
                .matched(format!("Mcp-Session-Id: {:?}", clip(&id, 80)))
                .request(format!("POST `{method}` with {what}"))
                .answer(seen.describe());
            return Ok(Outcome::violated(expected, observed).with_finding(finding));
        }
        seen_all.push(format!("{what}: HTTP {}", seen.status));
    }
    Ok(Outcome::pass_with(seen_all.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_ids_are_empty_long_and_not_visible_ascii() {
        let ids = malformed("0123456789abcdef");
        assert_eq!(ids[0].1, "");
        assert_eq!(ids[1].1.len(), LONG_ID);
        assert!(ids[1].1.starts_with("0123456789abcdef"));
        assert_eq!(ids[2].1, "01234567 \t89abcdef");
    }
}
