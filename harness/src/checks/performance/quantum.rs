//! The 40 ms latency quantum (Nagle × delayed ACK).

use super::measured;
use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;

/// Answers do not pile up at ≈ 40 ms.
pub(crate) const QUANTUM: Check = Check {
    meta: CheckMeta {
        id: CheckId("performance.latency.quantum"),
        title: "answers do not pile up at the ≈ 40 ms Nagle × delayed-ACK quantum (TCP_NODELAY is set)",
        suite: Suite::Performance,
        level: Level::Should,
        requirements: &["performance.no-latency-quantum"],
        applies: Applicability::ALWAYS,
        tags: &["performance", "latency", "tcp"],
    },
    run: check_fn!(quantum),
};

async fn quantum(cx: &mut CheckContext) -> Conclusion {
    let m = measured(cx).await?;
    if m.source == crate::report::performance::MeasurementSource::K6 {
        return Ok(Outcome::skip(
            crate::check::SkipReason::NotApplicable,
            "an imported k6 summary has no latency histogram to look for the 40 ms pile-up in",
        ));
    }
    let q = &m.quantum;
    let observed = format!(
        "{:.2} % of service times within 38–48 ms, {:.2} % in the neighbouring 28–38 and 48–58 ms (p50 {:.3} ms)",
        q.share * 100.0,
        q.neighbour_share * 100.0,
        m.latency.service.p50_ms
    );
    if q.detected {
        Ok(Outcome::violated(
            "no pile-up of answers at ≈ 40 ms (more than 1 % there, five times the neighbouring windows, is the \
             Nagle × delayed-ACK signature)",
            observed,
        ))
    } else {
        Ok(Outcome::pass_with(observed))
    }
}
