//! Operational endpoints: `GET /healthz` (JSON) and `GET /metrics` (Prometheus text).
//!
//! `/healthz` answers 200 unless the store is down (503): a server whose cache is down
//! still answers every call, from the store.

use std::sync::Arc;

use axum::{Json, Router, extract::State, http::header, response::IntoResponse, routing::get};
use serde_json::json;

use crate::{
    server::Shared,
    store::{HealthStatus, overall_status},
};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics)).with_state(shared)
}

async fn healthz(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let store = shared.store.health().await;
    let cache = shared.cache.health().await;
    // The server can answer without its cache but not without its store.
    let status = if store.status == HealthStatus::Down {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    } else {
        axum::http::StatusCode::OK
    };
    let body = json!({
        "status": overall_status(&store, &cache),
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": shared.started.elapsed().as_secs_f64(),
        "store": store,
        "cache": cache,
    });
    (status, Json(body))
}

async fn metrics(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let body = shared.metrics.render(shared.started.elapsed(), shared.hub.session_count());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}
