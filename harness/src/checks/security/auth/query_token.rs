//! A token in the URL's query string is not a credential: it ends up in logs, histories and `Referer` headers.

use serde_json::Value;

use super::{Answer, open, without_token};
use crate::check::{
    Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::http::probe::{Probe, method_of};
use crate::wire::HttpRequest;

/// What to change when the check fails.
const REMEDIATION: &str = "accept access tokens only in the Authorization header; ignore `access_token` (and any \
     other token parameter) in the query string and answer such a request with 401";

/// Without `Authorization`, to the endpoint URL with `?access_token=<the run's valid token>` (RFC 6750 §2.3's
/// parameter): on 2025 revisions an `initialize` without a session (a request in an existing session could be
/// refused for belonging to another principal, which would hide the acceptance), on 2026-07-28 `server/discover`.
/// Serving it fails (the token in the URL was used; a session it opened is ended again); any 4xx passes. The
/// token echoed in the answer fails too. Needs the run's token (`--bearer-env` or `--auth-signing-key`).
pub(crate) const QUERY_TOKEN: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.auth.query-token"),
        title: "a valid token in the URL query string (?access_token=) is not accepted",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.auth-no-query-token", "security.auth-validate-before-processing"],
        applies: super::AUTH_HTTP,
        tags: &["http", "security", "auth", "negative"],
    },
    run: check_fn!(query_token),
};

async fn query_token(cx: &mut CheckContext) -> Conclusion {
    super::gate(cx)?;
    let Some(target) = cx.http_target().cloned() else {
        return Err(Outcome::error("not an HTTP target"));
    };
    let Some(token) = target.bearer_token.clone() else {
        return Ok(Outcome::skip(
            SkipReason::OptInRequired,
            "a valid token to put in the query: run with --bearer-env VAR or --auth-signing-key FILE",
        ));
    };
    let separator = if target.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}access_token={token}", target.url);
    let Some(wire) = crate::auth::metadata_wire(&url, &target, cx.limits(), cx.transcript()) else {
        return Err(Outcome::error("could not test: the URL with the token in its query is not usable"));
    };
    let init_params = crate::checks::evidence::initialize_params(cx, cx.revision().as_str());
    let mut p = open(cx).await?;
    let result = judge(&mut p, &wire, &token, init_params).await;
    p.close().await;
    result
}

async fn judge(p: &mut Probe, wire: &crate::wire::HttpWire, token: &str, init_params: Value) -> Conclusion {
    super::control(p).await?;
    let (msg, req) = if p.stateless() {
        let msg = p.harmless_request();
        let req = without_token(p.post(&msg));
        (msg, req)
    } else {
        let msg = crate::message::request(p.session.next_id(), "initialize", Some(init_params));
        let req = without_token(HttpRequest::post(msg.to_string()));
        (msg, req)
    };
    let method = method_of(&msg);
    let reply = wire
        .send(req, p.timeout)
        .await
        .map_err(|e| Outcome::error(format!("could not exchange with the target: {e}")))?;
    let opened = reply.header("mcp-session-id").map(str::to_owned);
    let answer = Answer::read(reply, p.timeout).await;
    if let Some(id) = opened.filter(|_| answer.served()) {
        let _ = wire.send(HttpRequest::delete().header("mcp-session-id", &id), p.timeout).await;
    }
    let reflected = match &answer.seen.body {
        crate::checks::http::probe::SeenBody::Json(v) => v.to_string().contains(token),
        crate::checks::http::probe::SeenBody::Text(t) => t.contains(token),
        crate::checks::http::probe::SeenBody::Sse(Some(v)) => v.to_string().contains(token),
        _ => false,
    } || answer.www_authenticate.iter().any(|w| w.contains(token));
    let request = format!("POST `{method}` to <endpoint>?access_token=<the run's token>, without Authorization");
    if answer.seen.client_error() && !reflected {
        return Ok(Outcome::pass_with(format!("the token in the query was not accepted: HTTP {}", answer.status())));
    }
    let (observed, severity) = if answer.served() {
        (
            format!("`{method}` with the token only in the query string was served: {}", answer.describe()),
            Severity::Medium,
        )
    } else if reflected {
        (format!("the answer echoes the token from the query string: {}", answer.describe()), Severity::Medium)
    } else {
        (format!("`{method}` with the token in the query string was answered {}", answer.describe()), Severity::Low)
    };
    let finding = Finding::new(severity, Some(598), REMEDIATION).request(request).answer(answer.describe());
    Ok(Outcome::violated("a 4xx refusal (401): a token in the query string is not a credential", observed)
        .breaking("security.auth-no-query-token", Level::Must)
        .with_finding(finding))
}
