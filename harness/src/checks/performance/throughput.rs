//! The throughput objective: the server answers the rate offered to it.

use super::latency::describe;
use super::measured;
use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;

/// The server answers at least the objective's share of the requests offered per second.
pub(crate) const ACHIEVED: Check = Check {
    meta: CheckMeta {
        id: CheckId("performance.throughput.achieved"),
        title: "the server answers at least the objective's share of the requests offered to it per second",
        suite: Suite::Performance,
        level: Level::Must,
        requirements: &["performance.slo-throughput"],
        applies: Applicability::ALWAYS,
        tags: &["performance", "slo", "throughput"],
    },
    run: check_fn!(achieved),
};

async fn achieved(cx: &mut CheckContext) -> Conclusion {
    let m = measured(cx).await?;
    let (Some(requested), Some(ratio)) = (m.throughput.requested_per_sec, m.throughput.ratio) else {
        return Ok(Outcome::skip(
            crate::check::SkipReason::NotApplicable,
            "a closed-loop run offers no rate to compare with (use the default open loop, --rate N)",
        ));
    };
    let observed = format!(
        "{} answered/s of {requested} offered ({:.1} %); {}",
        m.throughput.achieved_per_sec,
        ratio * 100.0,
        describe(&m)
    );
    if ratio >= m.slo.achieved_ratio {
        Ok(Outcome::pass_with(observed))
    } else {
        // Answers can only fall short of what was sent: when the generator itself sent too little, it is to blame.
        if m.throughput.sent_per_sec < requested * m.slo.achieved_ratio {
            return Err(Outcome::error(format!(
                "could not test: the load generator sent only {}/s of the {requested}/s asked for, so the shortfall \
                 is the generator's; lower --rate or run the harness in a release build on a quieter machine",
                m.throughput.sent_per_sec
            )));
        }
        Ok(Outcome::violated(
            format!("at least {:.0} % of {requested} requests/s answered per second", m.slo.achieved_ratio * 100.0),
            observed,
        ))
    }
}
