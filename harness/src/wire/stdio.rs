//! A stdio target: a child process in its own process group, newline-delimited messages on stdin/stdout with a
//! line cap, stderr kept as a bounded tail.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::{Direction, Limits, StdioCommand, Transcript, WireError};

/// One line read from the target's stdout.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Incoming {
    /// A line that parsed as JSON (any JSON value: judging it is the caller's job).
    Message(Value),
    /// A line that is not JSON (invalid UTF-8 replaced by U+FFFD), without its newline.
    NotJson(String),
    /// A line longer than [`Limits::max_line_bytes`]; it was discarded.
    Oversized {
        /// Its length in bytes, newline excluded.
        bytes: usize,
    },
}

/// A running stdio target.
///
/// The process runs in its own process group so the whole tree can be ended; it is killed when the wire is dropped
/// (prefer [`StdioWire::shutdown`], which lets it exit cleanly first and reaps it).
pub struct StdioWire {
    child: Child,
    program: String,
    pid: Option<u32>,
    stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<Queued>,
    stderr: Arc<Mutex<StderrTail>>,
    reader: JoinHandle<()>,
    stderr_reader: JoinHandle<()>,
    transcript: Transcript,
    exit: Option<String>,
    write_timeout: Duration,
    shut_down: bool,
    /// Whether what the process writes is recorded in the transcript (off for a spare until it is claimed).
    recording: Arc<AtomicBool>,
    started: Instant,
}

/// An item in the stdout channel, holding its share of the byte budget until it is received.
struct Queued {
    item: Incoming,
    _permit: Option<OwnedSemaphorePermit>,
}

/// Items buffered between the stdout reader and [`StdioWire::recv`] (also bounded by bytes, see [`byte_budget`]).
const QUEUE_ITEMS: usize = 1024;
/// How long [`StdioWire::send_line`] waits for the process to take a line by default.
const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closed stdout waits for the exit status and the last stderr bytes.
const CLOSE_SETTLE: Duration = Duration::from_millis(250);
/// How long shutdown waits for a SIGKILLed process to be reaped.
const KILL_WAIT: Duration = Duration::from_secs(5);
/// Stderr entries recorded in the transcript per process before recording stops (the tail is still kept).
const STDERR_TRANSCRIPT_ENTRIES: usize = 200;
/// Bytes of stdout kept for the transcript record of one line (the record keeps less).
const RECORD_PREFIX: usize = 64 << 10;

impl StdioWire {
    /// Starts `cmd` with stdin and stdout piped and stderr captured into a bounded tail (also recorded in
    /// `transcript`, channel `stderr`, up to a bound). Stdout is read by a task into a bounded queue.
    pub async fn spawn(cmd: &StdioCommand, limits: &Limits, transcript: Transcript) -> Result<Self, WireError> {
        Self::start(cmd, limits, transcript, true).await
    }

    /// Starts `cmd` ahead of need (a spare): it boots while other work goes on, and nothing it writes is recorded
    /// in the transcript until [`StdioWire::claim`] (its stderr tail is kept regardless, and its stdout is queued
    /// for whoever claims it).
    pub async fn spawn_spare(cmd: &StdioCommand, limits: &Limits, transcript: Transcript) -> Result<Self, WireError> {
        Self::start(cmd, limits, transcript, false).await
    }

    /// Takes a spare into use: from now on its traffic is recorded, starting with a note of how long it was kept.
    pub fn claim(&mut self) {
        if !self.recording.swap(true, Ordering::SeqCst) {
            self.transcript.note(&format!(
                "using `{}` (pid {}), started {} ms ago",
                self.program,
                self.pid.map_or("?".to_owned(), |p| p.to_string()),
                self.started.elapsed().as_millis()
            ));
        }
    }

