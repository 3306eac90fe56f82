//! A consecutive-failure circuit breaker: closed → open → half-open → closed.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// State of a [`CircuitBreaker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum BreakerState {
    /// Calls flow; consecutive failures are counted.
    Closed,
    /// One probe call is allowed to test whether the backend recovered.
    HalfOpen,
    /// Calls fail fast until the open period ends.
    Open,
}

impl BreakerState {
    /// Lower-case name, as used in logs, health and metric labels.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::HalfOpen => "half_open",
            Self::Open => "open",
        }
    }

    /// Prometheus gauge value: 0 closed, 1 half-open, 2 open.
    pub(crate) fn gauge(self) -> u8 {
        match self {
            Self::Closed => 0,
            Self::HalfOpen => 1,
            Self::Open => 2,
        }
    }
}

/// Tuning of a [`CircuitBreaker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BreakerConfig {
    /// Consecutive failures that open the circuit (at least 1).
    pub failure_threshold: u32,
    /// How long the circuit stays open before a half-open probe is allowed.
    pub open_for: Duration,
}

/// A transition, for logs and the transitions counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transition {
    /// State before.
    pub from: BreakerState,
    /// State after.
    pub to: BreakerState,
}

/// Why the breaker refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejected {
    /// State that refused (open, or half-open with its probe in flight).
    pub state: BreakerState,
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    consecutive_failures: u32,
    opened_at: Instant,
    probe_in_flight: bool,
}

/// Counts consecutive failures and short-circuits calls while the backend is down.
///
/// Time comes from [`tokio::time::Instant`], so tests drive it with paused time.
#[derive(Debug)]
pub(crate) struct CircuitBreaker {
    name: &'static str,
    config: BreakerConfig,
    inner: Mutex<Inner>,
    transitions: Mutex<Vec<(Transition, u64)>>,
    total_transitions: AtomicU64,
}

/// Permission to make one call; report its outcome with [`Permit::success`] or
/// [`Permit::failure`]. Dropping it unreported (a cancelled call) frees a half-open probe
/// slot without changing the state.
#[derive(Debug)]
#[must_use = "report the outcome of the call"]
pub(crate) struct Permit {
    breaker: Arc<CircuitBreaker>,
    probe: bool,
    reported: bool,
}

impl CircuitBreaker {
    /// A closed breaker; `name` labels its log lines.
    pub(crate) fn new(name: &'static str, config: BreakerConfig) -> Arc<Self> {
        Arc::new(Self {
            name,
            config: BreakerConfig { failure_threshold: config.failure_threshold.max(1), ..config },
            inner: Mutex::new(Inner {
                state: BreakerState::Closed,
                consecutive_failures: 0,
                opened_at: Instant::now(),
                probe_in_flight: false,
            }),
            transitions: Mutex::default(),
            total_transitions: AtomicU64::new(0),
        })
    }

    /// Current state; an open circuit whose period has elapsed reads as half-open.
    pub(crate) fn state(&self) -> BreakerState {
        let inner = self.lock();
        match inner.state {
            BreakerState::Open if inner.opened_at.elapsed() >= self.config.open_for => BreakerState::HalfOpen,
            state => state,
        }
    }

    /// Asks to make a call: granted when closed, or as the single half-open probe.
    pub(crate) fn try_acquire(self: &Arc<Self>) -> Result<Permit, Rejected> {
        let mut inner = self.lock();
        let probe = match inner.state {
            BreakerState::Closed => false,
            BreakerState::Open => {
                if inner.opened_at.elapsed() < self.config.open_for {
                    return Err(Rejected { state: BreakerState::Open });
                }
                self.transition(&mut inner, BreakerState::HalfOpen);
                inner.probe_in_flight = true;
                true
            }
            BreakerState::HalfOpen => {
                if inner.probe_in_flight {
                    return Err(Rejected { state: BreakerState::HalfOpen });
                }
                inner.probe_in_flight = true;
                true
            }
        };
        Ok(Permit { breaker: self.clone(), probe, reported: false })
    }

