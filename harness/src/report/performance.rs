//! The report's performance section: what one load run measured, typed. Written by the load engine
//! ([`crate::load`]) or read back from a k6 summary (`--import-k6`); judged by the `performance.*` checks; drawn
//! as SVG plots beside `report.json`.
//!
//! Times are milliseconds (fractional), rates per second, memory bytes. Latency comes in two views (see
//! `../shared/reference/performance.md` §5): **corrected** (response time from each request's *intended* send
//! time, free of coordinated omission) and **service** (from its actual send time); the gap is queueing.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::TransportKind;

/// One load run's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceReport {
    /// Who measured: the harness's own generator or an imported k6 summary.
    pub source: MeasurementSource,
    /// The profile run: fixed-rate load, a stepped stress ramp, or a long endurance run.
    pub profile: LoadProfile,
    /// How requests arrived: open loop at a rate, or closed loop with virtual users.
    pub arrival: Arrival,
    /// The transport the load went over.
    pub transport: TransportKind,
    /// The wire pattern: stdio pipelining, HTTP with one session per connection, stateless HTTP, or a full
    /// session per iteration (churn).
    pub pattern: LoadPattern,
    /// The requests sent, with their weights.
    pub workload: Vec<WorkloadEntry>,
    /// Warm-up before measuring (excluded from every figure).
    pub warmup_ms: f64,
    /// The measured window.
    pub duration_ms: f64,
    /// Requests sent in the measured window.
    pub sent: u64,
    /// Requests answered (successfully or not) in the measured window.
    pub completed: u64,
    /// Requested versus achieved throughput.
    pub throughput: Throughput,
    /// Latency of the requests answered, corrected and uncorrected.
    pub latency: Latency,
    /// Requests that did not succeed, by kind.
    pub errors: ErrorCounts,
    /// One point per second of the measured window (per span of seconds on runs over 20 minutes).
    pub timeline: Vec<TimelinePoint>,
    /// Whether the generator kept its schedule.
    pub generator: GeneratorHealth,
    /// The target's processes (local targets only): memory, CPU and descriptors over the run.
    pub resources: Option<ResourceUse>,
    /// The Nagle × delayed-ACK 40 ms latency quantum detector.
    pub quantum: QuantumFinding,
    /// The stress ramp's steps and knee (the `stress` profile only).
    pub stress: Option<StressRamp>,
    /// The thresholds the `performance.*` checks judged against.
    pub slo: SloThresholds,
    /// SVG plots written beside the report (paths relative to the report's directory).
    pub plots: Vec<PlotRef>,
    /// The machine the generator ran on.
    pub environment: Environment,
    /// What a reader should know about these figures (an imported summary's gaps, how the workload was chosen).
    pub notes: Vec<String>,
}

/// Who measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MeasurementSource {
    /// The harness's own open-/closed-loop generator.
    Harness,
    /// A k6 `--summary-export` file (`--import-k6`); k6 measures from the actual send time only.
    K6,
}

/// The load profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LoadProfile {
    /// A fixed rate for the duration (the default).
    #[default]
    Load,
    /// The rate stepped up until an SLO breaks; the knee is the highest rate sustained within every SLO.
    Stress,
    /// A long run at a fixed rate, watching memory and descriptors for growth.
    Endurance,
}

impl LoadProfile {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadProfile::Load => "load",
            LoadProfile::Stress => "stress",
            LoadProfile::Endurance => "endurance",
        }
    }
}

/// How requests arrived.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "model")]
pub enum Arrival {
    /// Open loop: request *i* is due at `start + i / rate`, whatever the answers before it.
    #[serde(rename = "open")]
    Open {
        /// Requests per second asked for.
        rate: f64,
    },
    /// Closed loop: each virtual user sends its next request when the previous one is answered.
    #[serde(rename = "closed", rename_all = "camelCase")]
    Closed {
        /// Concurrent virtual users.
        virtual_users: u32,
    },
}

/// The wire pattern of the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LoadPattern {
    /// One stdio process, requests pipelined under a bounded in-flight window.
    StdioPipelined,
    /// HTTP keep-alive connections, each with its own session (2025 revisions).
    HttpSession,
    /// HTTP keep-alive connections, every request stateless (2026-07-28).
    HttpStateless,
    /// A whole session per iteration: initialize → initialized → call → DELETE (for comparison with the
    /// published MCP server benchmarks); latency is the whole iteration's.
    HttpChurn,
}

