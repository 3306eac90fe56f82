//! What a load run is asked to do: profile, arrival model, rate, durations, workload, SLO thresholds.

use std::time::Duration;

use serde_json::Value;

pub use crate::report::performance::LoadProfile;
use crate::report::performance::SloThresholds;

/// Requests per second when `--rate` is not given: far below any sound server's ceiling, far above what a
/// human-driven client sends, and light enough for a stdio server in Node or Python.
pub const DEFAULT_RATE: f64 = 200.0;
/// Measured window when `--duration` is not given (with the warm-up, a `--suite performance` run takes ≈ 20 s).
pub const DEFAULT_DURATION: Duration = Duration::from_secs(15);
/// Warm-up when `--warmup` is not given: excluded from every figure.
pub const DEFAULT_WARMUP: Duration = Duration::from_secs(3);
/// Measured window of the endurance profile when `--duration` is not given.
pub const DEFAULT_ENDURANCE_DURATION: Duration = Duration::from_secs(300);
/// HTTP keep-alive connections when `--connections` is not given.
pub const DEFAULT_CONNECTIONS: u32 = 16;
/// Requests in flight at once at most (open loop) when not given.
pub const DEFAULT_IN_FLIGHT: u32 = 1024;
/// The longest measured window the harness accepts (bounded runs, always).
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// The highest rate the harness accepts.
pub const MAX_RATE: f64 = 1_000_000.0;
/// Stress steps at most.
pub const MAX_STRESS_STEPS: u32 = 12;

/// How requests arrive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArrivalModel {
    /// Open loop at `--rate` requests per second (the default): latency from intended send times.
    Open,
    /// Closed loop with this many virtual users (`--virtual-users N`), each sending its next request when the last
    /// is answered. Kept for comparison with closed-loop tools; it cannot see coordinated omission.
    Closed {
        /// Virtual users.
        users: u32,
    },
}

/// How HTTP load uses sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpPatternChoice {
    /// What the revision implies: a session per connection (2025), stateless requests (2026).
    #[default]
    Auto,
    /// A whole session per iteration (initialize → initialized → call → DELETE), 2025 revisions only.
    Churn,
}

/// One kind of request of a user-given mix (`--load-tool`/`--load-args`, or a mix file).
#[derive(Debug, Clone, PartialEq)]
pub struct MixEntry {
    /// Tool to call; `None` sends `method` with no params.
    pub tool: Option<String>,
    /// The JSON-RPC method (`tools/call` when a tool is named).
    pub method: String,
    /// Arguments for the tool.
    pub arguments: Value,
    /// Relative weight.
    pub weight: u32,
}

/// The SLOs a load run is judged against; the defaults are the project's SLOs.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// Corrected mean latency below this (default 200 ms).
    pub mean: Duration,
    /// Corrected 95th percentile below this (default 500 ms).
    pub p95: Duration,
    /// Error rate below this fraction (default 0.01).
    pub error_rate: f64,
    /// RSS growth of a local target below this many bytes (default 50 MB).
    pub rss_growth_bytes: u64,
    /// Achieved throughput at least this fraction of the rate asked for (default 0.95).
    pub achieved_ratio: f64,
}

impl Default for Slo {
    fn default() -> Self {
        Slo {
            mean: Duration::from_millis(200),
            p95: Duration::from_millis(500),
            error_rate: 0.01,
            rss_growth_bytes: 50 * 1000 * 1000,
            achieved_ratio: 0.95,
        }
    }
}

impl Slo {
    /// The thresholds as the report states them.
    pub fn thresholds(&self) -> SloThresholds {
        SloThresholds {
            mean_ms: self.mean.as_secs_f64() * 1000.0,
            p95_ms: self.p95.as_secs_f64() * 1000.0,
            error_rate: self.error_rate,
            rss_growth_bytes: self.rss_growth_bytes,
            achieved_ratio: self.achieved_ratio,
        }
    }
}

/// A load run's whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// The profile (`--load-profile`).
    pub profile: LoadProfile,
    /// Open or closed loop.
    pub arrival: ArrivalModel,
    /// Requests per second asked for (open loop; the first step of a stress ramp).
    pub rate: f64,
    /// The measured window (`None`: the profile's default).
    pub duration: Option<Duration>,
    /// The warm-up, excluded from the figures.
    pub warmup: Duration,
    /// HTTP keep-alive connections.
    pub connections: u32,
    /// Requests in flight at once at most.
    pub in_flight: u32,
    /// How HTTP load uses sessions.
    pub http_pattern: HttpPatternChoice,
    /// The requests to send; empty: the default workload (a read-only tool with synthesised arguments, else
    /// `tools/list`, else `ping`).
    pub mix: Vec<MixEntry>,
    /// The SLO thresholds.
    pub slo: Slo,
    /// Stress: the factor each step multiplies the rate by.
    pub stress_factor: f64,
    /// Stress: steps at most.
    pub stress_steps: u32,
    /// Judge a k6 summary instead of running load (`--import-k6 FILE`).
    pub import_k6: Option<std::path::PathBuf>,
    /// Write the workload as a k6 script here (`--export-k6 FILE`; HTTP targets).
    pub export_k6: Option<std::path::PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            profile: LoadProfile::Load,
            arrival: ArrivalModel::Open,
            rate: DEFAULT_RATE,
            duration: None,
            warmup: DEFAULT_WARMUP,
            connections: DEFAULT_CONNECTIONS,
            in_flight: DEFAULT_IN_FLIGHT,
            http_pattern: HttpPatternChoice::Auto,
            mix: Vec::new(),
            slo: Slo::default(),
            stress_factor: 2.0,
            stress_steps: 6,
            import_k6: None,
            export_k6: None,
        }
    }
}