    /// Transitions so far, by (from, to).
    pub(crate) fn transitions(&self) -> Vec<(Transition, u64)> {
        self.transitions.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Number of transitions so far.
    pub(crate) fn transition_count(&self) -> u64 {
        self.total_transitions.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, probe: bool, ok: bool) {
        let mut inner = self.lock();
        if probe {
            inner.probe_in_flight = false;
        }
        if ok {
            inner.consecutive_failures = 0;
            if inner.state != BreakerState::Closed {
                self.transition(&mut inner, BreakerState::Closed);
            }
            return;
        }
        inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
        let reopen = inner.state == BreakerState::HalfOpen;
        let trip = inner.state == BreakerState::Closed && inner.consecutive_failures >= self.config.failure_threshold;
        if reopen || trip {
            inner.opened_at = Instant::now();
            self.transition(&mut inner, BreakerState::Open);
        } else if inner.state == BreakerState::Open {
            // A call admitted before the circuit opened failed late: extend the open period.
            inner.opened_at = Instant::now();
        }
    }

    fn release(&self, probe: bool) {
        if probe {
            self.lock().probe_in_flight = false;
        }
    }

    fn transition(&self, inner: &mut Inner, to: BreakerState) {
        let from = inner.state;
        if from == to {
            return;
        }
        inner.state = to;
        let transition = Transition { from, to };
        if to == BreakerState::Open {
            tracing::warn!(
                backend = self.name,
                from = from.as_str(),
                failures = inner.consecutive_failures,
                "circuit breaker opened"
            );
        } else {
            tracing::info!(
                backend = self.name,
                from = from.as_str(),
                to = to.as_str(),
                "circuit breaker state changed"
            );
        }
        self.total_transitions.fetch_add(1, Ordering::Relaxed);
        let mut list = self.transitions.lock().unwrap_or_else(|e| e.into_inner());
        match list.iter_mut().find(|(t, _)| *t == transition) {
            Some((_, count)) => *count += 1,
            None => list.push((transition, 1)),
        }
    }
}

impl Permit {
    /// The call succeeded (or failed for a reason that says nothing about the backend).
    pub(crate) fn success(mut self) {
        self.reported = true;
        self.breaker.record(self.probe, true);
    }

    /// The call failed because of the backend.
    pub(crate) fn failure(mut self) {
        self.reported = true;
        self.breaker.record(self.probe, false);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.reported {
            self.breaker.release(self.probe);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN_FOR: Duration = Duration::from_secs(5);

    fn breaker(threshold: u32) -> Arc<CircuitBreaker> {
        CircuitBreaker::new("test", BreakerConfig { failure_threshold: threshold, open_for: OPEN_FOR })
    }

    fn fail(b: &Arc<CircuitBreaker>, n: u32) {
        for _ in 0..n {
            b.try_acquire().expect("permit").failure();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_threshold_consecutive_failures() {
        let b = breaker(3);
        fail(&b, 2);
        b.try_acquire().expect("permit").success(); // resets the count
        fail(&b, 2);
        assert_eq!(b.state(), BreakerState::Closed);
        fail(&b, 1);
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.try_acquire().unwrap_err(), Rejected { state: BreakerState::Open });
    }

    #[tokio::test(start_paused = true)]
    async fn half_open_allows_one_probe_and_success_closes() {
        let b = breaker(1);
        fail(&b, 1);
        tokio::time::advance(OPEN_FOR - Duration::from_millis(1)).await;
        assert!(b.try_acquire().is_err(), "still open");
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let probe = b.try_acquire().expect("probe");
        assert_eq!(
            b.try_acquire().unwrap_err(),
            Rejected { state: BreakerState::HalfOpen },
            "only one probe at a time"
        );
        probe.success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(b.try_acquire().is_ok());
        let seen: Vec<_> = b.transitions().into_iter().map(|(t, n)| (t.from, t.to, n)).collect();
        assert_eq!(
            seen,
            vec![
                (BreakerState::Closed, BreakerState::Open, 1),
                (BreakerState::Open, BreakerState::HalfOpen, 1),
                (BreakerState::HalfOpen, BreakerState::Closed, 1),
            ]
        );
        assert_eq!(b.transition_count(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_probe_reopens_for_a_full_period() {
        let b = breaker(2);
        fail(&b, 2);
        tokio::time::advance(OPEN_FOR).await;
        b.try_acquire().expect("probe").failure();
        assert_eq!(b.state(), BreakerState::Open);
        tokio::time::advance(OPEN_FOR - Duration::from_millis(1)).await;
        assert!(b.try_acquire().is_err());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(b.try_acquire().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn dropped_probe_frees_the_slot() {
        let b = breaker(1);
        fail(&b, 1);
        tokio::time::advance(OPEN_FOR).await;
        drop(b.try_acquire().expect("probe"));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.try_acquire().is_ok(), "a new probe may start");
    }
}
