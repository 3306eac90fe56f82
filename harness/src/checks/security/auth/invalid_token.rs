//! Invalid, malformed and expired credentials are refused with 401, never served.

use super::{exchange, open, with_authorization};
use crate::auth::token::{self, Claims, Forged};
use crate::auth::{SigningKey, TokenSource, prm};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite};
use crate::check_fn;
use crate::checks::http::probe::{Probe, method_of};

/// What to change when the check fails.
const REMEDIATION: &str = "validate every access token before processing the request (signature with the issuer's \
     key and an allow-list of algorithms, never `none`; `exp`, `nbf`, `iss`, `aud`) and answer an invalid or \
     expired one with 401 and `WWW-Authenticate: Bearer error=\"invalid_token\"`";

/// The harmless request, on a session opened with the run's token, with each credential below in its place:
/// `Bearer` + random garbage, `Bearer` alone, `Basic` credentials, two `Authorization` fields (the run's token and
/// garbage), an unsigned JWT (`alg: none`), a JWT whose signature does not match its content, and — with
/// `--auth-signing-key` or `--expired-token-env` — an expired token, and with the key a token whose `nbf` is an
/// hour ahead. Each must be answered 401 (the two fields may be 400: a malformed request); a 2xx is critical.
/// Without a key the `alg: none` token is made up and the bad signature is a fresh key's.
pub(crate) const INVALID_TOKEN: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.auth.invalid-token"),
        title: "invalid, unsigned, badly signed, expired and not-yet-valid tokens are answered 401",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.auth-invalid-token-401", "security.auth-validate-before-processing"],
        applies: super::AUTH_HTTP,
        tags: &["http", "security", "auth", "negative"],
    },
    run: check_fn!(invalid_token),
};

/// One credential the server must refuse.
struct Case {
    what: String,
    /// The `Authorization` field values to send (two for the duplicate case).
    values: Vec<String>,
    /// Whether 400 is a refusal too (a malformed request).
    bad_request_ok: bool,
}

async fn invalid_token(cx: &mut CheckContext) -> Conclusion {
    let cases = cases(cx).await?;
    for case in &cases {
        for v in &case.values {
            if let Some(t) = v.strip_prefix("Bearer ") {
                cx.transcript().add_secret(t);
            }
        }
    }
    let mut p = open(cx).await?;
    let result = judge(&mut p, &cases).await;
    p.close().await;
    result
}

async fn cases(cx: &CheckContext) -> Result<Vec<Case>, Outcome> {
    super::gate(cx)?;
    let auth = cx.auth();
    let run_token = cx.http_target().and_then(|t| t.bearer_token.clone());
    let nonce = format!("{:032x}", rand::random::<u128>());
    let mut cases = vec![
        Case {
            what: "Bearer with a random string".into(),
            values: vec![format!("Bearer mcp-harness-{nonce}")],
            bad_request_ok: false,
        },
        Case { what: "Bearer with no token".into(), values: vec!["Bearer".into()], bad_request_ok: true },
        Case { what: "Basic credentials".into(), values: vec!["Basic dXNlcjpwYXNz".into()], bad_request_ok: false },
    ];
    if let Some(run) = run_token {
        cases.push(Case {
            what: "two Authorization fields (the run's token and a random one)".into(),
            values: vec![format!("Bearer {run}"), format!("Bearer mcp-harness-{nonce}")],
            bad_request_ok: true,
        });
    }
    let made_up = || {
        let url = cx.http_target().map(|t| prm::canonical(&t.url)).unwrap_or_default();
        token::Grant { issuer: "https://issuer.mcp-harness.invalid".into(), audience: url, scopes: Vec::new() }
    };
    let alg_none = match auth.token(Forged::AlgNone) {
        Some((t, _)) => t.to_owned(),
        None => token::unsigned(None, &made_up().claims()),
    };
    cases.push(Case {
        what: Forged::AlgNone.describe().into(),
        values: vec![format!("Bearer {alg_none}")],
        bad_request_ok: false,
    });
    let bad_signature = match auth.token(Forged::BadSignature) {
        Some((t, _)) => t.to_owned(),
        None => fresh_key_token(made_up().claims()).await?,
    };
    cases.push(Case {
        what: Forged::BadSignature.describe().into(),
        values: vec![format!("Bearer {bad_signature}")],
        bad_request_ok: false,
    });
    for forged in [Forged::Expired, Forged::NotYetValid] {
        if let Some((t, source)) = auth.token(forged) {
            let from = if source == TokenSource::Operator { " (the operator's)" } else { "" };
            cases.push(Case {
                what: format!("{}{from}", forged.describe()),
                values: vec![format!("Bearer {t}")],
                bad_request_ok: false,
            });
        }
    }
    Ok(cases)
}

/// A token signed by a key generated now, which no server can trust.
async fn fresh_key_token(claims: Claims) -> Result<String, Outcome> {
    let signed = tokio::task::spawn_blocking(move || {
        let key = SigningKey::generate("mcp-harness-untrusted")?;
        token::sign(&key, &claims)
    })
    .await;
    match signed {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(Outcome::error(format!("could not test: {e}"))),
        Err(e) => Err(Outcome::error(format!("could not test: key generation failed: {e}"))),
    }
}

async fn judge(p: &mut Probe, cases: &[Case]) -> Conclusion {
    super::control(p).await?;
    let mut accepted = Vec::new();
    let mut wrong_status = Vec::new();
    let mut notes = Vec::new();
    for case in cases {
        let msg = p.harmless_request();
        let method = method_of(&msg);
        let mut req = with_authorization(p.post(&msg), &case.values[0]);
        for v in &case.values[1..] {
            req = req.append_header("authorization", v);
        }
        let answer = exchange(p, req).await?;
        let line = format!("`{method}` with {}: {}", case.what, answer.describe());
        match answer.status() {
            401 => {
                if answer.bearer().and_then(|b| b.param("error")).is_none_or(|e| e != "invalid_token")
                    && case.values.len() == 1
                    && case.values[0].len() > "Bearer ".len()
                {
                    notes.push(case.what.clone());
                }
            }
            400 if case.bad_request_ok => {}
            s if (200..300).contains(&s) => accepted.push(line),
            _ => wrong_status.push(line),
        }
    }
    let tried: Vec<&str> = cases.iter().map(|c| c.what.as_str()).collect();
    if accepted.is_empty() && wrong_status.is_empty() {
        let note = if notes.is_empty() {
            String::new()
        } else {
            format!("; without error=\"invalid_token\" for: {}", notes.join(", "))
        };
        return Ok(Outcome::pass_with(format!("refused with 401: {}{note}", tried.join(", "))));
    }
    let severity = if accepted.is_empty() { Severity::Medium } else { Severity::Critical };
    let cwe = if accepted.is_empty() { None } else { Some(287) };
    let all: Vec<String> = accepted.iter().chain(&wrong_status).cloned().collect();
    let finding = Finding::new(severity, cwe, REMEDIATION)
        .request("the harmless request with each invalid credential in Authorization (tokens redacted)")
        .answer(all.join("; "));
    let observed = if accepted.is_empty() {
        format!("refused, but not with 401: {}", all.join("; "))
    } else {
        format!("served with an invalid credential: {}", all.join("; "))
    };
    Ok(Outcome::violated("HTTP 401 for every invalid or expired credential", observed).with_finding(finding))
}
