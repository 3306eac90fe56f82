//! Load over stdio: one process of the target, requests pipelined on its stdin, answers matched to their
//! requests by id as they come back (in any order) on its stdout.
//!
//! The process gets its own process group (ended whole on drop), lines read from stdout are capped
//! ([`crate::wire::Limits::max_line_bytes`]: a longer line is skipped while counting), stderr is drained into a
//! bounded tail, and requests the server sends are answered with a JSON-RPC error so it never waits on the
//! generator.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{Child, ChildStdout};
use tokio::sync::{mpsc, oneshot};

use super::reply::{CallResult, Failure, Incoming, decode, server_request_id};
use super::request::PreparedRequest;
use super::transport::{Answer, LoadTransport};
use crate::report::performance::ErrorKind;
use crate::wire::StdioCommand;

/// Bytes of the process's stderr kept for error texts.
const STDERR_TAIL: usize = 4096;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<CallResult>>>>;

/// A stdio target process under load.
pub struct StdioLoad {
    child: Mutex<Option<Child>>,
    pid: Option<u32>,
    lines: mpsc::UnboundedSender<String>,
    /// Set to close the process's stdin (the writer then ends).
    close: tokio::sync::watch::Sender<bool>,
    pending: Pending,
    stderr: Arc<Mutex<String>>,
    timeout: Duration,
}

impl std::fmt::Debug for StdioLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StdioLoad").field("pid", &self.pid).finish_non_exhaustive()
    }
}

impl StdioLoad {
    /// Starts `cmd`, performs the handshake `handshake` asks for (lines sent in order; the answer to each
    /// request among them awaited) and returns the process ready for load. `max_line` caps a stdout line.
    pub async fn start(
        cmd: &StdioCommand,
        handshake: &[Handshake],
        timeout: Duration,
        max_line: usize,
    ) -> Result<StdioLoad, String> {
        let mut command = cmd.piped_command();
        let mut child = command.spawn().map_err(|e| format!("could not start `{}`: {e}", cmd.display()))?;
        let pid = child.id();
        if let Some(pid) = pid {
            crate::wire::register_process_group(pid);
        }
        let (Some(stdin), Some(stdout), Some(stderr_pipe)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err("the process's pipes were not captured".to_owned());
        };
        let stderr = Arc::new(Mutex::new(String::new()));
        tokio::spawn(drain_stderr(stderr_pipe, stderr.clone()));
        let (lines, mut queued) = mpsc::unbounded_channel::<String>();
        let (close, mut closed) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let mut w = BufWriter::with_capacity(64 << 10, stdin);
            loop {
                let line = tokio::select! {
                    line = queued.recv() => line,
                    _ = closed.changed() => None,
                };
                let Some(line) = line else { return };
                if w.write_all(line.as_bytes()).await.is_err() || w.write_all(b"\n").await.is_err() {
                    return;
                }
                // Write everything already queued before flushing: one syscall for a burst.
                while let Ok(line) = queued.try_recv() {
                    if w.write_all(line.as_bytes()).await.is_err() || w.write_all(b"\n").await.is_err() {
                        return;
                    }
                }
                if w.flush().await.is_err() {
                    return;
                }
            }
        });
        let pending: Pending = Arc::default();
        tokio::spawn(read_answers(stdout, pending.clone(), lines.clone(), max_line));
        let load = StdioLoad { child: Mutex::new(Some(child)), pid, lines, close, pending, stderr, timeout };
        for step in handshake {
            match step {
                Handshake::Notify(line) => {
                    let _ = load.lines.send(line.clone());
                }
                Handshake::Request { id, line } => {
                    let rx = load.register(*id);
                    let _ = load.lines.send(line.clone());
                    match tokio::time::timeout(timeout, rx).await {
                        Ok(Ok(CallResult::Success)) => {}
                        Ok(Ok(CallResult::Failed(f))) => return Err(format!("the handshake failed: {}", f.detail)),
                        Ok(Err(_)) => {
                            return Err(format!("the process ended during the handshake{}", load.stderr_note()));
                        }
                        Err(_) => return Err(format!("no answer to the handshake within {timeout:?}")),
                    }
                }
            }
        }
        Ok(load)
    }

    fn register(&self, id: u64) -> oneshot::Receiver<CallResult> {
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(id, tx);
        rx
    }

    fn stderr_note(&self) -> String {
        let tail = self.stderr.lock().map(|s| s.trim().to_owned()).unwrap_or_default();
        if tail.is_empty() { String::new() } else { format!("; its stderr ends: {tail}") }
    }

    /// The process id (for resource sampling).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Ends the process: closes stdin, then SIGTERM and SIGKILL to its group after a grace period each.
    pub async fn shutdown(&self) {
        let Some(mut child) = self.child.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
        let _ = self.close.send(true);
        let pgid = self.pid.and_then(|p| libc::pid_t::try_from(p).ok()).filter(|p| *p > 1);
        if tokio::time::timeout(Duration::from_millis(500), child.wait()).await.is_err() {
            if let Some(pgid) = pgid {
                // SAFETY: kill(2) on the process group of the child this load started in its own group.
                unsafe {
                    libc::kill(-pgid, libc::SIGTERM);
                }
            }
            if tokio::time::timeout(Duration::from_secs(2), child.wait()).await.is_err() {
                if let Some(pgid) = pgid {
                    // SAFETY: as above.
                    unsafe {
                        libc::kill(-pgid, libc::SIGKILL);
                    }
                }
                let _ = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
            }
        }
        if let Some(pid) = self.pid {
            crate::wire::unregister_process_group(pid);
        }
    }
}