impl LoadPattern {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadPattern::StdioPipelined => "stdio-pipelined",
            LoadPattern::HttpSession => "http-session",
            LoadPattern::HttpStateless => "http-stateless",
            LoadPattern::HttpChurn => "http-churn",
        }
    }
}

/// One kind of request in the workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadEntry {
    /// The JSON-RPC method (`tools/call`, `tools/list`, `ping`).
    pub method: String,
    /// The tool called, for `tools/call`.
    pub tool: Option<String>,
    /// The arguments sent.
    pub arguments: Option<serde_json::Value>,
    /// Relative weight in the mix.
    pub weight: u32,
    /// Why this request was chosen (for the default workload).
    pub chosen_because: Option<String>,
}

/// Requested versus achieved throughput.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Throughput {
    /// Requests per second asked for (open loop only).
    pub requested_per_sec: Option<f64>,
    /// Answers received per second within the measured window (answers that came only after it, while the
    /// requests in flight drained, do not count).
    pub achieved_per_sec: f64,
    /// Requests sent per second over the measured window.
    pub sent_per_sec: f64,
    /// `achieved ÷ requested` (open loop only).
    pub ratio: Option<f64>,
}

/// Latency, two ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    /// From each request's intended send time (coordinated-omission-free).
    pub corrected: LatencySummary,
    /// From each request's actual send time (what closed-loop tools report).
    pub service: LatencySummary,
    /// The percentile distribution of both, for plots: ascending percentiles from 0 to 100.
    pub distribution: Vec<PercentilePoint>,
}

/// Summary statistics of one latency histogram, in milliseconds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LatencySummary {
    /// Samples recorded.
    pub count: u64,
    /// Arithmetic mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest sample.
    pub max_ms: f64,
}

/// One point of the percentile distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PercentilePoint {
    /// The percentile (0–100).
    pub percentile: f64,
    /// Corrected latency at it.
    pub corrected_ms: f64,
    /// Service latency at it.
    pub service_ms: f64,
}

/// The kinds of unsuccessful requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// A JSON-RPC `error` answer.
    JsonRpc,
    /// A `tools/call` result with `isError: true`.
    ToolError,
    /// No answer within the request timeout.
    Timeout,
    /// The connection or process failed (refused, reset, exited, unparsable answer).
    Transport,
    /// An HTTP status other than 2xx.
    HttpStatus,
}

impl ErrorKind {
    /// Every kind, in report order.
    pub const ALL: [ErrorKind; 5] =
        [ErrorKind::JsonRpc, ErrorKind::ToolError, ErrorKind::Timeout, ErrorKind::Transport, ErrorKind::HttpStatus];

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::JsonRpc => "json-rpc",
            ErrorKind::ToolError => "tool-error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::HttpStatus => "http-status",
        }
    }
}

/// Unsuccessful requests, counted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCounts {
    /// All unsuccessful requests.
    pub total: u64,
    /// `total ÷ sent` (0 when nothing was sent).
    pub rate: f64,
    /// Counts by kind (kinds with no error are left out).
    pub by_kind: BTreeMap<ErrorKind, u64>,
    /// JSON-RPC error codes and HTTP statuses seen, with counts (`"-32603"`, `"http 503"`).
    pub by_code: BTreeMap<String, u64>,
    /// The first few errors, described (at most 5).
    pub examples: Vec<String>,
}

/// One second of the measured window; on runs longer than 20 minutes one span of several seconds (the gap to the
/// next point's `second`), so the timeline holds at most 1,200 points and its counts are per span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePoint {
    /// Seconds since the measured window began (the start of the point's span).
    pub second: u32,
    /// Requests due (sent) in this second.
    pub sent: u64,
    /// Requests answered in this second.
    pub completed: u64,
    /// Unsuccessful requests answered (or timed out) in this second.
    pub errors: u64,
    /// Corrected median latency of the requests answered in this second.
    pub p50_ms: f64,
    /// Corrected 99th percentile of the requests answered in this second.
    pub p99_ms: f64,
}

/// Whether the generator kept its schedule: when it did not, the run measured the generator, not the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GeneratorHealth {
    /// Sends the scheduler issued more than 2 ms after their intended time (1 ms beyond the timer's resolution)
    /// through its own fault (not while the target's in-flight window was full).
    pub late_sends: u64,
    /// `late_sends ÷ sent`.
    pub late_share: f64,
    /// The largest such lag.
    pub max_lag_ms: f64,
    /// The generator's own CPU use over the measured window, in percent of one core.
    pub cpu_percent: Option<f64>,
    /// More than 1 % of sends late, or the generator above 90 % of every core: the rate asked for was not offered.
    pub saturated: bool,
    /// Requests allowed in flight at once (open loop).
    pub in_flight_limit: u32,
    /// Times the scheduler had to wait because the in-flight window was full (the target was not keeping up).
    pub window_full_waits: u64,
    /// HTTP connections used (HTTP only).
    pub connections: Option<u32>,
}

