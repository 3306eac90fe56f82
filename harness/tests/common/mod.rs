//! What the tests that run the `mcp-harness` binary share: running it bounded in time, with both pipes drained.
#![allow(dead_code, reason = "each test crate uses a different part of this module")]

pub mod tls;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const HARNESS: &str = env!("CARGO_BIN_EXE_mcp-harness");

/// Runs the harness with `args`, killing it after `limit`.
pub fn harness(args: &[&str], limit: Duration) -> Output {
    harness_with(args, |_| {}, limit)
}

/// [`harness`] with a hook to change the process's environment.
pub fn harness_with(args: &[&str], env: impl FnOnce(&mut Command), limit: Duration) -> Output {
    let mut command = Command::new(HARNESS);
    env(&mut command);
    let mut child = command
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mcp-harness");
    // Drain both pipes while waiting: output larger than a pipe buffer (`list --format json`) would block the child.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("poll") {
            return Output { status, stdout: stdout.join().expect("stdout"), stderr: stderr.join().expect("stderr") };
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "mcp-harness {args:?} did not finish within {limit:?}\nstderr:\n{}",
                String::from_utf8_lossy(&stderr.join().expect("stderr"))
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The exit code (the process must have exited normally).
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
