//! Containers: the engine check, starting one service container, labels, leftovers and the signal watchdog.
//!
//! Service containers are the testcontainers-modules images [`Postgres`] and [`Redis`] — their environment,
//! command and readiness rules — with the configured image name and tag (the modules' own defaults,
//! `postgres:11-alpine` and `redis:5.0`, are never used).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

use testcontainers::bollard::Docker;
use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::bollard::query_parameters::{ListContainersOptionsBuilder, RemoveContainerOptionsBuilder};
use testcontainers::core::IntoContainerPort;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ContainerRequest, Image, ImageExt, TestcontainersError};
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::redis::Redis;

use super::config::{ImageRef, Service, ServiceConfig, SignalCleanup};
use super::error::{ServicesError, classify_start_error, is_connect_error, is_port_conflict};
use super::running::{POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER};

/// Label on every container started here: `true`.
pub const LABEL_MANAGED: &str = "dev.mcp-harness.managed";
/// Label naming the service: `postgres`, `redis`.
pub const LABEL_SERVICE: &str = "dev.mcp-harness.service";
/// Label naming the owning process: `<hostname>/<boot id>/<pid>`; [`remove_leftovers`] removes containers whose
/// owner is gone.
pub const LABEL_OWNER: &str = "dev.mcp-harness.owner";
/// Label naming the [`super::start`] call that created the container.
pub const LABEL_SESSION: &str = "dev.mcp-harness.session";

/// How long the engine may take to answer a ping.
const PING_TIMEOUT: Duration = Duration::from_secs(5);
/// How long removals on signals may take before the process goes anyway.
const SIGNAL_CLEANUP_TIMEOUT: Duration = Duration::from_secs(15);
/// Seconds `docker stop` waits before SIGKILL.
pub(crate) const STOP_TIMEOUT_SECS: i32 = 10;
/// Host-port attempts when another process grabs the chosen port first.
const PORT_ATTEMPTS: usize = 3;

/// The `redis-server` command of a Redis container: no persistence, a cache for tests.
const REDIS_CMD: [&str; 5] = ["redis-server", "--save", "", "--appendonly", "no"];

/// A started container and the loopback port it is published on.
pub(crate) struct Started {
    pub(crate) container: ServiceContainer,
    pub(crate) host_port: u16,
}

/// A service container, typed by the testcontainers module that started it. Removed on drop (by testcontainers).
pub(crate) enum ServiceContainer {
    Postgres(ContainerAsync<Postgres>),
    Redis(ContainerAsync<Redis>),
}

/// Evaluates `$body` with `$c` bound to the inner container, whichever module's it is.
macro_rules! on_container {
    ($container:expr, $c:ident => $body:expr) => {
        match $container {
            ServiceContainer::Postgres($c) => $body,
            ServiceContainer::Redis($c) => $body,
        }
    };
}

impl ServiceContainer {
    /// The Docker container id.
    pub(crate) fn id(&self) -> &str {
        on_container!(self, c => c.id())
    }

    /// `docker stop`, SIGKILL after `timeout_secs`.
    pub(crate) async fn stop_with_timeout(&self, timeout_secs: Option<i32>) -> Result<(), TestcontainersError> {
        on_container!(self, c => c.stop_with_timeout(timeout_secs).await)
    }

    /// `docker start` of the stopped container (without waiting for readiness).
    pub(crate) async fn start(&self) -> Result<(), TestcontainersError> {
        on_container!(self, c => c.start().await)
    }

    /// `docker pause`.
    pub(crate) async fn pause(&self) -> Result<(), TestcontainersError> {
        on_container!(self, c => c.pause().await)
    }

    /// `docker unpause`.
    pub(crate) async fn unpause(&self) -> Result<(), TestcontainersError> {
        on_container!(self, c => c.unpause().await)
    }

    /// Whether the container is running.
    pub(crate) async fn is_running(&self) -> Result<bool, TestcontainersError> {
        on_container!(self, c => c.is_running().await)
    }

    /// Everything the container wrote to one stream so far.
    pub(crate) async fn output(&self, stream: LogStream) -> Result<Vec<u8>, TestcontainersError> {
        match stream {
            LogStream::Stdout => on_container!(self, c => c.stdout_to_vec().await),
            LogStream::Stderr => on_container!(self, c => c.stderr_to_vec().await),
        }
    }

    /// Removes the container (and its volumes) now, reporting failures.
    pub(crate) async fn rm(self) -> Result<(), TestcontainersError> {
        on_container!(self, c => c.rm().await)
    }
}

