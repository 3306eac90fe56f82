//! Session management (stateful era): the id's alphabet, requests without it, unknown ids, ending a session.

use super::probe::{Probe, made_up_session_id, method_of};
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, SkipReason, Suite,
    Transports,
};
use crate::check_fn;
use crate::wire::HttpRequest;

/// HTTP, stateful era: sessions exist only there.
pub(crate) const STATEFUL_HTTP: Applicability =
    Applicability { transports: Transports::Http, eras: Eras::Stateful, ..Applicability::ALWAYS };

/// The skip for servers that run without sessions.
pub(crate) fn no_sessions() -> Outcome {
    Outcome::skip(
        SkipReason::NotApplicable,
        "the server issued no Mcp-Session-Id on initialize (it runs without sessions)",
    )
}

/// The session id issued on initialize contains only visible ASCII.
pub(crate) const ID_VISIBLE_ASCII: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.session-id-visible-ascii"),
        title: "the Mcp-Session-Id issued on initialize contains only visible ASCII (0x21–0x7E)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.session-id-ascii"],
        applies: STATEFUL_HTTP,
        tags: &["http", "session"],
    },
    run: check_fn!(id_visible_ascii),
};

async fn id_visible_ascii(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let id = p.session_id();
    p.close().await;
    let Some(id) = id else { return Ok(no_sessions()) };
    let bad: Vec<String> =
        id.chars().filter(|c| !('\u{21}'..='\u{7e}').contains(c)).map(|c| format!("U+{:04X}", c as u32)).collect();
    if id.is_empty() {
        Ok(Outcome::violated("a non-empty id of visible ASCII characters", "the Mcp-Session-Id header is empty"))
    } else if bad.is_empty() {
        Ok(Outcome::pass_with(format!("{} characters", id.chars().count())))
    } else {
        Ok(Outcome::violated(
            "an id of visible ASCII characters (0x21–0x7E) only",
            format!("Mcp-Session-Id {id:?} contains {}", bad.join(", ")),
        ))
    }
}

/// A request without the session id is answered 400.
///
/// Only for servers that issued an id. A server that serves the request anyway does not "require a session
/// ID", so the requirement does not apply to it (skipped, not passed).
pub(crate) const REQUIRED: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.session-required"),
        title: "a request without Mcp-Session-Id (other than initialize) is answered with HTTP 400",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["transport.http.session-missing-400"],
        applies: STATEFUL_HTTP,
        tags: &["http", "session", "negative"],
    },
    run: check_fn!(required),
};

async fn required(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    if p.session_id().is_none() {
        p.close().await;
        return Ok(no_sessions());
    }
    let msg = p.harmless_request();
    let req = p.post(&msg).without_header("mcp-session-id");
    let seen = p.exchange(req).await;
    p.close().await;
    let seen = seen?;
    let method = method_of(&msg);
    if seen.status == 400 {
        Ok(Outcome::pass())
    } else if seen.success() && seen.has_result() {
        Ok(Outcome::skip(
            SkipReason::NotApplicable,
            format!("the server served `{method}` without Mcp-Session-Id: it does not require session ids"),
        ))
    } else {
        Ok(Outcome::violated(
            "HTTP 400 Bad Request",
            format!("`{method}` without Mcp-Session-Id answered {}", seen.describe()),
        ))
    }
}

/// A session id the server does not know is answered 404.
///
/// The spec's MUST is worded for sessions the server terminated (`http.session-delete` judges it). An id the server
/// never issued is the same situation from the client's side, and 404 is the signal that makes a client start a
/// new session — but no sentence requires it, so a server that answers otherwise gets a warning.
pub(crate) const UNKNOWN_404: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.session-unknown-404"),
        title: "a request carrying a session id the server never issued is answered with HTTP 404",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["transport.http.session-404", "transport.http.session-reinitialize"],
        applies: STATEFUL_HTTP,
        tags: &["http", "session", "negative"],
    },
    run: check_fn!(unknown_404),
};

async fn unknown_404(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    if p.session_id().is_none() {
        p.close().await;
        return Ok(no_sessions());
    }
    let unknown = made_up_session_id();
    let msg = p.harmless_request();
    let req = p.post(&msg).without_header("mcp-session-id").header("mcp-session-id", &unknown);
    let seen = p.exchange(req).await;
    p.close().await;
    let seen = seen?;
    if seen.status == 404 {
        Ok(Outcome::pass())
    } else {
        Ok(Outcome::violated(
            "HTTP 404 Not Found",
            format!("`{}` with unknown Mcp-Session-Id {unknown} answered {}", method_of(&msg), seen.describe()),
        ))
    }
}

/// DELETE ends the session (or is refused with 405), after which the id is answered 404.
pub(crate) const DELETE: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.session-delete"),
        title: "DELETE with the session id ends the session (or is refused with 405); the ended id is then answered with HTTP 404",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &[
            "transport.http.session-delete",
            "transport.http.session-delete-405",
            "transport.http.session-404",
        ],
        applies: STATEFUL_HTTP,
        tags: &["http", "session"],
    },
    run: check_fn!(delete),
};

async fn delete(cx: &mut CheckContext) -> Conclusion {
    let expected = "DELETE answered 2xx (or 405), then requests with the ended id answered HTTP 404";
    let mut p = Probe::open(cx).await?;
    if p.session_id().is_none() {
        p.close().await;
        return Ok(no_sessions());
    }
    let req = p.bare(HttpRequest::delete());
    let deleted = match p.exchange(req).await {
        Ok(seen) => seen,
        Err(e) => {
            p.close().await;
            return Err(e);
        }
    };
    if deleted.status == 405 {
        p.close_without_delete().await;
        return Ok(Outcome::pass_with("DELETE answered 405: the server does not let clients end sessions"));
    }
    if !deleted.success() {
        // No rule makes a server honour DELETE; a refused DELETE ended nothing, so there is nothing to judge.
        p.close_without_delete().await;
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("not judged: DELETE was refused ({}), so no session ended", deleted.describe()),
        ));
    }
    let msg = p.harmless_request();
    let req = p.post(&msg);
    let after = p.exchange(req).await;
    p.close_without_delete().await;
    let after = after?;
    if after.status == 404 {
        Ok(Outcome::pass_with(format!("DELETE answered HTTP {}; the ended id HTTP 404", deleted.status)))
    } else {
        Ok(Outcome::violated(
            expected,
            format!(
                "DELETE answered HTTP {}, then `{}` with the ended id answered {}",
                deleted.status,
                method_of(&msg),
                after.describe()
            ),
        ))
    }
}
