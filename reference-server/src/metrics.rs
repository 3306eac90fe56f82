//! Process metrics, rendered in the Prometheus text exposition format (`GET /metrics`).

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use crate::{cache::CacheLevel, resilience::Backend};

/// Outcome of one tool call, as counted by [`Metrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CallOutcome {
    /// The tool produced a result (which may itself be `isError`).
    Ok,
    /// The call failed with a JSON-RPC error.
    Error,
    /// The call was rejected because the queue was full or the server was stopping.
    Rejected,
    /// The call exceeded the per-request timeout.
    Timeout,
}

impl CallOutcome {
    /// Every outcome, in rendering order.
    const ALL: [Self; 4] = [Self::Ok, Self::Error, Self::Rejected, Self::Timeout];

    fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Rejected => "rejected",
            Self::Timeout => "timeout",
        }
    }
}

/// Counters and gauges of one server process; cheap to update from any task.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    http_responses: Mutex<BTreeMap<u16, u64>>,
    /// Per tool, count and total seconds per [`CallOutcome`] (indexed as [`CallOutcome::ALL`]).
    tool_calls: Mutex<BTreeMap<String, [(u64, f64); 4]>>,
    cache_lookups: Mutex<BTreeMap<(CacheLevel, bool), u64>>,
    backends: Mutex<Vec<Arc<Backend>>>,
    in_flight: AtomicU64,
    queued: AtomicU64,
}

impl Metrics {
    /// Counts one HTTP response by status code.
    pub(crate) fn http_response(&self, status: u16) {
        let mut map = self.http_responses.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(status).or_default() += 1;
    }

    /// Counts one finished tool call and its duration.
    pub(crate) fn tool_call(&self, tool: &str, outcome: CallOutcome, elapsed: Duration) {
        let mut map = self.tool_calls.lock().unwrap_or_else(|e| e.into_inner());
        // Look up by `&str` first: the tool's name is allocated once, not per call.
        if !map.contains_key(tool) {
            map.insert(tool.to_owned(), Default::default());
        }
        if let Some(outcomes) = map.get_mut(tool) {
            let entry = &mut outcomes[outcome as usize];
            entry.0 += 1;
            entry.1 += elapsed.as_secs_f64();
        }
    }

    /// Counts a result-cache lookup at one level.
    pub(crate) fn cache_lookup(&self, level: CacheLevel, hit: bool) {
        let mut map = self.cache_lookups.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((level, hit)).or_default() += 1;
    }

    /// Adds a guarded backend whose breaker, retry and error counters are rendered.
    pub(crate) fn register_backend(&self, backend: Arc<Backend>) {
        self.backends.lock().unwrap_or_else(|e| e.into_inner()).push(backend);
    }

    /// Gauge of tool calls currently executing.
    pub(crate) fn in_flight(&self) -> &AtomicU64 {
        &self.in_flight
    }

    /// Gauge of tool calls waiting for a concurrency slot.
    pub(crate) fn queued(&self) -> &AtomicU64 {
        &self.queued
    }

    /// Renders every metric in the Prometheus text format, version 0.0.4.
    pub(crate) fn render(&self, uptime: Duration, sessions: usize) -> String {
        let mut out = String::with_capacity(2048);
        let _ = writeln!(out, "# HELP mcp_uptime_seconds Seconds since the server started.");
        let _ = writeln!(out, "# TYPE mcp_uptime_seconds gauge");
        let _ = writeln!(out, "mcp_uptime_seconds {:.3}", uptime.as_secs_f64());
        let _ = writeln!(out, "# HELP mcp_http_responses_total HTTP responses by status code.");
        let _ = writeln!(out, "# TYPE mcp_http_responses_total counter");
        for (status, count) in self.http_responses.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "mcp_http_responses_total{{status=\"{status}\"}} {count}");
        }
        let _ = writeln!(out, "# HELP mcp_tool_calls_total Finished tool calls by tool and outcome.");
        let _ = writeln!(out, "# TYPE mcp_tool_calls_total counter");
        let calls: Vec<(String, CallOutcome, u64, f64)> = self
            .tool_calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .flat_map(|(tool, outcomes)| {
                CallOutcome::ALL
                    .into_iter()
                    .zip(outcomes)
                    .filter(|(_, (count, _))| *count > 0)
                    .map(|(outcome, &(count, seconds))| (tool.clone(), outcome, count, seconds))
            })
            .collect();
        for (tool, outcome, count, _) in &calls {
            let _ = writeln!(
                out,
                "mcp_tool_calls_total{{tool=\"{}\",outcome=\"{}\"}} {count}",
                escape_label(tool),
                outcome.label()
            );
        }
        let _ = writeln!(out, "# HELP mcp_tool_call_seconds_sum Total seconds spent in tool calls.");
        let _ = writeln!(out, "# TYPE mcp_tool_call_seconds_sum counter");
        for (tool, outcome, _, seconds) in &calls {
            let _ = writeln!(
                out,
                "mcp_tool_call_seconds_sum{{tool=\"{}\",outcome=\"{}\"}} {seconds:.6}",
                escape_label(tool),
                outcome.label()
            );
        }
        let lookups = self.cache_lookups.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for (name, help, hit) in [
            ("mcp_cache_hits_total", "Result-cache hits by level (l1 in-process, l2 Redis).", true),
            ("mcp_cache_misses_total", "Result-cache misses by level.", false),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            for level in [CacheLevel::L1, CacheLevel::L2] {
                if let Some(count) = lookups.get(&(level, hit)) {
                    let _ = writeln!(out, "{name}{{level=\"{}\"}} {count}", level.as_str());
                }
            }
        }
        let gauges = [
            ("mcp_tool_calls_in_flight", "gauge", "Tool calls executing now.", self.in_flight.load(Ordering::Relaxed)),
            ("mcp_tool_calls_queued", "gauge", "Tool calls waiting for a slot.", self.queued.load(Ordering::Relaxed)),
            ("mcp_sessions_active", "gauge", "Open legacy sessions.", sessions as u64),
        ];
        for (name, kind, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        }
        let backends = self.backends.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if !backends.is_empty() {
            let refs: Vec<&Backend> = backends.iter().map(Arc::as_ref).collect();
            crate::resilience::render_metrics(&refs, &mut out);
        }
        out
    }
}

fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_with_labels() {
        let metrics = Metrics::default();
        metrics.http_response(200);
        metrics.tool_call("echo", CallOutcome::Ok, Duration::from_millis(2));
        metrics.cache_lookup(CacheLevel::L1, true);
        let text = metrics.render(Duration::from_secs(1), 3);
        assert!(text.contains("mcp_http_responses_total{status=\"200\"} 1"));
        assert!(text.contains("mcp_tool_calls_total{tool=\"echo\",outcome=\"ok\"} 1"));
        assert!(text.contains("mcp_cache_hits_total{level=\"l1\"} 1"));
        assert!(text.contains("mcp_sessions_active 3"));
    }

    #[test]
    fn escapes_label_values() {
        assert_eq!(escape_label("a\"b\\c"), "a\\\"b\\\\c");
    }
}