/// Connects to the engine (`DOCKER_HOST`, else the local socket) and pings it.
pub(crate) async fn connect() -> Result<Docker, ServicesError> {
    let docker = Docker::connect_with_defaults().map_err(ServicesError::no_engine)?;
    match tokio::time::timeout(PING_TIMEOUT, docker.ping()).await {
        Ok(Ok(_)) => Ok(docker),
        Ok(Err(e)) if is_connect_error(&e) => Err(ServicesError::no_engine(e)),
        Ok(Err(e)) => Err(ServicesError::no_engine(format!("the engine answered the ping with an error: {e}"))),
        Err(_) => Err(ServicesError::no_engine(format!("no answer to a ping within {PING_TIMEOUT:?}"))),
    }
}

/// This process as written into [`LABEL_OWNER`] of its containers: `<hostname>/<boot id>/<pid>`.
pub fn owner_label() -> &'static str {
    owner()
}

/// This process, as written into [`LABEL_OWNER`].
pub(crate) fn owner() -> &'static str {
    static OWNER: OnceLock<String> = OnceLock::new();
    OWNER.get_or_init(|| format!("{}/{}/{}", hostname(), boot_id(), std::process::id()))
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && !h.contains('/'))
        .unwrap_or_else(|| "unknown-host".to_string())
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|id| id.trim().chars().filter(char::is_ascii_hexdigit).take(12).collect::<String>())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| "unknown-boot".to_string())
}

/// Whether a container labelled with `label_owner` belongs to a process that is gone (never true for owners this
/// process cannot judge: other hosts, or no `/proc`).
pub(crate) fn owner_is_gone(label_owner: &str, me: &str, proc_alive: impl Fn(u32) -> Option<bool>) -> bool {
    let mut mine = me.splitn(3, '/');
    let mut theirs = label_owner.splitn(3, '/');
    let (Some(my_host), Some(my_boot), Some(my_pid)) = (mine.next(), mine.next(), mine.next()) else { return false };
    let (Some(host), Some(boot), Some(pid)) = (theirs.next(), theirs.next(), theirs.next()) else { return false };
    if host != my_host {
        return false;
    }
    if boot != my_boot {
        return true; // The machine rebooted since: every process of that boot is gone.
    }
    if pid == my_pid {
        return false;
    }
    match pid.parse::<u32>() {
        Ok(pid) => proc_alive(pid) == Some(false),
        Err(_) => false,
    }
}

