//! Operational tools: `health` reports backend and load status.

use serde::Serialize;
use serde_json::json;

use super::{Availability, Invocation, ToolFuture, ToolSpec, read_only, tool_without_input};
use crate::store::{BackendHealth, overall_status};

/// Result of `health`.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Health {
    /// `ok` when every backend is ok, `down` when the store is down, else `degraded`.
    status: String,
    /// Store backend status.
    store: BackendHealth,
    /// Cache backend status.
    cache: BackendHealth,
    /// Tool calls executing now.
    in_flight: u64,
    /// Tool calls waiting for a slot.
    queued: u64,
    /// Seconds since the server started.
    uptime_seconds: f64,
    /// Server version.
    version: String,
}

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![ToolSpec::new(
        tool_without_input("health", "Reports the status of the store and cache backends and current load")
            .with_output_schema::<Health>()
            .annotate(read_only("Health")),
        Availability::Always,
        health,
    )]
}

fn health(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let shared = inv.shared();
        let store = shared.store.health().await;
        let cache = shared.cache.health().await;
        let health = Health {
            status: overall_status(&store, &cache).into(),
            store,
            cache,
            in_flight: shared.limiter.in_flight(),
            queued: shared.limiter.queued(),
            uptime_seconds: shared.started.elapsed().as_secs_f64(),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        Ok(rmcp::model::CallToolResult::structured(json!(health)).into())
    })
}
