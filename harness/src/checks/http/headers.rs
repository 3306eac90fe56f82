//! Request-metadata headers: `MCP-Protocol-Version` (since 2025-06-18) and the 2026 `Mcp-Method`/`Mcp-Name`
//! mirrors, which must match the body.

use serde_json::json;

use super::probe::{Probe, Seen, method_of};
use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, Suite,
    Transports,
};
use crate::check_fn;
use crate::protocol::Revision;

/// A protocol version no server supports.
const BOGUS_VERSION: &str = "1999-01-01";

/// The JSON-RPC `HeaderMismatch` error code (2026-07-28).
const HEADER_MISMATCH: i64 = -32020;

/// HTTP, stateless era only.
const STATELESS_HTTP: Applicability = Applicability {
    transports: Transports::Http,
    eras: Eras::Stateless,
    since: Revision::V2026_07_28,
    ..Applicability::ALWAYS
};

/// An invalid `MCP-Protocol-Version` header is answered 400.
///
/// The same request in both eras: the session's request with the header set to `1999-01-01`. In 2026 that
/// value is both unsupported and different from the body's `_meta` version; both rules answer 400 (with
/// `UnsupportedProtocolVersionError` or `HeaderMismatch`), so only the status is judged.
pub(crate) const PROTOCOL_VERSION_HEADER: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.protocol-version-header"),
        title: "a request with an invalid or unsupported MCP-Protocol-Version header is answered with HTTP 400",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.protocol-version-header", "transport.http.unsupported-version-400"],
        applies: Applicability { transports: Transports::Http, since: Revision::V2025_06_18, ..Applicability::ALWAYS },
        tags: &["http", "version", "negative"],
    },
    run: check_fn!(protocol_version_header),
};

async fn protocol_version_header(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let msg = p.harmless_request();
    let req = p.post(&msg).without_header("mcp-protocol-version").header("mcp-protocol-version", BOGUS_VERSION);
    let seen = p.exchange(req).await;
    p.close().await;
    let seen = seen?;
    if seen.status == 400 {
        Ok(Outcome::pass_with(seen.describe()))
    } else {
        Ok(Outcome::violated(
            "HTTP 400 Bad Request",
            format!("`{}` with `MCP-Protocol-Version: {BOGUS_VERSION}` answered {}", method_of(&msg), seen.describe()),
        ))
    }
}

/// Judges a reply that must be `400 Bad Request` with a JSON-RPC error of code `code`.
fn expect_400_with(seen: &Seen, code: i64, what: &str) -> Option<Outcome> {
    if seen.status == 400 && seen.error_code() == Some(code) {
        return None;
    }
    Some(Outcome::violated(
        format!("HTTP 400 with a JSON-RPC error, code {code}"),
        format!("{what} answered {}", seen.describe()),
    ))
}

/// `MCP-Protocol-Version` differing from the body's `_meta` version is rejected with 400 and `HeaderMismatch`.
///
/// As in the official suite (`sep-2575-http-server-header-mismatch-400`), the header carries the run's version
/// and the body's `_meta` another one.
pub(crate) const VERSION_MISMATCH: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.version-mismatch"),
        title: "an MCP-Protocol-Version header that differs from the body's _meta protocolVersion is rejected with HTTP 400 and error -32020",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.protocol-version-header", "transport.http.header-mismatch-error"],
        applies: STATELESS_HTTP,
        tags: &["http", "version", "headers", "negative"],
    },
    run: check_fn!(version_mismatch),
};

async fn version_mismatch(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let mut msg = p.harmless_request();
    msg["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(BOGUS_VERSION);
    let req = p.post(&msg);
    let seen = p.exchange(req).await;
    p.close().await;
    let seen = seen?;
    let what = format!("`{}` with header {} but _meta protocolVersion {BOGUS_VERSION}", method_of(&msg), cx.revision());
    // Only HeaderMismatch tells that the header was compared at all: a server that ignores the header and rejects
    // the body's unsupported version (-32022) would otherwise pass. As the official suite judges it.
    Ok(expect_400_with(&seen, HEADER_MISMATCH, &what).unwrap_or_else(|| Outcome::pass_with(seen.describe())))
}

/// `Mcp-Method` and `Mcp-Name` must be present and match the body; otherwise 400 with `HeaderMismatch`.
///
/// Three probes: `Mcp-Method` naming another method, `Mcp-Method` missing, and (when the server offers tools) a
/// `tools/call` whose `Mcp-Name` differs from `params.name`. The tool names are made up on both sides, so a
/// server that ignores the headers answers "unknown tool" and nothing runs.
pub(crate) const HEADER_MISMATCH_CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.header-mismatch"),
        title: "a missing Mcp-Method, or an Mcp-Method/Mcp-Name that differs from the body, is rejected with HTTP 400 and error -32020",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &[
            "transport.http.header-body-match",
            "transport.http.header-mismatch-error",
            "transport.http.header-missing",
        ],
        applies: STATELESS_HTTP,
        tags: &["http", "headers", "security", "negative"],
    },
    run: check_fn!(header_mismatch),
};

