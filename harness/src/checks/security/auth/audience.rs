//! A token issued for another resource is not a credential here (no audience confusion, no token passthrough).

use super::{exchange, with_authorization};
use crate::auth::TokenSource;
use crate::auth::token::{Forged, OTHER_AUDIENCE};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite};
use crate::check_fn;
use crate::checks::http::probe::{Probe, method_of};

/// What to change when the check fails.
const REMEDIATION: &str = "accept only tokens whose `aud` names this server's canonical URI (RFC 8707) and answer \
     any other with 401; never forward a client's token upstream";

/// The harmless request, on a session opened with the run's token, with a token of the same issuer for another
/// resource in its place: with `--auth-signing-key` the harness mints it (`aud` `https://other-resource.mcp-harness.invalid/mcp`,
/// every scope), else the operator gives one (`--wrong-audience-token-env`); without either the check is skipped.
/// It must be answered 401; served is critical.
pub(crate) const AUDIENCE: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.auth.audience"),
        title: "a token issued for another resource (wrong audience) is answered 401",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.auth-audience", "security.auth-audience-claim"],
        applies: super::AUTH_HTTP,
        tags: &["http", "security", "auth", "negative"],
    },
    run: check_fn!(audience),
};

async fn audience(cx: &mut CheckContext) -> Conclusion {
    let how = "a token for another resource: run with --auth-signing-key FILE or --wrong-audience-token-env VAR";
    super::with_test_token(cx, Forged::WrongAudience, how, judge).await
}

async fn judge(p: &mut Probe, token: &str, source: TokenSource) -> Conclusion {
    super::control(p).await?;
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = with_authorization(p.post(&msg), &format!("Bearer {token}"));
    let answer = exchange(p, req).await?;
    let what = match source {
        TokenSource::Minted => format!("a token minted for {OTHER_AUDIENCE}"),
        TokenSource::Operator => "the operator's token for another resource".to_owned(),
    };
    if answer.status() == 401 {
        return Ok(Outcome::pass_with(format!("`{method}` with {what}: HTTP 401")));
    }
    let request = format!("POST `{method}` with Authorization: Bearer <{what}>");
    let (severity, observed) = if answer.served() {
        (Severity::Critical, format!("`{method}` with {what} was served: {}", answer.describe()))
    } else {
        (Severity::Medium, format!("`{method}` with {what} was refused, but not with 401: {}", answer.describe()))
    };
    let finding = Finding::new(severity, Some(287), REMEDIATION).request(request).answer(answer.describe());
    Ok(Outcome::violated("HTTP 401 for a token issued for another resource", observed).with_finding(finding))
}