    async fn start(
        cmd: &StdioCommand,
        limits: &Limits,
        transcript: Transcript,
        record: bool,
    ) -> Result<Self, WireError> {
        let mut command = cmd.piped_command();
        let spawn_error = |source| WireError::Spawn { program: cmd.program.clone(), source };
        let mut child = command.spawn().map_err(spawn_error)?;
        let missing = |what: &str| spawn_error(std::io::Error::other(format!("{what} was not captured")));
        let stdin = child.stdin.take().ok_or_else(|| missing("stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| missing("stdout"))?;
        let stderr_pipe = child.stderr.take().ok_or_else(|| missing("stderr"))?;
        let pid = child.id();
        if let Some(pid) = pid {
            super::groups::register(pid);
        }
        if record {
            transcript.note(&format!(
                "spawned `{}` (pid {})",
                cmd.display(),
                pid.map_or("?".to_owned(), |p| p.to_string())
            ));
        }
        let recording = Arc::new(AtomicBool::new(record));

        let (tx, incoming) = mpsc::channel(QUEUE_ITEMS);
        let tap = Tap { transcript: transcript.clone(), recording: recording.clone() };
        let reader = tokio::spawn(read_stdout(stdout, tx, limits.max_line_bytes, tap.clone()));
        let stderr = Arc::new(Mutex::new(StderrTail::default()));
        let stderr_reader = tokio::spawn(read_stderr(stderr_pipe, stderr.clone(), limits.max_stderr_bytes, tap));
        Ok(StdioWire {
            child,
            program: cmd.program.clone(),
            pid,
            stdin: Some(stdin),
            incoming,
            stderr,
            reader,
            stderr_reader,
            transcript,
            exit: None,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            shut_down: false,
            recording,
            started: Instant::now(),
        })
    }

    /// Sets how long a send waits for the process to take a line (default 10 s). A send that times out closes
    /// stdin, since a partly written line would corrupt the framing.
    pub fn set_write_timeout(&mut self, timeout: Duration) {
        self.write_timeout = timeout;
    }

    /// Writes `line` and a newline to stdin, exactly as given (it may be invalid JSON or contain newlines), and
    /// records it (channel `stdin`).
    ///
    /// Fails with [`WireError::Closed`] when the process is gone (broken pipe) and with [`WireError::Timeout`] when
    /// it does not take the line within the write timeout.
    pub async fn send_line(&mut self, line: &str) -> Result<(), WireError> {
        self.send_bytes(line.as_bytes()).await
    }

    /// [`StdioWire::send_line`] for bytes that may be invalid UTF-8 (recorded lossily).
    pub async fn send_bytes(&mut self, line: &[u8]) -> Result<(), WireError> {
        self.claim();
        self.transcript.record(Direction::Sent, "stdin", &String::from_utf8_lossy(line));
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(self.closed_error().await);
        };
        let mut data = Vec::with_capacity(line.len() + 1);
        data.extend_from_slice(line);
        data.push(b'\n');
        let write = async {
            stdin.write_all(&data).await?;
            stdin.flush().await
        };
        match tokio::time::timeout(self.write_timeout, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) if is_closed_pipe(&e) => {
                self.stdin = None;
                Err(self.closed_error().await)
            }
            Ok(Err(source)) => Err(WireError::Write { source }),
            Err(_) => {
                self.stdin = None;
                self.transcript
                    .note(&format!("the process did not read its stdin within {:?}; stdin closed", self.write_timeout));
                Err(WireError::Timeout {
                    action: "write a line to the process's stdin".to_owned(),
                    timeout: self.write_timeout,
                })
            }
        }
    }

    /// Serializes `msg` on one line and sends it (see [`StdioWire::send_line`]).
    pub async fn send(&mut self, msg: &Value) -> Result<(), WireError> {
        self.send_line(&msg.to_string()).await
    }

    /// The next line from stdout, waiting at most `timeout`.
    ///
    /// Fails with [`WireError::Timeout`] when nothing arrived in time and with [`WireError::Closed`] (exit status
    /// and stderr tail included) once stdout is closed and every line before that was received.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a line is never lost when the future is dropped before it completes.
    pub async fn recv(&mut self, timeout: Duration) -> Result<Incoming, WireError> {
        match tokio::time::timeout(timeout, self.incoming.recv()).await {
            Ok(Some(q)) => Ok(q.item),
            Ok(None) => Err(self.closed_error().await),
            Err(_) => Err(WireError::Timeout { action: "receive a line on the process's stdout".to_owned(), timeout }),
        }
    }

