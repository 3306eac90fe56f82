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
//! Entry points: [`main_with`] with a parsed [`Cli`], or [`main_from_args`] with a raw command line.

#![warn(missing_docs)]

mod auth;
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
mod sealing;
mod server;
mod shutdown;
mod stdio;
mod store;
mod tools;

use std::ffi::OsString;
use std::process::ExitCode;

pub use cli::{Cli, TransportKind};
pub use error::StartupError;

/// Runs the server described by `cli` to completion and returns the process exit code.
///
/// Builds its own tokio runtime (current-thread for one worker, which measured
/// fastest for stdio; multi-thread otherwise), installs a stderr logger and serves
/// the selected transport until end of input (stdio) or SIGTERM/SIGINT, draining
/// in-flight requests before returning.
///
/// A command line that clap accepts but [`Cli::validate`] refuses (e.g. `--auth-jwks` with stdio) prints the usage
/// error on stderr and returns status 2.
pub fn main_with(cli: Cli) -> ExitCode {
    if let Err(error) = cli.validate() {
        let _ = error.print();
        return ExitCode::from(2);
    }
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

/// Parses `args` as the server's command line (program name first, as [`std::env::args_os`] yields it) and runs
/// the server like [`main_with`]. Callers need not depend on `clap` to start the server from raw arguments.
///
/// Behaves exactly like the `mcp-reference-server` binary on bad input: invalid arguments print the usage error
/// on stderr and end the process with status 2; `--help` and `--version` print to stdout and end it with status 0.
pub fn main_from_args(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    main_with(<Cli as clap::Parser>::parse_from(args))
}

fn build_runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if workers <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()
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
