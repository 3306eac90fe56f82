//! `mcp-harness surface`: records a server's tool surface in a lock file.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};

use mcp_harness::protocol::RevisionChoice;
use mcp_harness::runner::Interrupt;
use mcp_harness::session::{Session, SessionError, SessionOptions};
use mcp_harness::surface::{CaptureError, CaptureOptions, Captured, capture};
use mcp_harness::target::LaunchedTarget;
use mcp_harness::wire::{Limits, Transcript};
use mcp_harness::{ExitCode, Signal};

use super::args::{SurfaceArgs, TargetArgs};
use super::run::{UsageError, ensure_writable, target};

/// Time to start the target (and, for the HTTP reference server, to see it listening).
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests one recording may make at most before it is given up as silent: the handshake and four list
/// methods of at most 100 pages each, with room to spare.
const MAX_REQUESTS: u32 = 420;

/// Why a recording ended without a result.
pub(crate) enum Failure {
    /// The server answered wrongly: exit 1.
    Misbehaved(String),
    /// The harness could not record: exit 3.
    Blocked(String),
    /// A signal ended it.
    Interrupted(Signal),
}

/// Records the surface and writes the lock; returns the exit code (usage errors as [`UsageError`]).
pub(crate) async fn surface(args: SurfaceArgs) -> Result<ExitCode> {
    let dir = match args.write.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir.to_owned(),
        None => Path::new(".").to_owned(),
    };
    ensure_writable(&dir).map_err(|e| UsageError(format!("--write {}: {e:#}", args.write.display())))?;
    let store_text = !args.hash_only;
    let captured = match with_surface(&args.target, &args.protocol, args.timeout_ms, store_text, async |_, c| c).await?
    {
        Ok(captured) => captured,
        Err(failure) => return Ok(report(failure, "no lock written")),
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

/// Connects to the target, lists its surface and gives it to `then` with the open session; `Err` for usage
/// errors ([`UsageError`]), `Ok(Err)` when the server misbehaved, could not be reached or a signal came.
pub(crate) async fn with_surface<T>(
    target_args: &TargetArgs,
    protocol: &str,
    timeout_ms: u64,
    store_text: bool,
    then: impl AsyncFnOnce(&mut Session, Captured) -> T,
) -> Result<Result<T, Failure>> {
    let spec = target(target_args).map_err(|e| UsageError(format!("{e:#}")))?;
    let protocol: RevisionChoice = protocol.parse().map_err(|e| UsageError(format!("--protocol: {e}")))?;
    let interrupt = Interrupt::on_signals().context("failed to install the SIGINT/SIGTERM handlers")?;
    let timeout = Duration::from_millis(timeout_ms);
    let options = SessionOptions {
        revision: protocol,
        timeout,
        probe_timeout: timeout.min(Duration::from_secs(5)),
        ..SessionOptions::default()
    };
    let launched = match interrupt.guard(LaunchedTarget::launch(&spec, LAUNCH_TIMEOUT)).await {
        Ok(Ok(target)) => target,
        Ok(Err(e)) => return Ok(Err(Failure::Blocked(format!("could not start the target: {e}")))),
        Err(signal) => return Ok(Err(Failure::Interrupted(signal))),
    };
    eprintln!("Listing the surface of {}", launched.description);
    let limits = Limits::default();
    let transcript = Transcript::new(&limits);
    let overall = LAUNCH_TIMEOUT + options.probe_timeout + timeout * MAX_REQUESTS;
    let recording = async {
        let mut session = Session::open(&launched, &limits, &transcript, &options).await.map_err(session_failure)?;
        let captured = match capture(&mut session, &CaptureOptions { store_text }).await {
            Ok(captured) => Ok(then(&mut session, captured).await),
            Err(e @ CaptureError::Misbehaved { .. }) => Err(Failure::Misbehaved(e.to_string())),
            Err(other) => Err(Failure::Blocked(other.to_string())),
        };
        session.close().await;
        captured
    };
    let outcome = match interrupt.guard(tokio::time::timeout(overall, recording)).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(Failure::Blocked(format!("listing the surface did not finish within {overall:?}"))),
        Err(signal) => Err(Failure::Interrupted(signal)),
    };
    launched.shutdown().await;
    Ok(outcome)
}

/// A failed handshake: a wrong answer is the server's, anything else means it could not be recorded.
fn session_failure(e: SessionError) -> Failure {
    match e {
        SessionError::Blocked(b) => Failure::Blocked(format!("could not record: {b}")),
        other => Failure::Misbehaved(other.to_string()),
    }
}

/// Prints why nothing was written (`nothing`: "no lock written") and returns the exit code.
pub(crate) fn report(failure: Failure, nothing: &str) -> ExitCode {
    let (code, why) = match failure {
        Failure::Misbehaved(why) => (ExitCode::Failed, why),
        Failure::Blocked(why) => (ExitCode::CouldNotTest, why),
        Failure::Interrupted(signal) => (ExitCode::Interrupted(signal), format!("interrupted by {signal}")),
    };
    eprintln!("mcp-harness: error: {why}; {nothing}");
    code
}
