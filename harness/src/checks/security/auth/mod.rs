//! The authorization checks (`security.auth.*`): the target as an OAuth 2.1 resource server. They run on
//! Streamable HTTP when the run declares authorization (`--bearer-env`, `--auth-signing-key` or a test token);
//! otherwise the run's handshake was served without a token and they are skipped. Requests without a token, with
//! forged tokens or with a token in the query reuse a session opened with the run's own token (its id and headers
//! stay correct), with only the `Authorization` header changed. No tool is called.

pub(crate) mod all_requests;
pub(crate) mod audience;
pub(crate) mod challenge;
pub(crate) mod insufficient_scope;
pub(crate) mod invalid_token;
pub(crate) mod prm_document;
pub(crate) mod query_token;

use crate::auth::challenge::{Challenge, bearer, parse_all};
use crate::check::{Applicability, CheckContext, Outcome, SkipReason, Transports};
use crate::checks::http::probe::{Probe, Seen};
use crate::wire::{HttpReply, HttpRequest};

/// Streamable HTTP, both eras.
pub(crate) const AUTH_HTTP: Applicability = Applicability { transports: Transports::Http, ..Applicability::ALWAYS };

/// Why a run without authorization material skips these checks.
const NOT_DECLARED: &str = "the target does not require authorization: no token or key was given (--bearer-env, \
     --auth-signing-key) and the run's handshake was served without one";

/// The checks run only when the run declares authorization (on an HTTP target).
pub(super) fn gate(cx: &CheckContext) -> Result<(), Outcome> {
    if cx.http_target().is_none() {
        return Err(Outcome::skip(SkipReason::NotApplicable, "not a Streamable HTTP target"));
    }
    if !cx.auth().declared {
        return Err(Outcome::skip(SkipReason::NotApplicable, NOT_DECLARED));
    }
    Ok(())
}

/// A session opened with the run's token, after [`gate`]. A failed handshake (a 401 to the run's own token
/// included) is "could not test". When only a bearer token declares authorization (no signing key, no test
/// token), the harmless request is first sent without it: served, the target does not require authorization and
/// the check is skipped.
pub(super) async fn open(cx: &mut CheckContext) -> Result<Probe, Outcome> {
    gate(cx)?;
    if let Some(problem) = &cx.auth().problem {
        return Err(Outcome::error(format!("could not test: {problem}")));
    }
    let oauth_declared = cx.auth().oauth_declared;
    let init_params = crate::checks::evidence::initialize_params(cx, cx.revision().as_str());
    let mut p = Probe::open(cx).await?;
    if !oauth_declared {
        match served_anonymously(&mut p, init_params).await {
            Ok(false) => {}
            Ok(true) => {
                p.close().await;
                return Err(Outcome::skip(SkipReason::NotApplicable, SERVED_ANONYMOUSLY));
            }
            Err(e) => {
                p.close().await;
                return Err(e);
            }
        }
    }
    Ok(p)
}

/// Whether a client without any token is served: on 2025 revisions an `initialize` without a session (inside a
/// session a server may refuse a tokenless request as another principal's, which says nothing about whether it
/// needs a token), on 2026-07-28 the harmless request. A session it opens is ended again.
async fn served_anonymously(p: &mut Probe, init_params: serde_json::Value) -> Result<bool, Outcome> {
    let req = if p.stateless() {
        let msg = p.harmless_request();
        without_token(p.post(&msg))
    } else {
        let msg = crate::message::request(p.session.next_id(), "initialize", Some(init_params));
        without_token(HttpRequest::post(msg.to_string()))
    };
    let reply = p.send(req).await?;
    let opened = reply.header("mcp-session-id").map(str::to_owned);
    let answer = Answer::read(reply, p.timeout).await;
    let served = answer.served() && answer.seen.has_result();
    if let Some(id) = opened.filter(|_| served) {
        let _ = p.send(without_token(HttpRequest::delete().header("mcp-session-id", &id))).await;
    }
    Ok(served)
}