/// The target's resource use, sampled from `/proc`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceUse {
    /// The process ids of the tree sampled (the root first).
    pub pids: Vec<u32>,
    /// Samples, about four a second, from the start of the warm-up.
    pub samples: Vec<ResourceSample>,
    /// Resident memory of the tree when the measured window began.
    pub rss_start_bytes: u64,
    /// Resident memory of the tree at its end.
    pub rss_end_bytes: u64,
    /// The largest resident memory seen.
    pub rss_peak_bytes: u64,
    /// `rss_end − rss_start` (negative when memory was released).
    pub rss_growth_bytes: i64,
    /// CPU time (user + system) the tree used in the measured window, in seconds.
    pub cpu_seconds: f64,
    /// CPU per answered request, in microseconds.
    pub cpu_micros_per_call: Option<f64>,
    /// Open file descriptors of the tree at the start and end of the measured window.
    pub fds_start: u64,
    /// See `fds_start`.
    pub fds_end: u64,
}

/// One sample of the target's resource use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSample {
    /// Milliseconds since the load began (warm-up included).
    pub at_ms: f64,
    /// Resident memory of the tree.
    pub rss_bytes: u64,
    /// CPU use since the previous sample, in percent of one core.
    pub cpu_percent: f64,
    /// Open file descriptors of the tree.
    pub fds: u64,
}

/// The 40 ms quantum: Nagle's algorithm on one side and delayed ACKs on the other hold small writes for ≈ 40 ms
/// (Linux), so latencies pile up at 38–48 ms whatever the server does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuantumFinding {
    /// Share of service-time samples in 38–48 ms.
    pub share: f64,
    /// Share in the neighbouring windows 28–38 ms and 48–58 ms together.
    pub neighbour_share: f64,
    /// More than 1 % of samples in the window and at least five times the neighbours: the quantum's signature.
    pub detected: bool,
}

/// The stress ramp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StressRamp {
    /// The steps run, in order.
    pub steps: Vec<StressStep>,
    /// The highest rate sustained within every SLO (none when the first step already broke one).
    pub knee_rate: Option<f64>,
}

/// One step of the stress ramp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StressStep {
    /// Requests per second asked for.
    pub rate: f64,
    /// Requests answered per second.
    pub achieved_per_sec: f64,
    /// Corrected mean latency.
    pub mean_ms: f64,
    /// Corrected 95th percentile.
    pub p95_ms: f64,
    /// Corrected 99th percentile.
    pub p99_ms: f64,
    /// Error rate.
    pub error_rate: f64,
    /// The SLOs this step broke (empty when sustained).
    pub broken: Vec<String>,
}

/// The SLO thresholds of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SloThresholds {
    /// Corrected mean latency must stay below this.
    pub mean_ms: f64,
    /// Corrected 95th percentile must stay below this.
    pub p95_ms: f64,
    /// Error rate must stay below this (a fraction: 0.01 is 1 %).
    pub error_rate: f64,
    /// The target's memory may grow by less than this over the measured window.
    pub rss_growth_bytes: u64,
    /// Achieved throughput must reach this fraction of the requested rate.
    pub achieved_ratio: f64,
}

/// An SVG plot written beside the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlotRef {
    /// What it shows.
    pub kind: PlotKind,
    /// Its path, relative to the report's directory.
    pub path: String,
}

/// The plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PlotKind {
    /// Latency by percentile (log scale), corrected versus service time.
    LatencyDistribution,
    /// Throughput and latency per second.
    Timeline,
}

/// The machine the generator ran on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// CPU model (`/proc/cpuinfo`).
    pub cpu_model: Option<String>,
    /// Logical CPUs available.
    pub cpus: u32,
    /// `/proc/loadavg`'s one-minute average before the run.
    pub load_before: Option<f64>,
    /// The same after the run.
    pub load_after: Option<f64>,
    /// Kernel release (`/proc/sys/kernel/osrelease`).
    pub kernel: Option<String>,
    /// Whether the harness was built with optimisations (a debug build measures itself).
    pub optimized_build: bool,
}
