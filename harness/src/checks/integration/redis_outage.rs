//! Redis stopped or paused mid-run: the target keeps answering, correctly, from Postgres; its circuit breaker
//! opens, and closes again once Redis is back.

use std::time::{Duration, Instant};

use serde_json::json;

use super::INTEGRATION;
use super::cache::{create, field_n};
use super::data_tools::{breaker_of, call, kind_of, require_data_tools, status_of};
use super::faults::{fault_error, health, judged, require_container, settle};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::services::Service;
use crate::session::Session;

/// Reads made during each outage.
const OUTAGE_ROUNDS: i64 = 6;
/// Longest time given to the breaker to open while Redis is down.
const OPEN_LIMIT: Duration = Duration::from_secs(20);
/// Longest time given to the breaker to close after Redis is back.
const RECOVER_LIMIT: Duration = Duration::from_secs(45);

/// Reads keep working, fresh, with Redis stopped.
pub(crate) const SERVES_FROM_STORE: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.redis-stopped.serves-from-store"),
        title: "with Redis stopped, updates and reads keep succeeding, fresh, from Postgres",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.cache.degrades"],
        applies: INTEGRATION,
        tags: &["integration", "redis", "fault-injection"],
    },
    run: check_fn!(serves_from_store),
};

async fn serves_from_store(cx: &mut CheckContext) -> Conclusion {
    reads_through(cx, Fault::Stop).await
}

/// Reads keep working, in time, with Redis paused (connections hang instead of failing).
pub(crate) const PAUSED_ANSWERS_IN_TIME: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.redis-paused.answers-in-time"),
        title: "with Redis paused (commands hang), updates and reads are still answered within the request timeout, fresh",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.cache.degrades"],
        applies: INTEGRATION,
        tags: &["integration", "redis", "fault-injection"],
    },
    run: check_fn!(paused_answers_in_time),
};

async fn paused_answers_in_time(cx: &mut CheckContext) -> Conclusion {
    reads_through(cx, Fault::Pause).await
}

/// How Redis is taken away.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// `docker stop`: connections are refused.
    Stop,
    /// `docker pause`: connections hang.
    Pause,
}

/// Takes Redis away, makes update-then-read rounds, brings it back and lets the target settle.
async fn reads_through(cx: &mut CheckContext, fault: Fault) -> Conclusion {
    let env = cx.env.clone();
    let services = env.services.running()?;
    require_container(services, Service::Redis)?;
    require_data_tools(cx).await?;
    let timeout = cx.timeout();
    let session = cx.session()?;
    let id = create(session, json!({"n": 0}), timeout).await?;

    let (broken, label) = match fault {
        Fault::Stop => (services.stop(Service::Redis).await, "Redis stopped"),
        Fault::Pause => (services.pause(Service::Redis).await, "Redis paused"),
    };
    broken.map_err(fault_error)?;
    let result = reads_during_outage(session, &id, timeout, label).await;
    let restored = match fault {
        Fault::Stop => services.start_again(Service::Redis).await,
        Fault::Pause => services.unpause(Service::Redis).await,
    };
    settle(session, &id, timeout).await;
    let _ = call(session, "delete_data", json!({"id": id}), timeout).await;
    restored.map_err(fault_error)?;
    result
}

/// Update-then-read rounds during an outage; each read must answer the value just written.
async fn reads_during_outage(session: &mut Session, id: &str, timeout: Duration, fault: &str) -> Conclusion {
    let mut slowest = Duration::ZERO;
    let mut levels = Vec::new();
    for n in 1..=OUTAGE_ROUNDS {
        let expected = format!(
            "with {fault}, update_data then get_data of record {id} answer within {timeout:?}, the read n = {n}"
        );
        let started = Instant::now();
        let updated =
            judged(call(session, "update_data", json!({"id": id, "data": {"n": n}}), timeout).await, fault, &expected)?;
        if updated.value().is_none() {
            return Err(Outcome::violated(expected, format!("update_data in round {n}: {}", updated.brief())));
        }
        let read = judged(call(session, "get_data", json!({"id": id}), timeout).await, fault, &expected)?;
        slowest = slowest.max(started.elapsed());
        if field_n(&read) != Some(n) {
            return Err(Outcome::violated(expected, format!("get_data in round {n}: {}", read.brief())));
        }
        levels.push(read.cache_level().unwrap_or("-").to_owned());
    }
    Ok(Outcome::pass_with(format!(
        "{OUTAGE_ROUNDS} update-then-read rounds with {fault}: all answered and fresh, slowest round {} ms; reads answered from: {}",
        slowest.as_millis(),
        levels.join(", ")
    )))
}

