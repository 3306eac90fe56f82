//! [`Backend`]: retry, circuit breaker and bulkhead around every call to one backend,
//! plus its health counters.

use std::{
    cell::Cell,
    fmt::{Display, Write as _},
    future::Future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use serde::Serialize;

use super::{BreakerConfig, BreakerState, Bulkhead, CircuitBreaker, RetryPolicy};

tokio::task_local! {
    /// Retries made on behalf of the current tool call (see [`track_retries`]).
    static CALL_RETRIES: Cell<u32>;
}

/// Runs `future` and returns its output with the number of backend retries it caused.
pub(crate) async fn track_retries<F: Future>(future: F) -> (F::Output, u32) {
    CALL_RETRIES
        .scope(Cell::new(0), async move {
            let output = future.await;
            (output, CALL_RETRIES.with(Cell::get))
        })
        .await
}

/// How a backend error affects the resilience layer.
pub(crate) trait Classify {
    /// The backend itself misbehaved (unreachable, timed out, shutting down): counts
    /// against the circuit breaker. Application errors (constraint violations, conflicts)
    /// do not.
    fn is_backend_failure(&self) -> bool;
    /// Another attempt may succeed and cannot duplicate an effect: connection refused or
    /// reset before commit, pool timeout, serialization failure. Never a constraint violation.
    fn is_transient(&self) -> bool;
}

/// Why a guarded call failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError<E> {
    /// The backend's circuit breaker refused the call.
    #[error("{backend} unavailable: circuit breaker is {}", state.as_str())]
    BreakerOpen {
        /// Backend kind.
        backend: &'static str,
        /// State that refused.
        state: BreakerState,
    },
    /// The backend's bulkhead had no free slot within its wait bound.
    #[error("{backend} busy: no free slot within the bulkhead wait")]
    Busy {
        /// Backend kind.
        backend: &'static str,
    },
    /// The backend answered with an error (after any retries).
    #[error(transparent)]
    Backend(E),
}

/// Counters and state of one backend, as reported by `health` and `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BackendStats {
    /// Circuit breaker state.
    pub breaker: BreakerState,
    /// Breaker state changes since start.
    pub breaker_transitions: u64,
    /// Retries made since start.
    pub retries: u64,
    /// Backend failures since start.
    pub errors: u64,
    /// Calls refused by the open breaker or the full bulkhead.
    pub rejected: u64,
    /// Calls holding a bulkhead slot now.
    pub in_flight: u64,
    /// The most recent backend failure, if any.
    pub last_error: Option<String>,
}

/// The guard in front of one backend: retry → circuit breaker → bulkhead → call.
#[derive(Debug)]
pub(crate) struct Backend {
    role: &'static str,
    kind: &'static str,
    breaker: Arc<CircuitBreaker>,
    bulkhead: Bulkhead,
    retry: RetryPolicy,
    retries: AtomicU64,
    errors: AtomicU64,
    rejected_open: AtomicU64,
    rejected_busy: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Backend {
    /// A guard for the backend of `kind` (e.g. `postgres`) serving `role` (`store`, `cache`).
    pub(crate) fn new(
        role: &'static str,
        kind: &'static str,
        breaker: BreakerConfig,
        bulkhead: Bulkhead,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            role,
            kind,
            breaker: CircuitBreaker::new(kind, breaker),
            bulkhead,
            retry,
            retries: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            rejected_open: AtomicU64::new(0),
            rejected_busy: AtomicU64::new(0),
            last_error: Mutex::new(None),
        }
    }

