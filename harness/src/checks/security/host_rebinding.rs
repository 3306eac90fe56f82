//! A loopback Streamable HTTP server refuses a request whose `Host` names a foreign domain (DNS rebinding).

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason,
    Suite, Transports,
};
use crate::check_fn;
use crate::checks::http::probe::{Probe, loopback_authority, method_of};

/// What to change when the check fails.
const REMEDIATION: &str = "refuse requests whose Host is not the server's own loopback name (localhost, 127.0.0.1, \
     [::1], with its port) with HTTP 403 or 421 — the DNS-rebinding protection every MCP SDK offers";

/// The foreign host name the check puts in `Host`.
const EVIL_HOST: &str = "evil.example";

/// The DNS-rebinding request, judged by `Host` alone.
///
/// A page on `evil.example` whose name an attacker re-points at 127.0.0.1 makes the victim's browser send
/// `Host: evil.example:<port>` to the local server. The spec's rule names `Origin` (`http.origin-403` checks it);
/// validating `Host` is the second defence every SDK applies to loopback servers (python-sdk answers 421, rmcp and
/// the TypeScript SDK 403) and the official suite's `dns-rebinding-protection` scenario sends both headers. No
/// revision words a keyword for `Host`, so a server that serves the request gets a warning. The probe sends no
/// `Origin`, so it tests `Host` alone; the control is the same request with the URL's own `Host`.
pub(crate) const HOST_REBINDING: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.host-rebinding"),
        title: "a loopback server refuses a request whose Host header names a foreign domain (DNS rebinding)",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &["security.dns-rebinding", "security.local-server-compromise"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "security", "dns-rebinding", "negative"],
    },
    run: check_fn!(host_rebinding),
};

async fn host_rebinding(cx: &mut CheckContext) -> Conclusion {
    let url = cx.http_target().map(|t| t.url.clone()).unwrap_or_default();
    let Some((_, port)) = loopback_authority(&url) else {
        return Ok(Outcome::skip(
            SkipReason::NotApplicable,
            "the target URL is not a loopback address; DNS rebinding targets local servers",
        ));
    };
    let foreign_host = format!("{EVIL_HOST}:{port}");
    let expected = format!(
        "`Host: {foreign_host}` refused with an HTTP 4xx (403 or 421); the same request with the URL's Host served"
    );
    let mut p = Probe::open(cx).await?;
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = p.post(&msg).header("host", &foreign_host);
    let foreign = p.exchange(req).await;
    let control = match &foreign {
        Ok(seen) if seen.client_error() => {
            let msg = p.harmless_request();
            let req = p.post(&msg);
            Some(p.exchange(req).await)
        }
        _ => None,
    };
    p.close().await;
    let foreign = foreign?;
    let Some(control) = control else {
        let finding = Finding::new(Severity::High, Some(346), REMEDIATION)
            .request(format!("POST {url} with Host: {foreign_host} ({method})"))
            .answer(foreign.describe());
        return Ok(Outcome::violated(
            expected,
            format!("{method} with `Host: {foreign_host}` answered {}", foreign.describe()),
        )
        .with_finding(finding));
    };
    let control = control?;
    if !control.success() {
        return Err(Outcome::error(format!(
            "could not test: the control request with the URL's own Host was not served either ({})",
            control.describe()
        )));
    }
    Ok(Outcome::pass_with(format!("foreign Host: HTTP {}; the URL's Host: HTTP {}", foreign.status, control.status)))
}
