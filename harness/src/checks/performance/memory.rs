//! The memory-growth objective, for targets whose processes the harness can see.

use super::measured;
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;

/// The server's resident memory grows by less than the objective over the measured window.
pub(crate) const RSS_GROWTH: Check = Check {
    meta: CheckMeta {
        id: CheckId("performance.memory.rss-growth"),
        title: "over the measured window the server's resident memory grows by less than the objective",
        suite: Suite::Performance,
        level: Level::Must,
        requirements: &["performance.slo-memory-growth"],
        applies: Applicability::ALWAYS,
        tags: &["performance", "slo", "memory"],
    },
    run: check_fn!(rss_growth),
};

const MB: f64 = 1_000_000.0;

async fn rss_growth(cx: &mut CheckContext) -> Conclusion {
    let m = measured(cx).await?;
    let Some(r) = &m.resources else {
        return Ok(Outcome::skip(
            SkipReason::NotApplicable,
            "the target's processes are not visible to the harness (a URL it did not start, or no /proc)",
        ));
    };
    let limit = m.slo.rss_growth_bytes;
    let observed = format!(
        "resident memory {:.1} MB → {:.1} MB ({:+.1} MB, peak {:.1} MB) over {:.0} s and {} answers; descriptors {} → {}; \
         CPU {:.2} s{}",
        r.rss_start_bytes as f64 / MB,
        r.rss_end_bytes as f64 / MB,
        r.rss_growth_bytes as f64 / MB,
        r.rss_peak_bytes as f64 / MB,
        m.duration_ms / 1000.0,
        m.completed,
        r.fds_start,
        r.fds_end,
        r.cpu_seconds,
        r.cpu_micros_per_call.map_or(String::new(), |c| format!(" ({c} µs per answer)")),
    );
    if r.rss_growth_bytes < i64::try_from(limit).unwrap_or(i64::MAX) {
        Ok(Outcome::pass_with(observed))
    } else {
        Ok(Outcome::violated(format!("resident memory growth below {:.1} MB", limit as f64 / MB), observed))
    }
}
