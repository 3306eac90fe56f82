//! What a server sends carries no secrets (cloud keys, private keys, tokens, an echoed `Authorization`) and no
//! internals (stack traces, home-directory paths, private network addresses).

use std::sync::LazyLock;

use regex::Regex;

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Needs, Outcome, Severity,
    SkipReason, Suite,
};
use crate::check_fn;
use crate::wire::{Direction, Transcript};

/// What to change when the check fails.
const REMEDIATION: &str = "sanitize tool outputs and error messages: never return credentials or the caller's \
     Authorization; answer errors with a short message, logging stack traces, file paths and internal addresses \
     on the server";

/// Hits listed at most.
const LISTED: usize = 8;

/// Secrets: any one fails. Own patterns for well-known token formats.
const SECRETS: &[(&str, &str)] = &[
    ("AWS access key id", r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    ("Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    ("API secret key", r"\bsk-(proj-|ant-)?[A-Za-z0-9_-]{20,}"),
    ("JSON Web Token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    ("echoed Authorization", r#"(?i)"?authorization"?\s*[:=]\s*"?(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"#),
];

/// Internals: any one warns.
const DETAILS: &[(&str, &str)] = &[
    ("Python stack trace", r"Traceback \(most recent call last\)"),
    ("JavaScript stack trace", r"\n\s+at \S[^\n]{0,200}:\d+:\d+\)?"),
    ("Rust panic", r"panicked at "),
    (
        "Java stack trace",
        r"\bat (java|javax|org|com|io|net)\.[\w.$]+\([\w]+\.java:\d+\)|java\.lang\.\w+(Exception|Error)",
    ),
    ("Go panic", r"goroutine \d+ \[running\]"),
    ("home-directory path", r"(/home/[a-z_][\w.-]*/|/Users/[\w.-]+/|/root/|[A-Za-z]:\\Users\\)"),
    (
        "private network address (RFC 1918)",
        r"\b(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})\b",
    ),
];

fn compile(list: &'static [(&'static str, &'static str)]) -> Vec<(&'static str, Regex)> {
    list.iter().map(|(name, re)| (*name, Regex::new(re).expect("valid sensitive-output pattern"))).collect()
}

static SECRET_RES: LazyLock<Vec<(&str, Regex)>> = LazyLock::new(|| compile(SECRETS));
static DETAIL_RES: LazyLock<Vec<(&str, Regex)>> = LazyLock::new(|| compile(DETAILS));

/// Nothing sensitive in what the server sends.
///
/// MUST level ("Servers MUST: Sanitize tool outputs"): a secret (a token format, a private key, the harness's own
/// bearer token or an `Authorization` echoed back) fails. Internals (stack traces, home-directory paths, RFC 1918
/// addresses) break the SHOULD of `security.error-details` (CWE-209) and warn. Judges everything received during
/// the whole run (it runs after all others) except stderr, which goes to the operator's log, not to the client.
pub(crate) const SENSITIVE_OUTPUT: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.leak.sensitive-output"),
        title: "nothing the server sends carries secrets (failed) or stack traces, home paths, private addresses (warning)",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.tool-outputs-sanitized", "security.error-details"],
        applies: Applicability { needs: Needs::Observations, ..Applicability::ALWAYS },
        tags: &["security", "leak", "observations"],
    },
    run: check_fn!(sensitive_output),
};

/// A secret shown without revealing it: its first four characters and its length.
fn masked(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…({} chars)", secret.chars().count())
}

/// A hit in `text` (one stored entry), with a masked or quoted span.
fn scan(text: &str, patterns: &[(&'static str, Regex)], mask: bool) -> Option<(&'static str, String)> {
    patterns.iter().find_map(|(name, re)| {
        re.find(text).map(|m| {
            let span = if mask { masked(m.as_str()) } else { m.as_str().chars().take(120).collect() };
            (*name, span.replace(['\n', '\r'], " "))
        })
    })
}

async fn sensitive_output(cx: &mut CheckContext) -> Conclusion {
    crate::checks::observed::exercise(cx).await;
    let entries: Vec<_> = cx
        .transcript()
        .entries()
        .into_iter()
        .filter(|e| e.direction == Direction::Received && e.channel != "stderr")
        .collect();
    if entries.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the target sent nothing during the run"));
    }
    let canary = cx.canary().map(Transcript::hint);
    // The harness's own secrets (a bearer token) coming back; the canary is its own check's.
    let echoed: Vec<String> = cx
        .transcript()
        .sightings()
        .into_iter()
        .filter(|s| s.channel != "stderr" && Some(&s.hint) != canary.as_ref())
        .map(|s| format!("entry {} ({}): the harness's credential echoed: {}", s.seq, s.channel, s.context))
        .collect();
    let mut secrets = echoed;
    let mut details = Vec::new();
    for e in &entries {
        if let Some((name, span)) = scan(&e.text, &SECRET_RES, true) {
            secrets.push(format!("entry {} ({}): {name}: {span}", e.seq, e.channel));
        } else if let Some((name, span)) = scan(&e.text, &DETAIL_RES, false) {
            details.push(format!("entry {} ({}): {name}: {span}", e.seq, e.channel));
        }
    }
    let listed = |v: &[String]| -> String {
        let mut s: Vec<String> = v.iter().take(LISTED).cloned().collect();
        if v.len() > LISTED {
            s.push(format!("… and {} more", v.len() - LISTED));
        }
        s.join("\n")
    };
    if !secrets.is_empty() {
        let finding = Finding::new(Severity::High, Some(200), REMEDIATION)
            .matched(&secrets[0])
            .request("every request of the run")
            .answer(listed(&secrets));
        return Ok(Outcome::violated(
            "no credential in anything the target sends",
            format!("{} message(s) carry a secret:\n{}", secrets.len(), listed(&secrets)),
        )
        .with_finding(finding));
    }
    if !details.is_empty() {
        let finding = Finding::new(Severity::Medium, Some(209), REMEDIATION)
            .matched(&details[0])
            .request("every request of the run")
            .answer(listed(&details));
        return Ok(Outcome::violated(
            "no stack trace, home-directory path or private address in anything the target sends",
            format!("{} message(s) expose internals:\n{}", details.len(), listed(&details)),
        )
        .breaking("security.error-details", Level::Should)
        .with_finding(finding));
    }
    Ok(Outcome::pass_with(format!("{} received messages scanned (stderr aside)", entries.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_details_quoted() {
        let (name, span) = scan(r#"{"key":"AKIAIOSFODNN7EXAMPLE"}"#, &SECRET_RES, true).unwrap();
        assert_eq!((name, span.as_str()), ("AWS access key id", "AKIA…(20 chars)"));
        let t = "{\"error\":{\"message\":\"Traceback (most recent call last):\\n  File \\\"/home/mcp/s.py\\\"\"}}";
        assert_eq!(scan(t, &DETAIL_RES, false).unwrap().0, "Python stack trace");
        assert!(scan("/home/alice/project/x.py", &DETAIL_RES, false).is_some());
        assert!(scan("listening on 192.168.1.20:8080", &DETAIL_RES, false).is_some());
        for clean in [
            r#"{"result":{"tools":[{"name":"echo","description":"Returns the message."}]}}"#,
            "version 10.2.3 at /tmp/x",
            "HTTP 200 OK\ncontent-type: application/json",
        ] {
            assert!(scan(clean, &SECRET_RES, true).is_none() && scan(clean, &DETAIL_RES, false).is_none(), "{clean}");
        }
    }
}
