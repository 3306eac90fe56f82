//! Judging what the whole run observed on the wire: the checks that each judge one kind of violation (a
//! mislabelled response id, non-protocol output, a crash, …) over every request any check made, after the others.
//!
//! Each first makes a small exchange of its own (the handshake's shared session, or a fresh one: a harmless
//! request and the advertised list methods), so it has evidence even when selected alone; what goes wrong there
//! is logged like anything else. It then reports every logged violation of its kinds, each with the check during
//! which it happened.

use crate::check::{Capability, CheckContext, Conclusion, Outcome, SkipReason};
use crate::session::{LoggedViolation, Session, ViolationKind, WireLogSnapshot};

/// Violations listed at most; the rest are counted.
const LISTED: usize = 8;

/// Exercises the target a little, then fails when the log holds violations of `kinds` (a violation of
/// `expected`), passes with `passed`'s description of what was judged otherwise.
pub(crate) async fn judge(
    cx: &mut CheckContext,
    kinds: &[ViolationKind],
    expected: &str,
    passed: impl Fn(&WireLogSnapshot) -> String,
) -> Conclusion {
    exercise(cx).await;
    let snap = cx.session_options().log.snapshot();
    let found = snap.of(kinds);
    if let Some(first) = found.first() {
        let total = snap.count(kinds);
        let mut text = format!("{total} time{} during the run; {}", if total == 1 { "" } else { "s" }, describe(first));
        for v in found.iter().skip(1).take(LISTED - 1) {
            text.push_str(&format!("\n- {}", describe(v)));
        }
        if found.len() > LISTED {
            text.push_str(&format!("\n- … and {} more", total.saturating_sub(LISTED as u64)));
        }
        return Ok(Outcome { violation: Some(first.violation.kind()), ..Outcome::violated(expected, text) });
    }
    if snap.responses_ok == 0 && snap.stdout_messages == 0 {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the target answered no request during the run"));
    }
    Ok(Outcome::pass_with(passed(&snap)))
}

/// One logged violation, with where it happened.
fn describe(v: &LoggedViolation) -> String {
    let during = v.during.map_or_else(|| "during the run's handshake".to_owned(), |c| format!("during {c}"));
    format!("{during}: {}", v.violation.evidence().replace('\n', "\n    "))
}

/// A few valid requests, so that the log has something to judge when the check runs alone.
pub(crate) async fn exercise(cx: &mut CheckContext) {
    let caps: Vec<Capability> = [Capability::Tools, Capability::Resources, Capability::Prompts]
        .into_iter()
        .filter(|c| cx.profile().has(*c))
        .collect();
    if let Ok(s) = cx.session() {
        requests(s, &caps).await;
        return;
    }
    // The run's handshake failed: a fresh session logs how it fails now.
    if let Ok(mut s) = cx.fresh_session().await {
        requests(&mut s, &caps).await;
        s.close().await;
    }
}

async fn requests(s: &mut Session, caps: &[Capability]) {
    let (method, params) = crate::checks::tools::call::harmless(s);
    if s.request(method, params).await.is_err() {
        return;
    }
    for cap in caps {
        let method = match cap {
            Capability::Tools => "tools/list",
            Capability::Resources => "resources/list",
            _ => "prompts/list",
        };
        if s.request(method, None).await.is_err() {
            return;
        }
    }
}
