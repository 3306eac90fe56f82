//! Invalid UTF-8 (and an escaped lone surrogate) in a method name and in a parameter is refused, and the server
//! stays alive.

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Severity, Suite};
use crate::check_fn;
use crate::checks::security::robust::{Input, Judgement, run_and_judge, with_hostile_param};

/// What to change when the check fails.
const REMEDIATION: &str = "decode input as strict UTF-8 and answer a message that is not (or a string with a lone \
     surrogate) with -32700 (HTTP 400), without letting the decoder's error end the process or the read loop";

/// The invalid sequences: a truncated two-byte sequence, bytes never valid in UTF-8, an overlong `/`, and a
/// UTF-16 surrogate encoded as UTF-8 (CESU-8).
const SEQUENCES: &[(&str, &[u8])] = &[
    ("C3 28", b"\xC3\x28"),
    ("FF FE", b"\xFF\xFE"),
    ("overlong C0 AF", b"\xC0\xAF"),
    ("CESU-8 ED A0 80", b"\xED\xA0\x80"),
];

/// The SHOULD rule a raw invalid sequence accepted (or left unanswered) breaks.
const UTF8_RULE: &str = "security.utf8-handling";
/// The SHOULD rule an accepted lone surrogate breaks.
const SURROGATE_RULE: &str = "security.json-lone-surrogate";

/// Invalid UTF-8 is refused and the server survives it.
///
/// Each input is one request: the harmless request of the era whose method name, or an extra parameter `note`,
/// carries the bytes. A decoder error that ends the process or the read loop is the bug this finds (a Python
/// server reading stdin in strict text mode, a Rust server using `lines()` on stdin).
pub(crate) const INVALID_UTF8: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.robust.invalid-utf8"),
        title: "invalid UTF-8 and a lone surrogate in a method and a parameter are refused (-32700 or HTTP 400), and the server keeps answering",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.input-validation", UTF8_RULE, SURROGATE_RULE],
        applies: Applicability::ALWAYS,
        tags: &["robustness", "security", "utf-8", "negative"],
    },
    run: check_fn!(invalid_utf8),
};

async fn invalid_utf8(cx: &mut CheckContext) -> Conclusion {
    let wait = cx.timeout();
    let mut s = cx.fresh_session_unobserved().await?;
    let mut inputs = Vec::new();
    for (name, bytes) in SEQUENCES {
        let id = s.next_id();
        let text = [format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"pi").as_bytes(), bytes, b"ng\"}"].concat();
        inputs.push(Input {
            name: format!("{name} in the method"),
            bytes: text,
            headers_from: None,
            may_accept: false,
            weak_rule: UTF8_RULE,
            ending_refuses: false,
        });
    }
    let params = SEQUENCES
        .iter()
        .map(|(name, bytes)| (format!("{name} in a parameter"), [b"\"", *bytes, b"\""].concat(), UTF8_RULE))
        .chain([(
            "escaped lone surrogate \"\\ud800\" in a parameter".to_owned(),
            b"\"\\ud800\"".to_vec(),
            SURROGATE_RULE,
        )]);
    for (name, value, weak_rule) in params {
        let (msg, bytes) = with_hostile_param(&mut s, &value);
        inputs.push(Input {
            name,
            bytes,
            headers_from: Some(msg),
            may_accept: false,
            weak_rule,
            ending_refuses: false,
        });
    }
    let judgement = Judgement {
        expected: "each refused with an error (-32700, -32600 or -32602) or HTTP 400, and a harmless request afterwards answered",
        cwe: 20,
        remediation: REMEDIATION,
        weak: Severity::Medium,
    };
    run_and_judge(s, inputs, wait, &judgement).await
}
