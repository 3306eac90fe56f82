//! [`start`] and the handle it returns: URLs for the target, fault injection, cleanup.

use std::time::{Duration, Instant};

use super::config::{ImageRef, Service, ServiceConfig};
use super::containers::{self, LogStream, ServiceContainer, Started};
use super::error::ServicesError;
use super::external::{self, redact_url};

/// The Postgres superuser of a service container.
pub const POSTGRES_USER: &str = "mcp";
/// Its password (a throw-away container reachable from 127.0.0.1 only).
pub const POSTGRES_PASSWORD: &str = "mcp-harness";
/// The database created in a service container.
pub const POSTGRES_DB: &str = "mcp_harness";

/// How long a URL from the environment may take to accept a connection.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Extra time allowed for pulling an image, on top of [`ServiceConfig::startup_timeout`].
const PULL_ALLOWANCE: Duration = Duration::from_secs(300);

/// Services provided for one run: where they are, and the containers behind them (removed on drop).
pub struct RunningServices {
    /// Variables for the target, one per wanted service: `DATABASE_URL`, `REDIS_URL`. Values may contain a
    /// password; redact with [`redact_url`] before showing them.
    pub env: Vec<(String, String)>,
    /// One line per service saying where it comes from, plus cleanup notes; no secrets. For reports and logs.
    pub notes: Vec<String>,
    managed: Vec<Managed>,
    startup_timeout: Duration,
    /// Faults injected and not yet repaired, recorded before the Docker call so that a fault whose check was cut
    /// off mid-call is still known to [`Self::restore`].
    outstanding: std::sync::Mutex<Vec<(Service, Fault)>>,
}

/// A fault [`RunningServices`] injected into a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Stopped,
    Paused,
}

/// A container started by this run.
struct Managed {
    service: Service,
    image: ImageRef,
    host_port: u16,
    /// `None` only after [`RunningServices::shutdown`] / drop took it.
    container: Option<ServiceContainer>,
}

impl std::fmt::Debug for RunningServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let env: Vec<(&str, String)> = self.env.iter().map(|(k, v)| (k.as_str(), redact_url(v))).collect();
        let containers: Vec<(Service, &str)> =
            self.managed.iter().map(|m| (m.service, m.container.as_ref().map_or("-", |c| c.id()))).collect();
        f.debug_struct("RunningServices").field("env", &env).field("containers", &containers).finish()
    }
}

/// Provides the `wanted` services: from the environment's URLs where set (and
/// [`ServiceConfig::use_env_urls`]), otherwise as containers. See the [module documentation](super) for the
/// lookup order, the error classes and cleanup.
///
/// Containers are started concurrently. When one fails, the others are removed before the error is returned; a
/// [`ServicesError::Failed`] takes precedence over [`ServicesError::Unavailable`].
pub async fn start(wanted: &[Service], cfg: &ServiceConfig) -> Result<RunningServices, ServicesError> {
    let mut services: Vec<Service> = Vec::new();
    for s in wanted {
        if !services.contains(s) {
            services.push(*s);
        }
    }

    let mut running = RunningServices {
        env: Vec::new(),
        notes: Vec::new(),
        managed: Vec::new(),
        startup_timeout: cfg.startup_timeout,
        outstanding: std::sync::Mutex::new(Vec::new()),
    };
    let mut to_start = Vec::new();
    for service in services {
        let found = if cfg.use_env_urls {
            external::resolve(service, |k| std::env::var(k).ok(), PROBE_TIMEOUT).await?
        } else {
            None
        };
        match found {
            Some(found) => {
                running.notes.push(format!("{service}: using {} ({})", found.var, redact_url(&found.url)));
                running.env.push((service.url_var().to_string(), found.url));
            }
            None => to_start.push(service),
        }
    }
    if to_start.is_empty() {
        return Ok(running);
    }

    let docker = containers::connect().await?;
    if !containers::install_watchdog(cfg.on_signal) && cfg.on_signal != super::SignalCleanup::Off {
        running.notes.push("warning: no signal handler for container cleanup could be installed".to_string());
    }
    match containers::remove_leftovers_with(&docker).await {
        Ok(0) => {}
        Ok(n) => running.notes.push(format!("removed {n} leftover service container(s) of earlier interrupted runs")),
        Err(e) => running.notes.push(format!("warning: could not check for leftover containers: {e}")),
    }

    let session = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
    let starts = to_start.iter().map(|&service| {
        let (docker, session) = (&docker, session.as_str());
        async move {
            let limit = cfg.startup_timeout + PULL_ALLOWANCE;
            let result = tokio::time::timeout(limit, containers::start_container(docker, service, cfg, session))
                .await
                .unwrap_or_else(|_| {
                    Err(ServicesError::Failed {
                        service,
                        image: cfg.image(service).to_string(),
                        reason: format!("pulling and starting took longer than {limit:?}"),
                    })
                });
            (service, result)
        }
    });
    let results = futures::future::join_all(starts).await;

    let mut first_error: Option<ServicesError> = None;
    for (service, result) in results {
        match result {
            Ok(Started { container, host_port }) => {
                let image = cfg.image(service).clone();
                running.notes.push(format!(
                    "{service}: container {} from {image} on 127.0.0.1:{host_port}",
                    &container.id()[..container.id().len().min(12)]
                ));
                running.env.push((service.url_var().to_string(), container_url(service, host_port)));
                running.managed.push(Managed { service, image, host_port, container: Some(container) });
            }
            Err(e) => {
                let replace = match &first_error {
                    None => true,
                    Some(prev) => prev.is_unavailable() && !e.is_unavailable(),
                };
                if replace {
                    first_error = Some(e);
                }
            }
        }
    }
    if let Some(err) = first_error {
        // Remove what did start, and anything of this session a timed-out start left behind.
        let _ = running.remove_all().await;
        let _ = containers::remove_labelled(&docker, &format!("{}={session}", containers::LABEL_SESSION)).await;
        return Err(err);
    }
    running.env.sort_by_key(|(k, _)| Service::ALL.iter().position(|s| s.url_var() == k));
    Ok(running)
}

