//! What a POST gets back: 202 for notifications and responses, the two allowed reply media types, and
//! requests whose `Accept` or `Content-Type` is wrong.

use serde_json::json;

use super::probe::{Probe, SeenBody, is_mcp_reply_type, method_of};
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite, Transports,
};
use crate::check_fn;
use crate::message;

/// Streamable HTTP, both eras.
const HTTP: Applicability = Applicability { transports: Transports::Http, ..Applicability::ALWAYS };

/// A POSTed notification (and, in the stateful era, a POSTed response) is answered 202 with no body, or refused
/// with a 4xx.
///
/// The notification is `notifications/cancelled` for a request id that never existed, which receivers may
/// ignore; the response answers a request the server never sent. Both are harmless, and the spec lets a server
/// refuse either ("cannot accept the input") as long as it says so with an error status.
pub(crate) const NOTIFICATION_202: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.notification-202"),
        title: "a POSTed notification or response is answered 202 Accepted with no body (or refused with a 4xx)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.accepted-202", "transport.http.rejected-4xx"],
        applies: HTTP,
        tags: &["http", "notifications"],
    },
    run: check_fn!(notification_202),
};

async fn notification_202(cx: &mut CheckContext) -> Conclusion {
    let expected = "HTTP 202 Accepted with no body, or an HTTP error status when the server cannot accept the message";
    let mut p = Probe::open(cx).await?;
    let mut messages = vec![(
        "notification `notifications/cancelled`",
        message::notification(
            "notifications/cancelled",
            Some(json!({"requestId": "mcp-harness-never-sent", "reason": "mcp-harness transport check"})),
        ),
    )];
    // 2026 clients never POST responses; before, a client answers server requests with POSTed responses.
    if !p.stateless() {
        messages.push((
            "response to a request the server never sent",
            message::result("mcp-harness-unsolicited", json!({})),
        ));
    }
    let mut seen_all = Vec::new();
    for (what, msg) in messages {
        let req = p.post(&msg);
        let seen = match p.exchange(req).await {
            Ok(s) => s,
            Err(e) => {
                p.close().await;
                return Err(e);
            }
        };
        let accepted = seen.status == 202 && seen.body == SeenBody::Empty;
        if !(accepted || seen.status >= 400) {
            p.close().await;
            return Ok(Outcome::violated(expected, format!("{what} answered {}", seen.describe())));
        }
        seen_all.push(format!("{what}: HTTP {}", seen.status));
    }
    p.close().await;
    Ok(Outcome::pass_with(seen_all.join("; ")))
}

/// A request is answered with `application/json` or `text/event-stream`; one whose `Accept` lists neither is
/// refused with a 4xx (406) or still answered with one of the two.
///
/// The spec puts the `Accept` rule on the client ("The client MUST include an Accept header…") and says nothing
/// of what a server does when it is missing; RFC 9110 §12.5.1 lets a server either answer 406 or disregard
/// `Accept`. So serving such a request is not a violation; answering it with another media type, or a 5xx, is.
pub(crate) const ACCEPT_NEGOTIATION: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.accept-negotiation"),
        title: "requests are answered with Content-Type application/json or text/event-stream; an Accept listing neither gets a 4xx (406) or the same",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.request-content-type", "transport.http.accept-header"],
        applies: HTTP,
        tags: &["http", "content-negotiation"],
    },
    run: check_fn!(accept_negotiation),
};

async fn accept_negotiation(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let outcome = accept_probes(&mut p).await;
    p.close().await;
    Ok(outcome.unwrap_or_else(|o| o))
}

async fn accept_probes(p: &mut Probe) -> Result<Outcome, Outcome> {
    let expected = "a 2xx reply to a request carries Content-Type application/json or text/event-stream; \
                    a request whose Accept lists neither is refused with a 4xx (406) or answered the same way";
    // With the Accept a correct client sends.
    let msg = p.harmless_request();
    let req = p.post(&msg);
    let normal = p.exchange(req).await?;
    if !normal.success() {
        return Err(Outcome::error(format!(
            "could not test: `{}` was not served ({})",
            method_of(&msg),
            normal.describe()
        )));
    }
    if !normal.content_type.as_deref().is_some_and(is_mcp_reply_type) {
        return Ok(Outcome::violated(expected, format!("`{}` answered {}", method_of(&msg), normal.describe())));
    }
    // With an Accept that lists neither type.
    let msg = p.harmless_request();
    let req = p.post(&msg).without_header("accept").header("accept", "text/html");
    let html = p.exchange(req).await?;
    let verdict = if html.client_error() {
        Outcome::pass_with(format!(
            "standard Accept: {}; `Accept: text/html`: HTTP {}",
            normal.media_type().unwrap_or_default(),
            html.status
        ))
    } else if html.success() && html.content_type.as_deref().is_some_and(is_mcp_reply_type) {
        Outcome::pass_with(format!(
            "`Accept: text/html` was served anyway with {} (RFC 9110 allows disregarding Accept; SDKs answer 406)",
            html.media_type().unwrap_or_default()
        ))
    } else {
        Outcome::violated(
            expected,
            format!("`{}` with `Accept: text/html` answered {}", method_of(&msg), html.describe()),
        )
    };
    Ok(verdict)
}
