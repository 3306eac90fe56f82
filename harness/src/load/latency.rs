//! Latency histograms: HdrHistogram from 1 µs to 60 s at 3 significant digits, in microseconds.

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::report::performance::{LatencySummary, PercentilePoint};

/// The longest latency a histogram holds; longer samples are clamped to it (a request times out long before).
const HIGHEST_MICROS: u64 = 60_000_000;

/// Percentiles of the distribution the report keeps for plots.
const DISTRIBUTION: [f64; 22] = [
    0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0, 97.5, 99.0, 99.5, 99.75, 99.9, 99.95,
    99.99, 99.999, 100.0,
];

/// One latency histogram.
#[derive(Debug, Clone)]
pub struct LatencyHistogram(Histogram<u64>);

impl Default for LatencyHistogram {
    fn default() -> Self {
        // Constant bounds that hdrhistogram accepts (1 ≤ low, high ≥ 2 × low, 3 significant digits).
        LatencyHistogram(Histogram::new_with_bounds(1, HIGHEST_MICROS, 3).expect("valid constant histogram bounds"))
    }
}

impl LatencyHistogram {
    /// A histogram at 2 significant digits (≈ 20 KB instead of ≈ 140 KB), for the timeline's many per-span ones.
    pub fn coarse() -> Self {
        // Constant bounds that hdrhistogram accepts.
        LatencyHistogram(Histogram::new_with_bounds(1, HIGHEST_MICROS, 2).expect("valid constant histogram bounds"))
    }

    /// Records one sample (clamped to 1 µs … 60 s).
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).clamp(1, HIGHEST_MICROS);
        self.0.saturating_record(micros);
    }

    /// Adds every sample of `other` (lossless).
    pub fn merge(&mut self, other: &LatencyHistogram) {
        let _ = self.0.add(&other.0);
    }

    /// Samples recorded.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The latency at `percentile` (0–100), in milliseconds.
    pub fn percentile_ms(&self, percentile: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        ms(self.0.value_at_percentile(percentile))
    }

    /// Share of samples within `[low, high)` milliseconds.
    pub fn share_between_ms(&self, low: f64, high: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        let (lo, hi) = ((low * 1000.0) as u64, (high * 1000.0) as u64);
        let inside: u64 = self
            .0
            .iter_recorded()
            .filter(|v| (lo..hi).contains(&v.value_iterated_to()))
            .map(|v| v.count_at_value())
            .sum();
        inside as f64 / self.0.len() as f64
    }

    /// The summary the report keeps.
    pub fn summary(&self) -> LatencySummary {
        if self.0.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            count: self.0.len(),
            mean_ms: round3(self.0.mean() / 1000.0),
            p50_ms: self.percentile_ms(50.0),
            p90_ms: self.percentile_ms(90.0),
            p95_ms: self.percentile_ms(95.0),
            p99_ms: self.percentile_ms(99.0),
            p999_ms: self.percentile_ms(99.9),
            max_ms: ms(self.0.max()),
        }
    }
}

/// The distribution of both views at the report's percentiles.
pub fn distribution(corrected: &LatencyHistogram, service: &LatencyHistogram) -> Vec<PercentilePoint> {
    if corrected.is_empty() {
        return Vec::new();
    }
    DISTRIBUTION
        .iter()
        .map(|&p| PercentilePoint {
            percentile: p,
            corrected_ms: corrected.percentile_ms(p),
            service_ms: service.percentile_ms(p),
        })
        .collect()
}

fn ms(micros: u64) -> f64 {
    round3(micros as f64 / 1000.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_samples() {
        let mut h = LatencyHistogram::default();
        for ms in 1..=100u64 {
            h.record(Duration::from_millis(ms));
        }
        let s = h.summary();
        assert_eq!(s.count, 100);
        assert!((s.p50_ms - 50.0).abs() < 0.1, "{s:?}");
        assert!((s.p99_ms - 99.0).abs() < 0.1, "{s:?}");
        assert!((s.max_ms - 100.0).abs() < 0.1, "{s:?}");
        assert!((s.mean_ms - 50.5).abs() < 0.1, "{s:?}");
        assert!((h.share_between_ms(38.0, 48.0) - 0.10).abs() < 0.001);
    }

    #[test]
    fn merging_is_lossless_and_out_of_range_samples_are_clamped() {
        let mut a = LatencyHistogram::default();
        let mut b = LatencyHistogram::default();
        a.record(Duration::ZERO);
        b.record(Duration::from_secs(3600));
        a.merge(&b);
        assert_eq!(a.len(), 2);
        // Clamped to 60 s, within the histogram's 3 significant digits.
        assert!((60_000.0..60_100.0).contains(&a.summary().max_ms), "{}", a.summary().max_ms);
        assert!(LatencyHistogram::default().summary().count == 0);
    }

    #[test]
    fn the_distribution_is_ascending_in_both_views() {
        let (mut c, mut s) = (LatencyHistogram::default(), LatencyHistogram::default());
        for i in 1..1000u64 {
            c.record(Duration::from_micros(i * 100));
            s.record(Duration::from_micros(i * 50));
        }
        let d = distribution(&c, &s);
        assert_eq!(d.len(), DISTRIBUTION.len());
        assert!(d.windows(2).all(|w| w[0].corrected_ms <= w[1].corrected_ms && w[0].service_ms <= w[1].service_ms));
        assert!(d.iter().all(|p| p.corrected_ms >= p.service_ms));
    }
}
