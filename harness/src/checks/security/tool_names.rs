//! Tool names are unique (a duplicate makes `tools/call` ambiguous: one tool shadows another) and follow the
//! spec's format; mixed-script look-alikes and generic names are reported.

use std::collections::BTreeMap;

use super::corpus::Corpus;
use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity,
    SkipReason, Suite,
};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "give every tool a unique name of 1–128 characters from [A-Za-z0-9_.-]; prefix generic \
     names with the server's domain (`github.search`) so they cannot shadow another server's tools";

/// Names many servers use: a client with several servers sees them collide (shadowing). Reported, never judged.
const GENERIC: &[&str] =
    &["read_file", "write_file", "bash", "shell", "exec", "execute", "run", "fetch", "search", "query", "eval"];

/// Tool names are unique and well-formed.
///
/// MUST level for duplicates (`name` is the tool's unique identifier: `tools/call` names the tool by it alone, so
/// a second tool of the same name shadows the first); a name outside 1–128 characters of `[A-Za-z0-9_.-]`, or
/// mixing scripts, breaks the SHOULD of `security.tool-name-format` and warns.
pub(crate) const TOOL_NAMES: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.meta.tool-names"),
        title: "tool names are unique, 1–128 characters of [A-Za-z0-9_.-], without look-alike characters",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.tool-name-unique", "security.tool-name-format"],
        applies: Applicability { capability: Some(Capability::Tools), ..Applicability::ALWAYS },
        tags: &["security", "metadata", "tools", "shadowing", "passive"],
    },
    run: check_fn!(tool_names),
};

/// What is wrong with a name's form, if anything.
fn form_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(1..=128).contains(&len) {
        return Some(format!("{len} characters (1–128)"));
    }
    let bad: Vec<String> = name
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map(|c| format!("U+{:04X} {c:?}", c as u32))
        .collect();
    if bad.is_empty() {
        return None;
    }
    let latin = name.chars().any(|c| c.is_ascii_alphabetic());
    let other = name.chars().any(|c| c.is_alphabetic() && !c.is_ascii());
    let confusable =
        if latin && other { " (mixes Latin with another script: a look-alike of another name)" } else { "" };
    Some(format!("characters outside [A-Za-z0-9_.-]: {}{confusable}", bad.join(", ")))
}

async fn tool_names(cx: &mut CheckContext) -> Conclusion {
    let corpus = Corpus::collect(cx).await?;
    let names = corpus.tool_names();
    if names.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no tools"));
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &names {
        *counts.entry(n).or_default() += 1;
    }
    let duplicates: Vec<String> =
        counts.iter().filter(|(_, c)| **c > 1).map(|(n, c)| format!("`{n}` listed {c} times")).collect();
    if !duplicates.is_empty() {
        let finding = Finding::new(Severity::Low, Some(694), REMEDIATION)
            .matched(duplicates.join("; "))
            .request("tools/list (every page)");
        return Ok(Outcome::violated("every tool name listed once", duplicates.join("\n")).with_finding(finding));
    }
    let malformed: Vec<String> =
        names.iter().filter_map(|n| form_problem(n).map(|p| format!("`{}`: {p}", n.escape_debug()))).collect();
    if !malformed.is_empty() {
        let finding = Finding::new(Severity::Low, Some(1007), REMEDIATION)
            .matched(malformed.join("; "))
            .request("tools/list (every page)");
        return Ok(Outcome::violated("tool names of 1–128 characters from [A-Za-z0-9_.-]", malformed.join("\n"))
            .breaking("security.tool-name-format", Level::Should)
            .with_finding(finding));
    }
    let generic: Vec<&str> =
        names.iter().copied().filter(|n| GENERIC.contains(&n.to_ascii_lowercase().as_str())).collect();
    let mut note = format!("{} unique, well-formed tool names", names.len());
    if !generic.is_empty() {
        note.push_str(&format!("; generic names another server may use too (shadowing, info): {}", generic.join(", ")));
    }
    Ok(Outcome::pass_with(note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_judged_by_form() {
        assert_eq!(form_problem("get_weather.v2-x"), None);
        assert!(form_problem("").is_some());
        assert!(form_problem(&"a".repeat(129)).is_some());
        assert!(form_problem("echo it!").unwrap().contains("U+0020"));
        assert!(form_problem("rеad_file").unwrap().contains("look-alike"), "Cyrillic е");
    }
}
