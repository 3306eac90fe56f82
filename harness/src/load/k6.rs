//! The k6 round trip: load beyond one machine goes to k6. [`k6_script`] writes a self-contained k6 script for a
//! workload; users run it (`k6 run --summary-export summary.json script.js`, locally, on k6-operator or in k6
//! cloud) and bring the summary back with [`import_k6_summary`], which maps it onto a [`PerformanceReport`] that
//! the same `performance.*` checks judge.
//!
//! # The contract between script and importer
//!
//! - Every measured MCP call carries the tag `mcp:call`; warm-up calls carry `mcp:warmup`, the stateful handshake
//!   `mcp:handshake`. The script's thresholds create the sub-metrics `http_req_duration{mcp:call}`,
//!   `http_reqs{mcp:call}`, `http_req_failed{mcp:call}` and `dropped_iterations{scenario:measured}`, so they are
//!   in the summary (k6 writes a sub-metric only when a threshold names it).
//! - Each measured call is classified once, in the harness's error taxonomy, into the counters
//!   `mcp_transport_errors`, `mcp_timeouts`, `mcp_http_errors`, `mcp_jsonrpc_errors` and `mcp_tool_errors` (0 is
//!   added for the kinds it is not, so every counter is in the summary); a measured iteration whose stateful
//!   handshake failed counts in `mcp_handshake_errors`.
//! - `setup()` records the run's options as gauges (`mcp_harness_rate`, `mcp_harness_duration_ms`,
//!   `mcp_harness_warmup_ms`, `mcp_harness_stateless`, `mcp_harness_max_vus`): a summary has no options and the
//!   counters' own `rate` divides by the whole run (warm-up and setup included), so the importer divides by the
//!   measured window instead.
//!
//! # The summary formats read
//!
//! `k6 run --summary-export=FILE` writes the legacy format: each metric's values at the top of its object, a
//! rate metric's ratio under `value` (renamed from `rate`), thresholds as `{"source": failed}` and no `state`.
//! `handleSummary(data)` receives the newer shape: `{"metrics": {name: {"type", "contains", "values": {…},
//! "thresholds": {"source": {"ok"}}}}, "state": {"testRunDurationMs"}}`. Both are read. For a rate metric,
//! `passes` counts the samples that were *true* (non-zero) and `fails` the others (grafana/k6 `js/summary.go`,
//! `metricValueGetter`); `http_req_failed` adds 1 for a failed request, so its `passes` are the *failed*
//! requests.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::report::model::TransportKind;
use crate::report::performance::{
    Arrival, Environment, ErrorCounts, ErrorKind, GeneratorHealth, Latency, LatencySummary, LoadPattern, LoadProfile,
    MeasurementSource, PercentilePoint, PerformanceReport, QuantumFinding, SloThresholds, Throughput,
};

/// A workload to export as a k6 script.
#[derive(Debug, Clone, PartialEq)]
pub struct K6Export {
    /// The MCP endpoint. Credentials in it (user info, token-like query parameters) are left out of the script.
    pub url: String,
    /// The protocol revision spoken (`2025-11-25`, `2026-07-28`).
    pub revision: String,
    /// Whether the revision is stateless (2026-07-28): no session, `Mcp-Method`/`Mcp-Name` on every request.
    pub stateless: bool,
    /// Requests per second (open model).
    pub rate: f64,
    /// The measured window.
    pub duration: Duration,
    /// Warm-up before the measured window (none when zero).
    pub warmup: Duration,
    /// VUs to allocate up front (k6 keeps connections per VU); up to four times as many may be added.
    pub connections_hint: u32,
    /// The requests, picked by weight.
    pub requests: Vec<K6Request>,
}

/// One request of the exported workload.
#[derive(Debug, Clone, PartialEq)]
pub struct K6Request {
    /// The JSON-RPC method.
    pub method: String,
    /// The params, sent as given (on the stateless revision they already hold `_meta`).
    pub params: Option<Value>,
    /// The `Mcp-Name` header value (stateless revision), already header-safe.
    pub name_header: Option<String>,
    /// Relative weight in the mix.
    pub weight: u32,
}

/// Why a k6 summary could not be imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum K6ImportError {
    /// A metric the report needs is not in the summary.
    #[error("read the k6 summary: it has no `{metric}` metric")]
    MissingMetric {
        /// The metric's name.
        metric: String,
    },
    /// A metric lacks a statistic the report needs.
    #[error("read the k6 summary: metric `{metric}` has no `{stat}`")]
    MissingStat {
        /// The metric's name.
        metric: String,
        /// The statistic (`avg`, `p(95)`, `count`).
        stat: String,
    },
    /// The text is not JSON.
    #[error("parse the k6 summary as JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// The JSON has no `metrics` object.
    #[error("read the k6 summary: the JSON has no `metrics` object")]
    NotSummary,
}

/// The trend statistics the script asks k6 for (`count` too, so the latency sample count is exact).
pub const SUMMARY_TREND_STATS: [&str; 9] = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "p(99.9)", "count"];