/// Why a run with only a bearer token skips these checks when the target serves anonymous requests.
const SERVED_ANONYMOUSLY: &str = "the target does not require authorization: the harmless request was served without      a token (the --bearer-env token is not needed; --auth-signing-key or a --*-token-env flag declares an OAuth      resource server and makes these checks judge it)";

/// One answer, with its challenges.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    /// Status and body.
    pub seen: Seen,
    /// The `WWW-Authenticate` field values, as sent.
    pub www_authenticate: Vec<String>,
    /// Their challenges.
    pub challenges: Vec<Challenge>,
}

impl Answer {
    async fn read(reply: HttpReply, timeout: std::time::Duration) -> Answer {
        let www_authenticate: Vec<String> = reply
            .headers
            .get_all("www-authenticate")
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let challenges = parse_all(www_authenticate.iter().map(String::as_str));
        let seen = Seen::read(reply, timeout).await;
        Answer { seen, www_authenticate, challenges }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.seen.status
    }

    /// The Bearer challenge, if any.
    pub fn bearer(&self) -> Option<&Challenge> {
        bearer(&self.challenges)
    }

    /// Whether the request was served (2xx).
    pub fn served(&self) -> bool {
        self.seen.success()
    }

    /// A one-line description: status, body and the challenge.
    pub fn describe(&self) -> String {
        let www = if self.www_authenticate.is_empty() {
            "no WWW-Authenticate".to_owned()
        } else {
            format!("WWW-Authenticate: {}", self.www_authenticate.join(" | "))
        };
        format!("{}; {www}", self.seen.describe())
    }
}

/// Runs `judge` on a fresh probe with the run's `kind` test token (registered as a secret first), or skips the
/// check, opt-in required, saying `how` to provide one.
pub(super) async fn with_test_token(
    cx: &mut CheckContext,
    kind: crate::auth::token::Forged,
    how: &str,
    judge: impl AsyncFnOnce(&mut Probe, &str, crate::auth::TokenSource) -> Result<Outcome, Outcome>,
) -> Result<Outcome, Outcome> {
    gate(cx)?;
    let Some((token, source)) = cx.auth().token(kind).map(|(t, s)| (t.to_owned(), s)) else {
        return Ok(Outcome::skip(SkipReason::OptInRequired, how));
    };
    cx.transcript().add_secret(&token);
    let mut p = open(cx).await?;
    let result = judge(&mut p, &token, source).await;
    p.close().await;
    result
}

/// Sends `req` on the probe's session and reads the answer and its challenges.
pub(super) async fn exchange(p: &mut Probe, req: HttpRequest) -> Result<Answer, Outcome> {
    let reply = p.send(req).await?;
    Ok(Answer::read(reply, p.timeout).await)
}

/// The harmless request with the run's own token is served: proof that the session and token work, so that a
/// refusal of a changed request is the change's doing. Otherwise the check could not test.
pub(super) async fn control(p: &mut Probe) -> Result<(), Outcome> {
    let msg = p.harmless_request();
    let req = p.post(&msg);
    let seen = exchange(p, req).await?;
    if seen.served() && seen.seen.has_result() {
        Ok(())
    } else {
        Err(Outcome::error(format!(
            "could not test: the harmless request with the run's own token was not served ({}); give a valid token \
             (--bearer-env VAR, or --auth-signing-key with a key the target trusts)",
            seen.describe()
        )))
    }
}

/// The same request as the session would send, without any `Authorization`.
pub(super) fn without_token(req: HttpRequest) -> HttpRequest {
    req.without_header("authorization")
}

/// `req` carrying `value` as its only `Authorization`.
pub(super) fn with_authorization(req: HttpRequest, value: &str) -> HttpRequest {
    req.without_header("authorization").header("authorization", value)
}
