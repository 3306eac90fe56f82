//! What a load run counts while it runs: every request of the measured window (by its intended send time) with
//! its corrected and service latency, errors by kind, a per-second timeline, and the generator's own lateness.

use std::time::{Duration, Instant};

use super::latency::{LatencyHistogram, distribution};
use super::reply::CallResult;
use super::transport::Answer;
use crate::report::performance::{ErrorCounts, ErrorKind, Latency, QuantumFinding, TimelinePoint};

/// Error descriptions kept as examples.
const EXAMPLES: usize = 5;
/// Distinct error codes counted (further codes fall under "other").
const CODES: usize = 64;
/// A send more than this late through the generator's own fault counts as late: 1 ms beyond the 1 ms resolution of
/// the runtime's timer (which wakes a sleeper on the millisecond tick after its deadline).
pub const LATE: Duration = Duration::from_millis(2);

/// The counts of one load run (one stress step).
#[derive(Debug, Clone)]
pub struct Recorder {
    /// When the measured window begins (the warm-up ends).
    pub measure_from: Instant,
    /// When it ends.
    pub measure_until: Instant,
    corrected: LatencyHistogram,
    service: LatencyHistogram,
    sent: u64,
    completed: u64,
    errors: ErrorCounts,
    seconds: Vec<Second>,
    /// Seconds per timeline point (1 unless the window is longer than [`TIMELINE_POINTS`] seconds).
    span_secs: u64,
    late_sends: u64,
    max_lag: Duration,
    window_full_waits: u64,
    /// Answers received within the measured window (whenever their requests were due): the throughput.
    received_in_window: u64,
    /// Everything answered since the start, warm-up included (for progress).
    pub answered_total: u64,
    /// Every error since the start, warm-up included (for progress).
    pub errors_total: u64,
}

#[derive(Debug, Clone)]
struct Second {
    sent: u64,
    completed: u64,
    errors: u64,
    corrected: LatencyHistogram,
}

impl Default for Second {
    fn default() -> Self {
        Second { sent: 0, completed: 0, errors: 0, corrected: LatencyHistogram::coarse() }
    }
}

/// Timeline points at most for the measured window: longer runs get one point per span of several seconds, so the
/// recorder's memory does not grow with the duration (≈ 20 KB a point).
const TIMELINE_POINTS: u64 = 1_200;
/// Points kept after the window, for answers that come while the requests in flight drain.
const DRAIN_POINTS: u64 = 120;

impl Recorder {
    /// A recorder whose measured window is `[measure_from, measure_from + duration)`.
    pub fn new(measure_from: Instant, duration: Duration) -> Self {
        Recorder {
            measure_from,
            measure_until: measure_from + duration,
            corrected: LatencyHistogram::default(),
            service: LatencyHistogram::default(),
            sent: 0,
            completed: 0,
            errors: ErrorCounts::default(),
            seconds: Vec::new(),
            span_secs: duration.as_secs().div_ceil(TIMELINE_POINTS).max(1),
            late_sends: 0,
            max_lag: Duration::ZERO,
            window_full_waits: 0,
            received_in_window: 0,
            answered_total: 0,
            errors_total: 0,
        }
    }

    fn measured(&self, intended: Instant) -> bool {
        intended >= self.measure_from && intended < self.measure_until
    }