/// A self-contained k6 script (only `k6`, `k6/http` and `k6/metrics`) that runs `export`'s workload open-loop
/// (`constant-arrival-rate`) after an optional warm-up scenario, and records what [`import_k6_summary`] reads.
pub fn k6_script(export: &K6Export) -> String {
    let (url, dropped) = redact_url(&export.url);
    let pre_allocated = export.connections_hint.max(1);
    let max_vus = pre_allocated.saturating_mul(4);
    let rate = if export.rate.is_finite() && export.rate > 0.0 { export.rate } else { 1.0 };
    // constant-arrival-rate takes an integer `rate` per `timeUnit`: a fractional rate is expressed per minute.
    let (k6_rate, time_unit) = if rate.fract() == 0.0 { (rate, "1s") } else { ((rate * 60.0).round().max(1.0), "1m") };
    let duration_s = export.duration.as_secs().max(1);
    let warmup_s = export.warmup.as_secs();
    let requests: Vec<Value> = export
        .requests
        .iter()
        .filter(|r| r.weight > 0)
        .map(|r| json!({"method": r.method, "params": r.params, "name": r.name_header, "weight": r.weight}))
        .collect();
    let js = |v: &Value| serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned());

    let mut s = String::new();
    let _ = writeln!(
        s,
        "// k6 script written by mcp-harness {} (`mcp-harness run --suite performance --export-k6 FILE`).",
        env!("CARGO_PKG_VERSION")
    );
    s.push_str(
        "// Open-model load on an MCP server over Streamable HTTP, for k6 runs beyond one machine (k6-operator, k6 cloud).\n\
         //\n\
         // Run:    k6 run --summary-export summary.json script.js\n\
         // Import: mcp-harness run --url URL --suite performance --import-k6 summary.json   (the same SLO checks)\n\
         //\n\
         // Environment: MCP_URL overrides the endpoint; MCP_BEARER_TOKEN, when set, is sent as `Authorization: Bearer`.\n\
         // Keep the tags (`mcp`), thresholds, counters and setup() gauges: the import reads them.\n",
    );
    if !dropped.is_empty() {
        let _ = writeln!(
            s,
            "// The endpoint's {} were left out of this file: set MCP_URL or MCP_BEARER_TOKEN.",
            dropped.join(" and ")
        );
    }
    s.push('\n');
    let _ = writeln!(s, "{}", SCRIPT_IMPORTS);
    let _ = writeln!(s, "const URL = __ENV.MCP_URL || {};", js(&Value::String(url)));
    let _ = writeln!(s, "const REVISION = {};", js(&Value::String(export.revision.clone())));
    let _ = writeln!(s, "const STATELESS = {};", export.stateless);
    let _ = writeln!(s, "const RATE = {};", js_number(rate));
    let _ = writeln!(s, "const DURATION_S = {duration_s};");
    let _ = writeln!(s, "const WARMUP_S = {warmup_s};");
    let _ = writeln!(s, "const MAX_VUS = {max_vus};");
    let _ = writeln!(s, "const HARNESS_VERSION = {};", js(&Value::String(env!("CARGO_PKG_VERSION").to_owned())));
    let _ = writeln!(s, "// The workload: picked by weight for every arrival.");
    let _ = writeln!(s, "const REQUESTS = [");
    for r in &requests {
        let _ = writeln!(s, "  {},", js(r));
    }
    let _ = writeln!(s, "];\n");

    let _ = writeln!(s, "const SCENARIO = {{");
    let _ = writeln!(s, "  executor: 'constant-arrival-rate',");
    let _ = writeln!(s, "  rate: {},", js_number(k6_rate));
    let _ = writeln!(s, "  timeUnit: '{time_unit}',");
    let _ = writeln!(s, "  preAllocatedVUs: {pre_allocated},");
    let _ = writeln!(s, "  maxVUs: MAX_VUS,");
    let _ = writeln!(s, "}};\n");
    let _ = writeln!(s, "export const options = {{");
    let stats: Vec<String> = SUMMARY_TREND_STATS.iter().map(|st| format!("'{st}'")).collect();
    let _ = writeln!(s, "  // p(99) and p(99.9) are not in k6's default summary; the import needs them.");
    let _ = writeln!(s, "  summaryTrendStats: [{}],", stats.join(", "));
    let _ = writeln!(s, "  scenarios: {{");
    if warmup_s > 0 {
        let _ = writeln!(
            s,
            "    warmup: Object.assign({{}}, SCENARIO, {{ exec: 'warmup', startTime: '0s', duration: '{warmup_s}s', gracefulStop: '5s', tags: {{ mcp_phase: 'warmup' }} }}),"
        );
    }
    let _ = writeln!(
        s,
        "    measured: Object.assign({{}}, SCENARIO, {{ exec: 'measured', startTime: '{warmup_s}s', duration: '{duration_s}s', tags: {{ mcp_phase: 'measured' }} }}),"
    );
    let _ = writeln!(s, "  }},");
    s.push_str(SCRIPT_THRESHOLDS);
    let _ = writeln!(s, "}};\n");
    s.push_str(SCRIPT_BODY);
    s
}

