//! The two-level cache: repeated reads hit it, and no read after a write is ever stale — within one instance and
//! across two instances sharing Postgres and Redis.

use serde_json::{Value, json};

use super::INTEGRATION;
use super::data_tools::{Call, META_CACHE, call, fresh_collection, record_id, require_data_tools};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite};
use crate::check_fn;
use crate::session::Session;

/// Updates per freshness check.
const ROUNDS: i64 = 5;

/// A second read of the same record is a cache hit.
pub(crate) const REPEATED_READ_HIT: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.cache.repeated-read-hit"),
        title: "reading the same record again is answered from the cache (l1 or l2 in _meta)",
        suite: Suite::Integration,
        level: Level::Should,
        requirements: &["integration.cache.hits"],
        applies: INTEGRATION,
        tags: &["integration", "redis", "cache"],
    },
    run: check_fn!(repeated_read_hit),
};

async fn repeated_read_hit(cx: &mut CheckContext) -> Conclusion {
    cx.services()?;
    require_data_tools(cx).await?;
    let timeout = cx.timeout();
    let session = cx.session()?;
    let id = create(session, json!({"n": 0}), timeout).await?;
    let first = call(session, "get_data", json!({"id": id}), timeout).await?;
    let second = call(session, "get_data", json!({"id": id}), timeout).await?;
    let third = call(session, "get_data", json!({"id": id}), timeout).await?;
    let _ = call(session, "delete_data", json!({"id": id}), timeout).await;
    let levels: Vec<Option<&str>> = [&first, &second, &third].iter().map(|c| c.cache_level()).collect();
    if levels.iter().all(Option::is_none) {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("get_data results carry no _meta[\"{META_CACHE}\"], so cache use cannot be observed"),
        ));
    }
    let shown = levels.iter().map(|l| l.unwrap_or("(none)")).collect::<Vec<_>>().join(", ");
    if levels[1..].iter().any(|l| matches!(l, Some("l1" | "l2"))) {
        Ok(Outcome::pass_with(format!("three reads of record {id} answered from: {shown}")))
    } else {
        Ok(Outcome::violated(
            "the second or third read of an unchanged record answered from the cache (l1 or l2)",
            format!("three reads of record {id} answered from: {shown}"),
        ))
    }
}

/// A read after an update returns the update (one instance).
pub(crate) const UPDATE_THEN_READ_FRESH: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.cache.update-then-read-fresh"),
        title: "a read right after an update returns the updated record, never a cached old one",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.cache.never-stale"],
        applies: INTEGRATION,
        tags: &["integration", "redis", "cache"],
    },
    run: check_fn!(update_then_read_fresh),
};

async fn update_then_read_fresh(cx: &mut CheckContext) -> Conclusion {
    cx.services()?;
    require_data_tools(cx).await?;
    let timeout = cx.timeout();
    let session = cx.session()?;
    let id = create(session, json!({"n": 0}), timeout).await?;
    let mut levels = Vec::new();
    for n in 1..=ROUNDS {
        // Read twice first so the old value is cached at every level.
        call(session, "get_data", json!({"id": id}), timeout).await?;
        call(session, "get_data", json!({"id": id}), timeout).await?;
        update(session, &id, n, timeout).await?;
        let read = call(session, "get_data", json!({"id": id}), timeout).await?;
        if field_n(&read) != Some(n) {
            return Err(Outcome::violated(
                format!("after update_data set n = {n}, get_data answers n = {n}"),
                format!("stale read in round {n}: {}", read.brief()),
            ));
        }
        levels.push(read.cache_level().unwrap_or("-").to_owned());
    }
    let _ = call(session, "delete_data", json!({"id": id}), timeout).await;
    Ok(Outcome::pass_with(format!(
        "{ROUNDS} update-then-read rounds on record {id} (old value cached before each) all fresh; reads answered from: {}",
        levels.join(", ")
    )))
}

/// A write by one instance is seen by another instance that had the old value cached.
pub(crate) const FRESH_ACROSS_INSTANCES: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.cache.fresh-across-instances"),
        title: "after a second instance (same Postgres and Redis) updates a record, the first never answers the cached old value",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.cache.never-stale"],
        applies: INTEGRATION,
        tags: &["integration", "redis", "cache", "restart"],
    },
    run: check_fn!(fresh_across_instances),
};

async fn fresh_across_instances(cx: &mut CheckContext) -> Conclusion {
    cx.services()?;
    require_data_tools(cx).await?;
    let timeout = cx.timeout();
    let other = cx.launch_instance().await?;
    let mut second = match cx.session_on(&other).await {
        Ok(s) => s,
        Err(e) => {
            other.shutdown().await;
            return Err(Outcome::error(format!("could not connect to a second instance of the target: {e}")));
        }
    };
    let result = across(cx, &mut second, timeout).await;
    second.close().await;
    other.shutdown().await;
    result
}

async fn across(cx: &mut CheckContext, second: &mut Session, timeout: std::time::Duration) -> Conclusion {
    let first = cx.session()?;
    let id = create(first, json!({"n": 0}), timeout).await?;
    for n in 1..=ROUNDS {
        call(first, "get_data", json!({"id": id}), timeout).await?;
        call(first, "get_data", json!({"id": id}), timeout).await?;
        update(second, &id, n, timeout).await?;
        let read = call(first, "get_data", json!({"id": id}), timeout).await?;
        if field_n(&read) != Some(n) {
            return Err(Outcome::violated(
                format!("after the second instance set n = {n}, the first instance's get_data answers n = {n}"),
                format!("stale read in round {n}: {}", read.brief()),
            ));
        }
    }
    let _ = call(first, "delete_data", json!({"id": id}), timeout).await;
    Ok(Outcome::pass_with(format!(
        "{ROUNDS} rounds: the first instance cached record {id}, a second instance updated it, the first read it fresh"
    )))
}

/// Creates a record in a fresh collection; its id.
pub(super) async fn create(
    session: &mut Session,
    data: Value,
    timeout: std::time::Duration,
) -> Result<String, Outcome> {
    let created =
        call(session, "create_data", json!({"collection": fresh_collection(), "data": data}), timeout).await?;
    created
        .value()
        .and_then(record_id)
        .map(str::to_owned)
        .ok_or_else(|| Outcome::violated("create_data answers the new record (with its id)", created.brief()))
}

/// Sets field `n` of record `id`.
pub(super) async fn update(
    session: &mut Session,
    id: &str,
    n: i64,
    timeout: std::time::Duration,
) -> Result<(), Outcome> {
    match call(session, "update_data", json!({"id": id, "data": {"n": n}}), timeout).await? {
        Call::Ok { .. } => Ok(()),
        other => Err(Outcome::violated("update_data of an existing record succeeds", other.brief())),
    }
}

/// Field `n` of a record result.
pub(super) fn field_n(read: &Call) -> Option<i64> {
    read.value()?.get("data")?.get("n")?.as_i64()
}
