//! Bounded concurrency with a bounded wait queue, per-request timeouts and draining.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::sync::Semaphore;

use crate::metrics::{CallOutcome, Metrics};

/// Why a call did not run to completion inside the [`Limiter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LimitError {
    /// The wait queue is full.
    #[error("server busy: too many requests are waiting, retry later")]
    QueueFull,
    /// The server is shutting down and accepts no new work.
    #[error("server is shutting down")]
    ShuttingDown,
    /// The call ran longer than the per-request timeout.
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
}

/// Admission control for tool calls: at most `max_concurrency` run, at most
/// `max_queue` wait, each gets `timeout`; [`Limiter::drain`] waits for all of them.
#[derive(Clone)]
pub(crate) struct Limiter {
    inner: Arc<Inner>,
}

struct Inner {
    slots: Semaphore,
    max_concurrency: u32,
    max_queue: u64,
    timeout: Duration,
    closing: AtomicBool,
    metrics: Arc<Metrics>,
}

impl Limiter {
    pub(crate) fn new(max_concurrency: u32, max_queue: u32, timeout: Duration, metrics: Arc<Metrics>) -> Self {
        Self {
            inner: Arc::new(Inner {
                slots: Semaphore::new(max_concurrency as usize),
                max_concurrency,
                max_queue: u64::from(max_queue),
                timeout,
                closing: AtomicBool::new(false),
                metrics,
            }),
        }
    }

    /// Runs `work` under the limits and records its outcome for `tool`.
    pub(crate) async fn run<T, E>(
        &self,
        tool: &str,
        work: impl Future<Output = Result<T, E>>,
    ) -> Result<Result<T, E>, LimitError> {
        let inner = &self.inner;
        let started = Instant::now();
        if inner.closing.load(Ordering::Acquire) {
            inner.metrics.tool_call(tool, CallOutcome::Rejected, started.elapsed());
            return Err(LimitError::ShuttingDown);
        }
        let permit = match inner.slots.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                let queued = inner.metrics.queued();
                if queued.fetch_add(1, Ordering::AcqRel) >= inner.max_queue {
                    queued.fetch_sub(1, Ordering::AcqRel);
                    inner.metrics.tool_call(tool, CallOutcome::Rejected, started.elapsed());
                    return Err(LimitError::QueueFull);
                }
                let acquired = tokio::time::timeout(inner.timeout, inner.slots.acquire()).await;
                queued.fetch_sub(1, Ordering::AcqRel);
                match acquired {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_)) => {
                        inner.metrics.tool_call(tool, CallOutcome::Rejected, started.elapsed());
                        return Err(LimitError::ShuttingDown);
                    }
                    Err(_) => {
                        inner.metrics.tool_call(tool, CallOutcome::Timeout, started.elapsed());
                        return Err(LimitError::Timeout(inner.timeout));
                    }
                }
            }
        };
        inner.metrics.in_flight().fetch_add(1, Ordering::AcqRel);
        let remaining = inner.timeout.saturating_sub(started.elapsed());
        let result = tokio::time::timeout(remaining, work).await;
        inner.metrics.in_flight().fetch_sub(1, Ordering::AcqRel);
        drop(permit);
        match result {
            Ok(result) => {
                let outcome = if result.is_ok() { CallOutcome::Ok } else { CallOutcome::Error };
                inner.metrics.tool_call(tool, outcome, started.elapsed());
                Ok(result)
            }
            Err(_) => {
                inner.metrics.tool_call(tool, CallOutcome::Timeout, started.elapsed());
                Err(LimitError::Timeout(inner.timeout))
            }
        }
    }

    /// Stops admitting work and waits (at most `grace`) until running calls finish.
    pub(crate) async fn drain(&self, grace: Duration) -> bool {
        let inner = &self.inner;
        inner.closing.store(true, Ordering::Release);
        let all = tokio::time::timeout(grace, inner.slots.acquire_many(inner.max_concurrency)).await;
        matches!(all, Ok(Ok(_)))
    }

    /// Number of calls running now.
    pub(crate) fn in_flight(&self) -> u64 {
        self.inner.metrics.in_flight().load(Ordering::Relaxed)
    }

    /// Number of calls waiting for a slot now.
    pub(crate) fn queued(&self) -> u64 {
        self.inner.metrics.queued().load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(concurrency: u32, queue: u32) -> Limiter {
        Limiter::new(concurrency, queue, Duration::from_secs(5), Arc::new(Metrics::default()))
    }

    #[tokio::test]
    async fn runs_work_and_returns_its_result() {
        let result = limiter(1, 0).run("t", async { Ok::<_, ()>(7) }).await;
        assert_eq!(result, Ok(Ok(7)));
    }

    #[tokio::test]
    async fn rejects_when_queue_is_full() {
        let limiter = limiter(1, 0);
        let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
        let busy = limiter.clone();
        let holder =
            tokio::spawn(async move { busy.run("t", async move { Ok::<_, ()>(release_rx.await.ok()) }).await });
        // Wait (bounded) until the holder occupies the only slot.
        for _ in 0..1000 {
            if limiter.in_flight() == 1 {
                break;
            }
            tokio::task::yield_now().await;
        }
        let rejected = limiter.run("t", async { Ok::<_, ()>(()) }).await;
        assert_eq!(rejected, Err(LimitError::QueueFull));
        release_tx.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn times_out_slow_work() {
        let limiter = Limiter::new(1, 1, Duration::from_millis(10), Arc::new(Metrics::default()));
        let result = limiter
            .run("t", async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok::<_, ()>(())
            })
            .await;
        assert_eq!(result, Err(LimitError::Timeout(Duration::from_millis(10))));
    }

    #[tokio::test]
    async fn drain_refuses_new_work() {
        let limiter = limiter(2, 2);
        assert!(limiter.drain(Duration::from_secs(1)).await);
        assert_eq!(limiter.run("t", async { Ok::<_, ()>(()) }).await, Err(LimitError::ShuttingDown));
    }
}
