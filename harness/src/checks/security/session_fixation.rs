//! Session fixation: a session id the client chose is never adopted.

use crate::check::{
    Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::evidence::initialize_params;
use crate::checks::http::probe::{Probe, Seen, made_up_session_id, method_of};
use crate::checks::http::sessions::{STATEFUL_HTTP, no_sessions};
use crate::wire::HttpRequest;

/// What to change when the check fails.
const REMEDIATION: &str = "ignore (or refuse) an Mcp-Session-Id sent with initialize and always mint a fresh random \
     id; serve only ids the server minted";

/// The server mints its own session id even when the client proposes one, and never serves the proposed id.
///
/// `initialize` is sent carrying `Mcp-Session-Id: harness-fixed-<nonce>`, as an attacker who plants an id in a
/// victim's client would. The server must answer with an id of its own (or refuse); a request carrying the chosen id
/// must then not be served. A server that serves any unknown id at all is `http.session-unknown-404`'s finding: when
/// a made-up id is served too, the check cannot tell adoption apart and is skipped. An adopted id is chosen by the
/// client, not "secure, non-deterministic": the best practices' MUST, so a failure.
pub(crate) const SESSION_FIXATION: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.session-fixation"),
        title: "an initialize carrying a client-chosen Mcp-Session-Id gets a server-minted id (or is refused); the \
                chosen id is never served",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.session-ids-non-deterministic", "security.session-id-secure"],
        applies: STATEFUL_HTTP,
        tags: &["http", "security", "session", "negative"],
    },
    run: check_fn!(session_fixation),
};

async fn session_fixation(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    if p.session_id().is_none() {
        p.close().await;
        return Ok(no_sessions());
    }
    let result = fixation(cx, &mut p).await;
    p.close().await;
    result
}

async fn fixation(cx: &CheckContext, p: &mut Probe) -> Conclusion {
    let chosen = format!("harness-fixed-{:016x}", rand::random::<u64>());
    let expected = format!(
        "initialize with `Mcp-Session-Id: {chosen}` answered with another id (or refused); `{chosen}` never served"
    );
    let finding = |request: String, answer: String| {
        Finding::new(Severity::Medium, Some(384), REMEDIATION).matched(&chosen).request(request).answer(answer)
    };
    let params = initialize_params(cx, cx.revision().as_str());
    let init = crate::message::request(p.session.next_id(), "initialize", Some(params));
    let req = HttpRequest::post(init.to_string()).header("mcp-session-id", &chosen);
    let reply = p.send(req).await?;
    let minted = reply.header("mcp-session-id").map(str::to_owned);
    let seen = Seen::read(reply, p.timeout).await;
    let init_request = format!("POST initialize with Mcp-Session-Id: {chosen}");
    let init_answer = format!("{}; Mcp-Session-Id: {}", seen.describe(), minted.as_deref().unwrap_or("(none)"));
    // A session the server opened for us under its own id is ended again.
    if let Some(id) = minted.as_deref().filter(|id| *id != chosen && seen.success()) {
        let _ = p.send(HttpRequest::delete().header("mcp-session-id", id)).await;
    }
    if seen.success() && minted.as_deref() == Some(chosen.as_str()) {
        let _ = p.send(HttpRequest::delete().header("mcp-session-id", &chosen)).await;
        return Ok(Outcome::violated(
            expected,
            format!("initialize answered {init_answer}: the chosen id was adopted"),
        )
        .with_finding(finding(init_request, init_answer)));
    }
    // Whether the chosen id now works.
    let msg = p.harmless_request();
    let method = method_of(&msg);
    let req = p.post(&msg).header("mcp-session-id", &chosen);
    let used = p.exchange(req).await?;
    if !(used.success() && used.has_result()) {
        return Ok(Outcome::pass_with(format!(
            "initialize answered HTTP {} (Mcp-Session-Id {}); `{method}` with the chosen id HTTP {}",
            seen.status,
            minted.as_deref().unwrap_or("none"),
            used.status
        )));
    }
    // Served: adoption, unless the server serves every unknown id.
    let msg = p.harmless_request();
    let unknown = made_up_session_id();
    let req = p.post(&msg).header("mcp-session-id", &unknown);
    let control = p.exchange(req).await?;
    if control.success() && control.has_result() {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "not judged: the server also serves a session id it never issued (http.session-unknown-404 judges that), \
             so adopting the chosen id cannot be told apart",
        ));
    }
    let observed = format!(
        "initialize answered {init_answer}; then `{method}` with the chosen id was served ({}), while a never-issued \
         id got HTTP {}",
        used.describe(),
        control.status
    );
    Ok(Outcome::violated(expected, observed)
        .with_finding(finding(format!("{init_request}, then `{method}` with it"), used.describe())))
}
