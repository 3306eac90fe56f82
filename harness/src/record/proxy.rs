//! The recording proxy: starts the server as a child process and copies bytes between the client (this process's
//! stdin and stdout, or any pair of streams) and the server, unchanged and at once, while a copy of every line,
//! up to a size cap, is parsed and fed to the [`SessionLog`].
//!
//! The server's stderr is this process's stderr. The session ends when the client closes its side (the server's
//! stdin is closed and it gets [`EXIT_GRACE`] to finish answering and exit), when the server closes stdout, or on
//! an interrupt; the server's process group is then ended (SIGTERM, then SIGKILL).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::runner::{Interrupt, Signal};
use crate::wire::StdioCommand;

use super::exchange::{Direction, SessionLog};

/// How long the server has to exit after its stdin is closed, and again after SIGTERM.
pub const EXIT_GRACE: Duration = Duration::from_secs(5);

/// How long one write to either side may block before the session is given up.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines longer than this are proxied but not recorded (the default of `record --max-message-bytes`).
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 << 20;

/// How a proxied session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The client closed the server's input (end of stdin).
    ClientClosed,
    /// The server closed its output (it exited).
    ServerClosed,
    /// Writing to one side did not finish within [`WRITE_TIMEOUT`], or failed.
    WriteFailed(String),
    /// A signal ended it.
    Interrupted(Signal),
}

/// A finished proxied session.
#[derive(Debug)]
pub struct ProxiedSession {
    /// What was recorded.
    pub log: SessionLog,
    /// How it ended.
    pub end: SessionEnd,
    /// How the server process ended (`exit status: 0`, `killed with SIGKILL`, …).
    pub server_exit: String,
}

/// The server could not be started.
#[derive(Debug, thiserror::Error)]
#[error("failed to start `{program}`: {source}")]
pub struct SpawnError {
    /// The program.
    pub program: String,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Proxies one session between `client_in`/`client_out` and the server `command`, recording it.
pub async fn proxy<R, W>(
    command: &StdioCommand,
    client_in: R,
    client_out: W,
    max_line_bytes: usize,
    interrupt: &Interrupt,
) -> Result<ProxiedSession, SpawnError>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let mut cmd = tokio::process::Command::new(&command.program);
    cmd.args(&command.args)
        .envs(command.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(dir) = &command.cwd {
        cmd.current_dir(dir);
    }
    #[cfg(unix)]
    cmd.process_group(0);
    let spawn_error = |source| SpawnError { program: command.program.clone(), source };
    let mut child = cmd.spawn().map_err(spawn_error)?;
    let pid = child.id();
    if let Some(pid) = pid {
        crate::wire::register_process_group(pid);
    }
    let missing = |what: &str| spawn_error(std::io::Error::other(format!("its {what} was not captured")));
    let server_in = child.stdin.take().ok_or_else(|| missing("stdin"))?;
    let server_out = child.stdout.take().ok_or_else(|| missing("stdout"))?;

    let log = Arc::new(Mutex::new(SessionLog::new()));
    let mut to_server =
        tokio::spawn(pump(client_in, server_in, Direction::ClientToServer, log.clone(), max_line_bytes));
    let mut to_client =
        tokio::spawn(pump(server_out, client_out, Direction::ServerToClient, log.clone(), max_line_bytes));

    let end = tokio::select! {
        r = &mut to_server => match r {
            Ok(Ok(())) => {
                // The client is done: the server's stdin is closed (the pump dropped it); let it answer what is
                // left and exit.
                let _ = tokio::time::timeout(EXIT_GRACE, &mut to_client).await;
                SessionEnd::ClientClosed
            }
            Ok(Err(e)) => SessionEnd::WriteFailed(e),
            Err(e) => SessionEnd::WriteFailed(e.to_string()),
        },
        r = &mut to_client => match r {
            Ok(Ok(())) => SessionEnd::ServerClosed,
            Ok(Err(e)) => SessionEnd::WriteFailed(e),
            Err(e) => SessionEnd::WriteFailed(e.to_string()),
        },
        signal = interrupt.wait() => SessionEnd::Interrupted(signal),
    };
    to_server.abort();
    to_client.abort();
    let server_exit = end_process(&mut child, pid).await;
    let log = std::mem::take(&mut *log.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(ProxiedSession { log, end, server_exit })
}

/// Waits for the server to exit, then SIGTERM and SIGKILL to its process group; says how it ended.
async fn end_process(child: &mut tokio::process::Child, pid: Option<u32>) -> String {
    let signal_group = |signal: libc::c_int| {
        #[cfg(unix)]
        if let Some(pid) = pid.and_then(|p| libc::pid_t::try_from(p).ok()).filter(|p| *p > 1) {
            // SAFETY: kill(2) has no memory-safety preconditions; a negative pid addresses the process group
            // created for this child (process_group(0) makes its pid the group id).
            unsafe {
                libc::kill(-pid, signal);
            }
        }
    };
    let mut how = match tokio::time::timeout(EXIT_GRACE, child.wait()).await {
        Ok(Ok(status)) => status.to_string(),
        _ => {
            signal_group(libc::SIGTERM);
            match tokio::time::timeout(EXIT_GRACE, child.wait()).await {
                Ok(Ok(status)) => format!("{status} after SIGTERM"),
                _ => {
                    signal_group(libc::SIGKILL);
                    let _ = child.start_kill();
                    let _ = tokio::time::timeout(EXIT_GRACE, child.wait()).await;
                    "killed with SIGKILL".to_owned()
                }
            }
        }
    };
    // Grandchildren still in the group.
    signal_group(libc::SIGKILL);
    if let Some(pid) = pid {
        crate::wire::unregister_process_group(pid);
    }
    if how.is_empty() {
        how = "unknown".to_owned();
    }
    how
}

/// Copies `from` to `to` chunk by chunk, feeding each complete line (up to `max_line` bytes) to the log. Ends at
/// the end of `from` (then `to` is shut down) or on a failed or timed-out write.
async fn pump<R, W>(
    mut from: R,
    mut to: W,
    direction: Direction,
    log: Arc<Mutex<SessionLog>>,
    max_line: usize,
) -> Result<(), String>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let side = match direction {
        Direction::ClientToServer => "the server's stdin",
        Direction::ServerToClient => "the client (stdout)",
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut line = LineBuffer::new(max_line);
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        // Recorded before it is passed on, so a reply to it (from the other side) is never logged before it.
        for complete in line.push(chunk) {
            record_line(&log, direction, complete);
        }
        let write = async {
            to.write_all(chunk).await?;
            to.flush().await
        };
        match tokio::time::timeout(WRITE_TIMEOUT, write).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("writing to {side} failed: {e}")),
            Err(_) => return Err(format!("writing to {side} blocked for {WRITE_TIMEOUT:?}")),
        }
    }
    if let Some(last) = line.finish() {
        record_line(&log, direction, last);
    }
    let _ = tokio::time::timeout(WRITE_TIMEOUT, to.shutdown()).await;
    Ok(())
}