/// Reads a k6 summary (`--summary-export` or `handleSummary` JSON) into a performance report measured by k6, and
/// returns human notes on what the summary could not say (k6 times from the actual send, missing percentiles, …).
///
/// `requested_rate` is the rate asked for; without it, the rate the script recorded is used.
pub fn import_k6_summary(
    text: &str,
    slo: &SloThresholds,
    requested_rate: Option<f64>,
) -> Result<(PerformanceReport, Vec<String>), K6ImportError> {
    let root: Value = serde_json::from_str(text)?;
    let metrics = root.get("metrics").and_then(Value::as_object).ok_or(K6ImportError::NotSummary)?;
    let summary = Summary { metrics };
    let mut notes = vec![
        "k6 measures latency from the actual send time (http_req_duration: sending + waiting + receiving, \
         connection setup excluded): the corrected figures equal the service figures, and a stalled server can \
         hide in dropped iterations instead of in the tail"
            .to_owned(),
    ];

    // The measured calls, or everything when the script did not tag them.
    let (duration_metric, reqs_metric, failed_metric) =
        if summary.has("http_reqs{mcp:call}") && summary.has("http_req_duration{mcp:call}") {
            ("http_req_duration{mcp:call}", "http_reqs{mcp:call}", "http_req_failed{mcp:call}")
        } else {
            notes.push(
                "the summary has no `{mcp:call}` sub-metrics (not a script exported by mcp-harness?): figures \
                 include every HTTP request, warm-up and handshakes too"
                    .to_owned(),
            );
            ("http_req_duration", "http_reqs", "http_req_failed")
        };
    let calls = summary.count(reqs_metric)?;

    let stateless = summary.gauge("mcp_harness_stateless");
    let pattern = match stateless {
        Some(0.0) => LoadPattern::HttpSession,
        Some(_) => LoadPattern::HttpStateless,
        None => {
            notes.push("the summary does not record the wire pattern: taken as stateless HTTP".to_owned());
            LoadPattern::HttpStateless
        }
    };
    let warmup_ms = summary.gauge("mcp_harness_warmup_ms").unwrap_or(0.0);
    let duration_ms = match summary.gauge("mcp_harness_duration_ms") {
        Some(ms) => ms,
        None => {
            let whole_run = root
                .pointer("/state/testRunDurationMs")
                .and_then(Value::as_f64)
                .or_else(|| summary.counter_run_ms(reqs_metric))
                .unwrap_or(0.0);
            notes.push(
                "the summary does not record the measured window: rates are over the whole k6 run (warm-up \
                 included)"
                    .to_owned(),
            );
            whole_run
        }
    };
    let recorded_rate = summary.gauge("mcp_harness_rate");
    let requested = requested_rate.or(recorded_rate).filter(|r| r.is_finite() && *r > 0.0);

    // Errors, one kind per measured call.
    let counter = |name: &str| summary.optional_count(name);
    let mut by_kind = BTreeMap::new();
    let handshake_failures = counter("mcp_handshake_errors").unwrap_or(0);
    let own_counters = ["mcp_transport_errors", "mcp_timeouts", "mcp_http_errors"].iter().any(|m| summary.has(m));
    let mut add = |kind, n: u64| {
        if n > 0 {
            *by_kind.entry(kind).or_insert(0) += n;
        }
    };
    add(ErrorKind::JsonRpc, counter("mcp_jsonrpc_errors").unwrap_or(0));
    add(ErrorKind::ToolError, counter("mcp_tool_errors").unwrap_or(0));
    let (timeouts, transport) = if own_counters {
        let timeouts = counter("mcp_timeouts").unwrap_or(0);
        let transport = counter("mcp_transport_errors").unwrap_or(0);
        add(ErrorKind::Timeout, timeouts);
        add(ErrorKind::Transport, transport + handshake_failures);
        add(ErrorKind::HttpStatus, counter("mcp_http_errors").unwrap_or(0));
        (timeouts, transport)
    } else {
        // `passes` of a rate metric are its true samples: for http_req_failed, the failed requests.
        let failed = summary.rate_passes(failed_metric).unwrap_or(0);
        add(ErrorKind::HttpStatus, failed);
        add(ErrorKind::Transport, handshake_failures);
        notes.push(format!(
            "the summary has no mcp-harness error counters: the {failed} failed HTTP requests of \
             `{failed_metric}` are counted as HTTP-status errors (transport failures and timeouts included)"
        ));
        (0, 0)
    };
    if handshake_failures > 0 {
        notes.push(format!(
            "{handshake_failures} measured iterations could not open a session (initialize failed): counted as \
             sent and as transport errors"
        ));
    }
    let sent = calls + handshake_failures;
    let completed = calls.saturating_sub(timeouts + transport);
    let total: u64 = by_kind.values().sum();
    let errors = ErrorCounts {
        total,
        rate: if sent == 0 { 0.0 } else { total as f64 / sent as f64 },
        by_kind,
        by_code: BTreeMap::new(),
        examples: Vec::new(),
    };

    let latency = summary.latency(duration_metric, calls, &mut notes)?;

    let seconds = duration_ms / 1000.0;
    let per_sec = |n: u64| if seconds > 0.0 { n as f64 / seconds } else { 0.0 };
    let achieved = per_sec(completed);
    let throughput = Throughput {
        requested_per_sec: requested,
        achieved_per_sec: achieved,
        sent_per_sec: per_sec(sent),
        ratio: requested.map(|r| achieved / r),
    };
    let arrival_rate = requested.unwrap_or_else(|| {
        notes.push("the requested rate is unknown: the arrival rate shown is the achieved one".to_owned());
        achieved
    });

    let dropped = summary
        .optional_count("dropped_iterations{scenario:measured}")
        .or_else(|| summary.optional_count("dropped_iterations"))
        .unwrap_or(0);
    let due = sent + dropped;
    let late_share = if due == 0 { 0.0 } else { dropped as f64 / due as f64 };
    if dropped > 0 {
        notes.push(format!(
            "k6 dropped {dropped} of {due} due iterations (no free VU): the rate asked for was not offered"
        ));
    }
    let generator = GeneratorHealth {
        late_sends: dropped,
        late_share,
        max_lag_ms: 0.0,
        cpu_percent: None,
        saturated: late_share > 0.01,
        in_flight_limit: summary.gauge("mcp_harness_max_vus").map_or(0, |v| v as u32),
        window_full_waits: 0,
        connections: None,
    };
    notes.push(
        "a k6 summary has no per-second timeline, no workload, no resource use and no latency histogram for the \
         40 ms quantum: those parts of the report are empty"
            .to_owned(),
    );

    let report = PerformanceReport {
        source: MeasurementSource::K6,
        profile: LoadProfile::Load,
        arrival: Arrival::Open { rate: arrival_rate },
        transport: TransportKind::Http,
        pattern,
        workload: Vec::new(),
        warmup_ms,
        duration_ms,
        sent,
        completed,
        throughput,
        latency,
        errors,
        timeline: Vec::new(),
        generator,
        resources: None,
        quantum: QuantumFinding { share: 0.0, neighbour_share: 0.0, detected: false },
        stress: None,
        slo: slo.clone(),
        plots: Vec::new(),
        environment: Environment::default(),
        notes: Vec::new(),
    };
    Ok((report, notes))
}