    /// The last bytes the process wrote to stderr (at most [`Limits::max_stderr_bytes`]), and whether older bytes
    /// were dropped.
    pub fn stderr_tail(&self) -> (String, bool) {
        let tail = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        (tail.text(), tail.truncated)
    }

    /// The process id (also its process group id), if the process was started.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The exit status as text ("exit status: 1", "signal: 9 (SIGKILL)") if the process has exited; never waits.
    pub fn exit_status(&mut self) -> Option<String> {
        if self.exit.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            self.exit = Some(status.to_string());
        }
        self.exit.clone()
    }

    /// Ends the process: closes stdin and waits up to `grace` for it to exit, then SIGTERMs its process group and
    /// waits `grace` again, then SIGKILLs the group. Always reaps the process, and kills whatever is left of its
    /// process group at the end.
    pub async fn shutdown(mut self, grace: Duration) {
        self.stdin = None;
        let mut how = "exited after stdin was closed";
        if !self.wait_exit(grace).await {
            self.signal_group(libc::SIGTERM);
            how = "exited after SIGTERM";
            if !self.wait_exit(grace).await {
                self.signal_group(libc::SIGKILL);
                let _ = self.child.start_kill();
                how = "killed with SIGKILL";
                if !self.wait_exit(KILL_WAIT).await {
                    how = "did not exit even after SIGKILL";
                }
            }
        }
        // Leftover members of the group (grandchildren) keep the group id reserved, so this reaches only them.
        self.signal_group(libc::SIGKILL);
        self.shut_down = true;
        if let Some(pid) = self.pid {
            super::groups::unregister(pid);
        }
        let status = self.exit.clone().unwrap_or_else(|| "unknown".to_owned());
        self.transcript.note(&format!("process `{}` {how} ({status})", self.program));
        self.reader.abort();
        self.stderr_reader.abort();
    }

    /// Waits up to `timeout` for the process to exit; true when it has (its status is then kept).
    async fn wait_exit(&mut self, timeout: Duration) -> bool {
        if self.exit.is_some() {
            return true;
        }
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(Ok(status)) => {
                self.exit = Some(status.to_string());
                true
            }
            Ok(Err(_)) | Err(_) => false,
        }
    }

    /// Sends `signal` to the process group. Does nothing if the process id is unknown (never signals group 0 or 1).
    fn signal_group(&self, signal: libc::c_int) {
        #[cfg(unix)]
        if let Some(pid) = self.pid.and_then(|p| libc::pid_t::try_from(p).ok()).filter(|p| *p > 1) {
            // SAFETY: kill(2) has no memory-safety preconditions; a negative pid addresses the process group we
            // created for this child (process_group(0) makes its pid the group id).
            unsafe {
                libc::kill(-pid, signal);
            }
        }
    }

    /// The error for a closed pipe, after giving the process a moment to exit and stderr to drain.
    async fn closed_error(&mut self) -> WireError {
        self.wait_exit(CLOSE_SETTLE).await;
        let deadline = tokio::time::Instant::now() + CLOSE_SETTLE;
        while !self.stderr_reader.is_finished() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        WireError::Closed { exit_status: self.exit.clone(), stderr_tail: self.stderr_tail().0 }
    }
}

impl Drop for StdioWire {
    fn drop(&mut self) {
        if !self.shut_down {
            // kill_on_drop ends the child itself; end the rest of its tree too.
            self.signal_group(libc::SIGKILL);
            if let Some(pid) = self.pid {
                super::groups::unregister(pid);
            }
        }
        self.reader.abort();
        self.stderr_reader.abort();
    }
}

impl fmt::Debug for StdioWire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StdioWire")
            .field("program", &self.program)
            .field("pid", &self.pid)
            .field("exit", &self.exit)
            .finish_non_exhaustive()
    }
}

fn is_closed_pipe(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset)
}

/// Bytes of lines buffered between the reader task and `recv`: two maximal lines, at least 1 MiB.
fn byte_budget(max_line_bytes: usize) -> usize {
    max_line_bytes.saturating_mul(2).clamp(1 << 20, u32::MAX as usize)
}

