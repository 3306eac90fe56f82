//! The protected resource metadata (RFC 9728) names this server and a usable authorization server, and does not
//! advertise omnibus scopes.

use super::challenge::unauthenticated;
use super::open;
use crate::auth::prm::{self, ResourceMetadata, Weight};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite};
use crate::check_fn;
use crate::checks::http::probe::Probe;

/// What to change when the check fails.
const REMEDIATION: &str = "publish protected resource metadata whose `resource` is the server's canonical URI, whose \
     `authorization_servers` lists at least one https:// issuer, and whose `scopes_supported` lists fine-grained \
     scopes (no `*`, `all`, `full-access`)";

/// The metadata document is found (the challenge's `resource_metadata` when it is on the target's origin, else the
/// path-suffixed then the root well-known URL) and read: `resource` must be the server's URI, `authorization_servers`
/// non-empty and all `https://` (loopback `http://` allowed). Omnibus scopes (`*`, `all`, `full-access`, `…:*`) in
/// `scopes_supported` warn (the best practices' scope minimization). A challenge URL on another
/// origin is never fetched (the harness does not follow a target to other hosts).
pub(crate) const PRM_DOCUMENT: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.auth.prm-document"),
        title: "the protected resource metadata names this server, https authorization servers and no omnibus scopes",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &[
            "security.auth-prm",
            "security.auth-prm-authorization-servers",
            "security.auth-https-endpoints",
            "security.auth-scope-minimization",
        ],
        applies: super::AUTH_HTTP,
        tags: &["http", "security", "auth", "metadata"],
    },
    run: check_fn!(prm_document),
};

async fn prm_document(cx: &mut CheckContext) -> Conclusion {
    let mut p = open(cx).await?;
    let result = judge(cx, &mut p).await;
    p.close().await;
    result
}

async fn judge(cx: &mut CheckContext, p: &mut Probe) -> Conclusion {
    let Some(target) = cx.http_target().cloned() else {
        return Err(Outcome::error("not an HTTP target"));
    };
    let (_, answer) = unauthenticated(p).await?;
    let mut candidates = Vec::new();
    let mut notes = Vec::new();
    if let Some(url) = answer.bearer().and_then(|b| b.param("resource_metadata")) {
        if prm::same_origin(url, &target.url) {
            candidates.push(url.to_owned());
        } else {
            notes.push(format!("the challenge's resource_metadata {url:?} is on another origin and was not fetched"));
        }
    }
    for url in prm::well_known_urls(&target.url) {
        if !candidates.contains(&url) {
            candidates.push(url);
        }
    }
    let mut found: Option<(String, ResourceMetadata)> = None;
    for url in &candidates {
        if let Some(doc) = crate::auth::fetch_metadata(url, &target, cx.limits(), cx.transcript(), cx.timeout()).await {
            found = Some((url.clone(), doc));
            break;
        }
    }
    let expected = "a protected resource metadata document naming this server and an https:// authorization server";
    let Some((url, doc)) = found else {
        let finding =
            Finding::new(Severity::Medium, None, REMEDIATION).request(format!("GET {}", candidates.join(", GET ")));
        return Ok(Outcome::violated(
            expected,
            format!("no URL served a protected resource metadata JSON object{}", suffix(&notes)),
        )
        .breaking("security.auth-prm", Level::Must)
        .with_finding(finding));
    };
    let resource = prm::canonical(&target.url);
    let problems = prm::problems(&doc, &resource);
    if problems.is_empty() {
        return Ok(Outcome::pass_with(format!(
            "{url}: resource {:?}, authorization servers {:?}, scopes {:?}{}",
            doc.resource.as_deref().unwrap_or_default(),
            doc.authorization_servers,
            doc.scopes_supported,
            suffix(&notes)
        )));
    }
    let texts: Vec<&str> = problems.iter().map(|p| p.text.as_str()).collect();
    let broken = problems.iter().any(|p| p.weight == Weight::Broken);
    let first = problems.iter().find(|p| p.weight == Weight::Broken).unwrap_or(&problems[0]);
    let (severity, level) = if broken { (Severity::Medium, Level::Must) } else { (Severity::Low, Level::Should) };
    let requirement = first.rule;
    let finding = Finding::new(severity, None, REMEDIATION).request(format!("GET {url}")).matched(texts.join("; "));
    Ok(Outcome::violated(expected, format!("{url}: {}{}", texts.join("; "), suffix(&notes)))
        .breaking(requirement, level)
        .with_finding(finding))
}

fn suffix(notes: &[String]) -> String {
    if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) }
}
