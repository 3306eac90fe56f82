//! A request without a token is refused with 401 and a challenge that tells the client where to find the
//! authorization server.

use super::{Answer, exchange, open, without_token};
use crate::auth::prm;
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite};
use crate::check_fn;
use crate::checks::http::probe::{Probe, method_of};

/// What to change when the check fails.
const REMEDIATION: &str = "answer every request without a valid token with HTTP 401 and `WWW-Authenticate: Bearer \
     resource_metadata=\"<protected resource metadata URL>\"` (RFC 9728 §5.1)";

/// Without `Authorization`, the harmless request is answered 401 with a `WWW-Authenticate` challenge that names the
/// protected resource metadata (`resource_metadata`), or the metadata is served at a well-known URL.
///
/// A 2xx serves an anonymous client (severity high); another status breaks MCP's status table; a 401 without any
/// `WWW-Authenticate` breaks HTTP's rule for 401 (RFC 7235 §3.1); a Bearer challenge without `resource_metadata` passes only when
/// the metadata is at one of the well-known URLs (MCP requires one of the two discovery mechanisms).
pub(crate) const CHALLENGE: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.auth.challenge"),
        title: "a request without a token is answered 401 with a WWW-Authenticate challenge (resource_metadata or \
                well-known metadata)",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.auth-discovery", "security.auth-error-status", "security.http-401-challenge"],
        applies: super::AUTH_HTTP,
        tags: &["http", "security", "auth", "negative"],
    },
    run: check_fn!(challenge),
};

async fn challenge(cx: &mut CheckContext) -> Conclusion {
    let mut p = open(cx).await?;
    let result = judge(cx, &mut p).await;
    p.close().await;
    result
}

/// The unauthenticated harmless request and its answer (shared with `security.auth.prm-document`).
pub(super) async fn unauthenticated(p: &mut Probe) -> Result<(String, Answer), Outcome> {
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = without_token(p.post(&msg));
    Ok((method, exchange(p, req).await?))
}

async fn judge(cx: &mut CheckContext, p: &mut Probe) -> Conclusion {
    let (method, answer) = unauthenticated(p).await?;
    let request = format!("POST `{method}` without Authorization");
    let expected = "HTTP 401 with WWW-Authenticate: Bearer resource_metadata=\"…\"";
    if answer.served() {
        let finding = Finding::new(Severity::High, Some(306), REMEDIATION).request(&request).answer(answer.describe());
        return Ok(Outcome::violated(
            expected,
            format!("`{method}` without a token was served: {}", answer.describe()),
        )
        .breaking("security.auth-error-status", Level::Must)
        .with_finding(finding));
    }
    if answer.status() != 401 {
        let finding = Finding::new(Severity::Medium, None, REMEDIATION).request(&request).answer(answer.describe());
        return Ok(Outcome::violated(
            expected,
            format!(
                "`{method}` without a token was refused with HTTP {}, not 401: {}",
                answer.status(),
                answer.describe()
            ),
        )
        .breaking("security.auth-error-status", Level::Must)
        .with_finding(finding));
    }
    if answer.challenges.is_empty() {
        let finding = Finding::new(Severity::Medium, None, REMEDIATION).request(&request).answer(answer.describe());
        return Ok(Outcome::violated(
            expected,
            format!("a 401 without a WWW-Authenticate challenge: {}", answer.describe()),
        )
        .breaking("security.http-401-challenge", Level::Must)
        .with_finding(finding));
    }
    if let Some(url) = answer.bearer().and_then(|b| b.param("resource_metadata")) {
        return Ok(Outcome::pass_with(format!("HTTP 401, Bearer challenge with resource_metadata=\"{url}\"")));
    }
    // No resource_metadata: the well-known URLs are the other discovery mechanism.
    let Some(target) = cx.http_target().cloned() else {
        return Err(Outcome::error("not an HTTP target"));
    };
    for url in prm::well_known_urls(&target.url) {
        let found = crate::auth::fetch_metadata(&url, &target, cx.limits(), cx.transcript(), cx.timeout()).await;
        if found.is_some() {
            return Ok(Outcome::pass_with(format!(
                "HTTP 401 with {}; no resource_metadata in the challenge, but the metadata is served at {url}",
                answer.www_authenticate.join(" | ")
            )));
        }
    }
    let finding = Finding::new(Severity::Medium, None, REMEDIATION)
        .request(format!("{request}; GET {}", prm::well_known_urls(&target.url).join(", GET ")))
        .answer(answer.describe());
    Ok(Outcome::violated(
        expected,
        format!(
            "a 401 whose challenge names no resource_metadata ({}), and no protected resource metadata at the \
             well-known URLs",
            answer.www_authenticate.join(" | ")
        ),
    )
    .breaking("security.auth-discovery", Level::Must)
    .with_finding(finding))
}
