//! What to start, from which images, and how patiently.

use std::fmt;
use std::time::Duration;

use super::error::ServicesError;

/// Environment variable selecting the Postgres image (`name:tag`).
pub const POSTGRES_IMAGE_VAR: &str = "MCP_HARNESS_POSTGRES_IMAGE";
/// Environment variable selecting the Redis image (`name:tag`).
pub const REDIS_IMAGE_VAR: &str = "MCP_HARNESS_REDIS_IMAGE";
/// Environment variable overriding [`ServiceConfig::startup_timeout`], in whole seconds.
pub const STARTUP_TIMEOUT_VAR: &str = "MCP_HARNESS_SERVICES_TIMEOUT";
/// The Postgres image used when [`POSTGRES_IMAGE_VAR`] is unset: the official image (needs a registry).
pub const DEFAULT_POSTGRES_IMAGE: &str = "postgres:16";
/// The Redis image used when [`REDIS_IMAGE_VAR`] is unset: the official image (needs a registry).
pub const DEFAULT_REDIS_IMAGE: &str = "redis:7";
/// The Postgres image `scripts/offline-images/build.sh` builds from Debian packages (no registry needed).
pub const OFFLINE_POSTGRES_IMAGE: &str = "mcp-harness/postgres:15-bookworm";
/// The Redis image `scripts/offline-images/build.sh` builds from Debian packages (no registry needed).
pub const OFFLINE_REDIS_IMAGE: &str = "mcp-harness/redis:7-bookworm";

/// The default for [`ServiceConfig::startup_timeout`].
const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A backing service a target can need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Service {
    /// PostgreSQL, handed to the target as `DATABASE_URL`.
    Postgres,
    /// Redis, handed to the target as `REDIS_URL`.
    Redis,
}

impl Service {
    /// Every service, in the order they are reported.
    pub const ALL: [Service; 2] = [Service::Postgres, Service::Redis];

    /// Lower-case name, as used in labels and messages: `postgres`, `redis`.
    pub fn name(self) -> &'static str {
        match self {
            Service::Postgres => "postgres",
            Service::Redis => "redis",
        }
    }

    /// The variable the target reads the service's URL from: `DATABASE_URL` or `REDIS_URL`.
    pub fn url_var(self) -> &'static str {
        match self {
            Service::Postgres => "DATABASE_URL",
            Service::Redis => "REDIS_URL",
        }
    }

    /// The variables naming an already-running instance, in lookup order (`TEST_…` first).
    pub fn lookup_vars(self) -> [&'static str; 2] {
        match self {
            Service::Postgres => ["TEST_DATABASE_URL", "DATABASE_URL"],
            Service::Redis => ["TEST_REDIS_URL", "REDIS_URL"],
        }
    }

    /// The port the service listens on inside its container.
    pub(crate) fn container_port(self) -> u16 {
        match self {
            Service::Postgres => 5432,
            Service::Redis => 6379,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A container image reference, `name:tag`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Repository, possibly with a registry host: `postgres`, `mcp-harness/postgres`, `host:5000/team/pg`.
    pub name: String,
    /// Tag: `16`, `15-bookworm`.
    pub tag: String,
}

impl ImageRef {
    /// An image reference from its parts.
    pub fn new(name: impl Into<String>, tag: impl Into<String>) -> Self {
        ImageRef { name: name.into(), tag: tag.into() }
    }

    /// Parses `name[:tag]`; the tag defaults to `latest`. A colon before the last `/` belongs to a registry host
    /// (`host:5000/pg` has no tag). Digests (`name@sha256:…`) are not supported.
    pub fn parse(text: &str) -> Result<Self, ServicesError> {
        let text = text.trim();
        let invalid = |why: &str| ServicesError::Config { reason: format!("invalid image reference `{text}`: {why}") };
        if text.is_empty() {
            return Err(invalid("empty"));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(invalid("contains whitespace"));
        }
        if text.contains('@') {
            return Err(invalid("digests are not supported, use name:tag"));
        }
        let last_slash = text.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match text[last_slash..].rfind(':') {
            Some(i) => (&text[..last_slash + i], &text[last_slash + i + 1..]),
            None => (text, "latest"),
        };
        if name.is_empty() || name.ends_with('/') {
            return Err(invalid("no repository name"));
        }
        if tag.is_empty() {
            return Err(invalid("empty tag"));
        }
        Ok(ImageRef::new(name, tag))
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)
    }
}

/// What happens to this process's containers when it receives SIGINT, SIGTERM or SIGHUP.
///
/// The handler lives on its own thread for the rest of the process (signal handlers cannot be uninstalled);
/// the first [`super::start`] that starts a container installs it, later calls may change the mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignalCleanup {
    /// Remove the containers, then let the signal take its default effect (the process dies by it). The default.
    #[default]
    RemoveAndExit,
    /// Remove the containers and return; the caller's own signal handling decides whether the process ends.
    /// Only for callers that handle these signals themselves — otherwise Ctrl-C would no longer end the process.
    RemoveOnly,
    /// Install nothing: containers are removed by `Drop` / [`super::RunningServices::shutdown`] only, and
    /// leftovers of interrupted runs by [`super::remove_leftovers`].
    Off,
}

