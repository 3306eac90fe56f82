//! The processes of a stdio target: spares started ahead of need, so that a check asking for a fresh process
//! does not wait for the server to boot, and processes being ended in the background, so that no check waits for
//! a server to exit.
//!
//! A spare is an ordinary process of the target that has been sent nothing yet; it is only started earlier.
//! Nothing it writes is recorded in the transcript until it is taken (then a note says how long it was kept), so
//! the evidence of a check holds only its own processes. A spare that has exited by the time it is needed is
//! replaced by a process started on the spot.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::wire::{Limits, StdioCommand, StdioWire, Transcript, WireError};

/// How long a process that was taken into use gets to exit after its stdin is closed, then after SIGTERM (the
/// spec's stdio shutdown), in the background.
const RETIRE_GRACE: Duration = Duration::from_secs(2);
/// How long a spare that was never used gets (it was sent nothing; closing stdin ends most servers at once).
const SPARE_GRACE: Duration = Duration::from_millis(500);
/// At the end of a run, how long processes being ended get to exit on their own before SIGTERM.
const END_OF_RUN_GRACE: Duration = Duration::from_millis(200);
/// The longest wait for background shutdowns at the end of a run (each is bounded by its graces and a kill).
const DRAIN_LIMIT: Duration = Duration::from_secs(15);

/// A stdio target's process pool.
#[derive(Debug, Default)]
pub struct StdioProcesses {
    spares: Mutex<VecDeque<StdioWire>>,
    closing: Mutex<Vec<(Option<u32>, JoinHandle<()>)>>,
    wanted: Mutex<usize>,
}

impl StdioProcesses {
    /// Keeps `n` spares ready from the next [`StdioProcesses::take`] on (0 turns them off).
    pub fn keep_spares(&self, n: usize) {
        *self.wanted.lock().unwrap_or_else(|p| p.into_inner()) = n;
    }

    /// A process of `cmd` for a new connection: a spare if one is ready and still running, else a new one; then
    /// starts spares up to the number wanted.
    pub(crate) async fn take(
        &self,
        cmd: &StdioCommand,
        limits: &Limits,
        transcript: &Transcript,
    ) -> Result<StdioWire, WireError> {
        let mut spare = self.spares.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
        if let Some(dead) = spare.take_if(|w| w.exit_status().is_some()) {
            self.retire_with(dead, SPARE_GRACE);
        }
        let wire = match spare {
            Some(mut wire) => {
                wire.claim();
                wire
            }
            None => StdioWire::spawn(cmd, limits, transcript.clone()).await?,
        };
        let wanted = *self.wanted.lock().unwrap_or_else(|p| p.into_inner());
        while self.spares.lock().unwrap_or_else(|p| p.into_inner()).len() < wanted {
            match StdioWire::spawn_spare(cmd, limits, transcript.clone()).await {
                Ok(spare) => self.spares.lock().unwrap_or_else(|p| p.into_inner()).push_back(spare),
                Err(_) => break,
            }
        }
        Ok(wire)
    }

    /// Ends a process in the background (close stdin, SIGTERM, SIGKILL, each after a grace period).
    pub(crate) fn retire(&self, wire: StdioWire) {
        self.retire_with(wire, RETIRE_GRACE);
    }

    fn retire_with(&self, wire: StdioWire, grace: Duration) {
        let pid = wire.pid();
        let handle = tokio::spawn(wire.shutdown(grace));
        let mut closing = self.closing.lock().unwrap_or_else(|p| p.into_inner());
        closing.retain(|(_, h)| !h.is_finished());
        closing.push((pid, handle));
    }

    /// Ends the spares and waits (bounded) for every background shutdown. The run is over, so processes that have
    /// not exited [`END_OF_RUN_GRACE`] after their stdin was closed get SIGTERM then rather than after their full
    /// grace (SIGKILL still follows if they ignore it).
    pub(crate) async fn shutdown(&self) {
        self.keep_spares(0);
        let spares: Vec<StdioWire> = self.spares.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
        for spare in spares {
            self.retire_with(spare, SPARE_GRACE);
        }
        let mut closing: Vec<(Option<u32>, JoinHandle<()>)> =
            self.closing.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
        let deadline = tokio::time::Instant::now() + END_OF_RUN_GRACE;
        while closing.iter().any(|(_, h)| !h.is_finished()) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for (pid, handle) in &closing {
            if let Some(pgid) = pid.and_then(|p| libc::pid_t::try_from(p).ok()).filter(|p| *p > 1)
                && !handle.is_finished()
            {
                // SAFETY: kill(2) on the process group of a child the wire started in its own group; the wire's
                // shutdown task still owns and reaps it.
                unsafe {
                    libc::kill(-pgid, libc::SIGTERM);
                }
            }
        }
        let handles = closing.drain(..).map(|(_, h)| h);
        let _ = tokio::time::timeout(DRAIN_LIMIT, futures::future::join_all(handles)).await;
    }
}
