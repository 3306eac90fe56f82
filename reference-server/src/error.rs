//! Errors that stop the server from starting or serving.

/// A failure to start or run the server (protocol errors are answered, never returned).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// The HTTP listener could not be bound.
    #[error("failed to bind {addr}: {source}")]
    Bind {
        /// Address that was requested.
        addr: std::net::SocketAddr,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The HTTP server stopped with an I/O error.
    #[error("failed to serve HTTP: {0}")]
    Serve(#[source] std::io::Error),
    /// The stdio service could not run.
    #[error("failed to serve stdio: {0}")]
    Stdio(String),
    /// A backend (database) could not be prepared.
    #[error("backend failed: {0}")]
    Backend(String),
    /// A configuration value is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}
