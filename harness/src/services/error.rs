//! Why services could not be provided, and how Docker/testcontainers failures map onto that.

use testcontainers::TestcontainersError;
use testcontainers::bollard::errors::Error as BollardError;
use testcontainers::core::error::{ClientError, WaitContainerError};
use testcontainers::core::logs::WaitLogError;

use super::config::{ImageRef, POSTGRES_IMAGE_VAR, REDIS_IMAGE_VAR, Service};

/// A backing-service failure. Branch on [`ServicesError::is_unavailable`]; messages are for humans.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServicesError {
    /// The services cannot be provided on this machine: no Docker engine, or an image that is neither present nor
    /// pullable. Checks that need them are skipped with this reason (an error under `--require-services`).
    #[error("backing services unavailable: {reason}")]
    Unavailable {
        /// What is missing, with a hint how to provide it.
        reason: String,
    },
    /// A container was created but did not start or become ready. A real failure, never a skip.
    #[error("failed to start the {service} container from {image}: {reason}")]
    Failed {
        /// The service.
        service: Service,
        /// The image, `name:tag`.
        image: String,
        /// What went wrong, with the end of the container's log where there is one.
        reason: String,
    },
    /// A URL given in the environment does not accept connections.
    #[error("failed to connect to {service} at {url} (from {var}): {reason}")]
    Unreachable {
        /// The service.
        service: Service,
        /// The variable the URL came from.
        var: &'static str,
        /// The URL, password redacted.
        url: String,
        /// The connect error.
        reason: String,
    },
    /// A fault-injection call named a service that is not a container started by this run.
    #[error("failed to {action} {service}: it is not a container started by this run")]
    NotManaged {
        /// The service.
        service: Service,
        /// The operation: "stop", "start", "pause", "unpause".
        action: &'static str,
    },
    /// A Docker call on an existing container failed.
    #[error("failed to {action}: {reason}")]
    Docker {
        /// What was attempted, e.g. "pause the redis container".
        action: String,
        /// Docker's answer.
        reason: String,
    },
    /// An image reference or URL that cannot be used.
    #[error("invalid services configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
}

impl ServicesError {
    /// Whether this only means "cannot be provided here" (skip), as opposed to a failure.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ServicesError::Unavailable { .. })
    }

    /// Whether this is a failure of something that should have worked (a container, a given URL, a Docker call).
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            ServicesError::Failed { .. }
                | ServicesError::Unreachable { .. }
                | ServicesError::NotManaged { .. }
                | ServicesError::Docker { .. }
        )
    }

    /// The usual hint for a machine without the images.
    pub(crate) fn no_image(service: Service, image: &ImageRef, detail: &str) -> Self {
        let var = match service {
            Service::Postgres => POSTGRES_IMAGE_VAR,
            Service::Redis => REDIS_IMAGE_VAR,
        };
        ServicesError::Unavailable {
            reason: format!(
                "image {image} for {service} is not present and could not be pulled ({detail}); without a reachable \
                 registry build the offline images (scripts/offline-images/build.sh) and select them with \
                 {POSTGRES_IMAGE_VAR} / {REDIS_IMAGE_VAR} (now {var}={image}), or set {} to a running {service}",
                service.url_var()
            ),
        }
    }

    /// No engine to talk to.
    pub(crate) fn no_engine(detail: impl std::fmt::Display) -> Self {
        ServicesError::Unavailable {
            reason: format!(
                "no Docker engine ({detail}); start one (as root: scripts/docker-up.sh) or set DATABASE_URL / REDIS_URL"
            ),
        }
    }
}

/// Whether a bollard error means the engine could not be reached at all (as opposed to an answer from it).
pub(crate) fn is_connect_error(err: &BollardError) -> bool {
    matches!(
        err,
        BollardError::SocketNotFoundError(_)
            | BollardError::IOError { .. }
            | BollardError::HyperLegacyError { .. }
            | BollardError::RequestTimeoutError
            | BollardError::UnsupportedURISchemeError { .. }
            | BollardError::NoHomePathError
    )
}

/// Whether a start failure was a host-port clash (worth another attempt with another port).
pub(crate) fn is_port_conflict(err: &TestcontainersError) -> bool {
    let text = err.to_string();
    text.contains("port is already allocated") || text.contains("address already in use")
}

