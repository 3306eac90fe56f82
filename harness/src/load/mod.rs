//! The load engine of the performance suite: open-loop constant-rate load (the default) or closed-loop virtual
//! users, over stdio (one process, pipelined) or Streamable HTTP (a keep-alive connection pool, sessions reused,
//! stateless, or churned), with latency measured from each request's *intended* send time (free of coordinated
//! omission) and from its actual send time, both in HdrHistograms; errors by kind; a per-second timeline; the
//! target's memory, CPU and descriptors from `/proc`; the generator's own lag. Every run is bounded in time.
//!
//! See `../shared/reference/performance.md` for why: closed-loop tools let a stalling server suppress exactly the
//! samples that would have measured the stall.

mod environment;
mod http;
pub mod k6;
mod latency;
mod options;
pub mod plot;
mod recorder;
mod reply;
mod request;
mod resources;
mod run;
mod schedule;
mod stdio;
mod transport;
mod workload;

use std::time::Duration;

pub use latency::LatencyHistogram;
pub use options::{
    ArrivalModel, DEFAULT_CONNECTIONS, DEFAULT_DURATION, DEFAULT_RATE, DEFAULT_WARMUP, HttpPatternChoice, LoadOptions,
    LoadProfile, MixEntry, Slo,
};
pub use request::{ClientMeta, PreparedRequest};
pub use run::{LoadError, LoadRun, LoadTarget, measure};
pub use workload::{Workload, choose as choose_workload, client_meta};

/// Where a load run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadPhase {
    /// Warming up (not measured).
    WarmingUp,
    /// In the measured window.
    Measuring,
    /// Waiting for the requests still in flight.
    Draining,
}

/// A load run's live figures, for the progress line.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProgress {
    /// Where the run is.
    pub phase: LoadPhase,
    /// Time since the load (this step) began.
    pub elapsed: Duration,
    /// Warm-up plus measured window (of this step).
    pub total: Duration,
    /// Answers in the last second.
    pub rate_per_sec: f64,
    /// Corrected p99 of the last full second, in ms.
    pub p99_ms: f64,
    /// Answers so far (warm-up included).
    pub answered: u64,
    /// Errors so far (warm-up included).
    pub errors: u64,
    /// The stress step (1-based) and the number of steps at most, in a stress ramp.
    pub step: Option<(u32, u32)>,
}
