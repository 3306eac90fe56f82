//! CORS: a cross-site page must not be told it may read the server's answers (preflight, then the request).

use http::Method;

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite,
    Transports,
};
use crate::check_fn;
use crate::checks::http::probe::{Probe, Seen, method_of};
use crate::wire::{HttpReply, HttpRequest};

/// The foreign origin of the preflight and the request.
const EVIL_ORIGIN: &str = "http://evil.example";

/// The request headers the preflight asks for: what a page needs to speak MCP with a token and a session.
const REQUEST_HEADERS: &str = "content-type, authorization, mcp-session-id";

/// What to change when the check fails.
const REMEDIATION: &str = "do not answer cross-origin requests with Access-Control-Allow-Origin unless the origin is \
     on an explicit allow-list, and never reflect the request's Origin together with \
     Access-Control-Allow-Credentials: true";

/// The server does not let an arbitrary web origin read its answers.
///
/// A browser page on `evil.example` first sends a preflight `OPTIONS` asking to POST with `content-type`,
/// `authorization` and `mcp-session-id`, then the POST itself. `Access-Control-Allow-Origin` naming that origin
/// together with `Access-Control-Allow-Credentials: true` hands the page every answer the victim's browser can
/// obtain with its cookies or HTTP authentication. A server that authenticates nothing has no credentials to
/// protect but its network position, so there a reflected origin or `*` is enough; on a server that needs a bearer
/// token (which a page cannot take from the victim's browser) a wildcard is only noted. Fetch defines what these
/// headers grant without a keyword for servers, and MCP's rule is about `Origin` validation
/// (`http.origin-403` judges the status): a warning.
pub(crate) const CORS: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.cors"),
        title: "CORS answers never let an arbitrary origin read responses (no reflected Origin with credentials; no \
                reflection or wildcard on an unauthenticated server)",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &["security.cors-response-sharing", "security.origin-validation"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "security", "cors", "negative"],
    },
    run: check_fn!(cors),
};

/// The CORS grant one reply carried.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    /// `Access-Control-Allow-Origin`, if present.
    allow_origin: Option<String>,
    /// `Access-Control-Allow-Credentials: true` was present.
    credentials: bool,
}

impl Grant {
    fn of(reply: &HttpReply) -> Grant {
        Grant {
            allow_origin: reply.header("access-control-allow-origin").map(|v| v.trim().to_owned()),
            credentials: reply
                .header("access-control-allow-credentials")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        }
    }

    fn reflects(&self) -> bool {
        self.allow_origin.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(EVIL_ORIGIN))
    }

    fn wildcard(&self) -> bool {
        self.allow_origin.as_deref() == Some("*")
    }

    fn describe(&self) -> String {
        match &self.allow_origin {
            None => "no Access-Control-Allow-Origin".to_owned(),
            Some(o) if self.credentials => {
                format!("Access-Control-Allow-Origin: {o}, Access-Control-Allow-Credentials: true")
            }
            Some(o) => format!("Access-Control-Allow-Origin: {o}"),
        }
    }
}

/// What a grant means for a server that does (`authenticated`) or does not require a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Nothing shared with the foreign origin.
    Closed,
    /// Shared, but only what a page could read without the victim's credentials (bearer-only server): noted.
    Noted,
    /// Shared with the foreign origin in a way that exposes the victim.
    Exposed,
}

fn judge(grant: &Grant, authenticated: bool) -> Verdict {
    if grant.reflects() && grant.credentials {
        // Browsers send cookies and HTTP authentication along: every answer of the victim's session is readable.
        Verdict::Exposed
    } else if grant.reflects() || grant.wildcard() {
        if authenticated { Verdict::Noted } else { Verdict::Exposed }
    } else {
        Verdict::Closed
    }
}

/// Sends `req` and reads what CORS grant its answer makes, and the answer.
async fn granted(p: &mut Probe, req: HttpRequest) -> Result<(Grant, Seen), Outcome> {
    let reply = p.send(req).await?;
    let grant = Grant::of(&reply);
    Ok((grant, Seen::read(reply, p.timeout).await))
}

