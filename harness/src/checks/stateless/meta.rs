//! Per-request `_meta` in the stateless era: required fields, supported versions.

use serde_json::{Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, Suite,
};
use crate::check_fn;
use crate::checks::evidence::bare_session;
use crate::protocol::Revision;
use crate::session::RpcReply;

/// Stateless era only.
const STATELESS: Applicability =
    Applicability { eras: Eras::Stateless, since: Revision::V2026_07_28, ..Applicability::ALWAYS };

/// A version string no server supports.
const UNSUPPORTED_VERSION: &str = "1999-01-01";

/// A request without `_meta` protocolVersion is rejected.
pub(crate) const META_REQUIRED: Check = Check {
    meta: CheckMeta {
        id: CheckId("stateless.meta-required"),
        title: "a request whose _meta lacks io.modelcontextprotocol/protocolVersion is rejected with -32602 (HTTP 400)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["meta.required-fields-http-400", "meta.required-fields"],
        applies: STATELESS,
        tags: &["stateless", "meta", "negative"],
    },
    run: check_fn!(meta_required),
};

/// A request every stateless server serves: the list of an advertised capability, else `server/discover`.
fn probe_method(cx: &CheckContext) -> &'static str {
    [
        (Capability::Tools, "tools/list"),
        (Capability::Prompts, "prompts/list"),
        (Capability::Resources, "resources/list"),
    ]
    .into_iter()
    .find(|(c, _)| cx.profile().has(*c))
    .map_or("server/discover", |(_, m)| m)
}

/// Judges a rejection: the JSON-RPC code, and 400 over HTTP.
fn judge(reply: &RpcReply, codes: &[i64], http: bool, expected: &str) -> Result<i64, Outcome> {
    let Some(code) = reply.error_code().filter(|c| codes.contains(c)) else {
        return Err(Outcome::violated(expected, format!("answered {}", reply.brief())));
    };
    if http && reply.http_status != Some(400) {
        let status = reply.http_status.map_or_else(|| "(unknown)".to_owned(), |s| s.to_string());
        return Err(Outcome::violated(expected, format!("error {code} but HTTP status {status}")));
    }
    Ok(code)
}

async fn meta_required(cx: &mut CheckContext) -> Conclusion {
    let method = probe_method(cx);
    let http = !cx.is_stdio();
    let expected = format!(
        "{method} without `_meta` protocolVersion: error -32602{}",
        if http { " (or, as the header and body then disagree, -32020) with HTTP 400" } else { "" }
    );
    let options = cx.session_options();
    let params = json!({"_meta": {
        "io.modelcontextprotocol/clientCapabilities": options.answers.capabilities(),
        "io.modelcontextprotocol/clientInfo": options.client_info,
    }});
    let mut s = bare_session(cx).await?;
    let reply = s.request_with_timeout(method, Some(params), cx.timeout()).await;
    s.close().await;
    let reply = reply.map_err(|e| Outcome::from_session(e, &expected))?;
    // Over HTTP the MCP-Protocol-Version header still names the version the body lacks, so the HeaderMismatch
    // rule (-32020) applies as well as the missing-_meta one (-32602).
    let codes: &[i64] = if http { &[-32602, -32020] } else { &[-32602] };
    let code = judge(&reply, codes, http, &expected)?;
    Ok(Outcome::pass_with(format!("{method}: {code}")))
}

/// An unsupported version is rejected with -32022 listing the supported ones.
pub(crate) const UNSUPPORTED_VERSION_CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("stateless.unsupported-version"),
        title: "a request for protocol version 1999-01-01 is answered with -32022 listing the supported versions (HTTP 400)",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["lifecycle.version-negotiation", "transport.http.unsupported-version-400"],
        applies: STATELESS,
        tags: &["stateless", "version", "negative"],
    },
    run: check_fn!(unsupported_version),
};

async fn unsupported_version(cx: &mut CheckContext) -> Conclusion {
    let method = probe_method(cx);
    let http = !cx.is_stdio();
    let expected = format!(
        "{method} with protocolVersion {UNSUPPORTED_VERSION}: error -32022 whose data.supported lists versions{}",
        if http { ", HTTP 400" } else { "" }
    );
    let options = cx.session_options();
    let params = json!({"_meta": {
        "io.modelcontextprotocol/protocolVersion": UNSUPPORTED_VERSION,
        "io.modelcontextprotocol/clientCapabilities": options.answers.capabilities(),
        "io.modelcontextprotocol/clientInfo": options.client_info,
    }});
    let mut s = bare_session(cx).await?;
    if let Some(h) = s.connection().http() {
        // The header must match `_meta`, or the server would rightly answer a header mismatch instead.
        h.protocol_header = Some(UNSUPPORTED_VERSION.to_owned());
    }
    let reply = s.request_with_timeout(method, Some(params), cx.timeout()).await;
    s.close().await;
    let reply = reply.map_err(|e| Outcome::from_session(e, &expected))?;
    judge(&reply, &[-32022], http, &expected)?;
    let supported = match &reply.outcome {
        Err(e) => e.data.as_ref().and_then(|d| d.get("supported")).and_then(Value::as_array).cloned(),
        Ok(_) => None,
    };
    match supported {
        Some(list) if !list.is_empty() && list.iter().all(Value::is_string) => {
            Ok(Outcome::pass_with(format!("-32022, supported {}", Value::Array(list))))
        }
        _ => Ok(Outcome::violated(
            expected,
            format!(
                "error -32022 without a non-empty data.supported list: {}",
                crate::checks::evidence::brief(&reply.raw)
            ),
        )),
    }
}