/// The cache's circuit breaker opens during a Redis outage and closes after it.
pub(crate) const BREAKER_OPENS_AND_RECOVERS: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.redis-stopped.breaker-opens-and-recovers"),
        title: "with Redis stopped the cache's circuit breaker opens (health tool), and it closes again once Redis is back",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.resilience.breaker"],
        applies: INTEGRATION,
        tags: &["integration", "redis", "fault-injection", "resilience"],
    },
    run: check_fn!(breaker_opens_and_recovers),
};

async fn breaker_opens_and_recovers(cx: &mut CheckContext) -> Conclusion {
    let env = cx.env.clone();
    let services = env.services.running()?;
    require_container(services, Service::Redis)?;
    require_data_tools(cx).await?;
    let timeout = cx.timeout();
    let session = cx.session()?;

    let before = health(session, timeout).await?;
    let kind = kind_of(&before, "cache").unwrap_or("(none)").to_owned();
    if !kind.contains("redis") {
        return Err(Outcome::violated(
            "given REDIS_URL, the health tool reports a cache that uses Redis (cache.kind mentioning redis)",
            format!("cache.kind is {kind}: {}", crate::session::clip_json(&before, 300)),
        ));
    }
    let id = create(session, json!({"n": 0}), timeout).await?;

    services.stop(Service::Redis).await.map_err(fault_error)?;
    let opened = until_breaker(session, &id, timeout, OPEN_LIMIT, |b, _| b == Some("open")).await;
    let restored = services.start_again(Service::Redis).await.map_err(fault_error);
    let recovered = match (&opened, &restored) {
        (Ok(Some(_)), Ok(())) => {
            until_breaker(session, &id, timeout, RECOVER_LIMIT, |b, status| {
                b == Some("closed") && status != Some("down")
            })
            .await
        }
        _ => Ok(None),
    };
    settle(session, &id, timeout).await;
    let after = health(session, timeout).await.unwrap_or_default();
    let _ = call(session, "delete_data", json!({"id": id}), timeout).await;
    restored?;

    let transitions =
        |h: &serde_json::Value| h.pointer("/cache/breakerTransitions").and_then(serde_json::Value::as_u64);
    let Some((rounds, open_after)) = opened? else {
        return Ok(Outcome::violated(
            format!(
                "with Redis stopped, the health tool reports cache.breaker = open within {OPEN_LIMIT:?} of cache traffic"
            ),
            format!("it never did; health after the outage: {}", crate::session::clip_json(&after, 300)),
        ));
    };
    let Some((_, closed_after)) = recovered? else {
        return Ok(Outcome::violated(
            format!("after Redis is back, cache.breaker returns to closed within {RECOVER_LIMIT:?}"),
            format!("it did not; health: {}", crate::session::clip_json(&after, 300)),
        ));
    };
    Ok(Outcome::pass_with(format!(
        "cache breaker: closed → open after {rounds} update-then-read rounds ({} ms) with Redis stopped; closed again {} ms \
         after Redis was back; breakerTransitions {} → {}",
        open_after.as_millis(),
        closed_after.as_millis(),
        transitions(&before).map_or_else(|| "?".to_owned(), |t| t.to_string()),
        transitions(&after).map_or_else(|| "?".to_owned(), |t| t.to_string()),
    )))
}

/// Drives cache traffic (update + read of `id`) and polls `health` until `reached(breaker, status)`; the rounds
/// and time it took, or `None` when `limit` passed first.
async fn until_breaker(
    session: &mut Session,
    id: &str,
    timeout: Duration,
    limit: Duration,
    reached: impl Fn(Option<&str>, Option<&str>) -> bool,
) -> Result<Option<(u32, Duration)>, Outcome> {
    let started = Instant::now();
    let mut rounds = 0;
    while started.elapsed() < limit {
        rounds += 1;
        let expected = "the target keeps answering while the cache's backend is down";
        judged(
            call(session, "update_data", json!({"id": id, "data": {"n": rounds}}), timeout).await,
            "Redis outage",
            expected,
        )?;
        judged(call(session, "get_data", json!({"id": id}), timeout).await, "Redis outage", expected)?;
        let h = health(session, timeout).await.map_err(Outcome::from)?;
        if reached(breaker_of(&h, "cache"), status_of(&h, "cache")) {
            return Ok(Some((rounds, started.elapsed())));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(None)
}
