//! A JSON-RPC request POSTed as `text/plain` (the CSRF request a web page can send without a preflight) is refused.

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite,
    Transports,
};
use crate::check_fn;
use crate::checks::http::probe::{Probe, Seen, method_of};

/// A JSON-RPC request POSTed as `text/plain` is refused with a 4xx (415 or 400), not processed.
///
/// MCP names no request `Content-Type`, but a `text/plain` POST is what a web page can send cross-site without a
/// CORS preflight, so a server that processes it is open to cross-site request forgery unless it checks `Origin`.
/// SDKs refuse it (rmcp 415, python-sdk 400). No spec rule requires refusing it, so it is a defence judged by the
/// security suite, and a server that processes the request gets a warning.
pub(crate) const CONTENT_TYPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.content-type"),
        title: "a JSON-RPC request POSTed with Content-Type text/plain is refused with an HTTP 4xx (415 or 400)",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &["security.origin-validation"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "security", "csrf", "negative"],
    },
    run: check_fn!(content_type),
};

async fn content_type(cx: &mut CheckContext) -> Conclusion {
    let expected = "HTTP 415 Unsupported Media Type or 400 Bad Request";
    let mut p = Probe::open(cx).await?;
    let msg = p.harmless_request();
    let req = p.post(&msg).without_header("content-type").header("content-type", "text/plain");
    let seen = p.exchange(req).await;
    p.close().await;
    let seen: Seen = seen?;
    if seen.client_error() {
        Ok(Outcome::pass_with(format!("HTTP {}", seen.status)))
    } else {
        let finding = Finding::new(
            Severity::Medium,
            Some(352),
            "accept only Content-Type: application/json on POST (answer 415 otherwise), so a cross-site page cannot \
             send requests without a CORS preflight",
        )
        .request(format!("POST `{}` with Content-Type: text/plain", method_of(&msg)))
        .answer(seen.describe());
        Ok(Outcome::violated(expected, format!("`{}` as text/plain answered {}", method_of(&msg), seen.describe()))
            .with_finding(finding))
    }
}
