//! The error-rate objective.

use super::latency::{describe, generator_kept_up};
use super::measured;
use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;

/// Fewer requests than the objective end unsuccessfully.
pub(crate) const RATE: Check = Check {
    meta: CheckMeta {
        id: CheckId("performance.errors.rate"),
        title: "under the offered load, fewer requests than the objective end in an error, a timeout or a failure",
        suite: Suite::Performance,
        level: Level::Must,
        requirements: &["performance.slo-error-rate"],
        applies: Applicability::ALWAYS,
        tags: &["performance", "slo", "errors"],
    },
    run: check_fn!(rate),
};

async fn rate(cx: &mut CheckContext) -> Conclusion {
    let m = measured(cx).await?;
    let e = &m.errors;
    let mix = e.by_kind.iter().map(|(k, n)| format!("{} {n}", k.as_str())).collect::<Vec<_>>().join(", ");
    let codes = e.by_code.iter().map(|(c, n)| format!("{c} ×{n}")).collect::<Vec<_>>().join(", ");
    let observed = if e.total == 0 {
        format!("no errors; {}", describe(&m))
    } else {
        format!(
            "{} of {} requests failed ({:.2} %): {mix}{}; first: {}",
            e.total,
            m.sent,
            e.rate * 100.0,
            if codes.is_empty() { String::new() } else { format!(" (codes {codes})") },
            e.examples.first().map_or("", String::as_str)
        )
    };
    if e.rate < m.slo.error_rate {
        Ok(Outcome::pass_with(observed))
    } else {
        // Only timeouts could be the generator's doing (a request it sent late); errors the server answered are its own.
        let timeouts = e.by_kind.get(&crate::report::performance::ErrorKind::Timeout).copied().unwrap_or(0);
        let answered_errors = (e.total - timeouts) as f64 / (m.sent.max(1) as f64);
        if timeouts > 0 && answered_errors < m.slo.error_rate {
            generator_kept_up(&m)?;
        }
        Ok(Outcome::violated(format!("an error rate below {:.2} %", m.slo.error_rate * 100.0), observed))
    }
}