/// Maps a failed testcontainers start onto [`ServicesError`]. `log_tail` is the end of the container's output,
/// when one could be read.
pub(crate) fn classify_start_error(
    service: Service,
    image: &ImageRef,
    err: &TestcontainersError,
    log_tail: Option<&str>,
) -> ServicesError {
    // When the container is already gone, the lines testcontainers read while waiting are the best output left.
    let read_while_waiting = match err {
        TestcontainersError::WaitContainer(WaitContainerError::WaitLog(WaitLogError::EndOfStream(lines))) => {
            let text: String = lines.iter().map(|l| String::from_utf8_lossy(l)).collect();
            let lines: Vec<&str> = text.lines().collect();
            Some(lines[lines.len().saturating_sub(20)..].join("\n"))
        }
        _ => None,
    };
    let log_tail = log_tail.filter(|t| !t.trim().is_empty()).or(read_while_waiting.as_deref());
    let failed = |reason: String| ServicesError::Failed {
        service,
        image: image.to_string(),
        reason: match log_tail.map(str::trim).filter(|t| !t.is_empty()) {
            Some(tail) => format!("{reason}; container output ends with:\n{tail}"),
            None => reason,
        },
    };
    match err {
        TestcontainersError::Client(client) => match client {
            ClientError::Init(e) => ServicesError::no_engine(e),
            ClientError::InvalidDockerHost(host) => ServicesError::no_engine(format!("invalid DOCKER_HOST {host}")),
            ClientError::Configuration(e) => ServicesError::no_engine(e),
            ClientError::PullImage { err, .. } => ServicesError::no_image(service, image, &err.to_string()),
            ClientError::CreateContainer(e) | ClientError::ListContainers(e) if is_connect_error(e) => {
                ServicesError::no_engine(e)
            }
            ClientError::CreateContainer(BollardError::DockerResponseServerError { status_code: 404, message }) => {
                ServicesError::no_image(service, image, message)
            }
            other => failed(other.to_string()),
        },
        TestcontainersError::WaitContainer(WaitContainerError::StartupTimeout) => {
            failed("it did not report readiness within the startup timeout".to_string())
        }
        TestcontainersError::WaitContainer(WaitContainerError::WaitLog(_)) => {
            failed("it exited before reporting readiness".to_string())
        }
        other => failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg() -> ImageRef {
        ImageRef::new("postgres", "16")
    }

    fn server_error(status_code: u16, message: &str) -> BollardError {
        BollardError::DockerResponseServerError { status_code, message: message.to_string() }
    }

    #[test]
    fn missing_engine_is_unavailable() {
        let errs = [
            TestcontainersError::Client(ClientError::Init(BollardError::SocketNotFoundError(
                "/var/run/docker.sock".into(),
            ))),
            TestcontainersError::Client(ClientError::CreateContainer(BollardError::SocketNotFoundError(
                "/var/run/docker.sock".into(),
            ))),
            TestcontainersError::Client(ClientError::CreateContainer(BollardError::RequestTimeoutError)),
            TestcontainersError::Client(ClientError::InvalidDockerHost("ftp://x".into())),
        ];
        for err in &errs {
            let got = classify_start_error(Service::Postgres, &pg(), err, None);
            assert!(got.is_unavailable(), "{err}: {got}");
            assert!(got.to_string().contains("scripts/docker-up.sh"), "{got}");
        }
    }

    #[test]
    fn pull_failure_is_unavailable_with_offline_image_hint() {
        let err = TestcontainersError::Client(ClientError::PullImage {
            descriptor: "redis:7".into(),
            err: server_error(500, "Get \"https://registry-1.docker.io/v2/\": dial tcp: no such host"),
        });
        let got = classify_start_error(Service::Redis, &ImageRef::new("redis", "7"), &err, None);
        assert!(got.is_unavailable());
        let text = got.to_string();
        assert!(text.contains("scripts/offline-images/build.sh"), "{text}");
        assert!(text.contains("MCP_HARNESS_REDIS_IMAGE=redis:7"), "{text}");
        assert!(text.contains("REDIS_URL"), "{text}");
    }

    #[test]
    fn container_problems_are_failures_with_the_log_tail() {
        let cases = [
            TestcontainersError::WaitContainer(WaitContainerError::StartupTimeout),
            TestcontainersError::WaitContainer(WaitContainerError::WaitLog(WaitLogError::EndOfStream(Vec::new()))),
            TestcontainersError::Client(ClientError::StartContainer(server_error(500, "oci runtime error"))),
            TestcontainersError::Client(ClientError::CreateContainer(server_error(409, "name in use"))),
        ];
        for err in &cases {
            let got = classify_start_error(Service::Postgres, &pg(), err, Some("FATAL: bad option\n"));
            assert!(matches!(got, ServicesError::Failed { .. }), "{err}: {got}");
            assert!(got.is_failure() && !got.is_unavailable());
            assert!(got.to_string().contains("FATAL: bad option"), "{got}");
        }
    }

    #[test]
    fn lines_read_while_waiting_stand_in_for_a_missing_log() {
        let err = TestcontainersError::WaitContainer(WaitContainerError::WaitLog(WaitLogError::EndOfStream(vec![
            "*** FATAL CONFIG FILE ERROR ***\n".into(),
            "Bad directive or wrong number of arguments\n".into(),
        ])));
        let got = classify_start_error(Service::Redis, &ImageRef::new("redis", "7"), &err, None).to_string();
        assert!(got.contains("exited before reporting readiness"), "{got}");
        assert!(got.contains("Bad directive"), "{got}");
    }

    #[test]
    fn create_404_means_no_image() {
        let err = TestcontainersError::Client(ClientError::CreateContainer(server_error(404, "No such image")));
        assert!(classify_start_error(Service::Postgres, &pg(), &err, None).is_unavailable());
    }

    #[test]
    fn port_conflicts_are_recognised() {
        let err = TestcontainersError::Client(ClientError::StartContainer(server_error(
            500,
            "driver failed programming external connectivity: Bind for 127.0.0.1:40000 failed: port is already allocated",
        )));
        assert!(is_port_conflict(&err));
        let other = TestcontainersError::Client(ClientError::StartContainer(server_error(500, "oci runtime error")));
        assert!(!is_port_conflict(&other));
    }
}
