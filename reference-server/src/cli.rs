//! Command-line interface of the reference server.

use std::net::SocketAddr;

use clap::{Parser, ValueEnum};

/// Which transport the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportKind {
    /// Newline-delimited JSON-RPC on stdin/stdout (logs on stderr).
    Stdio,
    /// Streamable HTTP on `--listen`, endpoint `/mcp`, plus `/healthz` and `/metrics`.
    Http,
}

/// Command-line options of `mcp-reference-server`.
///
/// Every option has a default that yields a correct, hardened server.
#[derive(Debug, Clone, Parser)]
#[command(name = "mcp-reference-server", version, about, max_term_width = 100)]
pub struct Cli {
    /// Transport to serve.
    #[arg(long, value_enum, default_value_t = TransportKind::Stdio)]
    pub transport: TransportKind,

    /// Address to listen on in HTTP mode (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// PEM certificate chain to serve HTTPS with in HTTP mode (h2 and http/1.1 by ALPN); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,

    /// PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,

    /// Items per page for every list method (tools, prompts, resources, templates).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,

    /// Extra browser Origin allowed to call the HTTP endpoint (repeatable).
    /// Loopback origins are always allowed; `*` disables Origin checking.
    #[arg(long = "allowed-origin", value_name = "ORIGIN")]
    pub allowed_origins: Vec<String>,

    /// Extra `Host` header value accepted besides loopback names (repeatable).
    #[arg(long = "allowed-host", value_name = "HOST")]
    pub allowed_hosts: Vec<String>,

    /// Log filter for stderr (a tracing `EnvFilter` directive, e.g. `debug` or
    /// `info,rmcp=debug`). rmcp logs every stateless request at `info`, hence the default.
    #[arg(long, default_value = "info,rmcp=warn", env = "MCP_REFERENCE_LOG")]
    pub log_level: String,

    /// Maximum HTTP request body in bytes (larger bodies get 413).
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Maximum number of tool calls executing at once.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrency: u32,

    /// Maximum number of tool calls waiting for a slot before new ones are rejected.
    #[arg(long, default_value_t = 256)]
    pub max_queue: u32,

    /// Per-request timeout for tool calls, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_ms: u64,

    /// Capacity (entries) of the in-process result cache.
    #[arg(long, default_value_t = 1024)]
    pub cache_capacity: usize,

    /// Time to live of result-cache entries, in milliseconds.
    #[arg(long, default_value_t = 60_000)]
    pub cache_ttl_ms: u64,

    /// Threads of the bounded pool that runs CPU-heavy tools.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub cpu_threads: u32,

    /// Tokio worker threads (1 = current-thread runtime, fastest for stdio).
    #[arg(long, default_value_t = 1)]
    pub worker_threads: usize,

    /// Seconds to wait for in-flight requests on SIGTERM/SIGINT before closing.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Disable legacy (2025-xx) HTTP sessions: every request is served statelessly.
    #[arg(long)]
    pub stateless: bool,

    /// Postgres connection URL. When set, records live in Postgres (schema migrated at
    /// start) instead of in memory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Redis URL. When set, Redis is a second-level result cache behind the in-process
    /// LRU; when Redis is down the server keeps answering from the store.
    #[arg(long, env = "REDIS_URL", hide_env_values = true, value_name = "URL")]
    pub redis_url: Option<String>,

    /// Postgres pool size (also the Postgres bulkhead capacity).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub db_pool_size: u32,

    /// Bound of each Postgres statement group, connect and pool wait, in milliseconds.
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub db_timeout_ms: u64,

    /// Bound of each Redis command and connect, in milliseconds.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
    pub redis_timeout_ms: u64,

    /// Consecutive backend failures that open a backend's circuit breaker.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub breaker_failures: u32,

    /// How long an open circuit breaker fails fast before a half-open probe, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pub breaker_open_ms: u64,

    /// Attempts per Postgres call for transient errors, including the first (1 = no retry).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub retry_attempts: u32,

    /// Backoff ceiling of the first retry, in milliseconds (doubles per retry, full jitter).
    #[arg(long, default_value_t = 50)]
    pub retry_base_ms: u64,

    /// Upper bound of any retry backoff, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    pub retry_max_delay_ms: u64,

    /// Longest wait for a backend bulkhead slot before the call fails, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    pub bulkhead_wait_ms: u64,

    /// Secret (≥ 32 bytes) that seals MRTR `requestState`; random per process by default.
    #[arg(long, env = "MCP_REFERENCE_STATE_KEY", hide_env_values = true)]
    pub request_state_key: Option<String>,

    /// AES-256 key (base64 of 32 bytes) that encrypts the data tools' sensitive fields at rest
    /// (`secret`, `password`, `email`, `notes`). Random per process by default: records written
    /// to Postgres with a random key cannot be read after a restart.
    #[arg(long, env = "MCP_REFERENCE_DATA_KEY", hide_env_values = true, value_name = "BASE64")]
    pub data_key: Option<String>,

    /// Turns on OAuth 2.1 bearer-token authorization of the HTTP endpoint (HTTP only): the
    /// JWKS (a JSON file, or an http(s) URL fetched at start and again for an unknown `kid`)
    /// whose RSA keys verify the access tokens. Off by default. Tokens: RS256 JWTs in the
    /// `Authorization` header; `iss`, `aud`, `exp` required, `nbf` honoured, 10 s clock
    /// leeway; scopes `mcp:read` (every request), `mcp:write` (tools not annotated read-only),
    /// `mcp:admin` (POST /oauth/revoke); metadata at /.well-known/oauth-protected-resource/mcp.
    #[arg(long, env = "MCP_REFERENCE_AUTH_JWKS", value_name = "FILE_OR_URL", requires = "auth_issuer")]
    pub auth_jwks: Option<String>,

    /// The authorization server: required `iss` of every token, and the entry of
    /// `authorization_servers` in the protected resource metadata. Needs --auth-jwks.
    #[arg(long, env = "MCP_REFERENCE_AUTH_ISSUER", value_name = "ISS", requires = "auth_jwks")]
    pub auth_issuer: Option<String>,

    /// Canonical URI of this resource, which every token's `aud` must contain
    /// [default: http://<bound address>/mcp]. Needs --auth-jwks.
    #[arg(long, env = "MCP_REFERENCE_AUTH_RESOURCE", value_name = "URL", requires = "auth_jwks")]
    pub auth_resource: Option<String>,
}

impl Cli {
    /// Rejects combinations clap's declarations cannot express, as a usage error.
    pub fn validate(&self) -> Result<(), clap::Error> {
        if self.transport == TransportKind::Stdio && self.auth_jwks.is_some() {
            let mut command = <Self as clap::CommandFactory>::command();
            return Err(command.error(
                clap::error::ErrorKind::ArgumentConflict,
                "--auth-jwks (OAuth authorization) applies to the HTTP transport only: add --transport http, \
                 or drop the --auth-* options (stdio is authorized by whoever starts the process)",
            ));
        }
        Ok(())
    }
}
