//! DNS-rebinding defences: a foreign `Origin` is refused with 403, and a loopback server refuses a foreign `Host`.

use super::probe::{loopback_authority, method_of, Probe, Seen};
use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, SpecRef, Suite, Transports};
use crate::check_fn;
use crate::checks::evidence::initialize_params;
use crate::protocol::Revision;
use crate::wire::HttpRequest;

/// The foreign origin the checks claim to come from.
const EVIL_ORIGIN: &str = "http://evil.example";

/// The foreign host name the checks put in `Host`.
const EVIL_HOST: &str = "evil.example";

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
        spec: &[
            SpecRef {
                anchor: "basic/transports#security-warning",
                quote: "Servers MUST validate the `Origin` header on all incoming connections to prevent DNS rebinding attacks",
            },
            SpecRef {
                anchor: "basic/transports#security-warning",
                quote: "If the `Origin` header is present and invalid, servers MUST respond with HTTP 403 Forbidden.",
            },
        ],
        covers: &["transport.http.origin", "transport.http.origin-403"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "security", "origin", "negative"],
    },
    run: check_fn!(origin_403),
};

async fn origin_403(cx: &mut CheckContext) -> Conclusion {
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
        (!ok).then(|| Outcome::violated(expected, format!("{what} with `Origin: {EVIL_ORIGIN}` answered {}", seen.describe())))
    };
    // The opening request of a connection: initialize (stateful) or server/discover (stateless).
    if !p.stateless() {
        let init = serde_json::json!({
            "jsonrpc": "2.0", "id": p.session.next_id(), "method": "initialize",
            "params": initialize_params(cx, cx.revision().as_str()),
        });
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
        return Err(Outcome::error(format!("could not test: the control request without Origin was not served either ({})", control.describe())));
    }
    Ok(Outcome::pass_with(format!("foreign Origin: HTTP {}; no Origin: HTTP {}", foreign.status, control.status)))
}

/// A loopback server refuses a request whose `Host` names a foreign domain (the DNS-rebinding request).
///
/// The spec's MUST names `Origin`; validating `Host` is the defence every SDK applies for loopback servers
/// (python-sdk 421, rmcp 403, the TypeScript SDK's DNS-rebinding protection) and what the official suite's
/// `dns-rebinding-protection` scenario tests. The spec words no keyword for `Host`, so a server that serves the
/// request gets a warning, not a failure. The probe sends no `Origin`, so it tests `Host` alone
/// (`http.origin-403` tests `Origin`).
pub(crate) const HOST_VALIDATION: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.host-validation"),
        title: "a loopback server refuses a request whose Host header names a foreign domain",
        suite: Suite::Conformance,
        level: Level::Should,
        spec: &[
            SpecRef {
                anchor: "basic/transports#security-warning",
                quote: "Servers MUST validate the `Origin` header on all incoming connections to prevent DNS rebinding attacks",
            },
            SpecRef {
                anchor: "basic/transports#security-warning",
                quote: "Without these protections, attackers could use DNS rebinding to interact with local MCP servers from remote websites.",
            },
        ],
        covers: &["transport.http.origin"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "security", "dns-rebinding", "negative"],
    },
    run: check_fn!(host_validation),
};

async fn host_validation(cx: &mut CheckContext) -> Conclusion {
    let url = cx.http_target().map(|t| t.url.clone()).unwrap_or_default();
    let Some((_, port)) = loopback_authority(&url) else {
        return Ok(Outcome::skip(SkipReason::NotApplicable, "the target URL is not a loopback address; DNS rebinding targets local servers"));
    };
    let foreign_host = format!("{EVIL_HOST}:{port}");
    let expected = format!("`Host: {foreign_host}` refused with an HTTP 4xx (403 or 421)");
    let mut p = Probe::open(cx).await?;
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = p.post(&msg).header("host", &foreign_host);
    let seen = p.exchange(req).await;
    p.close().await;
    let seen = seen?;
    if seen.client_error() {
        Ok(Outcome::pass_with(format!("HTTP {}", seen.status)))
    } else {
        Ok(Outcome::violated(expected, format!("{method} with `Host: {foreign_host}` answered {}", seen.describe())))
    }
}
