//! A session belongs to the principal that opened it: another principal's token cannot use its id.

use crate::check::{
    Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::http::probe::{Probe, method_of};
use crate::checks::http::sessions::{STATEFUL_HTTP, no_sessions};

/// What to change when the check fails.
const REMEDIATION: &str = "bind every session to the principal whose token opened it (e.g. key sessions as \
     <user_id>:<session_id>) and refuse a session id presented with another principal's token with 403 or 404";

/// The flag that enables the check.
const FLAG: &str = "--second-bearer-env VAR (a second principal's token, beside --bearer-env)";

/// A session opened with principal A's token is refused when presented with principal B's token.
///
/// Needs two operator-supplied tokens of the same server (`--bearer-env` and `--second-bearer-env`); without them
/// it is skipped, opt-in required. A session is opened with token A and shown to work; then a harmless request
/// carries its id with token B. Serving it means the session id alone decides whose session it is, so whoever
/// learns an id acts as its owner: the best practices' MUST NOT ("use sessions for authentication") fails. 403 or
/// 404 (any 4xx but 401) passes; 401 means token B itself was refused, so the check could not test.
pub(crate) const SESSION_BINDING: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.session-binding"),
        title: "a session opened with one principal's token is refused (403/404) when presented with another's",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.sessions-not-authentication", "security.session-bound-to-user"],
        applies: STATEFUL_HTTP,
        tags: &["http", "security", "session", "auth", "negative"],
    },
    run: check_fn!(session_binding),
};

async fn session_binding(cx: &mut CheckContext) -> Conclusion {
    let Some(second) = cx.options().second_bearer_token.clone() else {
        return Ok(Outcome::skip(SkipReason::OptInRequired, format!("two principals: run with {FLAG}")));
    };
    if cx.http_target().is_some_and(|t| t.bearer_token.is_none()) {
        return Ok(Outcome::skip(
            SkipReason::OptInRequired,
            "two principals: --second-bearer-env needs the first principal's token as well (--bearer-env VAR)",
        ));
    }
    cx.transcript().add_secret(&second.0);
    let mut p = Probe::open(cx).await?;
    if p.session_id().is_none() {
        p.close().await;
        return Ok(no_sessions());
    }
    let result = binding(&mut p, &second.0).await;
    p.close().await;
    result
}

async fn binding(p: &mut Probe, second: &str) -> Conclusion {
    let expected = "the session's id with the second principal's token refused with HTTP 403 or 404";
    let msg = p.harmless_request();
    let req = p.post(&msg);
    let control = p.exchange(req).await?;
    if !(control.success() && control.has_result()) {
        return Err(Outcome::error(format!(
            "could not test: the session does not serve its own principal ({})",
            control.describe()
        )));
    }
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = p.post(&msg).header("authorization", &format!("Bearer {second}"));
    let seen = p.exchange(req).await?;
    if seen.status == 401 {
        return Err(Outcome::error(format!(
            "could not test: the second principal's token was refused as a credential ({}); give a valid token of \
             another user",
            seen.describe()
        )));
    }
    if seen.client_error() {
        return Ok(Outcome::pass_with(format!(
            "the first principal's session with the second's token: HTTP {}",
            seen.status
        )));
    }
    let observed = format!(
        "`{method}` in the first principal's session with the second principal's token answered {}",
        seen.describe()
    );
    let finding = Finding::new(Severity::High, Some(639), REMEDIATION)
        .request(format!(
            "POST `{method}` with the first principal's Mcp-Session-Id and Authorization: Bearer <second token>"
        ))
        .answer(seen.describe());
    Ok(Outcome::violated(expected, observed).with_finding(finding))
}
