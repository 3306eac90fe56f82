//! Starting a target and keeping what it writes to stderr.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::reference::reference_command;
use super::spec::{ReferenceTransport, TargetSpec};
use crate::wire::{HttpTarget, StdioCommand};

/// Why a target could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// The process could not be spawned.
    #[error("failed to start `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The server process never said where it listens.
    #[error("server did not report a listening URL within {0:?}; its stderr: {1}")]
    NoListenUrl(Duration, String),
}

/// How a launched target is reached.
#[derive(Debug, Clone)]
pub enum TargetTransport {
    /// A fresh process per connection.
    Stdio(StdioCommand),
    /// A Streamable HTTP endpoint.
    Http(HttpTarget),
}

/// A bounded tail of everything the target's processes wrote to stderr.
#[derive(Debug, Clone, Default)]
pub struct StderrLog(Arc<Mutex<StderrTail>>);

#[derive(Debug, Default)]
struct StderrTail {
    text: String,
    truncated: bool,
}

impl StderrLog {
    /// Bytes kept at most; older text is dropped.
    pub const CAP: usize = 64 * 1024;

    /// Appends text, dropping the oldest when over [`Self::CAP`].
    pub fn push(&self, text: &str) {
        let Ok(mut tail) = self.0.lock() else { return };
        tail.text.push_str(text);
        if tail.text.len() > Self::CAP {
            let mut cut = tail.text.len() - Self::CAP;
            while !tail.text.is_char_boundary(cut) {
                cut += 1;
            }
            tail.text.drain(..cut);
            tail.truncated = true;
        }
    }

    /// Marks that earlier text was dropped elsewhere (by a wire's own cap).
    pub fn mark_truncated(&self) {
        if let Ok(mut tail) = self.0.lock() {
            tail.truncated = true;
        }
    }

    /// The kept text and whether anything was dropped.
    pub fn snapshot(&self) -> (String, bool) {
        self.0.lock().map(|t| (t.text.clone(), t.truncated)).unwrap_or_default()
    }
}

/// A started target: how to reach it, and the server process the harness owns, if any.
#[derive(Debug)]
pub struct LaunchedTarget {
    /// How the target was given.
    pub kind: crate::report::model::TargetKind,
    /// Description for the report (no secrets).
    pub description: String,
    /// How to reach it.
    pub transport: TargetTransport,
    /// Everything its processes wrote to stderr (bounded).
    pub stderr: StderrLog,
    /// Its stdio processes: spares and the ones being ended.
    pub processes: std::sync::Arc<super::StdioProcesses>,
    server: Option<Child>,
}

impl LaunchedTarget {
    /// Starts what needs starting (the HTTP reference server) and resolves how to reach the target.
    pub async fn launch(spec: &TargetSpec, timeout: Duration) -> Result<Self, LaunchError> {
        Self::launch_with_env(spec, timeout, &[], &[]).await
    }

    /// [`Self::launch`], adding `env` to the environment of every process the harness starts for the target
    /// (stdio commands and the bundled reference server; a URL target is not started here and gets nothing), and
    /// `reference_args` to the bundled reference server's command line (after the transport flags).
    pub async fn launch_with_env(
        spec: &TargetSpec,
        timeout: Duration,
        env: &[(String, String)],
        reference_args: &[String],
    ) -> Result<Self, LaunchError> {
        let stderr = StderrLog::default();
        let with_env = |mut cmd: StdioCommand| {
            cmd.env.extend(env.iter().cloned());
            cmd
        };
        let (transport, server) = match spec {
            TargetSpec::Stdio(cmd) => (TargetTransport::Stdio(with_env(cmd.clone())), None),
            TargetSpec::Http(t) => (TargetTransport::Http(t.clone()), None),
            TargetSpec::Reference(ReferenceTransport::Stdio) => {
                let mut cmd = with_env(reference_cmd(&["--transport", "stdio"])?);
                cmd.args.extend(reference_args.iter().cloned());
                (TargetTransport::Stdio(cmd), None)
            }
            TargetSpec::Reference(ReferenceTransport::Http) => {
                let mut cmd = with_env(reference_cmd(&["--transport", "http", "--listen", "127.0.0.1:0"])?);
                cmd.args.extend(reference_args.iter().cloned());
                let (child, url) = spawn_http_server(&cmd, "listening on http://", timeout, &stderr).await?;
                (TargetTransport::Http(HttpTarget::new(url)), Some(child))
            }
        };
        let description = match (&spec, &transport) {
            (TargetSpec::Reference(_), TargetTransport::Http(t)) => format!("{} at {}", spec.describe(), t.url),
            _ => spec.describe(),
        };
        Ok(LaunchedTarget { kind: spec.kind(), description, transport, stderr, processes: Default::default(), server })
    }

