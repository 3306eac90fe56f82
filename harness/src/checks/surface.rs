//! `surface.*`: the live surface against the lock given with `--surface FILE` (suite `e2e`, opt-in). One check per
//! kind of item; each lists the kind (every page) on the run's shared session and compares it with the lock
//! (rules in `crate::surface::compare` and `crate::surface::schema_diff`): a breaking change fails
//! (`surface.no-breaking-change`), a silent change warns (`surface.no-silent-change`), an addition passes with a
//! note.

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, OptIn, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::surface::LoadedLock;
use crate::surface::capture::{Kind, list_live, records};
use crate::surface::compare::{self, Finding, Severity};

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[TOOLS, RESOURCES, TEMPLATES, PROMPTS];

/// The requirement a breaking change breaks (the checks' own, MUST).
const NO_BREAKING_CHANGE: &str = "surface.no-breaking-change";

/// The requirement a silent change breaks (SHOULD: a warning).
const NO_SILENT_CHANGE: &str = "surface.no-silent-change";

/// Findings listed at most in one outcome.
const MAX_LISTED: usize = 60;

const APPLIES: Applicability = Applicability { opt_in: Some(OptIn::SurfaceLock), ..Applicability::ALWAYS };

/// The locked tools.
pub(crate) const TOOLS: Check = Check {
    meta: CheckMeta {
        id: CheckId("surface.tools"),
        title: "every locked tool is still listed, with no argument removed or newly required and no type narrowed; descriptions and annotations as locked",
        suite: Suite::E2e,
        level: Level::Must,
        requirements: &[NO_BREAKING_CHANGE, NO_SILENT_CHANGE],
        applies: APPLIES,
        tags: &["surface", "tools"],
    },
    run: check_fn!(tools),
};

/// The locked resources.
pub(crate) const RESOURCES: Check = Check {
    meta: CheckMeta {
        id: CheckId("surface.resources"),
        title: "every locked resource is still listed; names, descriptions, MIME types and annotations as locked",
        suite: Suite::E2e,
        level: Level::Must,
        requirements: &[NO_BREAKING_CHANGE, NO_SILENT_CHANGE],
        applies: APPLIES,
        tags: &["surface", "resources"],
    },
    run: check_fn!(resources),
};

/// The locked resource templates.
pub(crate) const TEMPLATES: Check = Check {
    meta: CheckMeta {
        id: CheckId("surface.templates"),
        title: "every locked resource template is still listed; names, descriptions, MIME types and annotations as locked",
        suite: Suite::E2e,
        level: Level::Must,
        requirements: &[NO_BREAKING_CHANGE, NO_SILENT_CHANGE],
        applies: APPLIES,
        tags: &["surface", "resources"],
    },
    run: check_fn!(templates),
};

/// The locked prompts.
pub(crate) const PROMPTS: Check = Check {
    meta: CheckMeta {
        id: CheckId("surface.prompts"),
        title: "every locked prompt is still listed, with no argument removed or newly required; descriptions as locked",
        suite: Suite::E2e,
        level: Level::Must,
        requirements: &[NO_BREAKING_CHANGE, NO_SILENT_CHANGE],
        applies: APPLIES,
        tags: &["surface", "prompts"],
    },
    run: check_fn!(prompts),
};

async fn tools(cx: &mut CheckContext) -> Conclusion {
    judge(cx, Kind::Tools).await
}

async fn resources(cx: &mut CheckContext) -> Conclusion {
    judge(cx, Kind::Resources).await
}

async fn templates(cx: &mut CheckContext) -> Conclusion {
    judge(cx, Kind::Templates).await
}

async fn prompts(cx: &mut CheckContext) -> Conclusion {
    judge(cx, Kind::Prompts).await
}

