//! The Streamable HTTP transport: `/mcp` (rmcp's service behind our guard),
//! `GET /healthz` and `GET /metrics`.

mod guard;
mod ops;
mod origin;
mod revoke;
mod session;
mod tls;

use std::{sync::Arc, time::Duration};

use axum::{Router, middleware, serve::ListenerExt as _};
use rmcp::transport::{
    StreamableHttpServerConfig, StreamableHttpService, streamable_http_server::session::local::LocalSessionManager,
};
use tokio_util::sync::CancellationToken;

pub(crate) use origin::OriginPolicy;

use crate::{
    auth::{Auth, metadata_paths},
    cli::Cli,
    error::StartupError,
    server::{ReferenceServer, Shared},
    shutdown::Shutdown,
};

/// Time between the end of draining and closing long-lived streams.
const STREAM_FLUSH: Duration = Duration::from_millis(500);

/// Serves HTTP on `cli.listen` until a shutdown signal, then drains and stops.
pub(crate) async fn serve(cli: &Cli, shared: Arc<Shared>, shutdown: Shutdown) -> Result<(), StartupError> {
    let policy = Arc::new(OriginPolicy::new(&cli.allowed_origins, &cli.allowed_hosts));
    let stop_streams = CancellationToken::new();
    let config = StreamableHttpServerConfig::default()
        // Defense in depth: our guard checks Host and Origin first; rmcp re-checks.
        .with_allowed_hosts(policy.rmcp_allowed_hosts())
        .with_allowed_origins(policy.rmcp_allowed_origins())
        .with_json_response(true)
        .with_legacy_session_mode(!cli.stateless)
        .with_max_request_body_bytes(cli.max_body_bytes)
        .with_cancellation_token(stop_streams.clone());
    let config = if policy.any_origin() { config.disable_allowed_origins() } else { config };
    let factory_shared = shared.clone();
    let mcp = StreamableHttpService::new(
        move || Ok(ReferenceServer::new(factory_shared.clone())),
        Arc::new(session::UniqueIds::new(LocalSessionManager::default())),
        config,
    );
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .map_err(|source| StartupError::Bind { addr: cli.listen, source })?;
    let local = listener.local_addr().map_err(StartupError::Serve)?;
    let acceptor = match (&cli.tls_cert, &cli.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        _ => None,
    };

    let auth = Auth::from_cli(cli, local, &shared.catalog).await?.map(Arc::new);

    let guard_state = guard::GuardState {
        policy: policy.clone(),
        max_body_bytes: cli.max_body_bytes,
        metrics: shared.metrics.clone(),
        auth: auth.clone(),
    };
    let mut app = Router::new()
        .route_service("/mcp", mcp)
        .layer(middleware::from_fn_with_state(guard_state, guard::guard))
        .merge(ops::router(shared.clone()));
    if let Some(auth) = auth {
        let resource = crate::auth::resource_of(cli, local);
        app = app.merge(revoke::router(auth, policy, &metadata_paths(&resource)));
    }
    // The harness parses this exact line from stderr.
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    eprintln!("mcp-reference-server listening on {scheme}://{local}/mcp");

    let grace = shared.shutdown_grace;
    let drain_shared = shared.clone();
    let drain_signal = shutdown.clone();
    let graceful = async move {
        drain_signal.requested().await;
        if !drain_shared.limiter.drain(grace).await {
            tracing::warn!("shutdown grace period elapsed with requests still running");
        }
        // From here axum stops accepting and waits for open requests; a request's
        // SSE stream ends after its response. Long-lived streams (standalone GET,
        // idle sessions) end when rmcp's token is cancelled, slightly later so the
        // responses of just-finished calls are written first.
        tokio::spawn(async move {
            tokio::time::sleep(STREAM_FLUSH).await;
            stop_streams.cancel();
        });
    };
    let deadline = async {
        shutdown.requested().await;
        tokio::time::sleep(grace + Duration::from_secs(5)).await;
    };
    let server = async {
        match acceptor {
            Some(acceptor) => {
                let listener = tls::TlsListener::new(listener, acceptor).map_err(StartupError::Serve)?;
                axum::serve(listener, app).with_graceful_shutdown(graceful).await.map_err(StartupError::Serve)
            }
            None => {
                // Nagle's algorithm would hold small SSE frames for the peer's delayed ACK (≈40 ms).
                let listener = listener.tap_io(|tcp| {
                    if let Err(error) = tcp.set_nodelay(true) {
                        tracing::debug!(%error, "failed to set TCP_NODELAY");
                    }
                });
                axum::serve(listener, app).with_graceful_shutdown(graceful).await.map_err(StartupError::Serve)
            }
        }
    };
    tokio::select! {
        result = server => result?,
        _ = deadline => tracing::warn!("connections still open after the grace period; exiting"),
    }
    tracing::info!("HTTP server stopped");
    Ok(())
}
