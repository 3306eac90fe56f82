//! A valid token without the needed scope is answered 403 with an `insufficient_scope` challenge that names the
//! scopes, so a client can step up instead of re-authenticating in a loop.

use super::{Answer, exchange, with_authorization};
use crate::auth::TokenSource;
use crate::auth::token::Forged;
use crate::check::{
    Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::http::probe::{Probe, method_of};

/// What to change when the check fails.
const REMEDIATION: &str = "answer a valid token that lacks a needed scope with 403 and `WWW-Authenticate: Bearer \
     error=\"insufficient_scope\", scope=\"<the scopes the request needs>\", resource_metadata=\"<metadata URL>\"`";

/// The harmless request and `tools/list`, on a session opened with the run's token, each with a valid token that
/// carries no scope (minted with `--auth-signing-key`) or the operator's low-scope token
/// (`--low-scope-token-env`); skipped without either. A 403 must carry a Bearer challenge with
/// `error="insufficient_scope"` and a `scope`; a 401 (the client would re-authenticate for nothing) or a 403
/// without that challenge warns. When both are served, the token's scopes suffice for what the harness may send
/// (it calls no tool): skipped, nothing to test.
pub(crate) const INSUFFICIENT_SCOPE: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.auth.insufficient-scope"),
        title: "a token lacking the needed scope is answered 403 with error=\"insufficient_scope\" and the scope",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &["security.auth-insufficient-scope", "security.auth-error-status"],
        applies: super::AUTH_HTTP,
        tags: &["http", "security", "auth", "negative"],
    },
    run: check_fn!(insufficient_scope),
};

async fn insufficient_scope(cx: &mut CheckContext) -> Conclusion {
    let how = "a token without the needed scopes: run with --auth-signing-key FILE or --low-scope-token-env VAR";
    super::with_test_token(cx, Forged::NoScope, how, judge).await
}

async fn judge(p: &mut Probe, token: &str, source: TokenSource) -> Conclusion {
    super::control(p).await?;
    let what = match source {
        TokenSource::Minted => "a valid token without scopes",
        TokenSource::Operator => "the operator's low-scope token",
    };
    let harmless = p.harmless_request();
    let list = p.request("tools/list", None);
    let mut answers: Vec<(String, Answer)> = Vec::new();
    for msg in [harmless, list] {
        let req = with_authorization(p.post(&msg), &format!("Bearer {token}"));
        answers.push((method_of(&msg), exchange(p, req).await?));
    }
    let Some((method, refused)) = answers.iter().find(|(_, a)| !a.served()) else {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!(
                "{what} was served for {}: the token's scopes suffice for every request the harness sends (it calls \
                 no tool)",
                answers.iter().map(|(m, _)| format!("`{m}`")).collect::<Vec<_>>().join(" and ")
            ),
        ));
    };
    let request = format!("POST `{method}` with Authorization: Bearer <{what}>");
    let bearer = refused.bearer();
    let error = bearer.and_then(|b| b.param("error"));
    let scope = bearer.and_then(|b| b.param("scope")).filter(|s| !s.trim().is_empty());
    if refused.status() == 403 && error == Some("insufficient_scope") && scope.is_some() {
        let metadata = if bearer.and_then(|b| b.param("resource_metadata")).is_some() {
            ""
        } else {
            " (no resource_metadata in the challenge)"
        };
        return Ok(Outcome::pass_with(format!(
            "`{method}` with {what}: HTTP 403, error=\"insufficient_scope\", scope=\"{}\"{metadata}",
            scope.unwrap_or_default()
        )));
    }
    let observed = match refused.status() {
        401 => format!("`{method}` with {what} was answered 401, as if the token were invalid: {}", refused.describe()),
        403 => format!(
            "`{method}` with {what} was answered 403 without a Bearer challenge naming error=\"insufficient_scope\" \
             and the needed scope: {}",
            refused.describe()
        ),
        _ => format!("`{method}` with {what} was answered {}", refused.describe()),
    };
    let finding = Finding::new(Severity::Medium, Some(285), REMEDIATION).request(request).answer(refused.describe());
    Ok(Outcome::violated("HTTP 403 with WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"…\"", observed)
        .breaking("security.auth-insufficient-scope", Level::Should)
        .with_finding(finding))
}
