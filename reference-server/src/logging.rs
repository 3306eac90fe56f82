//! Logging to stderr only: stdout belongs to the MCP protocol in stdio mode.

use tracing_subscriber::EnvFilter;

/// Installs a stderr logger with `filter`; a second call (the harness re-entering
/// [`crate::main_with`]) keeps the first logger.
pub(crate) fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