fn proc_alive(pid: u32) -> Option<bool> {
    let proc_root = std::path::Path::new("/proc/self");
    if !proc_root.exists() {
        return None;
    }
    Some(std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// Removes containers left behind by runs that ended without cleaning up (SIGKILL, crash, power loss): those
/// labelled [`LABEL_MANAGED`] whose [`LABEL_OWNER`] process no longer exists on this machine. Returns how many
/// were removed. Containers of live processes (other concurrent runs) and of other hosts are left alone.
pub async fn remove_leftovers() -> Result<usize, ServicesError> {
    let docker = connect().await?;
    remove_leftovers_with(&docker).await
}

pub(crate) async fn remove_leftovers_with(docker: &Docker) -> Result<usize, ServicesError> {
    let me = owner();
    let listed = list_labelled(docker, &format!("{LABEL_MANAGED}=true")).await?;
    let mut removed = 0;
    for (id, labels) in listed {
        let Some(label_owner) = labels.get(LABEL_OWNER) else { continue };
        if owner_is_gone(label_owner, me, proc_alive) {
            remove(docker, &id).await.map_err(|reason| ServicesError::Docker {
                action: format!("remove leftover container {}", short(&id)),
                reason,
            })?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes every container with `label` (`key=value`), running or not; returns how many went.
pub(crate) async fn remove_labelled(docker: &Docker, label: &str) -> Result<usize, String> {
    let listed = list_labelled(docker, label).await.map_err(|e| e.to_string())?;
    let mut removed = 0;
    for (id, _) in &listed {
        remove(docker, id).await?;
        removed += 1;
    }
    Ok(removed)
}

async fn list_labelled(docker: &Docker, label: &str) -> Result<Vec<(String, HashMap<String, String>)>, ServicesError> {
    let filters = HashMap::from([("label".to_string(), vec![label.to_string()])]);
    let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
    let listed = docker.list_containers(Some(options)).await.map_err(|e| ServicesError::Docker {
        action: format!("list containers labelled {label}"),
        reason: e.to_string(),
    })?;
    Ok(listed.into_iter().filter_map(|c| Some((c.id?, c.labels.unwrap_or_default()))).collect())
}

async fn remove(docker: &Docker, id: &str) -> Result<(), String> {
    let options = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
    match docker.remove_container(id, Some(options)).await {
        Ok(()) => Ok(()),
        // Already gone (e.g. removed by a concurrent cleanup).
        Err(testcontainers::bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// The log line, and the stream it appears on, that marks `service` ready again after a restart — in the official
/// images and in ours. (The first start waits for the module's own conditions, which include this line.)
pub(crate) fn ready_line(service: Service) -> (&'static str, LogStream) {
    match service {
        Service::Postgres => ("database system is ready to accept connections", LogStream::Stderr),
        Service::Redis => ("Ready to accept connections", LogStream::Stdout),
    }
}

/// A container output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogStream {
    Stdout,
    Stderr,
}

/// How often `needle` occurs in `haystack`.
pub(crate) fn occurrences(haystack: &[u8], needle: &str) -> usize {
    let needle = needle.as_bytes();
    if needle.is_empty() || haystack.len() < needle.len() {
        return 0;
    }
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Starts the container for `service` and waits until it is ready.
pub(crate) async fn start_container(
    docker: &Docker,
    service: Service,
    cfg: &ServiceConfig,
    session: &str,
) -> Result<Started, ServicesError> {
    let image = cfg.image(service);
    let session_label = format!("{LABEL_SESSION}={session}");
    for attempt in 1..=PORT_ATTEMPTS {
        let host_port = free_loopback_port().map_err(|e| ServicesError::Failed {
            service,
            image: image.to_string(),
            reason: format!("no free port on 127.0.0.1: {e}"),
        })?;
        let started = match service {
            Service::Postgres => postgres_request(image, host_port, session, cfg.startup_timeout)
                .start()
                .await
                .map(ServiceContainer::Postgres),
            Service::Redis => {
                redis_request(image, host_port, session, cfg.startup_timeout).start().await.map(ServiceContainer::Redis)
            }
        };
        match started {
            Ok(container) => return Ok(Started { container, host_port }),
            Err(err) => {
                // A failed start can leave a created container behind (testcontainers only removes it on some
                // paths): read its log for the message, then remove everything of this service and session.
                let tail = log_tail_of(docker, service, &session_label).await;
                let _ = remove_labelled_service(docker, service, &session_label).await;
                if attempt < PORT_ATTEMPTS && is_port_conflict(&err) {
                    continue;
                }
                return Err(classify_start_error(service, image, &err, tail.as_deref()));
            }
        }
    }
    Err(ServicesError::Failed {
        service,
        image: image.to_string(),
        reason: "no usable host port after several attempts".to_string(),
    })
}

/// The Postgres container: the module's `POSTGRES_USER` / `POSTGRES_PASSWORD` / `POSTGRES_DB` (set to ours),
/// its command `-c fsync=off` (a throw-away database) and its readiness rule ("database system is ready to accept
/// connections" on stderr and on stdout; the official image and ours both print it on each).
fn postgres_request(
    image: &ImageRef,
    host_port: u16,
    session: &str,
    startup_timeout: Duration,
) -> ContainerRequest<Postgres> {
    let postgres =
        Postgres::default().with_user(POSTGRES_USER).with_password(POSTGRES_PASSWORD).with_db_name(POSTGRES_DB);
    container_request(postgres, Service::Postgres, image, host_port, session, startup_timeout)
}

/// The Redis container: the module's readiness rule ("Ready to accept connections" on stdout) and [`REDIS_CMD`].
fn redis_request(
    image: &ImageRef,
    host_port: u16,
    session: &str,
    startup_timeout: Duration,
) -> ContainerRequest<Redis> {
    container_request(Redis::default(), Service::Redis, image, host_port, session, startup_timeout).with_cmd(REDIS_CMD)
}

/// What every service container gets on top of its module: the configured image, a name, the labels, the startup
/// timeout, and the service port published on 127.0.0.1 only.
fn container_request<I: Image>(
    module: I,
    service: Service,
    image: &ImageRef,
    host_port: u16,
    session: &str,
    startup_timeout: Duration,
) -> ContainerRequest<I> {
    let port = service.container_port();
    let request = module
        .with_name(image.name.as_str())
        .with_tag(image.tag.as_str())
        // Exposes the port whatever the image declares; the binding itself is replaced below.
        .with_mapped_port(host_port, port.tcp())
        .with_container_name(format!("mcp-harness-{}-{session}", service.name()))
        .with_label(LABEL_MANAGED, "true")
        .with_label(LABEL_SERVICE, service.name())
        .with_label(LABEL_OWNER, owner())
        .with_label(LABEL_SESSION, session)
        .with_startup_timeout(startup_timeout);
    // Loopback only, on a fixed host port that survives `docker stop` / `docker start` (an ephemeral port could
    // change on restart and invalidate the URL the target was given).
    request.with_host_config_modifier(move |host: &mut HostConfig| {
        host.publish_all_ports = Some(false);
        host.port_bindings = Some(HashMap::from([(
            format!("{port}/tcp"),
            Some(vec![PortBinding { host_ip: Some("127.0.0.1".to_string()), host_port: Some(host_port.to_string()) }]),
        )]));
    })
}

fn free_loopback_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

async fn remove_labelled_service(docker: &Docker, service: Service, session_label: &str) -> Result<usize, String> {
    let listed = list_labelled(docker, session_label).await.map_err(|e| e.to_string())?;
    let mut removed = 0;
    for (id, labels) in listed {
        if labels.get(LABEL_SERVICE).map(String::as_str) == Some(service.name()) {
            remove(docker, &id).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The last lines of the output of the container of `service` in the session, if one exists.
async fn log_tail_of(docker: &Docker, service: Service, session_label: &str) -> Option<String> {
    use futures::StreamExt as _;
    use testcontainers::bollard::query_parameters::LogsOptionsBuilder;

    let listed = list_labelled(docker, session_label).await.ok()?;
    let (id, _) = listed.into_iter().find(|(_, l)| l.get(LABEL_SERVICE).map(String::as_str) == Some(service.name()))?;
    let options = LogsOptionsBuilder::new().stdout(true).stderr(true).tail("20").build();
    let mut logs = docker.logs(&id, Some(options));
    let mut text = String::new();
    while let Some(Ok(chunk)) = tokio::time::timeout(Duration::from_secs(2), logs.next()).await.ok().flatten() {
        text.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
    }
    Some(text)
}

// ---- signal watchdog -------------------------------------------------------------------------------------------

/// The current [`SignalCleanup`] mode, as a number (0 = RemoveAndExit, 1 = RemoveOnly, 2 = Off).
static SIGNAL_MODE: AtomicU8 = AtomicU8::new(0);
static WATCHDOG: OnceLock<bool> = OnceLock::new();

fn mode_code(mode: SignalCleanup) -> u8 {
    match mode {
        SignalCleanup::RemoveAndExit => 0,
        SignalCleanup::RemoveOnly => 1,
        SignalCleanup::Off => 2,
    }
}

/// Installs (once per process) a thread that, on SIGINT/SIGTERM/SIGHUP, removes every container owned by this
/// process and then, in [`SignalCleanup::RemoveAndExit`] mode, re-raises the signal with its default action.
/// Returns whether the watchdog is active.
pub(crate) fn install_watchdog(mode: SignalCleanup) -> bool {
    SIGNAL_MODE.store(mode_code(mode), Ordering::SeqCst);
    if mode == SignalCleanup::Off && WATCHDOG.get().is_none() {
        return false;
    }
    *WATCHDOG.get_or_init(|| {
        let (ready_tx, ready_rx) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("mcp-harness-services-watchdog".into()).spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                let _ = ready_tx.send(false);
                return;
            };
            runtime.block_on(watch_signals(ready_tx));
        });
        // Wait until the handlers are registered, so a signal right after `start` is already covered.
        spawned.is_ok() && ready_rx.recv_timeout(Duration::from_secs(5)).unwrap_or(false)
    })
}

async fn watch_signals(ready: mpsc::Sender<bool>) {
    use tokio::signal::unix::{SignalKind, signal};

    let (Ok(mut int), Ok(mut term), Ok(mut hup)) =
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()), signal(SignalKind::hangup()))
    else {
        let _ = ready.send(false);
        return;
    };
    let _ = ready.send(true);
    loop {
        let signo = tokio::select! {
            _ = int.recv() => libc::SIGINT,
            _ = term.recv() => libc::SIGTERM,
            _ = hup.recv() => libc::SIGHUP,
        };
        let mode = SIGNAL_MODE.load(Ordering::SeqCst);
        if mode != mode_code(SignalCleanup::Off) {
            let cleanup = async {
                if let Ok(docker) = Docker::connect_with_defaults() {
                    let removed = remove_labelled(&docker, &format!("{LABEL_OWNER}={}", owner())).await;
                    if let Ok(n @ 1..) = removed {
                        eprintln!("mcp-harness: removed {n} service container(s) on signal {signo}");
                    }
                }
            };
            let _ = tokio::time::timeout(SIGNAL_CLEANUP_TIMEOUT, cleanup).await;
        }
        if mode != mode_code(SignalCleanup::RemoveOnly) {
            die_by(signo);
        }
    }
}

/// Ends the process the way `signo`'s default action would (so the parent sees "killed by SIGINT"), falling
/// back to exit status 128 + signo.
fn die_by(signo: libc::c_int) -> ! {
    // SAFETY: restoring the default disposition and raising a signal have no memory-safety preconditions; the
    // process is meant to end here.
    unsafe {
        libc::signal(signo, libc::SIG_DFL);
        libc::raise(signo);
    }
    std::process::exit(128 + signo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_judged_by_host_boot_and_pid() {
        let me = "vm/abc123/100";
        let alive = |pid: u32| Some(pid == 200);
        assert!(owner_is_gone("vm/abc123/300", me, alive), "dead pid, same boot");
        assert!(!owner_is_gone("vm/abc123/200", me, alive), "live pid");
        assert!(!owner_is_gone("vm/abc123/100", me, alive), "this process");
        assert!(owner_is_gone("vm/old999/200", me, alive), "earlier boot");
        assert!(!owner_is_gone("other/abc123/300", me, alive), "other host");
        assert!(!owner_is_gone("garbage", me, alive), "unparsable");
        assert!(!owner_is_gone("vm/abc123/x", me, alive), "bad pid");
        assert!(!owner_is_gone("vm/abc123/300", me, |_| None), "no /proc to judge by");
    }

    #[test]
    fn owner_has_three_parts_and_this_pid() {
        let parts: Vec<&str> = owner().splitn(3, '/').collect();
        assert_eq!(parts.len(), 3, "{}", owner());
        assert_eq!(parts[2], std::process::id().to_string());
    }

    #[test]
    fn ready_lines_are_counted() {
        let (line, stream) = ready_line(Service::Postgres);
        assert_eq!(stream, LogStream::Stderr);
        let log = format!("x {line}\ny\nz {line}\n");
        assert_eq!(occurrences(log.as_bytes(), line), 2);
        assert_eq!(occurrences(b"", line), 0);
        assert_eq!(ready_line(Service::Redis), ("Ready to accept connections", LogStream::Stdout));
    }

    #[test]
    fn requests_publish_on_loopback_only() {
        let req = redis_request(&ImageRef::new("redis", "7"), 40123, "s1", Duration::from_secs(5));
        let mut host = HostConfig { publish_all_ports: Some(true), ..Default::default() };
        let modifier = req.host_config_modifier().expect("modifier");
        modifier(&mut host);
        assert_eq!(host.publish_all_ports, Some(false));
        let bindings = host.port_bindings.expect("bindings");
        let binding = bindings.get("6379/tcp").cloned().flatten().expect("6379");
        assert_eq!(binding[0].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(binding[0].host_port.as_deref(), Some("40123"));
        assert_eq!(req.labels().get(LABEL_SESSION).map(String::as_str), Some("s1"));
    }

    #[test]
    fn requests_use_the_configured_image_not_the_module_default() {
        let image = ImageRef::new("mcp-harness/postgres", "15-bookworm");
        let req = postgres_request(&image, 40124, "s1", Duration::from_secs(5));
        assert_eq!(req.descriptor(), "mcp-harness/postgres:15-bookworm");
        assert_eq!(req.cmd().collect::<Vec<_>>(), ["-c", "fsync=off"]);
        let env: HashMap<String, String> = req.env_vars().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(env.get("POSTGRES_USER").map(String::as_str), Some(POSTGRES_USER));
        assert_eq!(env.get("POSTGRES_PASSWORD").map(String::as_str), Some(POSTGRES_PASSWORD));
        assert_eq!(env.get("POSTGRES_DB").map(String::as_str), Some(POSTGRES_DB));
        assert_eq!(req.labels().get(LABEL_SERVICE).map(String::as_str), Some("postgres"));

        let req = redis_request(&ImageRef::new("redis", "7"), 40125, "s1", Duration::from_secs(5));
        assert_eq!(req.descriptor(), "redis:7");
        assert_eq!(req.cmd().collect::<Vec<_>>(), REDIS_CMD);
    }
}
