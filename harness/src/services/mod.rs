//! Backing services for the integration suite: PostgreSQL and Redis, from URLs the environment already names or
//! from containers started here over the local Docker engine (the `Postgres` and `Redis` images of
//! testcontainers-modules 0.15, on testcontainers 0.27).
//!
//! # Where a service comes from
//!
//! For each wanted [`Service`], [`start`] looks, in order, at
//! 1. `TEST_DATABASE_URL`, then `DATABASE_URL` (Postgres) / `TEST_REDIS_URL`, then `REDIS_URL` (Redis): a service
//!    that already runs. It is only checked to accept connections (a TCP or Unix-socket connect, bounded), never
//!    started or stopped. Set [`ServiceConfig::use_env_urls`] to `false` to ignore these variables.
//! 2. Otherwise a container from [`ServiceConfig::postgres_image`] / [`ServiceConfig::redis_image`]. The defaults
//!    are the official `postgres:16` and `redis:7` images; machines without a reachable registry build the offline
//!    images (`scripts/offline-images/build.sh`) and select them with `MCP_HARNESS_POSTGRES_IMAGE` /
//!    `MCP_HARNESS_REDIS_IMAGE` (see `scripts/README.md`). The module decides the container's environment
//!    (`POSTGRES_USER` / `POSTGRES_PASSWORD` / `POSTGRES_DB`), its command (Postgres: `-c fsync=off`) and when it is
//!    ready (Postgres: "database system is ready to accept connections" on stderr *and* stdout; Redis: "Ready to
//!    accept connections" on stdout); the image is always the configured one, never the module's default. Both
//!    kinds of image follow that interface.
//!
//! The result, [`RunningServices`], carries the variables for the target (`DATABASE_URL`, `REDIS_URL`) in
//! [`RunningServices::env`] and short secret-free [`RunningServices::notes`] for the report.
//!
//! # Errors, and what callers do with them
//!
//! | [`ServicesError`] | meaning | caller |
//! |---|---|---|
//! | `Unavailable` | no Docker engine, or the image is neither local nor pullable | checks needing the service are *skipped* with the reason; exit 3 under `--require-services` / `CI=true` |
//! | `Failed` | a container was created but did not start or become ready | an error, never a skip |
//! | `Unreachable` | a URL from the environment does not accept connections | an error, never a skip |
//! | `Config` | an image reference or URL that cannot be parsed | usage error |
//! | `NotManaged`, `Docker` | fault injection on a service that is not our container, or a Docker call failed | an error |
//!
//! Branch on [`ServicesError::is_unavailable`] rather than on messages.
//!
//! # Containers are always removed
//!
//! Every container carries the labels `dev.mcp-harness.managed=true`, `dev.mcp-harness.service=<name>`,
//! `dev.mcp-harness.owner=<host>/<boot id>/<pid>` and `dev.mcp-harness.session=<id>`. They are removed
//! - by [`RunningServices::shutdown`] (preferred: reports errors) or on `Drop` (also outside a Tokio runtime);
//! - on SIGINT/SIGTERM/SIGHUP by a watchdog thread (see [`SignalCleanup`]), which removes every container of this
//!   process, including ones still starting, then lets the signal take its default effect;
//! - after a crash or SIGKILL, by [`remove_leftovers`] (also run by [`start`]), which removes containers whose
//!   owner process is gone.
//!
//! Ports are published on 127.0.0.1 only, on a host port chosen at start that stays the same across
//! [`RunningServices::stop`] / [`RunningServices::start_again`], so the URLs a target was given stay valid. This
//! assumes the Docker engine runs on this machine (a remote `DOCKER_HOST` is not supported).
//!
//! # Fault injection
//!
//! [`RunningServices::stop`], [`RunningServices::start_again`], [`RunningServices::pause`] and
//! [`RunningServices::unpause`] act on the container of one service (`docker stop/start/pause/unpause`);
//! `start_again` waits until the service is ready again.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() -> Result<(), mcp_harness::services::ServicesError> {
//! use mcp_harness::services::{start, Service, ServiceConfig};
//!
//! let cfg = ServiceConfig::from_env()?;
//! let services = start(&[Service::Postgres, Service::Redis], &cfg).await?;
//! for (key, value) in &services.env {
//!     // Pass to the target process, e.g. `command.env(key, value)`.
//! #   let _ = (key, value);
//! }
//! services.stop(Service::Redis).await?;      // the cache goes away …
//! services.start_again(Service::Redis).await?; // … and comes back on the same URL
//! services.shutdown().await?;
//! # Ok(()) }
//! ```

mod config;
mod containers;
mod error;
mod external;
mod running;

pub use config::{
    DEFAULT_POSTGRES_IMAGE, DEFAULT_REDIS_IMAGE, ImageRef, OFFLINE_POSTGRES_IMAGE, OFFLINE_REDIS_IMAGE,
    POSTGRES_IMAGE_VAR, REDIS_IMAGE_VAR, STARTUP_TIMEOUT_VAR, Service, ServiceConfig, SignalCleanup,
};
pub use containers::{LABEL_MANAGED, LABEL_OWNER, LABEL_SERVICE, LABEL_SESSION, owner_label, remove_leftovers};
pub use error::ServicesError;
pub use external::redact_url;
pub use running::{POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER, RunningServices, start};
