//! Discovery: before a run that includes the unit suite is planned, the target is started once and its tools,
//! resources, templates and prompts listed (all pages), so that the suite's per-tool and per-prompt checks exist
//! when checks are selected. Bounded in time as a whole; an interrupt ends it.

use std::time::Duration;

use crate::TargetSpec;
use crate::runner::Interrupt;
use crate::session::{Session, SessionError, SessionOptions};
use crate::surface::{CaptureError, CaptureOptions, capture};
use crate::target::LaunchedTarget;
use crate::wire::{Limits, Transcript};

use super::set::{DiscoveryProblem, UnitSet};

/// Requests discovery may make at most: the handshake and four list methods of at most 100 pages each.
const MAX_REQUESTS: u32 = 420;

/// Starts `target`, lists its surface and ends it; the unit checks generated from it, or the problem.
pub async fn discover(
    target: &TargetSpec,
    launch_timeout: Duration,
    limits: &Limits,
    options: &SessionOptions,
    interrupt: &Interrupt,
) -> UnitSet {
    let launched = match interrupt.guard(LaunchedTarget::launch(target, launch_timeout)).await {
        Ok(Ok(launched)) => launched,
        Ok(Err(e)) => {
            return UnitSet::failed(DiscoveryProblem::CouldNotTest(format!("could not start the target: {e}")));
        }
        Err(signal) => return UnitSet::failed(DiscoveryProblem::CouldNotTest(format!("interrupted by {signal}"))),
    };
    let transcript = Transcript::new(limits);
    let overall = launch_timeout + options.probe_timeout + options.timeout * MAX_REQUESTS;
    let listing = async {
        let mut session = Session::open(&launched, limits, &transcript, options).await.map_err(|e| match e {
            SessionError::Blocked(b) => DiscoveryProblem::CouldNotTest(b.to_string()),
            other => DiscoveryProblem::Misbehaved(format!("the handshake failed: {other}")),
        })?;
        let captured = capture(&mut session, &CaptureOptions { store_text: true }).await;
        session.close().await;
        captured.map_err(|e| match e {
            CaptureError::Misbehaved { .. } => DiscoveryProblem::Misbehaved(e.to_string()),
            other => DiscoveryProblem::CouldNotTest(other.to_string()),
        })
    };
    let outcome = match interrupt.guard(tokio::time::timeout(overall, listing)).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(DiscoveryProblem::CouldNotTest(format!("listing the surface took longer than {overall:?}"))),
        Err(signal) => Err(DiscoveryProblem::CouldNotTest(format!("interrupted by {signal}"))),
    };
    launched.shutdown().await;
    match outcome {
        Ok(captured) => {
            let mut set = UnitSet::from_surface(captured.lock);
            set.notes.extend(captured.notes);
            set
        }
        Err(problem) => UnitSet::failed(problem),
    }
}
