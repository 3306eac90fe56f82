//! Every kind of HTTP request needs the token, not only the ones a middleware happened to cover.

use http::Method;
use serde_json::{Value, json};

use super::{exchange, open, without_token};
use crate::check::{
    Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite,
};
use crate::check_fn;
use crate::checks::http::probe::{Probe, method_of};
use crate::wire::HttpRequest;

/// What to change when the check fails.
const REMEDIATION: &str = "validate the bearer token on every request to the MCP endpoint (POSTed requests and \
     notifications, GET, DELETE) before any other processing, and answer a missing token with 401";

/// Without `Authorization`, on a session opened with the run's token: `tools/list`, a POSTed notification
/// (`notifications/cancelled` for an id that was never sent), `resources/read` of the first listed resource (when
/// the server has resources), `GET` (the SSE stream) and `DELETE` (ending the session) — on 2026-07-28 with the
/// `Mcp-Method` headers. Each must be answered 401; 405 for `GET`/`DELETE` also passes (the server offers nothing
/// there, so nothing is processed). Any other answer names the request; a 2xx is severity high.
pub(crate) const ALL_REQUESTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.auth.all-requests"),
        title: "every request without a token (POSTed requests and notifications, GET, DELETE) is answered 401",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.auth-verify-all-requests", "security.auth-validate-before-processing"],
        applies: super::AUTH_HTTP,
        tags: &["http", "security", "auth", "negative"],
    },
    run: check_fn!(all_requests),
};

async fn all_requests(cx: &mut CheckContext) -> Conclusion {
    let has_resources = cx.profile().has(Capability::Resources);
    let mut p = open(cx).await?;
    let result = judge(&mut p, has_resources).await;
    p.close().await;
    result
}

/// One request of the sweep and how it was answered.
struct Probed {
    what: String,
    status: u16,
    shown: String,
    /// 405 is a refusal too for this request (GET, DELETE).
    method_not_allowed_ok: bool,
}

impl Probed {
    fn refused(&self) -> bool {
        self.status == 401 || (self.method_not_allowed_ok && self.status == 405)
    }
}

async fn judge(p: &mut Probe, has_resources: bool) -> Conclusion {
    super::control(p).await?;
    let mut probed = Vec::new();
    let list = p.request("tools/list", None);
    probed.push(post(p, &list).await?);
    let cancel = crate::message::notification(
        "notifications/cancelled",
        Some(json!({"requestId": "mcp-harness-never-sent", "reason": "mcp-harness authorization probe"})),
    );
    probed.push(post(p, &cancel).await?);
    if has_resources && let Some(uri) = first_resource(p).await? {
        let read = p.request("resources/read", Some(json!({ "uri": uri })));
        probed.push(post(p, &read).await?);
    }
    probed.push(bare(p, HttpRequest::get(), "GET (the SSE stream)").await?);
    probed.push(bare(p, HttpRequest::delete(), "DELETE (ending the session)").await?);

    let served: Vec<&Probed> = probed.iter().filter(|x| !x.refused()).collect();
    let summary: Vec<String> = probed.iter().map(|x| format!("{} → {}", x.what, x.status)).collect();
    if served.is_empty() {
        return Ok(Outcome::pass_with(format!("without a token: {}", summary.join(", "))));
    }
    let any_2xx = served.iter().any(|x| (200..300).contains(&x.status));
    let severity = if any_2xx { Severity::High } else { Severity::Medium };
    let finding = Finding::new(severity, Some(306), REMEDIATION)
        .request(served.iter().map(|x| format!("{} without Authorization", x.what)).collect::<Vec<_>>().join("; "))
        .answer(served.iter().map(|x| x.shown.clone()).collect::<Vec<_>>().join("; "));
    Ok(Outcome::violated(
        "HTTP 401 for every request without a token",
        format!(
            "not refused with 401: {}",
            served.iter().map(|x| format!("{} → {}", x.what, x.shown)).collect::<Vec<_>>().join("; ")
        ),
    )
    .with_finding(finding))
}

async fn post(p: &mut Probe, msg: &Value) -> Result<Probed, Outcome> {
    let what = format!("POST `{}`", method_of(msg));
    let req = without_token(p.post(msg));
    let answer = exchange(p, req).await?;
    Ok(Probed { what, status: answer.status(), shown: answer.describe(), method_not_allowed_ok: false })
}

/// A GET or DELETE: judged by its status alone (an SSE stream's body is not read).
async fn bare(p: &mut Probe, req: HttpRequest, what: &str) -> Result<Probed, Outcome> {
    let is_get = req.method == Method::GET;
    let req = without_token(p.bare(req));
    let reply = p.send(req).await?;
    let status = reply.status;
    let shown = if is_get && (200..300).contains(&status) {
        format!("HTTP {status}, {}", reply.content_type().unwrap_or("no Content-Type"))
    } else {
        super::Answer::read(reply, p.timeout).await.describe()
    };
    Ok(Probed { what: what.to_owned(), status, shown, method_not_allowed_ok: true })
}

/// The URI of the first resource `resources/list` (with the run's token) names, if any.
async fn first_resource(p: &mut Probe) -> Result<Option<String>, Outcome> {
    let list = p.request("resources/list", None);
    let req = p.post(&list);
    let answer = exchange(p, req).await?;
    Ok(answer
        .seen
        .message()
        .and_then(|m| m.pointer("/result/resources/0/uri"))
        .and_then(Value::as_str)
        .map(str::to_owned))
}
