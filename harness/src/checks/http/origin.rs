//! The spec's DNS-rebinding defence: a foreign `Origin` is refused with 403. (A foreign `Host`, which the spec does
//! not mention, is the security suite's `security.http.host-rebinding`.)

use super::probe::{Probe, Seen, loopback_authority, method_of};
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite, Transports,
};
use crate::check_fn;
use crate::checks::evidence::initialize_params;
use crate::protocol::Revision;
use crate::wire::HttpRequest;

/// The foreign origin the checks claim to come from.
const EVIL_ORIGIN: &str = "http://evil.example";

/// A present, invalid `Origin` is refused with 403 (any 4xx before 2025-11-25).
///
/// Applies to every Streamable HTTP server, not only loopback ones: the spec says "on all incoming connections".
/// A request without `Origin` (what non-browser clients send) must still be served; that is the control.
pub(crate) const ORIGIN_403: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.origin-403"),
        title: "a request with a foreign Origin is refused with HTTP 403 (any 4xx before 2025-11-25)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.origin", "transport.http.origin-403"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "security", "origin", "negative"],
    },
    run: check_fn!(origin_403),
};

async fn origin_403(cx: &mut CheckContext) -> Conclusion {
    // Which Origins are invalid is the server's policy: for a local server a foreign web page's Origin plainly is
    // one (the DNS-rebinding attack the rule is about); a public server may serve any Origin by design.
    let url = cx.http_target().map(|t| t.url.clone()).unwrap_or_default();
    if loopback_authority(&url).is_none() {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "not judged: the target is not on a loopback address, and which Origins a remote server treats as \
             invalid is its own policy",
        ));
    }
    let strict = cx.revision() >= Revision::V2025_11_25;
    let expected = if strict {
        format!("`Origin: {EVIL_ORIGIN}` refused with HTTP 403; the same request without Origin served")
    } else {
        format!("`Origin: {EVIL_ORIGIN}` refused with an HTTP 4xx; the same request without Origin served")
    };
    let mut p = Probe::open(cx).await?;
    let outcome = origin_probes(cx, &mut p, strict, &expected).await;
    p.close().await;
    Ok(outcome.unwrap_or_else(|o| o))
}

async fn origin_probes(cx: &CheckContext, p: &mut Probe, strict: bool, expected: &str) -> Result<Outcome, Outcome> {
    let judge = |what: &str, seen: &Seen| -> Option<Outcome> {
        let ok = if strict { seen.status == 403 } else { seen.client_error() };
        (!ok).then(|| {
            Outcome::violated(expected, format!("{what} with `Origin: {EVIL_ORIGIN}` answered {}", seen.describe()))
        })
    };
    // The opening request of a connection: initialize (stateful) or server/discover (stateless).
    if !p.stateless() {
        let params = initialize_params(cx, cx.revision().as_str());
        let init = crate::message::request(p.session.next_id(), "initialize", Some(params));
        let reply = p.send(HttpRequest::post(init.to_string()).header("origin", EVIL_ORIGIN)).await?;
        // A server that wrongly accepted it opened a session: end it.
        let leaked = reply.header("mcp-session-id").map(str::to_owned);
        let seen = Seen::read(reply, p.timeout).await;
        if let Some(id) = leaked.filter(|_| seen.success()) {
            let _ = p.send(HttpRequest::delete().header("mcp-session-id", &id)).await;
        }
        if let Some(v) = judge("initialize", &seen) {
            return Ok(v);
        }
    }
    // A request inside the session.
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = p.post(&msg).header("origin", EVIL_ORIGIN);
    let foreign = p.exchange(req).await?;
    if let Some(v) = judge(&method, &foreign) {
        return Ok(v);
    }
    // The control: the same request without Origin is served, so the 4xx above was about the Origin.
    let msg = p.harmless_request();
    let req = p.post(&msg);
    let control = p.exchange(req).await?;
    if !control.success() {
        return Err(Outcome::error(format!(
            "could not test: the control request without Origin was not served either ({})",
            control.describe()
        )));
    }
    Ok(Outcome::pass_with(format!("foreign Origin: HTTP {}; no Origin: HTTP {}", foreign.status, control.status)))
}