impl LoadOptions {
    /// The measured window (per step, for the stress profile).
    pub fn measured(&self) -> Duration {
        self.duration.unwrap_or(match self.profile {
            LoadProfile::Endurance => DEFAULT_ENDURANCE_DURATION,
            LoadProfile::Load | LoadProfile::Stress => DEFAULT_DURATION,
        })
    }

    /// The longest the whole load run can take, from its start to its last answer or timeout: warm-up and
    /// measured window (each stress step), plus draining the requests in flight for `request_timeout`, plus the
    /// start-up of a target process and the choice of the workload.
    pub fn bound(&self, request_timeout: Duration) -> Duration {
        let steps = if self.profile == LoadProfile::Stress { self.stress_steps.max(1) } else { 1 };
        let per_step = self.warmup + self.measured() + request_timeout + Duration::from_secs(1);
        per_step * steps + Duration::from_secs(30) + request_timeout * 4
    }

    /// Checks the values make a bounded, meaningful run; the error is one line for the user.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.rate.is_finite() && self.rate > 0.0 && self.rate <= MAX_RATE) {
            return Err(format!("--rate must be between 0 and {MAX_RATE} requests per second, got {}", self.rate));
        }
        if self.measured().is_zero() || self.measured() > MAX_DURATION {
            return Err(format!("--duration must be between 1 ms and {} s", MAX_DURATION.as_secs()));
        }
        if self.connections == 0 || self.connections > 1024 {
            return Err(format!("--connections must be between 1 and 1024, got {}", self.connections));
        }
        if let ArrivalModel::Closed { users } = self.arrival
            && (users == 0 || users > 10_000)
        {
            return Err(format!("--virtual-users must be between 1 and 10000, got {users}"));
        }
        if self.in_flight == 0 || self.in_flight > 100_000 {
            return Err(format!("the in-flight limit must be between 1 and 100000, got {}", self.in_flight));
        }
        if !(self.stress_factor > 1.0 && self.stress_factor <= 10.0) {
            return Err(format!("the stress factor must be above 1 and at most 10, got {}", self.stress_factor));
        }
        if self.stress_steps == 0 || self.stress_steps > MAX_STRESS_STEPS {
            return Err(format!("stress steps must be between 1 and {MAX_STRESS_STEPS}, got {}", self.stress_steps));
        }
        if self.mix.iter().all(|m| m.weight == 0) && !self.mix.is_empty() {
            return Err("every request of the load mix has weight 0".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bounded() {
        let o = LoadOptions::default();
        assert_eq!(o.validate(), Ok(()));
        assert_eq!(o.measured(), DEFAULT_DURATION);
        assert!(o.bound(Duration::from_secs(10)) < Duration::from_secs(120));
        let endurance = LoadOptions { profile: LoadProfile::Endurance, ..LoadOptions::default() };
        assert_eq!(endurance.measured(), DEFAULT_ENDURANCE_DURATION);
    }

    #[test]
    fn nonsense_is_refused_with_the_flag_named() {
        let bad = LoadOptions { rate: 0.0, ..LoadOptions::default() };
        assert!(bad.validate().unwrap_err().contains("--rate"));
        let bad = LoadOptions { connections: 0, ..LoadOptions::default() };
        assert!(bad.validate().unwrap_err().contains("--connections"));
        let bad = LoadOptions { arrival: ArrivalModel::Closed { users: 0 }, ..LoadOptions::default() };
        assert!(bad.validate().unwrap_err().contains("--virtual-users"));
        let bad = LoadOptions { duration: Some(Duration::ZERO), ..LoadOptions::default() };
        assert!(bad.validate().unwrap_err().contains("--duration"));
    }

    #[test]
    fn the_default_slo_is_the_projects() {
        let t = Slo::default().thresholds();
        assert_eq!(
            (t.mean_ms, t.p95_ms, t.error_rate, t.rss_growth_bytes, t.achieved_ratio),
            (200.0, 500.0, 0.01, 50_000_000, 0.95)
        );
    }
}
