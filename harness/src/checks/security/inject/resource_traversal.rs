//! `resources/read` never serves a file outside the server's resources.

use serde_json::Value;

use super::file_signature;
use super::probe::{Hit, Prober, Verdict, judge};
use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, OptIn, Severity, Suite,
};
use crate::check_fn;
use crate::checks::pagination::walk::list_all;

/// What to change when the check fails.
const REMEDIATION: &str = "serve only the URIs the server lists or its templates produce: decode, canonicalise and \
     check every path under the resource root (refuse `..`, encoded separators and absolute paths), and answer \
     other URIs with resource-not-found";

/// Pages of `resources/list` and `resources/templates/list` followed at most.
const MAX_PAGES: usize = 5;

/// Templates probed at most.
const MAX_TEMPLATES: usize = 8;

/// What a template variable is set to.
const TRAVERSALS: &[&str] =
    &["../../../../../../../../etc/passwd", "..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd"];

/// URIs read whatever the server lists.
const DIRECT: &[&str] = &[
    "file:///etc/passwd",
    "file:///..%2f..%2f..%2f..%2fetc%2fpasswd",
    "file:///%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
];

/// `resources/read` refuses traversal: no answer shows `/etc/passwd` or `win.ini`.
///
/// Intrusive (`--danger-intrusive`): reads `file:///etc/passwd` (plain and percent-encoded traversals), each listed
/// `file://` resource's directory followed by `../` segments to `/etc/passwd`, and each template (at most 8) with
/// every variable set to a traversal (plain and percent-encoded). An answer matching `root:…:0:0:` or `[fonts]`
/// fails. Ends with a liveness probe.
pub(crate) const RESOURCE_TRAVERSAL: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.inject.resource-traversal"),
        title: "resources/read refuses file:// and template traversal: no answer shows a file outside the resources",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.resource-uris-validated", "security.file-paths-sanitized", "security.path-traversal"],
        applies: Applicability {
            capability: Some(Capability::Resources),
            opt_in: Some(OptIn::DangerIntrusive),
            ..Applicability::ALWAYS
        },
        tags: &["security", "intrusive", "injection", "resources"],
    },
    run: check_fn!(resource_traversal),
};

async fn resource_traversal(cx: &mut CheckContext) -> Conclusion {
    let expected = "a list result";
    let resources = list_all(cx.session()?, "resources/list", "resources", MAX_PAGES, expected).await?.items;
    let templates =
        list_all(cx.session()?, "resources/templates/list", "resourceTemplates", MAX_PAGES, expected).await?.items;
    let mut uris: Vec<String> = DIRECT.iter().map(|u| (*u).to_owned()).collect();
    for r in resources.iter().filter_map(|r| r.get("uri").and_then(Value::as_str)) {
        if let Some(dir) = r.strip_prefix("file://").and_then(|p| p.rsplit_once('/')).map(|(d, _)| d) {
            uris.push(format!("file://{dir}/../../../../../../../../etc/passwd"));
        }
        if uris.len() >= DIRECT.len() + 2 {
            break;
        }
    }
    let mut from_templates = 0;
    for t in templates.iter().filter_map(|t| t.get("uriTemplate").and_then(Value::as_str)).take(MAX_TEMPLATES) {
        for traversal in TRAVERSALS {
            if let Some(uri) = expand(t, traversal) {
                uris.push(uri);
                from_templates += 1;
            }
        }
    }
    let probed =
        format!("{} URI(s), {from_templates} from {} template(s)", uris.len(), templates.len().min(MAX_TEMPLATES));
    let mut p = Prober::new(cx.fresh_session().await?, cx.timeout());
    let mut hits = Vec::new();
    for uri in &uris {
        let Some(answer) = p.read(uri).await else { break };
        if let Some(matched) = file_signature(answer.text()) {
            hits.push(Hit {
                target: "resources/read".to_owned(),
                payload: uri.clone(),
                matched,
                answer: answer.describe(),
            });
        }
    }
    let done = p.conclude(probed).await;
    Ok(judge(
        &hits,
        done.liveness,
        &done.probed,
        done.sent,
        &Verdict {
            expected: "traversal URIs answered with resource-not-found or invalid params; no answer shows \
                       root:…:0:0: or [fonts]",
            severity: Severity::High,
            cwe: 22,
            remediation: REMEDIATION,
        },
    ))
}

/// `template` with every `{var}` (any RFC 6570 operator) set to `value`; `None` without variables.
fn expand(template: &str, value: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    let mut any = false;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}')? + start;
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 1..];
        any = true;
    }
    out.push_str(rest);
    any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_every_variable() {
        assert_eq!(expand("file:///root/{path}", "../x").as_deref(), Some("file:///root/../x"));
        assert_eq!(expand("a://{+p}/{q}", "v").as_deref(), Some("a://v/v"));
        assert_eq!(expand("a://static", "v"), None);
    }
}