async fn cors(cx: &mut CheckContext) -> Conclusion {
    let authenticated = cx.http_target().is_some_and(|t| {
        t.bearer_token.is_some() || t.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    });
    let expected = if authenticated {
        "no Access-Control-Allow-Origin naming http://evil.example together with Access-Control-Allow-Credentials: true"
    } else {
        "no Access-Control-Allow-Origin naming http://evil.example or `*` (the server authenticates nobody)"
    };
    let mut p = Probe::open(cx).await?;
    // The preflight carries no credentials and none of the session's headers, as a browser sends it.
    let preflight = HttpRequest::new(Method::OPTIONS)
        .without_header("authorization")
        .header("origin", EVIL_ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", REQUEST_HEADERS);
    let preflight = match granted(&mut p, preflight).await {
        Ok(seen) => seen,
        Err(e) => {
            p.close().await;
            return Err(e);
        }
    };
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = p.post(&msg).header("origin", EVIL_ORIGIN);
    let post = match granted(&mut p, req).await {
        Ok(seen) => seen,
        Err(e) => {
            p.close().await;
            return Err(e);
        }
    };
    p.close().await;
    let steps = [
        (format!("OPTIONS preflight from {EVIL_ORIGIN} for POST with {REQUEST_HEADERS}"), preflight),
        (format!("POST `{method}` with Origin: {EVIL_ORIGIN}"), post),
    ];
    let mut noted = Vec::new();
    for (request, (grant, seen)) in &steps {
        match judge(grant, authenticated) {
            Verdict::Exposed => {
                let severity = Severity::Medium;
                let finding = Finding::new(severity, Some(942), REMEDIATION)
                    .matched(grant.describe())
                    .request(request)
                    .answer(seen.describe());
                return Ok(Outcome::violated(
                    expected,
                    format!("{request} answered HTTP {} with {}", seen.status, grant.describe()),
                )
                .with_finding(finding));
            }
            Verdict::Noted => noted.push(format!("{request}: {}", grant.describe())),
            Verdict::Closed => {}
        }
    }
    let summary = format!(
        "preflight HTTP {} ({}); POST HTTP {} ({})",
        steps[0].1.1.status,
        steps[0].1.0.describe(),
        steps[1].1.1.status,
        steps[1].1.0.describe()
    );
    if noted.is_empty() {
        Ok(Outcome::pass_with(summary))
    } else {
        Ok(Outcome::pass_with(format!(
            "{summary}; info: the server shares answers with any origin, harmless while it requires a bearer token \
             a page cannot take from the browser ({})",
            noted.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(origin: Option<&str>, credentials: bool) -> Grant {
        Grant { allow_origin: origin.map(str::to_owned), credentials }
    }

    #[test]
    fn reflected_origin_with_credentials_is_exposed_everywhere() {
        assert_eq!(judge(&grant(Some(EVIL_ORIGIN), true), true), Verdict::Exposed);
        assert_eq!(judge(&grant(Some(EVIL_ORIGIN), true), false), Verdict::Exposed);
    }

    #[test]
    fn wildcards_and_reflection_expose_only_unauthenticated_servers() {
        assert_eq!(judge(&grant(Some("*"), false), false), Verdict::Exposed);
        assert_eq!(judge(&grant(Some(EVIL_ORIGIN), false), false), Verdict::Exposed);
        assert_eq!(judge(&grant(Some("*"), false), true), Verdict::Noted);
        // Browsers refuse `*` with credentials; the wildcard alone decides.
        assert_eq!(judge(&grant(Some("*"), true), true), Verdict::Noted);
    }

    #[test]
    fn other_or_no_origins_are_closed() {
        assert_eq!(judge(&grant(None, true), false), Verdict::Closed);
        assert_eq!(judge(&grant(Some("http://localhost:3000"), true), false), Verdict::Closed);
    }
}
