//! A tool never runs a command line built from its arguments.

use std::path::PathBuf;
use std::sync::LazyLock;

use regex::Regex;

use super::INTRUSIVE_TOOLS;
use super::listener::Canary;
use super::probe::{Hit, Prober, Verdict, judge, nonce, probed_label};
use super::targets::{Family, eligible, nothing_to_probe, targets};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Severity, Suite};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "never pass arguments through a shell (`sh -c`, `system`, `exec` of a string): spawn the \
     program with an argument vector, put `--` before operands, refuse values starting with `-`, and validate \
     values against an allowlist";

/// `id`'s output.
static ID_OUTPUT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"uid=\d+\(\w+\)").expect("pattern compiles"));

/// The payloads: shell metacharacters running `id` or `whoami`, argument injection writing the canary file, and a
/// command substitution fetching the canary URL. `{file}` is the canary file, `{url}` the canary URL.
const PAYLOADS: &[&str] = &[
    ";id",
    "|id",
    "&&id",
    "$(id)",
    "`id`",
    "\nid",
    "& whoami",
    "--output={file}",
    "--upload-pack=touch {file}",
    "-oProxyCommand=touch {file}",
    "$(curl -s {url})",
];

/// Tools never run commands built from their arguments: no `id` output, no canary hit, no canary file.
///
/// Intrusive (`--danger-intrusive`): each eligible tool with a command-ish or path-named string property (`cmd`,
/// `command`, `args`, `host`, `branch`, `ref`, `path`, `file`, …) is called with each payload. Oracles: `id`'s
/// output (`uid=N(name)`) or this user's name alone on a line after `whoami`; a request to the canary listener
/// (127.0.0.1, a path naming this check's nonce and the payload); for a target the harness started (it shares this
/// machine), the canary file `$TMPDIR/mcp-canary-<nonce>-<nnn>`. Ends with a liveness probe.
pub(crate) const COMMAND: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.inject.command"),
        title: "a tool never runs a command line built from its arguments (no id output, no canary hit or file)",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &[
            "security.tool-inputs-validated",
            "security.os-command-injection",
            "security.argument-injection",
        ],
        applies: INTRUSIVE_TOOLS,
        tags: &["security", "intrusive", "injection", "tools"],
    },
    run: check_fn!(command),
};

async fn command(cx: &mut CheckContext) -> Conclusion {
    let eligible = eligible(cx).await?;
    let targets = targets(&eligible.tools, &[Family::Command, Family::Path]);
    if targets.is_empty() {
        return Ok(nothing_to_probe(
            &eligible,
            "a command- or path-named string property (cmd, command, args, host, branch, ref, path, file, …)",
        ));
    }
    let canary =
        Canary::start().await.map_err(|e| Outcome::error(format!("could not start the canary listener: {e}")))?;
    let nonce = nonce();
    // The canary file is meaningful only when the target runs on this machine: one the harness started.
    let local = cx.canary().is_some();
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).ok().filter(|u| !u.is_empty());
    let probed = probed_label(&targets, &eligible.rule);
    let mut p = Prober::new(cx.fresh_session().await?, cx.timeout());
    let mut hits = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut n = 0usize;
    'all: for target in &targets {
        for template in PAYLOADS {
            n += 1;
            let file = std::env::temp_dir().join(format!("mcp-canary-{nonce}-{n:03}"));
            let path = format!("/c-{nonce}-{n:03}");
            let payload = template.replace("{file}", &file.display().to_string()).replace("{url}", &canary.url(&path));
            files.push(file.clone());
            let Some(answer) = p.call(target, &payload).await else { break 'all };
            let text = answer.text();
            let mut matched = Vec::new();
            if let Some(m) = ID_OUTPUT.find(text) {
                matched.push(format!("`id` output {}", m.as_str()));
            }
            if template.contains("whoami")
                && let Some(u) = &user
                && text.lines().any(|l| l.trim() == u)
            {
                matched.push(format!("`whoami` output: the line `{u}`"));
            }
            // A command may run after its answer: the canary is read again at the end.
            if !canary.hits_on(&path).is_empty() {
                matched.push(format!("the canary listener got GET {path}"));
            }
            if local && file.exists() {
                matched.push(format!("the canary file {} was created", file.display()));
            }
            hits.extend(Hit::when_matched(target.label(), payload, &matched, &answer));
        }
    }
    let done = p.conclude(probed).await;
    // Late effects (a command still running when its answer came) show by now.
    for hit in canary.hits() {
        if let Some(k) = hit.path.strip_prefix(&format!("/c-{nonce}-"))
            && !hits.iter().any(|h| h.payload.contains(&hit.path))
        {
            hits.push(Hit {
                target: "a tool called earlier".to_owned(),
                payload: format!("payload #{k}"),
                matched: format!(
                    "the canary listener got GET {} ({} ms after it started)",
                    hit.path,
                    hit.after.as_millis()
                ),
                answer: String::new(),
            });
        }
    }
    for file in &files {
        if file.exists() {
            if !hits.iter().any(|h| h.matched.contains(&file.display().to_string())) {
                hits.push(Hit {
                    target: "a tool called earlier".to_owned(),
                    payload: format!("a payload naming {}", file.display()),
                    matched: format!("the canary file {} was created", file.display()),
                    answer: String::new(),
                });
            }
            let _ = std::fs::remove_file(file);
        }
    }
    Ok(judge(
        &hits,
        done.liveness,
        &done.probed,
        done.sent,
        &Verdict {
            expected: "no payload runs: no `id`/`whoami` output, no request to the canary listener, no canary file",
            severity: Severity::Critical,
            cwe: 78,
            remediation: REMEDIATION,
        },
    ))
}