/// Reads stdout line by line into `tx`. Lines over `max_line` bytes are discarded while counting (never
/// buffered) and reported as [`Incoming::Oversized`]; reading goes on at the next newline.
/// Where a reader task records what it read: the transcript, while the wire is recording.
#[derive(Clone)]
struct Tap {
    transcript: Transcript,
    recording: Arc<AtomicBool>,
}

impl Tap {
    fn on(&self) -> bool {
        self.recording.load(Ordering::SeqCst)
    }
}

async fn read_stdout(stdout: ChildStdout, tx: mpsc::Sender<Queued>, max_line: usize, tap: Tap) {
    let budget_total = byte_budget(max_line);
    let budget = Arc::new(Semaphore::new(budget_total));
    let mut reader = BufReader::with_capacity(64 << 10, stdout);
    let mut line: Vec<u8> = Vec::new();
    // Bytes of the current line when it went over the cap (then counting only).
    let mut oversized: Option<usize> = None;
    let mut not_json_run = 0usize;
    loop {
        let buf = match reader.fill_buf().await {
            Ok(buf) => buf,
            Err(e) => {
                tap.transcript.note(&format!("failed to read the process's stdout: {e}"));
                break;
            }
        };
        if buf.is_empty() {
            // End of stdout; a last line without a newline still counts.
            if oversized.is_some() || !line.is_empty() {
                let item = finish_line(&line, oversized, &tap, &mut not_json_run);
                emit(&tx, &budget, budget_total, item, line.len()).await;
            }
            break;
        }
        let (chunk, consumed, complete) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        match oversized.as_mut() {
            Some(n) => *n = n.saturating_add(chunk.len()),
            None if line.len() + chunk.len() > max_line => {
                oversized = Some(line.len() + chunk.len());
                line = Vec::new();
            }
            None => line.extend_from_slice(chunk),
        }
        reader.consume(consumed);
        if complete {
            let item = finish_line(&line, oversized.take(), &tap, &mut not_json_run);
            let cost = line.len();
            line.clear();
            if line.capacity() > (1 << 20) {
                line = Vec::new();
            }
            if !emit(&tx, &budget, budget_total, item, cost).await {
                break;
            }
        }
    }
}

/// Non-JSON lines in a row recorded in the transcript; the rest of such a run is counted, not recorded (a target
/// that prints `y` forever must not push everything else out of the transcript).
const NOT_JSON_RUN_RECORDED: usize = 50;

/// Classifies (and records, while the tap is on) one complete line. `not_json_run` counts the non-JSON lines in a
/// row so far.
fn finish_line(line: &[u8], oversized: Option<usize>, tap: &Tap, not_json_run: &mut usize) -> Incoming {
    if let Some(bytes) = oversized {
        if tap.on() {
            tap.transcript.record(
                Direction::Received,
                "stdout",
                &format!("<a line of {bytes} bytes, over the line cap; discarded>"),
            );
        }
        return Incoming::Oversized { bytes };
    }
    let item = match serde_json::from_slice(line) {
        Ok(v) => {
            *not_json_run = 0;
            Incoming::Message(v)
        }
        Err(_) => {
            *not_json_run += 1;
            Incoming::NotJson(String::from_utf8_lossy(line).into_owned())
        }
    };
    if tap.on() && *not_json_run <= NOT_JSON_RUN_RECORDED {
        let prefix = &line[..line.len().min(RECORD_PREFIX)];
        tap.transcript.record_len(Direction::Received, "stdout", &String::from_utf8_lossy(prefix), line.len());
        if *not_json_run == NOT_JSON_RUN_RECORDED {
            tap.transcript.note("more non-JSON lines follow on stdout; they are counted, not recorded");
        }
    }
    item
}

/// Queues `item`, first taking `cost` bytes of the budget; false when the receiver is gone.
async fn emit(
    tx: &mpsc::Sender<Queued>,
    budget: &Arc<Semaphore>,
    budget_total: usize,
    item: Incoming,
    cost: usize,
) -> bool {
    let permits = u32::try_from(cost.clamp(1, budget_total)).unwrap_or(u32::MAX);
    let permit = budget.clone().acquire_many_owned(permits).await.ok();
    tx.send(Queued { item, _permit: permit }).await.is_ok()
}

