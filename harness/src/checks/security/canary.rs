//! The run's canary secret, given to the target's environment, never comes back: not in a result, an error, a
//! notification, an HTTP header or body, nor a stdout line.

use crate::check::context::CANARY_ENV;
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Needs, Outcome, Severity,
    SkipReason, Suite,
};
use crate::check_fn;
use crate::wire::Transcript;

/// What to change when the check fails.
const REMEDIATION: &str = "never return environment variables, configuration or credentials in results, errors, \
     notifications or headers; tools that show the environment leak every secret the server was given";

/// Sightings listed at most.
const LISTED: usize = 8;

/// The canary never leaves the server.
///
/// Every process the harness starts for the target gets `MCP_HARNESS_CANARY=mcp-canary-<nonce>` (a fresh nonce per
/// run, registered with the transcript as a secret, so reports show it only as `mcp-canary-…<first 4 of nonce>`).
/// The check judges everything the target sent during the whole run (it runs after all others). stderr is not
/// judged: it goes to the operator's log, not to the client or the model. A URL target was not started by the
/// harness, whose environment it cannot seed: skipped.
pub(crate) const CANARY_SECRET: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.leak.canary-secret"),
        title: "a secret in the server's environment (the run's canary) never appears in anything it sends",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.tool-outputs-sanitized", "security.secret-exposure"],
        applies: Applicability { needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["security", "leak", "canary", "observations"],
    },
    run: check_fn!(canary_secret),
};

async fn canary_secret(cx: &mut CheckContext) -> Conclusion {
    let Some(canary) = cx.canary().map(str::to_owned) else {
        return Ok(Outcome::skip(
            SkipReason::NotApplicable,
            "the target is a URL the harness did not start, so it could not give it a canary secret",
        ));
    };
    crate::checks::observed::exercise(cx).await;
    let hint = Transcript::hint(&canary);
    let sightings: Vec<_> = cx.transcript().sightings().into_iter().filter(|s| s.hint == hint).collect();
    let (stderr, sent): (Vec<_>, Vec<_>) = sightings.into_iter().partition(|s| s.channel == "stderr");
    if sent.is_empty() {
        let mut note = format!("{CANARY_ENV}={hint} never appeared in what the target sent");
        if !stderr.is_empty() {
            note.push_str(&format!(" (it appeared {} time(s) on stderr, which is not judged)", stderr.len()));
        }
        return Ok(Outcome::pass_with(note));
    }
    let lines: Vec<String> =
        sent.iter().take(LISTED).map(|s| format!("entry {} ({}): {}", s.seq, s.channel, s.context)).collect();
    let finding = Finding::new(Severity::High, Some(526), REMEDIATION)
        .matched(&lines[0])
        .request(format!("the target's environment: {CANARY_ENV}={hint} (set by the harness at launch)"))
        .answer(lines.join("\n"));
    Ok(Outcome::violated(
        format!("{CANARY_ENV}'s value never in anything the target sends"),
        format!("the canary {hint} came back {} time(s):\n{}", sent.len(), lines.join("\n")),
    )
    .with_finding(finding))
}
