//! A tool taking a path never reads a file outside its root.

use super::probe::{Hit, Prober, Verdict, judge, probed_label};
use super::targets::{Family, eligible, nothing_to_probe, targets};
use super::{INTRUSIVE_TOOLS, file_signature};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Severity, Suite};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "resolve every path against the tool's root (canonicalise, following symlinks), refuse \
     absolute paths, `..` segments, encoded separators and URIs, and check the result is still under the root (a \
     whole-component prefix check, not a string prefix)";

/// The payloads (the catalogue's, but the shared-prefix sibling, which needs the root's name).
pub(crate) const PAYLOADS: &[&str] = &[
    "../../../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "....//....//....//....//....//....//....//....//etc/passwd",
    "..\\..\\..\\..\\..\\..\\..\\..\\Windows\\win.ini",
    "/etc/passwd",
    "file:///etc/passwd",
    "..",
];

/// Tools taking a path refuse traversal: no answer shows `/etc/passwd` or `win.ini`.
///
/// Intrusive (`--danger-intrusive`): each eligible tool with a path-named string property (`path`, `file`,
/// `filename`, `dir`, `folder`) is called with each payload; an answer matching `root:…:0:0:` or `[fonts]` fails
/// (critical). Ends with a liveness probe.
pub(crate) const PATH_TRAVERSAL: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.inject.path-traversal"),
        title: "a tool taking a path refuses traversal: no answer shows a file outside its root (/etc/passwd, win.ini)",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.tool-inputs-validated", "security.path-traversal"],
        applies: INTRUSIVE_TOOLS,
        tags: &["security", "intrusive", "injection", "tools"],
    },
    run: check_fn!(path_traversal),
};

async fn path_traversal(cx: &mut CheckContext) -> Conclusion {
    let eligible = eligible(cx).await?;
    let targets = targets(&eligible.tools, &[Family::Path]);
    if targets.is_empty() {
        return Ok(nothing_to_probe(&eligible, "a path-named string property (path, file, filename, dir, folder)"));
    }
    let probed = probed_label(&targets, &eligible.rule);
    let mut p = Prober::new(cx.fresh_session().await?, cx.timeout());
    let mut hits = Vec::new();
    'all: for target in &targets {
        for payload in PAYLOADS {
            let Some(answer) = p.call(target, payload).await else { break 'all };
            if let Some(matched) = file_signature(answer.text()) {
                hits.push(Hit {
                    target: target.label(),
                    payload: (*payload).to_owned(),
                    matched,
                    answer: answer.describe(),
                });
            }
        }
    }
    let done = p.conclude(probed).await;
    Ok(judge(
        &hits,
        done.liveness,
        &done.probed,
        done.sent,
        &Verdict {
            expected: "every traversal payload refused (isError or -32602); no answer shows root:…:0:0: or [fonts]",
            severity: Severity::Critical,
            cwe: 22,
            remediation: REMEDIATION,
        },
    ))
}
