//! Resilience patterns for the external backends (Postgres store, Redis cache).
//!
//! Every call to a backend goes through one [`Backend`] guard, which layers, from the
//! outside in:
//!
//! 1. **Retry** ([`RetryPolicy`]): exponential backoff with full jitter, only for errors the
//!    caller classifies as transient ([`Classify::is_transient`]);
//! 2. **Circuit breaker** ([`CircuitBreaker`]): after `failure_threshold` consecutive backend
//!    failures the circuit opens and calls fail fast for `open_for`; then one half-open probe
//!    decides between closing and re-opening;
//! 3. **Bulkhead** ([`Bulkhead`]): a semaphore bounding concurrent calls to this backend, with
//!    a bounded wait, so one slow backend cannot absorb every request slot.
//!
//! The guard also keeps the per-backend health reported by the `health` tool and `/healthz`
//! and the counters rendered in `/metrics`.

mod breaker;
mod bulkhead;
mod guard;
mod retry;

pub(crate) use breaker::{BreakerConfig, BreakerState, CircuitBreaker};
pub(crate) use bulkhead::Bulkhead;
pub(crate) use guard::{Backend, CallError, Classify, render_metrics, track_retries};
pub(crate) use retry::RetryPolicy;