/// The `metrics` object of a summary in either format.
struct Summary<'a> {
    metrics: &'a Map<String, Value>,
}

impl Summary<'_> {
    fn has(&self, name: &str) -> bool {
        self.metrics.contains_key(name)
    }

    /// A metric's values: under `values` (handleSummary) or at the top of its object (`--summary-export`).
    fn values(&self, name: &str) -> Option<&Map<String, Value>> {
        let metric = self.metrics.get(name)?.as_object()?;
        match metric.get("values").and_then(Value::as_object) {
            Some(values) => Some(values),
            None => Some(metric),
        }
    }

    fn stat(&self, name: &str, stat: &str) -> Option<f64> {
        self.values(name)?.get(stat)?.as_f64().filter(|v| v.is_finite())
    }

    fn required(&self, name: &str, stat: &str) -> Result<f64, K6ImportError> {
        if !self.has(name) {
            return Err(K6ImportError::MissingMetric { metric: name.to_owned() });
        }
        self.stat(name, stat)
            .ok_or_else(|| K6ImportError::MissingStat { metric: name.to_owned(), stat: stat.to_owned() })
    }

    /// A counter's `count`, required.
    fn count(&self, name: &str) -> Result<u64, K6ImportError> {
        self.required(name, "count").map(to_count)
    }

    /// A counter's `count`, when the counter is there.
    fn optional_count(&self, name: &str) -> Option<u64> {
        self.stat(name, "count").map(to_count)
    }

    /// A gauge's last `value`.
    fn gauge(&self, name: &str) -> Option<f64> {
        self.stat(name, "value")
    }

    /// A rate metric's true samples (`passes`).
    fn rate_passes(&self, name: &str) -> Option<u64> {
        self.stat(name, "passes").map(to_count)
    }

    /// The whole run's length, from a counter's `count ÷ rate` (k6 divides by the test run's duration).
    fn counter_run_ms(&self, name: &str) -> Option<f64> {
        let (count, rate) = (self.stat(name, "count")?, self.stat(name, "rate")?);
        (rate > 0.0).then(|| count / rate * 1000.0)
    }

    /// The latency summary and percentile points of a trend; p(99)/p(99.9) fall back to the max with a note.
    fn latency(&self, name: &str, calls: u64, notes: &mut Vec<String>) -> Result<Latency, K6ImportError> {
        let mean_ms = self.required(name, "avg")?;
        let p50_ms = self.required(name, "med")?;
        let p90_ms = self.required(name, "p(90)")?;
        let p95_ms = self.required(name, "p(95)")?;
        let max_ms = self.required(name, "max")?;
        let mut upper = |stat: &str| {
            self.stat(name, stat).unwrap_or_else(|| {
                notes.push(format!(
                    "{stat} not in the summary (reported as the max, an upper bound): add `summaryTrendStats` with \
                     {stat} to the k6 options"
                ));
                max_ms
            })
        };
        let p99_ms = upper("p(99)");
        let p999_ms = upper("p(99.9)");
        let count = self.stat(name, "count").map_or(calls, to_count);
        let summary = LatencySummary { count, mean_ms, p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, max_ms };
        let points = [
            (0.0, self.stat(name, "min")),
            (50.0, Some(p50_ms)),
            (90.0, Some(p90_ms)),
            (95.0, Some(p95_ms)),
            (99.0, self.stat(name, "p(99)")),
            (99.9, self.stat(name, "p(99.9)")),
            (100.0, Some(max_ms)),
        ];
        let distribution = points
            .into_iter()
            .filter_map(|(percentile, ms)| {
                ms.map(|ms| PercentilePoint { percentile, corrected_ms: ms, service_ms: ms })
            })
            .collect();
        Ok(Latency { corrected: summary.clone(), service: summary, distribution })
    }
}

/// A k6 count (a float) as a whole number; negatives and fractions cannot occur in a real summary.
fn to_count(v: f64) -> u64 {
    v.max(0.0).round() as u64
}

/// A number as JavaScript source: whole numbers without a fraction (`40`, not `40.0`).
fn js_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// The URL without credentials: user info and token-like query parameters are removed. Returns what was removed.
fn redact_url(url: &str) -> (String, Vec<&'static str>) {
    let mut dropped = Vec::new();
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => {
            dropped.push("user credentials");
            &authority[at + 1..]
        }
        None => authority,
    };
    let (path_query, fragment) = match tail.find('#') {
        Some(i) => tail.split_at(i),
        None => (tail, ""),
    };
    let (path, query) = match path_query.find('?') {
        Some(i) => (&path_query[..i], Some(&path_query[i + 1..])),
        None => (path_query, None),
    };
    let mut out = format!("{scheme}{host}{path}");
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
                let secret = ["token", "key", "secret", "password", "passwd", "auth", "credential", "signature", "sig"]
                    .iter()
                    .any(|s| name.contains(s));
                if secret && !dropped.contains(&"token-like query parameters") {
                    dropped.push("token-like query parameters");
                }
                !secret && !pair.is_empty()
            })
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    out.push_str(fragment);
    (out, dropped)
}