/// A line as read: its bytes, or how long it was when it exceeded the cap.
enum Line {
    Complete(Vec<u8>),
    TooLong(usize),
}

fn record_line(log: &Mutex<SessionLog>, direction: Direction, line: Line) {
    let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
    match line {
        Line::TooLong(len) => log.note(format!("a {len}-byte line was proxied but is over the cap, not recorded")),
        Line::Complete(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim();
            if text.is_empty() {
                return;
            }
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(message) => log.feed(direction, &message),
                Err(_) => {
                    let who = match direction {
                        Direction::ClientToServer => "client",
                        Direction::ServerToClient => "server",
                    };
                    let shown: String = text.chars().take(80).collect();
                    log.note(format!("the {who} wrote a line that is not JSON (not recorded): {shown:?}"));
                }
            }
        }
    }
}

/// Splits a byte stream into lines, keeping at most `max` bytes of a line.
struct LineBuffer {
    current: Vec<u8>,
    len: usize,
    max: usize,
}

impl LineBuffer {
    fn new(max: usize) -> LineBuffer {
        LineBuffer { current: Vec::new(), len: 0, max }
    }

    /// The lines `chunk` completes.
    fn push(&mut self, chunk: &[u8]) -> Vec<Line> {
        let mut out = Vec::new();
        let mut rest = chunk;
        while let Some(at) = rest.iter().position(|b| *b == b'\n') {
            self.take(&rest[..at]);
            out.push(self.end_line());
            rest = &rest[at + 1..];
        }
        self.take(rest);
        out
    }

    fn take(&mut self, bytes: &[u8]) {
        self.len += bytes.len();
        if self.len <= self.max {
            self.current.extend_from_slice(bytes);
        } else {
            self.current = Vec::new();
        }
    }

    fn end_line(&mut self) -> Line {
        let len = std::mem::take(&mut self.len);
        let bytes = std::mem::take(&mut self.current);
        if len > self.max { Line::TooLong(len) } else { Line::Complete(bytes) }
    }

    /// The unterminated last line, if any.
    fn finish(&mut self) -> Option<Line> {
        (self.len > 0).then(|| self.end_line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_across_chunks_and_capped() {
        let mut b = LineBuffer::new(8);
        assert!(b.push(b"{\"a\"").is_empty());
        let lines = b.push(b":1}\n0123456789\nxy");
        assert!(matches!(&lines[0], Line::Complete(l) if l == b"{\"a\":1}"));
        assert!(matches!(lines[1], Line::TooLong(10)));
        assert!(matches!(b.finish(), Some(Line::Complete(l)) if l == b"xy"));
        assert!(b.finish().is_none());
    }

    #[tokio::test]
    async fn a_session_through_cat_is_proxied_unchanged_and_recorded() {
        // `cat` echoes the client's lines back: every request is "answered" by itself, which the log notes.
        let command = StdioCommand::parse("cat").unwrap();
        let input = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\nnot json\n";
        let (client_in, mut feeder) = tokio::io::duplex(1 << 16);
        feeder.write_all(input).await.unwrap();
        drop(feeder);
        let (out_tx, mut out_rx) = tokio::io::duplex(1 << 16);
        let session = tokio::time::timeout(
            Duration::from_secs(20),
            proxy(&command, client_in, out_tx, 1 << 20, &Interrupt::default()),
        )
        .await
        .unwrap()
        .unwrap();
        let mut echoed = Vec::new();
        out_rx.read_to_end(&mut echoed).await.unwrap();
        assert_eq!(echoed, input, "bytes pass unchanged");
        assert_eq!(session.end, SessionEnd::ClientClosed);
        assert_eq!(session.log.exchanges().len(), 1);
        assert!(session.log.notes().iter().any(|n| n.contains("not JSON")), "{:?}", session.log.notes());
    }
}