/// How [`super::start`] provides the services.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The Postgres image; it must honour the official image's interface (`POSTGRES_USER`, `POSTGRES_PASSWORD`,
    /// `POSTGRES_DB`, `-c key=value` as the command) and print "database system is ready to accept connections" on
    /// stderr.
    pub postgres_image: ImageRef,
    /// The Redis image; it must accept `redis-server` arguments as the command and print "Ready to accept
    /// connections" on stdout.
    pub redis_image: ImageRef,
    /// How long a container may take to become ready (image pulls have an extra allowance).
    pub startup_timeout: Duration,
    /// Whether `TEST_DATABASE_URL` / `DATABASE_URL` / `TEST_REDIS_URL` / `REDIS_URL` name services to use instead
    /// of containers.
    pub use_env_urls: bool,
    /// What to do on SIGINT/SIGTERM/SIGHUP.
    pub on_signal: SignalCleanup,
}

impl Default for ServiceConfig {
    /// The official images, 60 s, environment URLs honoured, containers removed on signals.
    fn default() -> Self {
        ServiceConfig {
            postgres_image: ImageRef::new("postgres", "16"),
            redis_image: ImageRef::new("redis", "7"),
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
            use_env_urls: true,
            on_signal: SignalCleanup::default(),
        }
    }
}

impl ServiceConfig {
    /// The defaults, with the images and timeout taken from [`POSTGRES_IMAGE_VAR`], [`REDIS_IMAGE_VAR`] and
    /// [`STARTUP_TIMEOUT_VAR`] where set (empty counts as unset).
    pub fn from_env() -> Result<Self, ServicesError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// [`Self::from_env`] over any variable source.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ServicesError> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let mut cfg = ServiceConfig::default();
        if let Some(image) = get(POSTGRES_IMAGE_VAR) {
            cfg.postgres_image = ImageRef::parse(&image)?;
        }
        if let Some(image) = get(REDIS_IMAGE_VAR) {
            cfg.redis_image = ImageRef::parse(&image)?;
        }
        if let Some(secs) = get(STARTUP_TIMEOUT_VAR) {
            let secs: u64 = secs.trim().parse().ok().filter(|s| *s > 0).ok_or_else(|| ServicesError::Config {
                reason: format!("{STARTUP_TIMEOUT_VAR}=`{secs}` is not a positive number of seconds"),
            })?;
            cfg.startup_timeout = Duration::from_secs(secs);
        }
        Ok(cfg)
    }

    /// The image configured for `service`.
    pub fn image(&self, service: Service) -> &ImageRef {
        match service {
            Service::Postgres => &self.postgres_image,
            Service::Redis => &self.redis_image,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn image_refs_parse_with_and_without_tag_and_registry_port() {
        let cases = [
            ("postgres:16", ("postgres", "16")),
            ("redis", ("redis", "latest")),
            ("mcp-harness/postgres:15-bookworm", ("mcp-harness/postgres", "15-bookworm")),
            ("registry.local:5000/team/pg", ("registry.local:5000/team/pg", "latest")),
            ("registry.local:5000/team/pg:15", ("registry.local:5000/team/pg", "15")),
            ("  redis:7  ", ("redis", "7")),
        ];
        for (text, (name, tag)) in cases {
            assert_eq!(ImageRef::parse(text).ok(), Some(ImageRef::new(name, tag)), "{text}");
        }
        assert_eq!(ImageRef::new("redis", "7").to_string(), "redis:7");
    }

    #[test]
    fn bad_image_refs_are_config_errors() {
        for text in ["", "   ", "redis:", ":7", "pg@sha256:abc", "a b:1", "host:5000/:1"] {
            match ImageRef::parse(text) {
                Err(ServicesError::Config { .. }) => {}
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn config_defaults_to_official_images_and_reads_overrides() {
        let none = ServiceConfig::from_lookup(|_| None).expect("defaults");
        assert_eq!(none.postgres_image.to_string(), DEFAULT_POSTGRES_IMAGE);
        assert_eq!(none.redis_image.to_string(), DEFAULT_REDIS_IMAGE);
        assert_eq!(none.startup_timeout, DEFAULT_STARTUP_TIMEOUT);
        assert!(none.use_env_urls);

        let vars: HashMap<&str, &str> = [
            (POSTGRES_IMAGE_VAR, OFFLINE_POSTGRES_IMAGE),
            (REDIS_IMAGE_VAR, OFFLINE_REDIS_IMAGE),
            (STARTUP_TIMEOUT_VAR, "90"),
        ]
        .into();
        let cfg = ServiceConfig::from_lookup(|k| vars.get(k).map(|v| v.to_string())).expect("overrides");
        assert_eq!(cfg.image(Service::Postgres).to_string(), OFFLINE_POSTGRES_IMAGE);
        assert_eq!(cfg.image(Service::Redis).to_string(), OFFLINE_REDIS_IMAGE);
        assert_eq!(cfg.startup_timeout, Duration::from_secs(90));

        let empty = ServiceConfig::from_lookup(|_| Some(String::new())).expect("empty means unset");
        assert_eq!(empty.redis_image.to_string(), DEFAULT_REDIS_IMAGE);
    }

    #[test]
    fn bad_timeout_is_a_config_error() {
        for bad in ["0", "-1", "soon"] {
            let got = ServiceConfig::from_lookup(|k| (k == STARTUP_TIMEOUT_VAR).then(|| bad.to_string()));
            assert!(matches!(got, Err(ServicesError::Config { .. })), "{bad}");
        }
    }
}