const SCRIPT_IMPORTS: &str = "\
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Gauge } from 'k6/metrics';
";

const SCRIPT_THRESHOLDS: &str =
    "  // The SLOs are judged by mcp-harness on import. These always-true thresholds make k6 write the measured
  // calls' sub-metrics into the summary; add your own to fail the k6 run itself.
  thresholds: {
    'http_req_duration{mcp:call}': ['max>=0'],
    'http_reqs{mcp:call}': ['count>=0'],
    'http_req_failed{mcp:call}': ['rate>=0'],
    'dropped_iterations{scenario:measured}': ['count>=0'],
    'checks{mcp:call}': ['rate>=0'],
  },
";

const SCRIPT_BODY: &str = r#"// One counter per error kind of the harness; every measured call adds to each (1 to its own kind, 0 elsewhere).
const transportErrors = new Counter('mcp_transport_errors');
const timeouts = new Counter('mcp_timeouts');
const httpErrors = new Counter('mcp_http_errors');
const jsonrpcErrors = new Counter('mcp_jsonrpc_errors');
const toolErrors = new Counter('mcp_tool_errors');
const handshakeErrors = new Counter('mcp_handshake_errors');
// The run's options, for the import (a summary carries none).
const runRate = new Gauge('mcp_harness_rate');
const runDuration = new Gauge('mcp_harness_duration_ms');
const runWarmup = new Gauge('mcp_harness_warmup_ms');
const runStateless = new Gauge('mcp_harness_stateless');
const runMaxVus = new Gauge('mcp_harness_max_vus');

const TOTAL_WEIGHT = REQUESTS.reduce((sum, r) => sum + r.weight, 0);

// Per VU: the session (stateful revisions), the negotiated version and the next request id.
let session = null;
let protocolVersion = REVISION;
let nextId = 1;

export function setup() {
  runRate.add(RATE);
  runDuration.add(DURATION_S * 1000);
  runWarmup.add(WARMUP_S * 1000);
  runStateless.add(STATELESS ? 1 : 0);
  runMaxVus.add(MAX_VUS);
  handshakeErrors.add(0);
}

export function warmup() {
  call('warmup');
}

export function measured() {
  call('call');
}

function baseHeaders() {
  const headers = {
    'Content-Type': 'application/json',
    'Accept': 'application/json, text/event-stream',
  };
  if (__ENV.MCP_BEARER_TOKEN) {
    headers['Authorization'] = 'Bearer ' + __ENV.MCP_BEARER_TOKEN;
  }
  return headers;
}

function header(res, name) {
  const wanted = name.toLowerCase();
  for (const key in res.headers) {
    if (key.toLowerCase() === wanted) {
      return res.headers[key];
    }
  }
  return null;
}

// The JSON-RPC answer to `id` in a JSON or SSE body, or null.
function answer(res, id) {
  const body = typeof res.body === 'string' ? res.body : '';
  const type = (header(res, 'Content-Type') || '').toLowerCase();
  const candidates = [];
  if (type.indexOf('text/event-stream') >= 0) {
    for (const event of body.split(/\r?\n\r?\n/)) {
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (data) candidates.push(data);
    }
  } else {
    candidates.push(body);
  }
  for (const text of candidates) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      continue;
    }
    const msgs = Array.isArray(msg) ? msg : [msg];
    for (const m of msgs) {
      if (m && m.id === id && (m.result !== undefined || m.error !== undefined)) return m;
    }
  }
  return null;
}

// Stateful revisions: initialize once per VU, then notifications/initialized; the session is reused.
function ensureSession(phase) {
  if (STATELESS || session !== null) return true;
  const tags = { mcp: 'handshake' };
  const id = nextId++;
  const init = {
    jsonrpc: '2.0', id: id, method: 'initialize',
    params: { protocolVersion: REVISION, capabilities: {}, clientInfo: { name: 'mcp-harness-k6', version: HARNESS_VERSION } },
  };
  const res = http.post(URL, JSON.stringify(init), { headers: baseHeaders(), tags: tags });
  const msg = res.status >= 200 && res.status < 300 ? answer(res, id) : null;
  if (msg === null || msg.error !== undefined) {
    if (phase === 'call') handshakeErrors.add(1);
    return false;
  }
  protocolVersion = (msg.result && msg.result.protocolVersion) || REVISION;
  const headers = baseHeaders();
  headers['MCP-Protocol-Version'] = protocolVersion;
  const sid = header(res, 'Mcp-Session-Id');
  if (sid) headers['Mcp-Session-Id'] = sid;
  const note = http.post(URL, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), { headers: headers, tags: tags });
  if (note.status < 200 || note.status >= 300) {
    if (phase === 'call') handshakeErrors.add(1);
    return false;
  }
  session = { id: sid };
  return true;
}

function pick() {
  let n = Math.random() * TOTAL_WEIGHT;
  for (const r of REQUESTS) {
    n -= r.weight;
    if (n < 0) return r;
  }
  return REQUESTS[REQUESTS.length - 1];
}