impl Drop for StdioLoad {
    fn drop(&mut self) {
        if let Some(pid) = self.pid
            && let Ok(pgid) = libc::pid_t::try_from(pid)
            && pgid > 1
            && self.child.lock().map(|c| c.is_some()).unwrap_or(false)
        {
            // SAFETY: kill(2) on the process group of the child this load started in its own group.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
            crate::wire::unregister_process_group(pid);
        }
    }
}

/// One step of the handshake before load.
#[derive(Debug, Clone)]
pub enum Handshake {
    /// A request whose successful answer is awaited.
    Request {
        /// Its id.
        id: u64,
        /// The message.
        line: String,
    },
    /// A notification.
    Notify(String),
}

impl LoadTransport for StdioLoad {
    fn call<'a>(&'a self, request: &'a PreparedRequest, id: u64) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let rx = self.register(id);
            let sent = Instant::now();
            if self.lines.send(request.with_id(id)).is_err() {
                self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
                let f =
                    Failure::new(ErrorKind::Transport, format!("the process's stdin is closed{}", self.stderr_note()));
                return Answer { sent, result: CallResult::Failed(f) };
            }
            let result = match tokio::time::timeout(self.timeout, rx).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => CallResult::Failed(Failure::new(
                    ErrorKind::Transport,
                    format!("the process closed its stdout before answering{}", self.stderr_note()),
                )),
                Err(_) => {
                    self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
                    CallResult::Failed(Failure::new(ErrorKind::Timeout, format!("no answer within {:?}", self.timeout)))
                }
            };
            Answer { sent, result }
        })
    }
}

/// Reads stdout line by line (each capped at `max_line` bytes), hands each answer to its waiting request and
/// answers server requests with an error. When stdout closes, every waiting request learns it (its sender is
/// dropped).
async fn read_answers(stdout: ChildStdout, pending: Pending, lines: mpsc::UnboundedSender<String>, max_line: usize) {
    let mut reader = BufReader::with_capacity(64 << 10, stdout);
    let mut line: Vec<u8> = Vec::with_capacity(4096);
    let mut skipping = false;
    loop {
        let buf = match reader.fill_buf().await {
            Ok([]) | Err(_) => break,
            Ok(buf) => buf,
        };
        let (chunk, complete) = match memchr(buf) {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !skipping {
            if line.len() + chunk.len() > max_line {
                skipping = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = complete.unwrap_or(buf.len());
        reader.consume(used);
        if complete.is_none() {
            continue;
        }
        if !skipping {
            dispatch(&line, &pending, &lines);
        }
        skipping = false;
        line.clear();
    }
    pending.lock().unwrap_or_else(|p| p.into_inner()).clear();
}

fn dispatch(line: &[u8], pending: &Pending, lines: &mpsc::UnboundedSender<String>) {
    match decode(line) {
        Incoming::Answer { id, result } => {
            let waiting = pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
            if let Some(tx) = waiting {
                let _ = tx.send(result);
            }
        }
        Incoming::ServerRequest => {
            if let Some(id) = server_request_id(line) {
                let _ = lines.send(format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-32601,"message":"the mcp-harness load generator does not serve requests"}}}}"#
                ));
            }
        }
        Incoming::Other | Incoming::Malformed => {}
    }
}

fn memchr(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\n')
}

async fn drain_stderr(mut pipe: tokio::process::ChildStderr, tail: Arc<Mutex<String>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
        t.push_str(&String::from_utf8_lossy(&buf[..n]));
        if t.len() > STDERR_TAIL {
            let mut cut = t.len() - STDERR_TAIL;
            while !t.is_char_boundary(cut) {
                cut += 1;
            }
            t.drain(..cut);
        }
    }
}

/// Lines of a stdio handshake for `revision`: `initialize` (id 0) and `notifications/initialized` on the stateful
/// era; nothing on the stateless era (every request carries its own `_meta`).
pub fn handshake_for(revision: crate::protocol::Revision, client: &super::request::ClientMeta) -> Vec<Handshake> {
    if revision.era() == crate::protocol::Era::Stateless {
        return Vec::new();
    }
    let init = serde_json::json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": revision.as_str(), "capabilities": client.capabilities, "clientInfo": client.info}
    });
    vec![
        Handshake::Request { id: 0, line: init.to_string() },
        Handshake::Notify(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.to_owned()),
    ]
}