/// Lists `kind` and compares it with the lock.
async fn judge(cx: &mut CheckContext, kind: Kind) -> Conclusion {
    let Some(loaded) = cx.options().surface.clone() else {
        return Ok(cx.needs_opt_in(OptIn::SurfaceLock.flag()));
    };
    let server = describe_server(cx);
    let revision = cx.revision().as_str();
    let listed = list_live(cx.session()?, kind).await?;
    let mut notes = Vec::new();
    if !cx.profile().has(kind.capability()) {
        notes.push(format!(
            "the server does not advertise the `{}` capability, so no {} were listed",
            kind.capability().name(),
            kind.plural()
        ));
    }
    let lock = &loaded.lock;
    let (findings, locked) = match kind {
        Kind::Tools => (compare::tools(&lock.tools, &records(kind, &listed, true, &mut notes)), lock.tools.len()),
        Kind::Resources => {
            (compare::resources(&lock.resources, &records(kind, &listed, true, &mut notes)), lock.resources.len())
        }
        Kind::Templates => (
            compare::templates(&lock.resource_templates, &records(kind, &listed, true, &mut notes)),
            lock.resource_templates.len(),
        ),
        Kind::Prompts => {
            (compare::prompts(&lock.prompts, &records(kind, &listed, true, &mut notes)), lock.prompts.len())
        }
    };
    if locked == 0 && listed.is_empty() {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("the lock records no {} and the server lists none", kind.plural()),
        ));
    }
    let seen = Seen { server: &server, revision, locked, listed: listed.len(), notes: &notes };
    Ok(verdict(kind, &loaded, findings, &seen))
}

/// What a check saw besides the findings.
struct Seen<'a> {
    /// The server, as its handshake named it, and the revision spoken.
    server: &'a str,
    /// The revision the run speaks.
    revision: &'a str,
    /// Items of the kind in the lock.
    locked: usize,
    /// Items of the kind the server listed.
    listed: usize,
    /// What the listing contained that cannot be compared (items without a key, keys listed twice).
    notes: &'a [String],
}

/// The outcome for `findings`: failed on a breaking change, a warning on a silent one, passed otherwise; the
/// observed text lists every finding (breaking first) and ends with where the lock came from.
fn verdict(kind: Kind, loaded: &LoadedLock, mut findings: Vec<Finding>, seen: &Seen<'_>) -> Outcome {
    let Seen { server, revision, locked, listed, notes } = *seen;
    findings.sort_by_key(|f| f.severity);
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (breaking, silent) = (count(Severity::Breaking), count(Severity::Silent));
    let path = loaded.path.display();
    let lock = &loaded.lock;
    let recorded = format!(
        "lock {path}: {} recorded from {} with protocol {}; this run: {listed} listed by {server}",
        counted(locked, kind),
        identity(lock.server.name.as_deref(), lock.server.version.as_deref()),
        lock.protocol_version,
    );
    let additions: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Addition)
        .map(|f| format!("{}: {}", f.item, f.detail))
        .collect();
    if breaking == 0 && silent == 0 {
        let mut seen = format!("{} as locked", counted(locked, kind));
        if !additions.is_empty() {
            seen.push_str(&format!("; additions (allowed): {}", additions.join("; ")));
        }
        for note in notes {
            seen.push_str(&format!("; {note}"));
        }
        return Outcome::pass_with(format!("{seen}\n{recorded}"));
    }
    let relock = format!("if the change is intended, re-lock: mcp-harness surface <target> --write {path}");
    // The first line of the first finding, without the colon that introduces its detail lines.
    let first = findings
        .first()
        .map(|f| format!("{}: {}", f.item, f.detail.lines().next().unwrap_or("").trim_end_matches(':')))
        .unwrap_or_default();
    let changes = |n: usize, what: &str| format!("{n} {what} change{}", if n == 1 { "" } else { "s" });
    let summary = match (breaking, silent) {
        (0, s) => format!("{} to the locked {}: {first}", changes(s, "silent"), kind.plural()),
        (b, 0) => format!("{} to the locked {}: {first}", changes(b, "breaking"), kind.plural()),
        (b, s) => {
            format!("{} and {} to the locked {}: {first}", changes(b, "breaking"), changes(s, "silent"), kind.plural())
        }
    };
    let mut observed = vec![summary];
    for f in findings.iter().filter(|f| f.severity != Severity::Addition).take(MAX_LISTED) {
        let label = if f.severity == Severity::Breaking { "breaking" } else { "silent" };
        observed.push(format!("[{label}] {}: {}", f.item, f.detail));
    }
    let changed = breaking + silent;
    if changed > MAX_LISTED {
        observed.push(format!("… and {} more", changed - MAX_LISTED));
    }
    if !additions.is_empty() {
        observed.push(format!("additions (allowed): {}", additions.join("; ")));
    }
    observed.extend(notes.iter().cloned());
    observed.push(recorded);
    if lock.protocol_version != revision {
        observed.push(format!(
            "note: the lock was recorded with protocol {} and this run speaks {revision}; a server may offer another \
             surface per revision: record a lock per revision (mcp-harness surface --protocol {revision} …)",
            lock.protocol_version
        ));
    }
    let observed = observed.join("\n");
    if breaking > 0 {
        let expected = format!(
            "every {} locked in {path} still listed, with no argument or output property removed, no argument newly \
             required, no input type narrowed and no output type widened ({NO_BREAKING_CHANGE}); {relock}",
            kind.noun()
        );
        Outcome::violated(expected, observed)
    } else {
        let expected = format!(
            "the titles, descriptions, annotations and schema details of the {} as locked in {path} \
             ({NO_SILENT_CHANGE}): a silent change is a rug pull until the author re-locks; {relock}",
            kind.plural()
        );
        Outcome::violated(expected, observed).breaking(NO_SILENT_CHANGE, Level::Should)
    }
}

