//! What the fault-injection checks share: which services they may break, how a call made during a fault is
//! judged, and waiting for the target to settle after one.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::data_tools::{Call, breaker_of, call};
use crate::check::{Outcome, SkipReason};
use crate::services::{RunningServices, Service, ServicesError};
use crate::session::{Session, SessionError};

/// Longest wait for the target to become healthy again after a fault (not judged, only waited for).
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// Skips unless `service` is a container this run started (the harness never stops a service it did not start).
pub(crate) fn require_container(services: &RunningServices, service: Service) -> Result<(), Outcome> {
    if services.is_container(service) {
        Ok(())
    } else {
        Err(Outcome::skip(
            SkipReason::ServicesUnavailable,
            format!("{service} came from {}: the harness does not stop a service it did not start", service.url_var()),
        ))
    }
}

/// A failed `docker stop/start/pause` is the harness's problem, not the target's.
pub(crate) fn fault_error(e: ServicesError) -> Outcome {
    Outcome::error(format!("fault injection failed: {e}"))
}

/// A call made while a backing service is down: no answer in time, or a dropped connection, is the target's
/// failure (the harness knows its own wire works); anything else the session reports is "could not test".
pub(crate) fn judged(result: Result<Call, SessionError>, during: &str, expected: &str) -> Result<Call, Outcome> {
    match result {
        Ok(c) => Ok(c),
        // The contract asks for an answer in time while a service is down: silence is the verdict here.
        Err(e) if e.is_timeout() => Err(Outcome::violated(expected, format!("{during}: {e}"))),
        Err(e) => Err(Outcome::from_session(e, expected)),
    }
}

/// `health`'s structured result, if the call succeeded.
pub(crate) async fn health(session: &mut Session, timeout: Duration) -> Result<Value, SessionError> {
    Ok(call(session, "health", json!({}), timeout).await?.value().cloned().unwrap_or(Value::Null))
}

/// After a fault is repaired: waits (bounded) until the target's cache breaker is closed again, so later checks
/// start from a healthy target. Reads a record whose data changes (`id`) to give the cache traffic.
pub(crate) async fn settle(session: &mut Session, id: &str, timeout: Duration) {
    let started = Instant::now();
    let mut n = 10_000;
    while started.elapsed() < SETTLE_LIMIT {
        n += 1;
        let _ = call(session, "update_data", json!({"id": id, "data": {"n": n}}), timeout).await;
        let _ = call(session, "get_data", json!({"id": id}), timeout).await;
        match health(session, timeout).await {
            Ok(h) if matches!(breaker_of(&h, "cache"), Some("closed") | None) => return,
            _ => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}
