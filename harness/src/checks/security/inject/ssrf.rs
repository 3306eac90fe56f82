//! A tool taking a URL never fetches loopback, link-local or non-HTTP addresses it is given.

use std::sync::LazyLock;

use regex::Regex;

use super::listener::Canary;
use super::probe::{Hit, Prober, Verdict, judge, nonce, probed_label};
use super::targets::{Family, eligible, nothing_to_probe, targets};
use super::{INTRUSIVE_TOOLS, file_signature};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Severity, Suite};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "allow only http(s) URLs to an allowlist of hosts; resolve the host and refuse loopback, \
     private and link-local addresses (in every notation: decimal, hex, IPv4-mapped IPv6) at connect time, and \
     re-check every redirect target (or do not follow redirects)";

/// Cloud instance-metadata answers.
static METADATA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(ami-id|instance-id|security-credentials|iam/info)\b").expect("pattern compiles"));

/// One SSRF payload: the URL (`{canary}` = the canary's `host:port`, `{redirect}` = the redirecting listener's,
/// `{mark}` = the path naming this check's nonce and the payload's index).
const PAYLOADS: &[&str] = &[
    "http://{canary}/{mark}",
    "http://[::ffff:127.0.0.1]:{port}/{mark}",
    "http://2130706433:{port}/{mark}",
    "http://0x7f.1:{port}/{mark}",
    "http://{redirect}/{mark}",
    "gopher://{canary}/_{mark}",
    "http://169.254.169.254/latest/meta-data/",
    "file:///etc/passwd",
];

/// Tools taking a URL do not fetch what an attacker names: the canary listener is never reached.
///
/// Intrusive (`--danger-intrusive`): each eligible tool with a URL-named string property (`url`, `uri`, `endpoint`,
/// `webhook`, …, or `format: uri`) is called with loopback URLs to the canary listener (127.0.0.1 in dotted,
/// IPv4-mapped IPv6, decimal and hex notation), a URL to a second listener that redirects (302) to the canary, a
/// `gopher:` URL to the canary, the cloud metadata address and `file:///etc/passwd`. A request reaching the canary
/// (a path naming this check's nonce and the payload: directly or through the redirect), metadata or
/// `/etc/passwd` content in an answer fails. The harness itself fetches nothing. Ends with a liveness probe.
pub(crate) const SSRF: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.inject.ssrf"),
        title: "a tool taking a URL fetches no loopback, link-local, redirected-to-loopback or non-HTTP address it is given",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.tool-inputs-validated", "security.ssrf"],
        applies: INTRUSIVE_TOOLS,
        tags: &["security", "intrusive", "injection", "tools"],
    },
    run: check_fn!(ssrf),
};

async fn ssrf(cx: &mut CheckContext) -> Conclusion {
    let eligible = eligible(cx).await?;
    let targets = targets(&eligible.tools, &[Family::Url]);
    if targets.is_empty() {
        return Ok(nothing_to_probe(
            &eligible,
            "a URL-named string property (url, uri, endpoint, webhook, or format: uri)",
        ));
    }
    let could_not = |e: std::io::Error| Outcome::error(format!("could not start the canary listener: {e}"));
    let canary = Canary::start().await.map_err(could_not)?;
    let nonce = nonce();
    let probed = probed_label(&targets, &eligible.rule);
    let mut p = Prober::new(cx.fresh_session().await?, cx.timeout());
    let mut hits = Vec::new();
    let mut n = 0usize;
    let mut redirects = Vec::new();
    'all: for target in &targets {
        for template in PAYLOADS {
            n += 1;
            let mark = format!("s-{nonce}-{n:03}");
            let mut payload = template
                .replace("{canary}", &format!("127.0.0.1:{}", canary.port()))
                .replace("{port}", &canary.port().to_string())
                .replace("{mark}", &mark);
            if payload.contains("{redirect}") {
                let to = canary.url(&format!("/{mark}-redirected"));
                let redirect = Canary::redirecting(to).await.map_err(could_not)?;
                payload = payload.replace("{redirect}", &format!("127.0.0.1:{}", redirect.port()));
                redirects.push(redirect);
            }
            let Some(answer) = p.call(target, &payload).await else { break 'all };
            let mut matched = Vec::new();
            let reached: Vec<String> =
                canary.hits().into_iter().filter(|h| h.path.contains(&mark)).map(|h| h.path).collect();
            if !reached.is_empty() {
                matched.push(format!("the canary listener got {}", reached.join(", ")));
            }
            if let Some(m) = file_signature(answer.text()) {
                matched.push(format!("file content `{m}`"));
            }
            if let Some(m) = METADATA.find(answer.text()) {
                matched.push(format!("instance metadata `{}`", m.as_str()));
            }
            hits.extend(Hit::when_matched(target.label(), payload, &matched, &answer));
        }
    }
    let done = p.conclude(probed).await;
    for hit in canary.hits() {
        if hit.path.contains(&format!("s-{nonce}-")) && !hits.iter().any(|h| h.matched.contains(&hit.path)) {
            hits.push(Hit {
                target: "a tool called earlier".to_owned(),
                payload: format!("the payload whose path is {}", hit.path),
                matched: format!(
                    "the canary listener got {} late ({} ms after it started)",
                    hit.path,
                    hit.after.as_millis()
                ),
                answer: String::new(),
            });
        }
    }
    drop(redirects);
    Ok(judge(
        &hits,
        done.liveness,
        &done.probed,
        done.sent,
        &Verdict {
            expected: "no request reaches the canary listener (directly, in any notation, or through a redirect); no \
                       metadata or file content in answers",
            severity: Severity::High,
            cwe: 918,
            remediation: REMEDIATION,
        },
    ))
}