/// `1 tool`, `2 tools`.
fn counted(n: usize, kind: Kind) -> String {
    format!("{n} {}", if n == 1 { kind.noun() } else { kind.plural() })
}

fn describe_server(cx: &CheckContext) -> String {
    let info = &cx.profile().server_info;
    let field = |k: &str| info.get(k).and_then(serde_json::Value::as_str);
    format!("{} with protocol {}", identity(field("name"), field("version")), cx.revision())
}

fn identity(name: Option<&str>, version: Option<&str>) -> String {
    match (name, version) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n.to_owned(),
        _ => "an unnamed server".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::surface::{FORMAT_VERSION, ServerIdentity, SurfaceLock};

    fn loaded() -> LoadedLock {
        LoadedLock {
            path: "surface.lock.json".into(),
            lock: SurfaceLock {
                schema: None,
                format_version: FORMAT_VERSION,
                protocol_version: "2025-11-25".into(),
                server: ServerIdentity { name: Some("s".into()), version: Some("1".into()) },
                tools: Vec::new(),
                resources: Vec::new(),
                resource_templates: Vec::new(),
                prompts: Vec::new(),
            },
        }
    }

    fn finding(severity: Severity, item: &str, detail: &str) -> Finding {
        Finding { severity, item: item.into(), detail: detail.into() }
    }

    #[test]
    fn breaking_fails_silent_warns_and_additions_pass_with_a_note() {
        let l = loaded();
        let seen = |listed| Seen { server: "s 1", revision: "2025-11-25", locked: 2, listed, notes: &[] };
        let pass = verdict(Kind::Tools, &l, vec![finding(Severity::Addition, "tool `x`", "added")], &seen(3));
        assert_eq!(pass.status, Status::Passed);
        assert!(pass.observed.as_deref().unwrap().contains("additions (allowed): tool `x`: added"));

        let silent = vec![finding(
            Severity::Silent,
            "tool `echo`",
            "description changed:\n    locked: \"a\"\n    now:    \"b\"",
        )];
        let warn = verdict(Kind::Tools, &l, silent, &seen(2));
        assert_eq!(warn.status, Status::Failed, "the runner turns it into a warning through the broken rule");
        assert_eq!(warn.broken.map(|b| (b.requirement, b.level)), Some((NO_SILENT_CHANGE, Level::Should)));
        assert_eq!(
            warn.reason.as_deref(),
            Some("1 silent change to the locked tools: tool `echo`: description changed")
        );
        assert!(warn.observed.as_deref().unwrap().contains("now:    \"b\""));

        let mixed = vec![
            finding(Severity::Silent, "tool `echo`", "description changed"),
            finding(Severity::Breaking, "tool `add`", "removed: locked, but no longer listed"),
        ];
        let fail = verdict(Kind::Tools, &l, mixed, &seen(1));
        assert_eq!(fail.status, Status::Failed);
        assert_eq!(fail.broken, None, "a breaking change breaks the check's own rule");
        assert!(
            fail.reason
                .as_deref()
                .unwrap()
                .starts_with("1 breaking change and 1 silent change to the locked tools: tool `add`")
        );
        assert!(
            fail.expected
                .as_deref()
                .unwrap()
                .contains("re-lock: mcp-harness surface <target> --write surface.lock.json")
        );
        assert!(!fail.observed.as_deref().unwrap().contains("record a lock per revision"));

        // A run of another revision than the lock's says so beside the findings.
        let other = Seen { revision: "2026-07-28", ..seen(1) };
        let removed = vec![finding(Severity::Breaking, "tool `add`", "removed: locked, but no longer listed")];
        let fail = verdict(Kind::Tools, &l, removed, &other);
        assert!(
            fail.observed
                .as_deref()
                .unwrap()
                .contains("recorded with protocol 2025-11-25 and this run speaks 2026-07-28")
        );
    }
}