fn container_url(service: Service, host_port: u16) -> String {
    match service {
        Service::Postgres => {
            format!("postgres://{POSTGRES_USER}:{POSTGRES_PASSWORD}@127.0.0.1:{host_port}/{POSTGRES_DB}")
        }
        Service::Redis => format!("redis://127.0.0.1:{host_port}"),
    }
}

impl RunningServices {
    /// The URL handed to the target for `service`, if it was wanted.
    pub fn url(&self, service: Service) -> Option<&str> {
        self.env.iter().find(|(k, _)| k == service.url_var()).map(|(_, v)| v.as_str())
    }

    /// Whether `service` is a container started by this run (and so supports fault injection).
    pub fn is_container(&self, service: Service) -> bool {
        self.managed(service).is_some()
    }

    /// The Docker id of the container of `service`, if it is one.
    pub fn container_id(&self, service: Service) -> Option<&str> {
        self.managed(service)?.container.as_ref().map(|c| c.id())
    }

    /// The loopback port the container of `service` is published on.
    pub fn host_port(&self, service: Service) -> Option<u16> {
        self.managed(service).map(|m| m.host_port)
    }

    /// Stops the container of `service` (`docker stop`: SIGINT/SIGTERM, SIGKILL after 10 s). Its data stays; the
    /// URL stays valid for [`Self::start_again`].
    pub async fn stop(&self, service: Service) -> Result<(), ServicesError> {
        let container = self.container(service, "stop")?;
        self.record(service, Fault::Stopped);
        container
            .stop_with_timeout(Some(containers::STOP_TIMEOUT_SECS))
            .await
            .map_err(|e| docker_error("stop", service, e))
    }

