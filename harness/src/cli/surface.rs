//! `mcp-harness surface`: records a server's tool surface in a lock file.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};

use mcp_harness::protocol::RevisionChoice;
use mcp_harness::runner::Interrupt;
use mcp_harness::session::{Session, SessionError, SessionOptions};
use mcp_harness::surface::{CaptureError, CaptureOptions, capture};
use mcp_harness::target::LaunchedTarget;
use mcp_harness::wire::{Limits, Transcript};
use mcp_harness::{ExitCode, Signal};

use super::args::SurfaceArgs;
use super::run::{UsageError, ensure_writable, target};

/// Time to start the target (and, for the HTTP reference server, to see it listening).
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests one recording may make at most before it is given up as silent: the handshake and four list
/// methods of at most 100 pages each, with room to spare.
const MAX_REQUESTS: u32 = 420;

/// Why a recording ended without a lock.
enum Failure {
    /// The server answered wrongly: exit 1.
    Misbehaved(String),
    /// The harness could not record: exit 3.
    Blocked(String),
    /// A signal ended it.
    Interrupted(Signal),
}

/// Records the surface and writes the lock; returns the exit code (usage errors as [`UsageError`]).
pub(crate) async fn surface(args: SurfaceArgs) -> Result<ExitCode> {
    let spec = target(&args.target).map_err(|e| UsageError(format!("{e:#}")))?;
    let protocol: RevisionChoice = args.protocol.parse().map_err(|e| UsageError(format!("--protocol: {e}")))?;
    let dir = match args.write.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir.to_owned(),
        None => Path::new(".").to_owned(),
    };
    ensure_writable(&dir).map_err(|e| UsageError(format!("--write {}: {e:#}", args.write.display())))?;
    let interrupt = Interrupt::on_signals().context("failed to install the SIGINT/SIGTERM handlers")?;
    let timeout = Duration::from_millis(args.timeout_ms);
    let options = SessionOptions {
        revision: protocol,
        timeout,
        probe_timeout: timeout.min(Duration::from_secs(5)),
        ..SessionOptions::default()
    };
    let store_text = !args.hash_only;

    let launched = match interrupt.guard(LaunchedTarget::launch(&spec, LAUNCH_TIMEOUT)).await {
        Ok(Ok(target)) => target,
        Ok(Err(e)) => return Ok(report(Failure::Blocked(format!("could not start the target: {e}")))),
        Err(signal) => return Ok(report(Failure::Interrupted(signal))),
    };
    eprintln!("Recording the surface of {}", launched.description);
    let limits = Limits::default();
    let transcript = Transcript::new(&limits);
    let overall = LAUNCH_TIMEOUT + options.probe_timeout + timeout * MAX_REQUESTS;
    let recording = async {
        let mut session = Session::open(&launched, &limits, &transcript, &options).await.map_err(session_failure)?;
        let captured = capture(&mut session, &CaptureOptions { store_text }).await;
        session.close().await;
        captured.map_err(|e| match e {
            CaptureError::Misbehaved { .. } => Failure::Misbehaved(e.to_string()),
            other => Failure::Blocked(other.to_string()),
        })
    };
    let outcome = match interrupt.guard(tokio::time::timeout(overall, recording)).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(Failure::Blocked(format!("the recording did not finish within {overall:?}"))),
        Err(signal) => Err(Failure::Interrupted(signal)),
    };
    launched.shutdown().await;
    let captured = match outcome {
        Ok(captured) => captured,
        Err(failure) => return Ok(report(failure)),
    };
    for note in &captured.notes {
        eprintln!("note: {note}");
    }
    let lock = &captured.lock;
    lock.write(&args.write).with_context(|| format!("--write {}", args.write.display()))?;
    eprintln!(
        "Wrote {}: {} tools, {} resources, {} resource templates, {} prompts (protocol {}{})",
        args.write.display(),
        lock.tools.len(),
        lock.resources.len(),
        lock.resource_templates.len(),
        lock.prompts.len(),
        lock.protocol_version,
        if store_text { "" } else { ", hashes only" },
    );
    Ok(ExitCode::Passed)
}

/// A failed handshake: a wrong answer is the server's, anything else means it could not be recorded.
fn session_failure(e: SessionError) -> Failure {
    match e {
        SessionError::Blocked(b) => Failure::Blocked(format!("could not record: {b}")),
        other => Failure::Misbehaved(other.to_string()),
    }
}

/// Prints why nothing was written and returns the exit code.
fn report(failure: Failure) -> ExitCode {
    let (code, why) = match failure {
        Failure::Misbehaved(why) => (ExitCode::Failed, why),
        Failure::Blocked(why) => (ExitCode::CouldNotTest, why),
        Failure::Interrupted(signal) => (ExitCode::Interrupted(signal), format!("interrupted by {signal}")),
    };
    eprintln!("mcp-harness: error: {why}; no lock written");
    code
}
