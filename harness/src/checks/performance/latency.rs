//! Latency objectives, judged on the corrected response time (from each request's intended send time).

use super::measured;
use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::report::performance::PerformanceReport;

/// The mean response time stays below the objective.
pub(crate) const MEAN: Check = Check {
    meta: CheckMeta {
        id: CheckId("performance.latency.mean"),
        title: "under the offered load, the mean response time (from intended send) stays below the objective",
        suite: Suite::Performance,
        level: Level::Must,
        requirements: &["performance.slo-mean-latency"],
        applies: Applicability::ALWAYS,
        tags: &["performance", "slo", "latency"],
    },
    run: check_fn!(mean),
};

/// The 95th percentile of the response time stays below the objective.
pub(crate) const P95: Check = Check {
    meta: CheckMeta {
        id: CheckId("performance.latency.p95"),
        title: "under the offered load, 95 % of requests are answered (from intended send) within the objective",
        suite: Suite::Performance,
        level: Level::Must,
        requirements: &["performance.slo-p95-latency"],
        applies: Applicability::ALWAYS,
        tags: &["performance", "slo", "latency"],
    },
    run: check_fn!(p95),
};

async fn mean(cx: &mut CheckContext) -> Conclusion {
    let m = measured(cx).await?;
    let (value, limit) = (m.latency.corrected.mean_ms, m.slo.mean_ms);
    judge(&m, "mean", value, limit)
}

async fn p95(cx: &mut CheckContext) -> Conclusion {
    let m = measured(cx).await?;
    let (value, limit) = (m.latency.corrected.p95_ms, m.slo.p95_ms);
    judge(&m, "p95", value, limit)
}

fn judge(m: &PerformanceReport, what: &str, value: f64, limit: f64) -> Conclusion {
    let observed = format!("{what} {value:.3} ms; {}", describe(m));
    if value < limit {
        Ok(Outcome::pass_with(observed))
    } else {
        // The generator's lag is in the corrected figures: a failure stands only if the lag cannot explain it.
        if m.generator.max_lag_ms >= value - limit {
            generator_kept_up(m)?;
        }
        Ok(Outcome::violated(format!("{what} response time (from intended send) below {limit} ms"), observed))
    }
}

/// The figures every performance verdict states.
pub(super) fn describe(m: &PerformanceReport) -> String {
    let c = &m.latency.corrected;
    let s = &m.latency.service;
    let offered = match m.throughput.requested_per_sec {
        Some(r) => format!("{r} requests/s offered, {} answered/s", m.throughput.achieved_per_sec),
        None => format!("{} answered/s (closed loop)", m.throughput.achieved_per_sec),
    };
    let workload = m
        .workload
        .iter()
        .map(|w| w.tool.as_ref().map_or(w.method.clone(), |t| format!("{} {t}", w.method)))
        .collect::<Vec<_>>()
        .join(" + ");
    format!(
        "corrected mean {:.3} / p50 {:.3} / p95 {:.3} / p99 {:.3} / max {:.3} ms, uncorrected p99 {:.3} ms, over {} \
         answers of {} sent; {offered}; errors {:.2} %; {workload} over {}",
        c.mean_ms,
        c.p50_ms,
        c.p95_ms,
        c.p99_ms,
        c.max_ms,
        s.p99_ms,
        m.completed,
        m.sent,
        m.errors.rate * 100.0,
        m.pattern.as_str(),
    )
}

/// Before a failure the generator's lag could explain is charged to the server: the generator offered the load it
/// was asked for. A generator that fell behind can only make the server look worse (its lag counts in the corrected
/// latency, its missing sends in the rate), so a pass stands, but such a failure is then "could not test", naming
/// the generator.
pub(super) fn generator_kept_up(m: &PerformanceReport) -> Result<(), crate::check::Outcome> {
    if !m.generator.saturated {
        return Ok(());
    }
    let cpu = m.generator.cpu_percent.map_or(String::new(), |c| format!(", its CPU at {c} % of a core"));
    let lag = format!(", the largest lag {} ms", m.generator.max_lag_ms);
    Err(Outcome::error(format!(
        "could not test: the load generator could not hold the rate asked for ({} of {} sends more than 2 ms late \
         through its own fault{lag}{cpu}), so this failure may be the generator's; lower --rate, use fewer --connections, or run the harness in a release build \
         on a quieter machine",
        m.generator.late_sends, m.sent
    )))
}