    /// Whether connections are stdio processes.
    pub fn is_stdio(&self) -> bool {
        matches!(self.transport, TargetTransport::Stdio(_))
    }

    /// `stdio` or `http`.
    pub fn transport_name(&self) -> &'static str {
        if self.is_stdio() { "stdio" } else { "http" }
    }

    /// The process id of the server process the harness owns (the bundled HTTP reference server), if any.
    pub fn server_pid(&self) -> Option<u32> {
        self.server.as_ref().and_then(Child::id)
    }

    /// If the harness owns a server process and it has exited, how it exited.
    pub fn server_exit(&mut self) -> Option<String> {
        let child = self.server.as_mut()?;
        child.try_wait().ok().flatten().map(|s| s.to_string())
    }

    /// Ends every process of the target: the stdio processes still being ended and the spares, and the server
    /// process the harness owns (SIGTERM, then SIGKILL after a grace period).
    pub async fn shutdown(mut self) {
        self.processes.shutdown().await;
        if let Some(mut child) = self.server.take() {
            terminate(&mut child, Duration::from_secs(5)).await;
        }
    }
}

impl Drop for LaunchedTarget {
    /// A target dropped without [`LaunchedTarget::shutdown`] (a panic, an abandoned run) still takes its server's
    /// whole process group with it.
    fn drop(&mut self) {
        if let Some(pid) = self.server.as_ref().and_then(Child::id) {
            if let Ok(pgid) = libc::pid_t::try_from(pid)
                && pgid > 1
            {
                // SAFETY: kill(2) on the process group of a child this target spawned in its own group.
                unsafe {
                    libc::kill(-pgid, libc::SIGKILL);
                }
            }
            crate::wire::unregister_process_group(pid);
        }
    }
}

fn reference_cmd(args: &[&str]) -> Result<StdioCommand, LaunchError> {
    reference_command(args).map_err(|source| LaunchError::Spawn { command: "current executable".to_owned(), source })
}

/// Spawns an HTTP server process and waits for the stderr line announcing its URL (`… <marker>HOST:PORT/PATH`).
pub(crate) async fn spawn_http_server(
    cmd: &StdioCommand,
    marker: &str,
    timeout: Duration,
    log: &StderrLog,
) -> Result<(Child, String), LaunchError> {
    let mut command = Command::new(&cmd.program);
    command
        .args(&cmd.args)
        .envs(cmd.env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command.kill_on_drop(true);
    // Its own process group: a terminal's Ctrl-C reaches only the harness, which ends the server itself.
    command.process_group(0);
    if let Some(dir) = &cmd.cwd {
        command.current_dir(dir);
    }
    let mut child = command.spawn().map_err(|source| LaunchError::Spawn { command: cmd.display(), source })?;
    if let Some(pid) = child.id() {
        crate::wire::register_process_group(pid);
    }
    let Some(stderr) = child.stderr.take() else {
        return Err(LaunchError::NoListenUrl(timeout, "stderr not captured".to_owned()));
    };
    let mut lines = BufReader::new(stderr).lines();
    let scheme_marker = marker.to_owned();
    let found = tokio::time::timeout(timeout, async {
        while let Ok(Some(line)) = lines.next_line().await {
            log.push(&line);
            log.push("\n");
            if let Some(pos) = line.find(&scheme_marker) {
                let rest = &line[pos + scheme_marker.len() - "http://".len()..];
                let url = rest.split_whitespace().next().unwrap_or(rest).to_owned();
                return Some(url);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(url)) => {
            let log = log.clone();
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    log.push(&line);
                    log.push("\n");
                }
            });
            Ok((child, url))
        }
        _ => {
            let _ = child.start_kill();
            Err(LaunchError::NoListenUrl(timeout, log.snapshot().0))
        }
    }
}

/// SIGTERM to the child's process group, wait up to `grace`, then SIGKILL to the group; always reaps.
pub(crate) async fn terminate(child: &mut Child, grace: Duration) {
    let pid = child.id();
    if let Some(pid) = pid.and_then(|p| libc::pid_t::try_from(p).ok()).filter(|p| *p > 1) {
        // SAFETY: kill(2) on the process group of a child we spawned in its own group and have not yet reaped.
        unsafe {
            libc::kill(-pid, libc::SIGTERM);
        }
        if tokio::time::timeout(grace, child.wait()).await.is_ok() {
            // SAFETY: as above; reaches only what is left of the group.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            crate::wire::unregister_process_group(pid as u32);
            return;
        }
        // SAFETY: as above.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.start_kill();
    let _ = tokio::time::timeout(grace, child.wait()).await;
    if let Some(pid) = pid {
        crate::wire::unregister_process_group(pid);
    }
}