/// The bounded tail of a process's stderr.
#[derive(Debug, Default)]
struct StderrTail {
    bytes: VecDeque<u8>,
    truncated: bool,
}

impl StderrTail {
    fn push(&mut self, data: &[u8], cap: usize) {
        self.bytes.extend(data);
        if self.bytes.len() > cap {
            let excess = self.bytes.len() - cap;
            self.bytes.drain(..excess);
            self.truncated = true;
        }
    }

    fn text(&self) -> String {
        let (a, b) = self.bytes.as_slices();
        let mut bytes = Vec::with_capacity(a.len() + b.len());
        bytes.extend_from_slice(a);
        bytes.extend_from_slice(b);
        // A cut tail may start inside a UTF-8 sequence: skip its continuation bytes.
        let start = if self.truncated { bytes.iter().take(3).take_while(|b| (**b & 0xC0) == 0x80).count() } else { 0 };
        String::from_utf8_lossy(&bytes[start..]).into_owned()
    }
}

/// Reads stderr into the tail, recording chunks in the transcript until a bound is reached.
async fn read_stderr(mut stderr: ChildStderr, tail: Arc<Mutex<StderrTail>>, cap: usize, tap: Tap) {
    let mut buf = vec![0u8; 8 << 10];
    let mut recorded_entries = 0usize;
    let mut recorded_bytes = 0usize;
    loop {
        let n = match stderr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        tail.lock().unwrap_or_else(|p| p.into_inner()).push(&buf[..n], cap);
        if tap.on() && recorded_entries < STDERR_TRANSCRIPT_ENTRIES && recorded_bytes < cap {
            let text = String::from_utf8_lossy(&buf[..n]);
            tap.transcript.record(Direction::Received, "stderr", text.trim_end_matches(['\n', '\r']));
            recorded_entries += 1;
            recorded_bytes += n;
            if recorded_entries == STDERR_TRANSCRIPT_ENTRIES || recorded_bytes >= cap {
                tap.transcript.note("stderr recording stopped here (bound reached); its tail is still kept");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;

    use super::*;

    /// A generous bound for "finishes promptly" on a loaded 2-core machine.
    const BOUND: Duration = Duration::from_secs(20);

    fn sh(script: &str) -> StdioCommand {
        StdioCommand { program: "sh".into(), args: vec!["-c".into(), script.into()], env: Vec::new(), cwd: None }
    }

    async fn spawn(script: &str) -> (StdioWire, Transcript) {
        let transcript = Transcript::new(&Limits::default());
        let wire = StdioWire::spawn(&sh(script), &Limits::default(), transcript.clone()).await.unwrap();
        (wire, transcript)
    }

    #[tokio::test]
    async fn echo_round_trip() {
        let transcript = Transcript::new(&Limits::default());
        let cat = StdioCommand::parse("cat").unwrap();
        let mut wire = StdioWire::spawn(&cat, &Limits::default(), transcript.clone()).await.unwrap();
        assert!(wire.pid().is_some());
        let msg = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
        wire.send(&msg).await.unwrap();
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::Message(msg));
        wire.send_line("not json {").await.unwrap();
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::NotJson("not json {".into()));
        assert_eq!(wire.exit_status(), None);
        wire.shutdown(Duration::from_secs(5)).await;
        let channels: Vec<(Direction, String)> =
            transcript.entries().into_iter().map(|e| (e.direction, e.channel)).collect();
        assert!(channels.contains(&(Direction::Sent, "stdin".into())));
        assert!(channels.contains(&(Direction::Received, "stdout".into())));
    }

    #[tokio::test]
    async fn env_cwd_and_last_line_without_newline() {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = sh(r#"printf '{"v":"%s","d":"%s"}' "$WIRE_TEST_VAR" "$(pwd)""#);
        cmd.env.push(("WIRE_TEST_VAR".into(), "x y".into()));
        cmd.cwd = Some(dir.path().to_path_buf());
        let mut wire = StdioWire::spawn(&cmd, &Limits::default(), Transcript::new(&Limits::default())).await.unwrap();
        let Incoming::Message(v) = wire.recv(BOUND).await.unwrap() else { panic!("expected a message") };
        assert_eq!(v["v"], "x y");
        let canonical = dir.path().canonicalize().unwrap();
        assert_eq!(v["d"].as_str().map(std::path::PathBuf::from).unwrap().canonicalize().unwrap(), canonical);
        assert!(wire.recv(BOUND).await.unwrap_err().is_closed());
    }

    #[tokio::test]
    async fn oversized_line_is_skipped_and_reading_goes_on() {
        // 20 MB of 'a' on one line, then a normal line; the line cap is 16 MiB.
        let (mut wire, transcript) =
            spawn(r#"head -c 20000000 /dev/zero | tr '\0' a; echo; echo '{"after":true}'; sleep 30"#).await;
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::Oversized { bytes: 20_000_000 });
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::Message(json!({"after": true})));
        assert!(transcript.entries().iter().any(|e| e.text.contains("20000000 bytes, over the line cap")));
        wire.shutdown(Duration::from_secs(2)).await;
    }

    #[tokio::test]
    async fn small_cap_applies_to_the_last_line_too() {
        let limits = Limits { max_line_bytes: 8, ..Limits::default() };
        let cmd = sh("echo 12345678; echo 123456789; printf 1234567890");
        let mut wire = StdioWire::spawn(&cmd, &limits, Transcript::new(&limits)).await.unwrap();
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::Message(json!(12345678)));
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::Oversized { bytes: 9 });
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::Oversized { bytes: 10 });
        assert!(wire.recv(BOUND).await.unwrap_err().is_closed());
    }

    #[tokio::test]
    async fn exit_reports_status_and_stderr_tail() {
        let (mut wire, transcript) = spawn("echo 'fatal: no config' >&2; exit 3").await;
        let err = wire.recv(BOUND).await.unwrap_err();
        let WireError::Closed { exit_status, stderr_tail } = &err else { panic!("expected Closed, got {err}") };
        assert_eq!(exit_status.as_deref(), Some("exit status: 3"));
        assert!(stderr_tail.contains("fatal: no config"), "{stderr_tail}");
        assert!(err.to_string().contains("fatal: no config"));
        // Closed again on every later call, and sending fails the same way.
        assert!(wire.recv(BOUND).await.unwrap_err().is_closed());
        assert!(wire.send_line("{}").await.unwrap_err().is_closed());
        assert_eq!(wire.exit_status().as_deref(), Some("exit status: 3"));
        assert_eq!(wire.stderr_tail(), ("fatal: no config\n".to_owned(), false));
        assert!(transcript.entries().iter().any(|e| e.channel == "stderr" && e.text == "fatal: no config"));
        wire.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn stderr_tail_is_bounded() {
        let limits = Limits { max_stderr_bytes: 100, ..Limits::default() };
        let cmd = sh("i=0; while [ $i -lt 300 ]; do echo \"line $i\" >&2; i=$((i+1)); done; echo done");
        let transcript = Transcript::new(&limits);
        let mut wire = StdioWire::spawn(&cmd, &limits, transcript.clone()).await.unwrap();
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::NotJson("done".into()));
        let err = wire.recv(BOUND).await.unwrap_err();
        assert!(err.is_closed());
        let (tail, truncated) = wire.stderr_tail();
        assert!(truncated);
        assert!(tail.len() <= 100 && tail.ends_with("line 299\n"), "{tail:?}");
        let stderr_bytes: usize =
            transcript.entries().iter().filter(|e| e.channel == "stderr").map(|e| e.original_len).sum();
        assert!(stderr_bytes < 100 + 8192, "{stderr_bytes}");
    }

    #[tokio::test]
    async fn silence_times_out_within_the_timeout() {
        let (mut wire, _) = spawn("sleep 60").await;
        let started = Instant::now();
        let err = wire.recv(Duration::from_millis(200)).await.unwrap_err();
        assert!(err.is_timeout(), "{err}");
        assert!(started.elapsed() < BOUND);
        // The wire stays usable after a timeout.
        assert!(wire.recv(Duration::from_millis(50)).await.unwrap_err().is_timeout());
        wire.shutdown(Duration::from_millis(200)).await;
    }

    #[tokio::test]
    async fn shutdown_kills_a_process_ignoring_sigterm() {
        let (mut wire, transcript) = spawn("trap '' TERM; echo ready; while :; do sleep 1; done").await;
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::NotJson("ready".into()));
        let started = Instant::now();
        wire.shutdown(Duration::from_millis(300)).await;
        assert!(started.elapsed() < BOUND);
        let last = transcript.entries().pop().unwrap();
        assert!(last.text.contains("killed with SIGKILL"), "{}", last.text);
    }

    #[tokio::test]
    async fn shutdown_by_closing_stdin() {
        let (wire, transcript) = spawn("cat >/dev/null; exit 0").await;
        wire.shutdown(Duration::from_secs(10)).await;
        let last = transcript.entries().pop().unwrap();
        assert!(last.text.contains("exited after stdin was closed (exit status: 0)"), "{}", last.text);
    }

    #[tokio::test]
    async fn shutdown_ends_the_process_group() {
        // The grandchild keeps running after its parent exits unless the whole group is killed.
        let (mut wire, _) = spawn("sleep 300 & echo $!; wait").await;
        let Incoming::Message(pid) = wire.recv(BOUND).await.unwrap() else { panic!("expected the grandchild pid") };
        let pid = libc::pid_t::try_from(pid.as_i64().unwrap()).unwrap();
        wire.shutdown(Duration::from_millis(200)).await;
        let deadline = Instant::now() + BOUND;
        // SAFETY: signal 0 only checks that the process exists.
        while unsafe { libc::kill(pid, 0) } == 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A zombie still answers kill(0) until reaped by init; check its state instead when it is still there.
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(state.is_empty() || state.contains(") Z"), "grandchild still running: {state}");
    }

    #[tokio::test]
    async fn closed_stdout_of_a_live_process_is_closed() {
        let (mut wire, _) = spawn("exec 1>&-; sleep 30").await;
        let err = wire.recv(BOUND).await.unwrap_err();
        assert!(matches!(&err, WireError::Closed { exit_status: None, .. }), "{err}");
        assert!(err.to_string().contains("(still running)"));
        wire.shutdown(Duration::from_millis(200)).await;
    }

    #[tokio::test]
    async fn send_to_a_dead_process_is_closed() {
        let (mut wire, _) = spawn("exit 0").await;
        assert!(wire.recv(BOUND).await.unwrap_err().is_closed());
        let err = wire.send_line("{}").await.unwrap_err();
        assert!(err.is_closed(), "{err}");
    }

    #[tokio::test]
    async fn a_process_that_never_reads_stdin_times_the_send_out() {
        let (mut wire, _) = spawn("sleep 60").await;
        wire.set_write_timeout(Duration::from_millis(300));
        let big = "x".repeat(1 << 20);
        let err = wire.send_line(&big).await.unwrap_err();
        assert!(err.is_timeout(), "{err}");
        wire.shutdown(Duration::from_millis(200)).await;
    }

    #[tokio::test]
    async fn spawn_failure_is_an_error() {
        let cmd = StdioCommand::parse("/nonexistent/mcp-server --stdio").unwrap();
        let err = StdioWire::spawn(&cmd, &Limits::default(), Transcript::new(&Limits::default())).await.unwrap_err();
        assert!(matches!(err, WireError::Spawn { .. }));
        assert!(err.to_string().starts_with("failed to spawn `/nonexistent/mcp-server`"), "{err}");
    }

    #[tokio::test]
    async fn invalid_utf8_and_blank_lines_are_not_json() {
        let (mut wire, _) = spawn(r#"printf '\377\376 x\n\n'"#).await;
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::NotJson("\u{FFFD}\u{FFFD} x".into()));
        assert_eq!(wire.recv(BOUND).await.unwrap(), Incoming::NotJson(String::new()));
        assert!(wire.recv(BOUND).await.unwrap_err().is_closed());
    }
}