async fn header_mismatch(cx: &mut CheckContext) -> Conclusion {
    let has_tools = cx.profile().has(Capability::Tools);
    let mut p = Probe::open(cx).await?;
    let outcome = header_probes(&mut p, has_tools).await;
    p.close().await;
    Ok(outcome.unwrap_or_else(|o| o))
}

async fn header_probes(p: &mut Probe, has_tools: bool) -> Result<Outcome, Outcome> {
    let mut done = Vec::new();
    // Mcp-Method naming another method than the body.
    let msg = p.harmless_request();
    let other = if method_of(&msg) == "tools/list" { "prompts/list" } else { "tools/list" };
    let req = p.post(&msg).without_header("mcp-method").header("mcp-method", other);
    let seen = p.exchange(req).await?;
    if let Some(v) =
        expect_400_with(&seen, HEADER_MISMATCH, &format!("`{}` with `Mcp-Method: {other}`", method_of(&msg)))
    {
        return Ok(v);
    }
    done.push("Mcp-Method mismatch");
    // Mcp-Method missing.
    let msg = p.harmless_request();
    let req = p.post(&msg).without_header("mcp-method");
    let seen = p.exchange(req).await?;
    if let Some(v) = expect_400_with(&seen, HEADER_MISMATCH, &format!("`{}` without Mcp-Method", method_of(&msg))) {
        return Ok(v);
    }
    done.push("Mcp-Method missing");
    // Mcp-Name differing from params.name.
    if has_tools {
        let msg = p.request("tools/call", Some(json!({"name": "mcp-harness-body-tool", "arguments": {}})));
        let req = p.post(&msg).without_header("mcp-name").header("mcp-name", "mcp-harness-header-tool");
        let seen = p.exchange(req).await?;
        let what = "`tools/call` of `mcp-harness-body-tool` with `Mcp-Name: mcp-harness-header-tool`";
        if let Some(v) = expect_400_with(&seen, HEADER_MISMATCH, what) {
            return Ok(v);
        }
        done.push("Mcp-Name mismatch");
    }
    Ok(Outcome::pass_with(format!("HTTP 400 and -32020 for: {}", done.join(", "))))
}

/// An unknown method is answered `404 Not Found` with error -32601 (2026).
pub(crate) const METHOD_NOT_FOUND_404: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.method-not-found-404"),
        title: "a request for a method the server does not implement is answered with HTTP 404 and error -32601",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.method-not-found-404"],
        applies: STATELESS_HTTP,
        tags: &["http", "errors", "negative"],
    },
    run: check_fn!(method_not_found_404),
};

async fn method_not_found_404(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let msg = p.request("mcp-harness/no-such-method", Some(json!({})));
    let req = p.post(&msg);
    let seen = p.exchange(req).await;
    p.close().await;
    let seen = seen?;
    if seen.status == 404 && seen.error_code() == Some(-32601) {
        let id_echoed = seen.message().and_then(|m| m.get("id")) == msg.get("id");
        Ok(Outcome::pass_with(if id_echoed { "HTTP 404, -32601" } else { "HTTP 404, -32601 (id not echoed)" }))
    } else {
        Ok(Outcome::violated(
            "HTTP 404 Not Found with a JSON-RPC error, code -32601",
            format!("`mcp-harness/no-such-method` answered {}", seen.describe()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::checks::http::probe::SeenBody;

    fn seen(status: u16, body: Value) -> Seen {
        Seen { status, content_type: Some("application/json".to_owned()), body: SeenBody::Json(body) }
    }

    #[test]
    fn header_mismatch_needs_both_the_status_and_the_code() {
        let good = seen(400, json!({"jsonrpc":"2.0","id":1,"error":{"code":-32020,"message":"x"}}));
        assert!(expect_400_with(&good, HEADER_MISMATCH, "x").is_none());
        let wrong_code = seen(400, json!({"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"x"}}));
        assert!(expect_400_with(&wrong_code, HEADER_MISMATCH, "x").is_some());
        let wrong_status = seen(200, json!({"jsonrpc":"2.0","id":1,"error":{"code":-32020,"message":"x"}}));
        assert!(expect_400_with(&wrong_status, HEADER_MISMATCH, "x").is_some());
    }
}