    fn point(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.measure_from).as_secs() / self.span_secs
    }

    fn second(&mut self, at: Instant) -> &mut Second {
        // The window plus draining: bounded by constants, never by the duration or the target.
        let i = usize::try_from(self.point(at).min(TIMELINE_POINTS + DRAIN_POINTS)).unwrap_or(0);
        if self.seconds.len() <= i {
            self.seconds.resize_with(i + 1, Second::default);
        }
        &mut self.seconds[i]
    }

    /// A request was sent for the slot `intended`, `lag` after it through the generator's own fault (zero when the
    /// scheduler was held back by a full in-flight window).
    pub fn sent(&mut self, intended: Instant, lag: Duration) {
        if !self.measured(intended) {
            return;
        }
        self.sent += 1;
        self.second(intended).sent += 1;
        if lag > LATE {
            self.late_sends += 1;
        }
        self.max_lag = self.max_lag.max(lag);
    }

    /// The scheduler had to wait for room in the in-flight window.
    pub fn window_full(&mut self) {
        self.window_full_waits += 1;
    }

    /// The request due at `intended` ended with `answer` at `now`.
    pub fn answered(&mut self, intended: Instant, answer: &Answer, now: Instant) {
        self.answered_total += 1;
        if matches!(answer.result, CallResult::Failed(_)) {
            self.errors_total += 1;
        }
        if now >= self.measure_from && now < self.measure_until {
            self.received_in_window += 1;
        }
        if !self.measured(intended) {
            return;
        }
        self.completed += 1;
        let corrected = now.saturating_duration_since(intended);
        let failed = match &answer.result {
            CallResult::Success => false,
            CallResult::Failed(f) => {
                self.errors.total += 1;
                *self.errors.by_kind.entry(f.kind).or_default() += 1;
                if let Some(code) = &f.code {
                    let key = if self.errors.by_code.len() < CODES || self.errors.by_code.contains_key(code) {
                        code.clone()
                    } else {
                        "other".to_owned()
                    };
                    *self.errors.by_code.entry(key).or_default() += 1;
                }
                if self.errors.examples.len() < EXAMPLES {
                    self.errors.examples.push(format!("{}: {}", f.kind.as_str(), f.detail));
                }
                true
            }
        };
        // Timeouts have no latency of their own: they are counted as errors, not as samples.
        let timed_out = matches!(&answer.result, CallResult::Failed(f) if f.kind == ErrorKind::Timeout);
        if !timed_out {
            self.corrected.record(corrected);
            self.service.record(now.saturating_duration_since(answer.sent));
        }
        let second = self.second(now);
        second.completed += 1;
        if failed {
            second.errors += 1;
        }
        if !timed_out {
            second.corrected.record(corrected);
        }
    }

    /// Requests sent in the window.
    pub fn sent_count(&self) -> u64 {
        self.sent
    }

    /// Requests due in the window that were answered (in it or while draining).
    pub fn completed_count(&self) -> u64 {
        self.completed
    }

    /// Answers received within the window, whenever their requests were due (what throughput counts: answers that
    /// came only while draining do not).
    pub fn received_in_window(&self) -> u64 {
        self.received_in_window
    }

    /// Sends late through the generator's fault, and the largest lag.
    pub fn lateness(&self) -> (u64, Duration, u64) {
        (self.late_sends, self.max_lag, self.window_full_waits)
    }

    /// Errors, with the rate over what was sent.
    pub fn errors(&self) -> ErrorCounts {
        let mut e = self.errors.clone();
        e.rate = if self.sent == 0 { 0.0 } else { e.total as f64 / self.sent as f64 };
        e
    }

    /// Both latency views.
    pub fn latency(&self) -> Latency {
        Latency {
            corrected: self.corrected.summary(),
            service: self.service.summary(),
            distribution: distribution(&self.corrected, &self.service),
        }
    }

    /// The 40 ms quantum detector over service times: more than 1 % of samples in 38–48 ms and at least five
    /// times as many as in the neighbouring 10 ms windows together.
    pub fn quantum(&self) -> QuantumFinding {
        let share = self.service.share_between_ms(38.0, 48.0);
        let neighbour_share = self.service.share_between_ms(28.0, 38.0) + self.service.share_between_ms(48.0, 58.0);
        QuantumFinding { share, neighbour_share, detected: share > 0.01 && share >= 5.0 * neighbour_share }
    }

    /// The timeline, one point per second (per span on long runs), including the time spent draining after the
    /// window.
    pub fn timeline(&self) -> Vec<TimelinePoint> {
        self.seconds
            .iter()
            .enumerate()
            .map(|(i, s)| TimelinePoint {
                second: u32::try_from(i as u64 * self.span_secs).unwrap_or(u32::MAX),
                sent: s.sent,
                completed: s.completed,
                errors: s.errors,
                p50_ms: s.corrected.percentile_ms(50.0),
                p99_ms: s.corrected.percentile_ms(99.0),
            })
            .collect()
    }

    /// The corrected 99th percentile of the last full point (second), for progress.
    pub fn recent_p99_ms(&self, now: Instant) -> f64 {
        let i = usize::try_from(self.point(now)).unwrap_or(0);
        i.checked_sub(1).and_then(|i| self.seconds.get(i)).map_or(0.0, |s| s.corrected.percentile_ms(99.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::reply::Failure;

    fn answer(sent: Instant, result: CallResult) -> Answer {
        Answer { sent, result }
    }

    #[test]
    fn only_the_measured_window_counts_and_latency_is_taken_from_the_intended_time() {
        let t0 = Instant::now();
        let mut r = Recorder::new(t0 + Duration::from_secs(1), Duration::from_secs(2));
        // Warm-up: ignored.
        r.sent(t0, Duration::ZERO);
        r.answered(t0, &answer(t0, CallResult::Success), t0 + Duration::from_millis(5));
        // A request due at 1.0 s, held back 100 ms, served in 10 ms.
        let due = t0 + Duration::from_secs(1);
        r.sent(due, Duration::from_millis(100));
        let sent = due + Duration::from_millis(100);
        r.answered(due, &answer(sent, CallResult::Success), sent + Duration::from_millis(10));
        assert_eq!((r.sent_count(), r.completed_count()), (1, 1));
        let l = r.latency();
        assert!((l.corrected.max_ms - 110.0).abs() < 0.5, "{l:?}");
        assert!((l.service.max_ms - 10.0).abs() < 0.1, "{l:?}");
        assert_eq!(r.lateness().0, 1);
        assert_eq!(r.answered_total, 2);
    }

    #[test]
    fn errors_are_counted_by_kind_and_code_and_timeouts_are_not_latency_samples() {
        let t0 = Instant::now();
        let mut r = Recorder::new(t0, Duration::from_secs(10));
        for i in 0..4u64 {
            r.sent(t0, Duration::ZERO);
            let result = match i {
                0 => CallResult::Success,
                1 => CallResult::Failed(Failure {
                    kind: ErrorKind::JsonRpc,
                    code: Some("-32603".into()),
                    detail: "x".into(),
                }),
                2 => CallResult::Failed(Failure::new(ErrorKind::Timeout, "no answer")),
                _ => CallResult::Failed(Failure::new(ErrorKind::ToolError, "isError")),
            };
            r.answered(t0, &answer(t0, result), t0 + Duration::from_millis(1));
        }
        let e = r.errors();
        assert_eq!(e.total, 3);
        assert!((e.rate - 0.75).abs() < 1e-9);
        assert_eq!(e.by_kind.get(&ErrorKind::Timeout), Some(&1));
        assert_eq!(e.by_code.get("-32603"), Some(&1));
        assert_eq!(r.latency().corrected.count, 3);
    }

    #[test]
    fn a_long_window_keeps_a_bounded_timeline_of_spans() {
        let t0 = Instant::now();
        let mut r = Recorder::new(t0, Duration::from_secs(24 * 3600));
        assert_eq!(r.span_secs, 72);
        for s in [0u64, 71, 72, 86_399, 200_000] {
            let at = t0 + Duration::from_secs(s);
            r.sent(at, Duration::ZERO);
            r.answered(at, &answer(at, CallResult::Success), at);
        }
        let timeline = r.timeline();
        assert!(timeline.len() as u64 <= TIMELINE_POINTS + DRAIN_POINTS + 1, "{}", timeline.len());
        assert_eq!((timeline[0].completed, timeline[1].second, timeline[1].completed), (2, 72, 1));
    }

    #[test]
    fn the_quantum_detector_fires_on_a_spike_at_40_ms_only() {
        let t0 = Instant::now();
        let mut spike = Recorder::new(t0, Duration::from_secs(10));
        let mut broad = Recorder::new(t0, Duration::from_secs(10));
        for i in 0..1000u64 {
            let s = if i % 10 == 0 { Duration::from_millis(41) } else { Duration::from_micros(100) };
            spike.sent(t0, Duration::ZERO);
            spike.answered(t0, &answer(t0, CallResult::Success), t0 + s);
            let b = Duration::from_millis(20 + (i % 50));
            broad.sent(t0, Duration::ZERO);
            broad.answered(t0, &answer(t0, CallResult::Success), t0 + b);
        }
        assert!(spike.quantum().detected, "{:?}", spike.quantum());
        assert!(!broad.quantum().detected, "{:?}", broad.quantum());
    }
}
