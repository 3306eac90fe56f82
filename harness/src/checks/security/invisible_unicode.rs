//! No published text carries characters a reader cannot see: Unicode tags and bidirectional controls fail (they
//! hide or reorder what a model reads versus what a person reviews); zero-width, control and private-use
//! characters warn.

use super::corpus::Corpus;
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason,
    Suite,
};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "remove invisible and bidirectional-control characters (Unicode tags U+E0000–E007F, \
     U+202A–202E, U+2066–2069, zero-width characters, control characters) from every published text";

/// Characters listed at most in the evidence.
const LISTED: usize = 12;

/// How bad an invisible character is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Zero-width, control, private use: can hide text, also appears by accident.
    Weak,
    /// Unicode tags (an invisible copy of ASCII) and bidirectional overrides (Trojan Source).
    Strong,
}

/// The class of `c`, if it is invisible or reorders text.
fn classify(c: char) -> Option<(Kind, &'static str)> {
    let u = c as u32;
    Some(match u {
        0xE0000..=0xE007F => (Kind::Strong, "Unicode tag"),
        0x202A..=0x202E | 0x2066..=0x2069 => (Kind::Strong, "bidirectional control"),
        0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF => (Kind::Weak, "zero-width or invisible format character"),
        0x1B => (Kind::Weak, "escape (terminal control sequence)"),
        0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F..=0x9F => (Kind::Weak, "control character"),
        0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD => (Kind::Weak, "private-use character"),
        _ => return None,
    })
}

/// Published texts carry no invisible or reordering characters.
///
/// MUST level for Unicode tags and bidirectional controls (the Trojan Source class, CVE-2021-42574: what a person
/// reviews is not what the model reads); zero-width, control and private-use characters break the SHOULD of
/// `security.untrusted-descriptions` and warn (they also appear by accident).
pub(crate) const INVISIBLE_UNICODE: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.meta.invisible-unicode"),
        title: "no published text carries invisible Unicode (tags, bidirectional controls, zero-width, controls)",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.trojan-source", "security.untrusted-descriptions"],
        applies: Applicability::ALWAYS,
        tags: &["security", "metadata", "unicode", "passive"],
    },
    run: check_fn!(invisible_unicode),
};

async fn invisible_unicode(cx: &mut CheckContext) -> Conclusion {
    let corpus = Corpus::collect(cx).await?;
    if corpus.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server published no text to scan"));
    }
    let mut found: Vec<(Kind, String)> = Vec::new();
    for item in &corpus.items {
        for (offset, c) in item.text.char_indices() {
            if let Some((kind, class)) = classify(c) {
                found.push((kind, format!("`{}` at byte {offset}: U+{:04X} ({class})", item.location, c as u32)));
            }
        }
    }
    let Some(worst) = found.iter().map(|(k, _)| *k).max() else {
        return Ok(Outcome::pass_with(corpus.summary()));
    };
    let total = found.len();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    let mut text: Vec<String> = found.iter().take(LISTED).map(|(_, s)| s.clone()).collect();
    if total > LISTED {
        text.push(format!("… and {} more", total - LISTED));
    }
    let severity = if worst == Kind::Strong { Severity::High } else { Severity::Medium };
    let finding = Finding::new(severity, Some(451), REMEDIATION)
        .matched(text.join("\n"))
        .request("tools/list, prompts/list, resources/list, resources/templates/list, the handshake (no tool called)");
    let observed = format!("{total} invisible character(s):\n{}", text.join("\n"));
    let outcome =
        Outcome::violated("published texts made only of visible characters (newlines and tabs aside)", observed)
            .with_finding(finding);
    Ok(if worst == Kind::Strong { outcome } else { outcome.breaking("security.untrusted-descriptions", Level::Should) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_bidi_are_strong_others_weak_text_clean() {
        assert_eq!(classify('\u{E0041}').map(|c| c.0), Some(Kind::Strong));
        assert_eq!(classify('\u{202E}').map(|c| c.0), Some(Kind::Strong));
        assert_eq!(classify('\u{200B}').map(|c| c.0), Some(Kind::Weak));
        assert_eq!(classify('\u{1B}').map(|c| c.0), Some(Kind::Weak));
        for c in ['\n', '\t', 'a', 'é', '…', '→', '日'] {
            assert_eq!(classify(c), None, "{c:?}");
        }
    }
}