    /// Starts the stopped container of `service` again (same host port) and waits until it reports readiness
    /// anew, within [`ServiceConfig::startup_timeout`].
    pub async fn start_again(&self, service: Service) -> Result<(), ServicesError> {
        let container = self.container(service, "start")?;
        let (line, stream) = containers::ready_line(service);
        let before = self.ready_count(container, stream, line).await;
        container.start().await.map_err(|e| docker_error("start", service, e))?;
        let deadline = Instant::now() + self.startup_timeout;
        loop {
            if self.ready_count(container, stream, line).await > before {
                self.repaired(service, Fault::Stopped);
                return Ok(());
            }
            if Instant::now() >= deadline || !container.is_running().await.unwrap_or(false) {
                let image = self.managed(service).map(|m| m.image.to_string()).unwrap_or_default();
                return Err(ServicesError::Failed {
                    service,
                    image,
                    reason: format!("after a restart it did not print \"{line}\" within {:?}", self.startup_timeout),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Freezes the container of `service` (`docker pause`): connections hang instead of failing.
    pub async fn pause(&self, service: Service) -> Result<(), ServicesError> {
        let container = self.container(service, "pause")?;
        self.record(service, Fault::Paused);
        container.pause().await.map_err(|e| docker_error("pause", service, e))
    }

    /// Thaws a paused container (`docker unpause`).
    pub async fn unpause(&self, service: Service) -> Result<(), ServicesError> {
        let container = self.container(service, "unpause")?;
        container.unpause().await.map_err(|e| docker_error("unpause", service, e))?;
        self.repaired(service, Fault::Paused);
        Ok(())
    }

    /// Repairs every fault injected and not repaired (a check cut off by its time budget in the middle of an
    /// outage): unpauses paused containers and starts stopped ones again, so later checks find the services up.
    /// Returns one line per repair ("Redis unpaused"); the first failure ends it.
    pub async fn restore(&self) -> Result<Vec<String>, ServicesError> {
        let outstanding: Vec<(Service, Fault)> = self.outstanding.lock().map(|f| f.clone()).unwrap_or_default();
        let mut done = Vec::new();
        for (service, fault) in outstanding {
            match fault {
                Fault::Paused => match self.unpause(service).await {
                    Ok(()) => done.push(format!("{service} unpaused")),
                    // The check was cut off before its pause took effect.
                    Err(e) if e.to_string().contains("not paused") => self.repaired(service, Fault::Paused),
                    Err(e) => return Err(e),
                },
                Fault::Stopped => {
                    let running = self.container(service, "inspect")?.is_running().await.unwrap_or(false);
                    if running {
                        self.repaired(service, Fault::Stopped);
                    } else {
                        self.start_again(service).await?;
                        done.push(format!("{service} started again"));
                    }
                }
            }
        }
        Ok(done)
    }

    fn record(&self, service: Service, fault: Fault) {
        if let Ok(mut f) = self.outstanding.lock()
            && !f.contains(&(service, fault))
        {
            f.push((service, fault));
        }
    }

    fn repaired(&self, service: Service, fault: Fault) {
        if let Ok(mut f) = self.outstanding.lock() {
            f.retain(|x| *x != (service, fault));
        }
    }

    /// Removes the containers now and reports failures (dropping does the same silently).
    pub async fn shutdown(mut self) -> Result<(), ServicesError> {
        self.remove_all().await
    }

    async fn remove_all(&mut self) -> Result<(), ServicesError> {
        let mut first_error = None;
        for managed in &mut self.managed {
            if let Some(container) = managed.container.take()
                && let Err(e) = container.rm().await
            {
                first_error.get_or_insert(docker_error("remove", managed.service, e));
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn managed(&self, service: Service) -> Option<&Managed> {
        self.managed.iter().find(|m| m.service == service && m.container.is_some())
    }

    fn container(&self, service: Service, action: &'static str) -> Result<&ServiceContainer, ServicesError> {
        self.managed(service).and_then(|m| m.container.as_ref()).ok_or(ServicesError::NotManaged { service, action })
    }

    async fn ready_count(&self, container: &ServiceContainer, stream: LogStream, line: &str) -> usize {
        container.output(stream).await.map(|b| containers::occurrences(&b, line)).unwrap_or(0)
    }
}

fn docker_error(action: &str, service: Service, err: testcontainers::TestcontainersError) -> ServicesError {
    ServicesError::Docker { action: format!("{action} the {service} container"), reason: err.to_string() }
}

impl Drop for RunningServices {
    /// Removes the containers. testcontainers' own drop needs a Tokio runtime; outside one, a temporary
    /// single-threaded runtime is entered for it.
    fn drop(&mut self) {
        let containers: Vec<ServiceContainer> = self.managed.iter_mut().filter_map(|m| m.container.take()).collect();
        if containers.is_empty() {
            return;
        }
        if tokio::runtime::Handle::try_current().is_ok() {
            drop(containers);
            return;
        }
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => {
                let _guard = runtime.enter();
                drop(containers);
            }
            Err(_) => {
                // Without any runtime testcontainers' drop would panic; leave them to `remove_leftovers`.
                std::mem::forget(containers);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_urls_point_at_loopback() {
        assert_eq!(container_url(Service::Postgres, 5555), "postgres://mcp:mcp-harness@127.0.0.1:5555/mcp_harness");
        assert_eq!(container_url(Service::Redis, 6666), "redis://127.0.0.1:6666");
    }

    #[tokio::test]
    async fn nothing_wanted_needs_no_engine() {
        let got = start(&[], &ServiceConfig::default()).await.expect("empty start");
        assert!(got.env.is_empty() && got.notes.is_empty());
        assert!(matches!(got.stop(Service::Redis).await, Err(ServicesError::NotManaged { action: "stop", .. })));
    }
}
