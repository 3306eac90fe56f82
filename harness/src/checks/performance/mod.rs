//! The performance suite: one load run per run of the suite (started by whichever of its checks runs first, then
//! shared), judged against the SLOs of `suites/performance/requirements.json`, one check per objective.
//!
//! A load the harness could not start, a target that answered nothing, and a generator that could not offer the
//! rate asked for are "could not test" (error), never a failure of the server.

mod errors;
mod latency;
mod load;
mod memory;
mod quantum;
mod throughput;

use crate::check::Check;

pub(crate) use load::{LoadState, measured};

/// The performance checks, in report order.
pub(crate) const CHECKS: &[Check] =
    &[latency::MEAN, latency::P95, errors::RATE, throughput::ACHIEVED, memory::RSS_GROWTH, quantum::QUANTUM];
