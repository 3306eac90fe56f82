//! The mcp-harness reference server: a complete MCP server for both protocol eras.
//!
//! * **Legacy era** (2025-03-26, 2025-06-18, 2025-11-25): `initialize`, sessions,
//!   `ping`, `logging/setLevel`, `resources/subscribe`, server→client requests
//!   (sampling, elicitation, roots) and SSE resumability.
//! * **Modern era** (2026-07-28): stateless requests with per-request `_meta`,
//!   `server/discover`, input-required multi-round-trip results with an
//!   HMAC-sealed `requestState`, `subscriptions/listen` and caching hints.
//!
//! The server is built on [`rmcp`] but overrides its defaults where they are
//! wrong for a server: Origin validation is on, invalid JSON gets a `-32700`
//! answer on both transports, a second `initialize` is rejected, accepted TCP
//! sockets use `TCP_NODELAY`, and stdio uses non-blocking pipes.
//!
//! Entry point: [`main_with`] with a parsed [`Cli`].

#![warn(missing_docs)]

mod cache;
mod cli;
mod completion;
mod content;
mod error;
mod http;
mod limits;
mod logging;
mod metrics;
mod prompts;
mod resilience;
mod resources;
mod server;
mod shutdown;
mod stdio;
mod store;
mod tools;

use std::process::ExitCode;

pub use cli::{Cli, TransportKind};
pub use error::StartupError;

/// Runs the server described by `cli` to completion and returns the process exit code.
///
/// Builds its own tokio runtime (current-thread for one worker, which measured
/// fastest for stdio; multi-thread otherwise), installs a stderr logger and serves
/// the selected transport until end of input (stdio) or SIGTERM/SIGINT, draining
/// in-flight requests before returning.
pub fn main_with(cli: Cli) -> ExitCode {
    logging::init(&cli.log_level);
    let runtime = match build_runtime(cli.worker_threads) {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "failed to build the tokio runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Blocking-pool work (CPU analysis) must not keep the process alive forever.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
    }
}

fn build_runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if workers <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
    }
}

async fn run(cli: Cli) -> Result<(), StartupError> {
    let shared = server::Shared::new(&cli).await?;
    let shutdown = shutdown::Shutdown::install();
    match cli.transport {
        TransportKind::Stdio => stdio::serve(shared, shutdown).await,
        TransportKind::Http => http::serve(&cli, shared, shutdown).await,
    }
}