    /// Current breaker state.
    #[cfg(test)]
    pub(crate) fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// Runs `op` under the guard: each attempt needs a breaker permit and a bulkhead slot;
    /// transient errors are retried with backoff while the policy allows.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future releases the bulkhead slot and any half-open probe slot.
    pub(crate) async fn call<T, E, F, Fut>(&self, op: F) -> Result<T, CallError<E>>
    where
        E: Classify + Display,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.call_with(self.retry, op).await
    }

    /// [`Backend::call`] with an explicit retry policy (e.g. none for health probes).
    pub(crate) async fn call_with<T, E, F, Fut>(&self, retry: RetryPolicy, mut op: F) -> Result<T, CallError<E>>
    where
        E: Classify + Display,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 0u32;
        loop {
            let permit = self.breaker.try_acquire().map_err(|rejected| {
                self.rejected_open.fetch_add(1, Ordering::Relaxed);
                CallError::BreakerOpen { backend: self.kind, state: rejected.state }
            })?;
            let Ok(slot) = self.bulkhead.acquire().await else {
                self.rejected_busy.fetch_add(1, Ordering::Relaxed);
                return Err(CallError::Busy { backend: self.kind });
            };
            let result = op().await;
            drop(slot);
            let error = match result {
                Ok(value) => {
                    permit.success();
                    return Ok(value);
                }
                Err(error) => error,
            };
            if error.is_backend_failure() {
                permit.failure();
                self.note_error(&error);
            } else {
                permit.success();
            }
            // Retrying into a circuit this failure just opened would only fail fast.
            let circuit_open = self.breaker.state() == BreakerState::Open;
            if circuit_open || !(error.is_transient() && retry.allows_retry(attempt)) {
                return Err(CallError::Backend(error));
            }
            self.retries.fetch_add(1, Ordering::Relaxed);
            let _ = CALL_RETRIES.try_with(|count| count.set(count.get() + 1));
            let delay = retry.backoff(attempt, &mut rand::rng());
            tracing::debug!(backend = self.kind, attempt, ?delay, %error, "retrying after a transient error");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Records a failure observed outside [`Backend::call`] (e.g. a failed connect).
    pub(crate) fn note_error(&self, error: &dyn Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let message = error.to_string();
        tracing::debug!(backend = self.kind, error = %message, "backend error");
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(message);
    }

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> BackendStats {
        BackendStats {
            breaker: self.breaker.state(),
            breaker_transitions: self.breaker.transition_count(),
            retries: self.retries.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            rejected: self.rejected_open.load(Ordering::Relaxed) + self.rejected_busy.load(Ordering::Relaxed),
            in_flight: self.bulkhead.in_use() as u64,
            last_error: self.last_error.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }
}

/// Appends the backend metrics of `backends` in the Prometheus text format.
pub(crate) fn render_metrics(backends: &[&Backend], out: &mut String) {
    type Sample = fn(&Backend) -> Vec<(String, u64)>;
    let families: [(&str, &str, &str, Sample); 5] = [
        ("mcp_backend_breaker_state", "gauge", "Circuit breaker state: 0 closed, 1 half-open, 2 open.", |b| {
            vec![(String::new(), u64::from(b.breaker.state().gauge()))]
        }),
        ("mcp_backend_breaker_transitions_total", "counter", "Circuit breaker state changes.", |b| {
            b.breaker
                .transitions()
                .into_iter()
                .map(|(t, n)| (format!(",from=\"{}\",to=\"{}\"", t.from.as_str(), t.to.as_str()), n))
                .collect()
        }),
        ("mcp_backend_retries_total", "counter", "Retries after transient backend errors.", |b| {
            vec![(String::new(), b.retries.load(Ordering::Relaxed))]
        }),
        ("mcp_backend_errors_total", "counter", "Backend failures (connection, timeout, server shutdown).", |b| {
            vec![(String::new(), b.errors.load(Ordering::Relaxed))]
        }),
        ("mcp_backend_rejections_total", "counter", "Calls refused without reaching the backend, by reason.", |b| {
            vec![
                (",reason=\"breaker_open\"".into(), b.rejected_open.load(Ordering::Relaxed)),
                (",reason=\"bulkhead_full\"".into(), b.rejected_busy.load(Ordering::Relaxed)),
            ]
        }),
    ];
    for (name, kind, help, sample) in families {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for backend in backends {
            for (labels, value) in sample(backend) {
                let _ =
                    writeln!(out, "{name}{{backend=\"{}\",kind=\"{}\"{labels}}} {value}", backend.role, backend.kind);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::atomic::AtomicU32, time::Duration};

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum TestError {
        Refused,
        Constraint,
    }

    impl Display for TestError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{self:?}")
        }
    }

    impl Classify for TestError {
        fn is_backend_failure(&self) -> bool {
            *self == Self::Refused
        }
        fn is_transient(&self) -> bool {
            *self == Self::Refused
        }
    }

    fn backend(threshold: u32, attempts: u32) -> Backend {
        Backend::new(
            "store",
            "test",
            BreakerConfig { failure_threshold: threshold, open_for: Duration::from_secs(5) },
            Bulkhead::new(4, Duration::from_millis(100)),
            RetryPolicy {
                max_attempts: attempts,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(40),
            },
        )
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_errors_with_bounded_backoff() {
        let backend = backend(10, 4);
        let calls = AtomicU32::new(0);
        let start = tokio::time::Instant::now();
        let (result, retries) = track_retries(backend.call(|| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move { if n < 2 { Err(TestError::Refused) } else { Ok(n) } }
        }))
        .await;
        assert_eq!(result.unwrap(), 2);
        assert_eq!(retries, 2);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // Two backoffs, each at most its ceiling (10 ms, then 20 ms), in virtual time.
        assert!(start.elapsed() <= Duration::from_millis(30));
        let stats = backend.stats();
        assert_eq!((stats.retries, stats.errors), (2, 2));
        assert_eq!(stats.last_error.as_deref(), Some("Refused"));
        assert_eq!(stats.breaker, BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn never_retries_constraint_violations_and_keeps_the_circuit_closed() {
        let backend = backend(1, 4);
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = backend
            .call(|| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(TestError::Constraint) }
            })
            .await;
        assert!(matches!(result, Err(CallError::Backend(TestError::Constraint))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(backend.stats().breaker, BreakerState::Closed);
        assert_eq!(backend.stats().errors, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn open_breaker_stops_retries_and_fails_fast() {
        let backend = backend(2, 5);
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = backend
            .call(|| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(TestError::Refused) }
            })
            .await;
        assert!(matches!(result, Err(CallError::Backend(TestError::Refused))));
        assert_eq!(calls.load(Ordering::SeqCst), 2, "no retry into an open circuit");
        let again: Result<(), _> = backend.call(|| async { Err(TestError::Refused) }).await;
        assert!(matches!(again, Err(CallError::BreakerOpen { state: BreakerState::Open, .. })));
        let mut text = String::new();
        render_metrics(&[&backend], &mut text);
        assert!(text.contains("mcp_backend_breaker_state{backend=\"store\",kind=\"test\"} 2"));
        assert!(text.contains(
            "mcp_backend_breaker_transitions_total{backend=\"store\",kind=\"test\",from=\"closed\",to=\"open\"} 1"
        ));
        assert!(text.contains("mcp_backend_retries_total{backend=\"store\",kind=\"test\"} 1"));
        assert!(
            text.contains("mcp_backend_rejections_total{backend=\"store\",kind=\"test\",reason=\"breaker_open\"} 1")
        );
        // After the open period a successful probe closes the circuit again.
        tokio::time::advance(Duration::from_secs(5)).await;
        let ok: Result<u8, CallError<TestError>> = backend.call(|| async { Ok(1) }).await;
        assert_eq!(ok.unwrap(), 1);
        assert_eq!(backend.breaker_state(), BreakerState::Closed);
    }
}
