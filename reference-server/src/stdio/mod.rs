//! The stdio transport: newline-delimited JSON-RPC on stdin/stdout.
//!
//! rmcp's own line transport ignores unparsable input (rust-sdk#938) and
//! answers malformed messages without an id. [`LineTransport`] is a thin
//! replacement that answers invalid JSON with `-32700` (id `null`), and a
//! well-formed but invalid message with `-32600` (or `-32602` for a valid
//! envelope with bad params), echoing the id when one can be read.

mod transport;

use rmcp::ServiceExt as _;
use tokio_util::sync::CancellationToken;

pub(crate) use transport::LineTransport;

use crate::{error::StartupError, server::ReferenceServer, shutdown::Shutdown};

/// Serves one client on stdin/stdout until end of input or a shutdown signal.
pub(crate) async fn serve(
    shared: std::sync::Arc<crate::server::Shared>,
    shutdown: Shutdown,
) -> Result<(), StartupError> {
    // Non-blocking FIFOs when stdin/stdout are pipes (the usual MCP launch), else blocking stdio.
    let (reader, writer) = rmcp::transport::io::stdio_pipes();
    let transport = LineTransport::new(reader, writer);
    let ct = CancellationToken::new();
    let server = ReferenceServer::new(shared.clone());
    let running = tokio::select! {
        running = server.serve_with_ct(transport, ct.clone()) => running,
        _ = shutdown.requested() => return Ok(()),
    };
    let running = match running {
        Ok(running) => running,
        Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => {
            tracing::info!("stdin closed before initialization");
            return Ok(());
        }
        Err(error) => return Err(StartupError::Stdio(error.to_string())),
    };
    let mut waiting = Box::pin(running.waiting());
    tokio::select! {
        reason = &mut waiting => {
            tracing::info!(?reason, "stdio session ended");
        }
        _ = shutdown.requested() => {
            if !shared.limiter.drain(shared.shutdown_grace).await {
                tracing::warn!("shutdown grace period elapsed with requests still running");
            }
            ct.cancel();
            let reason = waiting.await;
            tracing::info!(?reason, "stdio session stopped by signal");
        }
    }
    Ok(())
}
