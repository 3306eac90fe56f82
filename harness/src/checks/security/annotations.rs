//! A tool whose name or description says it changes things is not annotated read-only or non-destructive.

use regex::Regex;
use serde_json::Value;

use super::corpus::{Corpus, label};
use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity,
    SkipReason, Suite,
};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "annotate tools that delete, write, execute, send or pay with readOnlyHint: false (and \
     destructiveHint: true where they destroy data): clients auto-approve read-only tools";

/// Verbs that destroy, as a name token or the first word of a description: they contradict `readOnlyHint: true`
/// and `destructiveHint: false` alike.
pub(crate) const DESTRUCTIVE: &str = r"(?i)^(delete|deletes|drop|drops|remove|removes|erase|erases|wipe|wipes|destroy|destroys|purge|purges|truncate|truncates|kill|kills|terminate|terminates|shutdown|overwrite|overwrites|rm|uninstall|uninstalls|format|formats)$";

/// Verbs that act on the world without necessarily destroying: they contradict `readOnlyHint: true` only
/// (`destructiveHint: false` says "only additive updates", which sending a message is).
pub(crate) const MUTATING: &str = r"(?i)^(exec|execute|executes|write|writes|transfer|transfers|purchase|purchases|pay|pays|create|creates|update|updates|move|moves|rename|renames)$";

/// Verbs that act on the world as a name token (`send_email`); as a description's first word they are mostly
/// about the answer itself ("Sends log notifications to the client"), which reads nothing and changes nothing.
pub(crate) const MUTATING_NAME: &str =
    r"(?i)^(send|post|publish|exec|execute|write|transfer|purchase|pay|create|update|move|rename)$";

/// Tool annotations agree with what the tool says it does.
///
/// A destroying verb contradicts `readOnlyHint: true` and `destructiveHint: false`; a mutating one (write, send,
/// execute, pay) only `readOnlyHint: true`. SHOULD level: annotations are hints (`readOnlyHint`: "the tool does not modify its environment"), and the verb
/// is a heuristic, so a mismatch warns.
pub(crate) const ANNOTATION_CONSISTENCY: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.meta.annotation-consistency"),
        title: "tools whose name or description says they delete, write, execute, send or pay are not annotated read-only",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &["security.annotation-read-only", "security.annotations-untrusted"],
        applies: Applicability { capability: Some(Capability::Tools), ..Applicability::ALWAYS },
        tags: &["security", "metadata", "annotations", "passive"],
    },
    run: check_fn!(annotation_consistency),
};

/// The words of a tool name (`deleteFile`, `delete_file`, `files.delete`).
pub(crate) fn name_tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            out.push(std::mem::take(&mut cur));
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase();
        cur.push(c);
    }
    out.push(cur);
    out.into_iter().filter(|t| !t.is_empty()).collect()
}

/// The destructive verb a tool states, if any: a name token matching `name_re`, or the first word of its
/// description matching `re`.
pub(crate) fn destructive_verb(tool: &Value, name_re: &Regex, re: &Regex) -> Option<String> {
    let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
    if let Some(t) = name_tokens(name).into_iter().find(|t| name_re.is_match(t)) {
        return Some(format!("name token `{t}`"));
    }
    let first = tool.get("description").and_then(Value::as_str)?.split_whitespace().next()?;
    let word = first.trim_matches(|c: char| !c.is_alphanumeric());
    re.is_match(word).then(|| format!("description starts with `{word}`"))
}

async fn annotation_consistency(cx: &mut CheckContext) -> Conclusion {
    let corpus = Corpus::collect(cx).await?;
    if corpus.tools.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no tools"));
    }
    let destroying = Regex::new(DESTRUCTIVE).map_err(|e| Outcome::error(format!("harness bug: {e}")))?;
    let mutating = Regex::new(MUTATING).map_err(|e| Outcome::error(format!("harness bug: {e}")))?;
    let mutating_name = Regex::new(MUTATING_NAME).map_err(|e| Outcome::error(format!("harness bug: {e}")))?;
    let mut found = Vec::new();
    for (i, tool) in corpus.tools.iter().enumerate() {
        let read_only = tool.pointer("/annotations/readOnlyHint").and_then(Value::as_bool);
        let destructive = tool.pointer("/annotations/destructiveHint").and_then(Value::as_bool);
        let name = label(tool, i);
        if read_only == Some(true) && destructive == Some(true) {
            found.push(format!("`{name}`: readOnlyHint: true together with destructiveHint: true"));
            continue;
        }
        if read_only != Some(true) && destructive != Some(false) {
            continue;
        }
        let verb = destructive_verb(tool, &destroying, &destroying)
            .or_else(|| if read_only == Some(true) { destructive_verb(tool, &mutating_name, &mutating) } else { None });
        if let Some(verb) = verb {
            let claim = if read_only == Some(true) { "readOnlyHint: true" } else { "destructiveHint: false" };
            found.push(format!("`{name}`: {verb}, yet annotated {claim}"));
        }
    }
    if found.is_empty() {
        return Ok(Outcome::pass_with(format!("{} tools' annotations agree with their names", corpus.tools.len())));
    }
    let finding = Finding::new(Severity::Medium, Some(684), REMEDIATION)
        .matched(found.join("\n"))
        .request("tools/list (every page)");
    Ok(Outcome::violated("annotations that agree with what the tool says it does", found.join("\n"))
        .with_finding(finding))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn verbs_come_from_name_tokens_or_the_first_word() {
        let re = Regex::new(DESTRUCTIVE).unwrap();
        assert_eq!(name_tokens("deleteFile"), ["delete", "File"]);
        let verb = |tool: Value, name_re: &Regex, re: &Regex| destructive_verb(&tool, name_re, re);
        assert!(verb(json!({"name": "files.delete"}), &re, &re).is_some());
        assert!(verb(json!({"name": "echo", "description": "Deletes the message."}), &re, &re).is_some());
        assert!(verb(json!({"name": "echo", "description": "Returns it; deletes nothing."}), &re, &re).is_none());
        assert!(verb(json!({"name": "read_file", "description": "Read a file."}), &re, &re).is_none());
        let (m, mn) = (Regex::new(MUTATING).unwrap(), Regex::new(MUTATING_NAME).unwrap());
        assert!(verb(json!({"name": "log", "description": "Sends log notifications."}), &mn, &m).is_none());
        assert!(verb(json!({"name": "send_email", "description": "Mails it."}), &mn, &m).is_some());
        assert!(verb(json!({"name": "x", "description": "Writes the file."}), &mn, &m).is_some());
    }
}