// One MCP call; `phase` is 'call' (measured) or 'warmup'.
function call(phase) {
  if (!ensureSession(phase)) return;
  const r = pick();
  const id = nextId++;
  const msg = { jsonrpc: '2.0', id: id, method: r.method };
  if (r.params !== null && r.params !== undefined) msg.params = r.params;
  const headers = baseHeaders();
  headers['MCP-Protocol-Version'] = STATELESS ? REVISION : protocolVersion;
  if (STATELESS) {
    headers['Mcp-Method'] = r.method;
    if (r.name !== null && r.name !== undefined) headers['Mcp-Name'] = r.name;
  } else if (session.id) {
    headers['Mcp-Session-Id'] = session.id;
  }
  const res = http.post(URL, JSON.stringify(msg), { headers: headers, tags: { mcp: phase, mcp_method: r.method } });
  if (!STATELESS && res.status === 404) session = null; // the session expired: open a new one next time
  if (phase !== 'call') return;

  let kind = 'ok';
  let reply = null;
  if (res.error_code === 1050) {
    kind = 'timeout';
  } else if (res.status === 0) {
    kind = 'transport';
  } else if (res.status < 200 || res.status >= 300) {
    kind = 'http';
  } else {
    reply = answer(res, id);
    if (reply === null) kind = 'transport'; // no parsable answer
    else if (reply.error !== undefined) kind = 'jsonrpc';
    else if (reply.result && reply.result.isError === true) kind = 'tool';
  }
  transportErrors.add(kind === 'transport' ? 1 : 0);
  timeouts.add(kind === 'timeout' ? 1 : 0);
  httpErrors.add(kind === 'http' ? 1 : 0);
  jsonrpcErrors.add(kind === 'jsonrpc' ? 1 : 0);
  toolErrors.add(kind === 'tool' ? 1 : 0);
  check(res, {
    'answered with HTTP 2xx': () => kind !== 'http' && kind !== 'transport' && kind !== 'timeout',
    'no JSON-RPC error': () => kind !== 'jsonrpc',
    'no tool error (isError)': () => kind !== 'tool',
  }, { mcp: 'call' });
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::plot::sample_performance_report;

    fn stateful_export() -> K6Export {
        K6Export {
            url: "http://user:hunter2@127.0.0.1:8765/mcp?access_token=SECRET123&tenant=a".to_owned(),
            revision: "2025-11-25".to_owned(),
            stateless: false,
            rate: 40.0,
            duration: Duration::from_secs(5),
            warmup: Duration::from_secs(2),
            connections_hint: 4,
            requests: vec![
                K6Request {
                    method: "tools/call".to_owned(),
                    params: Some(json!({"name": "echo", "arguments": {"message": "hi"}})),
                    name_header: None,
                    weight: 6,
                },
                K6Request { method: "tools/list".to_owned(), params: None, name_header: None, weight: 2 },
                K6Request {
                    method: "tools/call".to_owned(),
                    params: Some(json!({"name": "fail", "arguments": {}})),
                    name_header: None,
                    weight: 1,
                },
                K6Request { method: "bogus/method".to_owned(), params: None, name_header: None, weight: 1 },
            ],
        }
    }

    fn stateless_export() -> K6Export {
        K6Export {
            url: "https://mcp.example.com/mcp".to_owned(),
            revision: "2026-07-28".to_owned(),
            stateless: true,
            rate: 250.0,
            duration: Duration::from_secs(60),
            warmup: Duration::ZERO,
            connections_hint: 16,
            requests: vec![K6Request {
                method: "tools/call".to_owned(),
                params: Some(json!({
                    "name": "echo",
                    "arguments": {"message": "hi"},
                    "_meta": {"modelcontextprotocol.io/protocolVersion": "2026-07-28"}
                })),
                name_header: Some("echo".to_owned()),
                weight: 1,
            }],
        }
    }

    #[test]
    fn stateless_script_sends_the_2026_headers_at_the_rate() {
        let script = k6_script(&stateless_export());
        for expected in [
            "import http from 'k6/http';",
            "executor: 'constant-arrival-rate'",
            "rate: 250,",
            "timeUnit: '1s'",
            "preAllocatedVUs: 16,",
            "const MAX_VUS = 64;",
            "duration: '60s'",
            "startTime: '0s'",
            "'http_req_duration{mcp:call}'",
            "'http_reqs{mcp:call}'",
            "'dropped_iterations{scenario:measured}'",
            "summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count']",
            "'Content-Type': 'application/json'",
            "'Accept': 'application/json, text/event-stream'",
            "headers['MCP-Protocol-Version']",
            "headers['Mcp-Method'] = r.method;",
            "headers['Mcp-Name'] = r.name;",
            "const STATELESS = true;",
            r#""name":"echo""#,
            r#""_meta":{"modelcontextprotocol.io/protocolVersion":"2026-07-28"}"#,
            "const REVISION = \"2026-07-28\";",
            "k6 run --summary-export summary.json script.js",
            "mcp-harness 0.",
            "__ENV.MCP_BEARER_TOKEN",
            "new Counter('mcp_jsonrpc_errors')",
            "new Counter('mcp_tool_errors')",
        ] {
            assert!(script.contains(expected), "the script lacks {expected:?}:\n{script}");
        }
        assert!(!script.contains("warmup: Object.assign"), "no warm-up scenario was asked for");
        assert!(!script.contains("left out of this file"));
    }

    #[test]
    fn stateful_script_opens_a_session_per_vu_and_keeps_credentials_out() {
        let script = k6_script(&stateful_export());
        for expected in [
            "const STATELESS = false;",
            "method: 'initialize'",
            "notifications/initialized",
            "header(res, 'Mcp-Session-Id')",
            "warmup: Object.assign({}, SCENARIO, { exec: 'warmup', startTime: '0s', duration: '2s'",
            "measured: Object.assign({}, SCENARIO, { exec: 'measured', startTime: '2s', duration: '5s'",
            "rate: 40,",
            "\"http://127.0.0.1:8765/mcp?tenant=a\"",
            "user credentials and token-like query parameters were left out",
            "result.isError === true",
        ] {
            assert!(script.contains(expected), "the script lacks {expected:?}:\n{script}");
        }
        for secret in ["hunter2", "SECRET123", "access_token", "user:"] {
            assert!(!script.contains(secret), "the script leaks {secret:?}");
        }
    }

    #[test]
    fn fractional_rates_go_per_minute() {
        let mut export = stateless_export();
        export.rate = 0.5;
        let script = k6_script(&export);
        assert!(script.contains("rate: 30,") && script.contains("timeUnit: '1m'"), "{script}");
    }

    #[test]
    fn urls_lose_their_credentials_only() {
        assert_eq!(redact_url("http://h:1/mcp").0, "http://h:1/mcp");
        assert_eq!(redact_url("https://a:b@h/mcp?x=1#f"), ("https://h/mcp?x=1#f".to_owned(), vec!["user credentials"]));
        assert_eq!(redact_url("https://h/mcp?apiKey=k&token=t").0, "https://h/mcp");
    }

    /// `node --check` on both scripts, when node is installed (k6 scripts are ES modules).
    #[test]
    fn scripts_are_valid_javascript() {
        let node = ["/tmp/mcp-harness-third-party/deps/node/bin/node", "node"]
            .into_iter()
            .find(|n| std::process::Command::new(n).arg("--version").output().is_ok_and(|o| o.status.success()));
        let Some(node) = node else {
            eprintln!("skipped: node is not installed (neither on PATH nor in /tmp/mcp-harness-third-party/deps)");
            return;
        };
        let dir = std::env::temp_dir().join(format!("mcp-harness-k6-scripts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, export) in [("stateless.mjs", stateless_export()), ("stateful.mjs", stateful_export())] {
            let path = dir.join(name);
            std::fs::write(&path, k6_script(&export)).unwrap();
            let out = std::process::Command::new(node).arg("--check").arg(&path).output().unwrap();
            assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    const RECORDED: &str = include_str!("../../tests/data/k6-summary-export.json");

    fn slo() -> SloThresholds {
        sample_performance_report().slo
    }

    /// The recorded summary (k6 v1.1.0 running the stateful export against a scripted JSON-RPC server that
    /// answers `fail` with `isError`, `bogus/method` with -32601 and every 40th request with HTTP 503) maps figure
    /// by figure.
    #[test]
    fn recorded_summary_export_maps_every_figure() {
        let raw: Value = serde_json::from_str(RECORDED).unwrap();
        let m = &raw["metrics"];
        let (report, notes) = import_k6_summary(RECORDED, &slo(), Some(40.0)).unwrap();
        let calls = m["http_reqs{mcp:call}"]["count"].as_f64().unwrap() as u64;
        let trend = &m["http_req_duration{mcp:call}"];

        assert_eq!(report.source, MeasurementSource::K6);
        assert_eq!(report.transport, TransportKind::Http);
        assert_eq!(report.pattern, LoadPattern::HttpSession);
        assert_eq!(report.arrival, Arrival::Open { rate: 40.0 });
        assert_eq!(report.duration_ms, 5000.0);
        assert_eq!(report.warmup_ms, 2000.0);
        assert_eq!(report.sent, calls);
        assert_eq!(report.completed, calls, "no timeouts or transport failures in the recording");
        assert_eq!(report.throughput.requested_per_sec, Some(40.0));
        assert_eq!(report.throughput.sent_per_sec, calls as f64 / 5.0);
        assert_eq!(report.throughput.achieved_per_sec, calls as f64 / 5.0);
        assert!((report.throughput.ratio.unwrap() - calls as f64 / 200.0).abs() < 1e-12);

        let latency = &report.latency.service;
        assert_eq!(latency.count, trend["count"].as_f64().unwrap() as u64);
        assert_eq!(latency.count, calls);
        assert_eq!(latency.mean_ms, trend["avg"].as_f64().unwrap());
        assert_eq!(latency.p50_ms, trend["med"].as_f64().unwrap());
        assert_eq!(latency.p90_ms, trend["p(90)"].as_f64().unwrap());
        assert_eq!(latency.p95_ms, trend["p(95)"].as_f64().unwrap());
        assert_eq!(latency.p99_ms, trend["p(99)"].as_f64().unwrap());
        assert_eq!(latency.p999_ms, trend["p(99.9)"].as_f64().unwrap());
        assert_eq!(latency.max_ms, trend["max"].as_f64().unwrap());
        assert_eq!(report.latency.corrected, report.latency.service);
        let percentiles: Vec<f64> = report.latency.distribution.iter().map(|p| p.percentile).collect();
        assert_eq!(percentiles, [0.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0]);
        assert_eq!(report.latency.distribution[0].service_ms, trend["min"].as_f64().unwrap());

        let count = |name: &str| m[name]["count"].as_f64().unwrap() as u64;
        let by_kind = &report.errors.by_kind;
        assert_eq!(by_kind.get(&ErrorKind::JsonRpc).copied(), Some(count("mcp_jsonrpc_errors")));
        assert_eq!(by_kind.get(&ErrorKind::ToolError).copied(), Some(count("mcp_tool_errors")));
        assert_eq!(by_kind.get(&ErrorKind::HttpStatus).copied(), Some(count("mcp_http_errors")));
        assert!(!by_kind.contains_key(&ErrorKind::Timeout) && !by_kind.contains_key(&ErrorKind::Transport));
        assert!(count("mcp_jsonrpc_errors") > 0 && count("mcp_tool_errors") > 0 && count("mcp_http_errors") > 0);
        // http_req_failed's `passes` are its true samples: the failed requests (the 503s), not the successes.
        let failed = &m["http_req_failed{mcp:call}"];
        assert_eq!(failed["passes"].as_f64().unwrap() as u64, count("mcp_http_errors"));
        assert_eq!(failed["passes"].as_f64().unwrap() + failed["fails"].as_f64().unwrap(), calls as f64);
        let total = count("mcp_jsonrpc_errors") + count("mcp_tool_errors") + count("mcp_http_errors");
        assert_eq!(report.errors.total, total);
        assert_eq!(report.errors.rate, total as f64 / calls as f64);

        assert_eq!(report.generator.late_sends, 0);
        assert!(!report.generator.saturated);
        assert_eq!(report.generator.in_flight_limit, 16);
        assert!(report.timeline.is_empty() && report.resources.is_none() && report.stress.is_none());
        assert_eq!(report.slo, slo());
        assert!(notes.iter().any(|n| n.contains("corrected figures equal the service figures")), "{notes:?}");
        assert!(!notes.iter().any(|n| n.contains("not in the summary")), "{notes:?}");
    }

    /// The same run in the `handleSummary(data)` shape (values nested, a rate under `rate`) imports the same.
    #[test]
    fn handle_summary_shape_imports_the_same() {
        let mut raw: Value = serde_json::from_str(RECORDED).unwrap();
        let metrics = raw["metrics"].as_object_mut().unwrap();
        for (_, metric) in metrics.iter_mut() {
            let mut values = metric.take();
            let values_map = values.as_object_mut().unwrap();
            values_map.remove("thresholds");
            if values_map.contains_key("passes")
                && let Some(rate) = values_map.remove("value")
            {
                values_map.insert("rate".to_owned(), rate);
            }
            *metric = json!({"type": "counter", "contains": "default", "values": values});
        }
        raw["state"] = json!({"testRunDurationMs": 7321.5});
        let (new, _) = import_k6_summary(&raw.to_string(), &slo(), Some(40.0)).unwrap();
        let (old, _) = import_k6_summary(RECORDED, &slo(), Some(40.0)).unwrap();
        assert_eq!(new, old);
    }

    #[test]
    fn missing_percentiles_and_foreign_scripts_are_noted() {
        let text = json!({"metrics": {
            "http_reqs": {"count": 1000, "rate": 50.0},
            "http_req_duration": {"avg": 2.0, "min": 1.0, "med": 1.5, "max": 30.0, "p(90)": 3.0, "p(95)": 4.0},
            "http_req_failed": {"passes": 10, "fails": 990, "value": 0.01},
            "dropped_iterations": {"count": 30, "rate": 1.5},
        }})
        .to_string();
        let (report, notes) = import_k6_summary(&text, &slo(), None).unwrap();
        assert_eq!(report.latency.service.p99_ms, 30.0);
        assert_eq!(report.latency.service.count, 1000);
        assert!(notes.iter().any(|n| n.contains("p(99) not in the summary")), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("summaryTrendStats")), "{notes:?}");
        // 10 failed requests (passes), not 990.
        assert_eq!(report.errors.by_kind.get(&ErrorKind::HttpStatus), Some(&10));
        assert_eq!(report.duration_ms, 20_000.0, "the whole run, from count ÷ rate");
        assert_eq!(report.throughput.requested_per_sec, None);
        assert_eq!(report.pattern, LoadPattern::HttpStateless);
        assert_eq!(report.generator.late_sends, 30);
        assert!(report.generator.saturated, "30 of 1030 dropped is above 1 %");
    }

    #[test]
    fn malformed_summaries_are_named() {
        let err = |text: &str| import_k6_summary(text, &slo(), Some(1.0)).unwrap_err();
        assert!(matches!(err("not json"), K6ImportError::NotJson(_)));
        assert!(matches!(err("[1, 2]"), K6ImportError::NotSummary));
        assert!(matches!(err(r#"{"root_group": {}}"#), K6ImportError::NotSummary));
        let e = err(r#"{"metrics": {"http_reqs": {"count": 5, "rate": 1}}}"#);
        assert!(matches!(&e, K6ImportError::MissingMetric { metric } if metric == "http_req_duration"), "{e}");
        assert_eq!(e.to_string(), "read the k6 summary: it has no `http_req_duration` metric");
        let e = err(
            r#"{"metrics": {"http_req_duration": {"avg": 1, "med": 1, "max": 1, "p(90)": 1}, "http_reqs": {"count": 5}}}"#,
        );
        assert!(matches!(&e, K6ImportError::MissingStat { stat, .. } if stat == "p(95)"), "{e}");
        let e = err(r#"{"metrics": {"http_req_duration": {}}}"#);
        assert!(matches!(&e, K6ImportError::MissingMetric { metric } if metric == "http_reqs"), "{e}");
    }
}
