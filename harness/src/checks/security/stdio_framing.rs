//! On stdio, odd framing (a message split by a newline, CRLF line ends, blank lines, 1 MiB of whitespace, a
//! non-JSON line) does not break the stream: a valid request sent after it is answered.

use serde_json::Value;
use tokio::time::Instant;

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Severity, Suite, Transports,
};
use crate::check_fn;
use crate::checks::security::robust::{Case, Judgement, Reaction, alive, judge};
use crate::checks::tools::call::harmless;
use crate::session::{Inbound, Session};

/// What to change when the check fails.
const REMEDIATION: &str = "read stdin line by line as bytes, treat `\\r\\n` as a line end (JSON allows the `\\r`), \
     skip blank lines, answer a line that is not JSON with -32700 and keep reading: one bad line must not end or \
     desynchronise the stream";

/// The SHOULD rule a CRLF-terminated request left unanswered breaks.
const CRLF_RULE: &str = "security.json-whitespace";

/// Bad framing does not break the stdio stream.
///
/// Sends, in order: a request split over two lines by a raw newline (each half invalid), a harmless request
/// ending in `\r\n`, two blank lines, one line of 1 MiB of spaces, a line that is not JSON, then a harmless
/// request; the last must be answered (and the server alive afterwards), the CRLF one should be. What the server
/// writes to stdout is judged by `stdio.stdout-only-messages`, not here.
pub(crate) const STDIO_FRAMING: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.robust.stdio-framing"),
        title: "on stdio, a split message, CRLF line ends, blank lines, 1 MiB of whitespace and a non-JSON line do not stop a following request from being answered",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.input-validation", "security.stdio-newline-delimited", CRLF_RULE],
        applies: Applicability { transports: Transports::Stdio, ..Applicability::ALWAYS },
        tags: &["robustness", "security", "stdio", "negative"],
    },
    run: check_fn!(stdio_framing),
};

async fn stdio_framing(cx: &mut CheckContext) -> Conclusion {
    let wait = cx.timeout();
    let mut s = cx.fresh_session_unobserved().await?;
    let result = exchange(&mut s, wait).await;
    let cases = match result {
        Ok(cases) => cases,
        Err(e) => {
            s.close().await;
            return Err(e);
        }
    };
    let liveness = if cases.iter().any(|c| matches!(c.reaction, Reaction::Dead(_))) {
        Ok(String::new())
    } else {
        alive(&mut s, wait).await
    };
    s.close().await;
    Ok(judge(
        &cases,
        liveness,
        &Judgement {
            expected: "the request after the bad lines answered (the CRLF-terminated request too), and the server alive",
            cwe: 20,
            remediation: REMEDIATION,
            weak: Severity::Medium,
        },
    ))
}

/// Sends the framing sequence and reads until the final request is answered: the CRLF request's case and the
/// final request's case.
async fn exchange(s: &mut Session, wait: std::time::Duration) -> Result<Vec<Case>, crate::check::Outcome> {
    let (method, params) = harmless(s);
    let split_id = s.next_id();
    let crlf_id = Value::from(s.next_id());
    let crlf = crate::message::request(crlf_id.clone(), method, params.clone());
    let last_id = Value::from(s.next_id());
    let last = crate::message::request(last_id.clone(), method, params);
    let lines: Vec<Vec<u8>> = vec![
        format!("{{\"jsonrpc\":\"2.0\",\"id\":{split_id},").into_bytes(),
        format!("\"method\":\"{method}\"}}").into_bytes(),
        format!("{crlf}\r").into_bytes(),
        Vec::new(),
        Vec::new(),
        vec![b' '; 1024 * 1024],
        b"this line is not JSON-RPC".to_vec(),
        last.to_string().into_bytes(),
    ];
    let started = Instant::now();
    let dead = |why: String| {
        Ok(vec![Case {
            name: "the request after the bad lines".to_owned(),
            reaction: Reaction::Dead(why),
            may_accept: true,
            weak_rule: CRLF_RULE,
            ending_refuses: false,
        }])
    };
    for line in &lines {
        if let Err(e) = s.connection().send_bytes(line).await {
            if e.is_closed() {
                return dead(format!("the connection closed while the lines were sent: {e}"));
            }
            return Err(e.into());
        }
    }
    let deadline = started + wait;
    let mut crlf_answer: Option<String> = None;
    let mut last_answer: Option<String> = None;
    loop {
        let until = match (&last_answer, &crlf_answer) {
            (Some(_), Some(_)) => break,
            (Some(_), None) => (Instant::now() + s.silence_window()).min(deadline),
            (None, _) => deadline,
        };
        let left = until.saturating_duration_since(Instant::now());
        match s.connection().recv_for(left, method).await {
            Ok(Inbound::Message(v, _)) if v.get("id") == Some(&last_id) => {
                last_answer = Some(crate::checks::evidence::brief(&v));
            }
            Ok(Inbound::Message(v, _)) if v.get("id") == Some(&crlf_id) => {
                crlf_answer = Some(crate::checks::evidence::brief(&v));
            }
            Ok(_) => {}
            Err(e) if e.is_timeout() => break,
            Err(e) if e.is_closed() => return dead(format!("the connection closed: {e}")),
            Err(e) => return Err(e.into()),
        }
    }
    let Some(last_answer) = last_answer else {
        return dead(format!("hung: the request after the bad lines was not answered within {} ms", wait.as_millis()));
    };
    let crlf_reaction = match crlf_answer {
        Some(a) => Reaction::Accepted(a),
        None => Reaction::Silent("no reply to the CRLF-terminated request".to_owned()),
    };
    Ok(vec![
        Case {
            name: "a request ending in CRLF".to_owned(),
            reaction: crlf_reaction,
            may_accept: true,
            weak_rule: CRLF_RULE,
            ending_refuses: false,
        },
        Case {
            name: "the request after the bad lines".to_owned(),
            reaction: Reaction::Accepted(last_answer),
            may_accept: true,
            weak_rule: CRLF_RULE,
            ending_refuses: false,
        },
    ])
}
