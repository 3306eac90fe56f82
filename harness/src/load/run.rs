//! One load run from start to report: start the transport (a fresh stdio process, or HTTP connections), sample the
//! target's processes, drive the clock (one rate, or a stress ramp of rising rates), and turn the counts into the
//! report's performance section.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::LoadProgress;
use super::environment::{environment, load_average};
use super::http::HttpLoad;
use super::options::{ArrivalModel, HttpPatternChoice, LoadOptions, LoadProfile};
use super::recorder::Recorder;
use super::request::ClientMeta;
use super::resources::{Sampler, own_cpu_seconds};
use super::schedule::{Drive, closed_loop, open_loop, pick_table};
use super::stdio::{StdioLoad, handshake_for};
use super::transport::LoadTransport;
use super::workload::Workload;
use crate::protocol::{Era, Revision};
use crate::report::model::TransportKind;
use crate::report::performance::{
    Arrival, GeneratorHealth, LoadPattern, MeasurementSource, PerformanceReport, StressRamp, StressStep, Throughput,
};
use crate::wire::{HttpTarget, StdioCommand};

/// Share of late sends above which the generator is saturated.
const SATURATED_LATE_SHARE: f64 = 0.01;
/// Generator CPU (percent of one core, per CPU of the machine) above which it is saturated.
const SATURATED_CPU: f64 = 90.0;

/// Where the load goes.
#[derive(Debug, Clone)]
pub enum LoadTarget {
    /// A stdio command: the load starts its own process of it.
    Stdio(StdioCommand),
    /// A Streamable HTTP endpoint, with the server process the harness owns (the bundled reference server), if any.
    Http {
        /// The endpoint.
        target: HttpTarget,
        /// The server's process id, for resource sampling.
        server_pid: Option<u32>,
    },
}

/// Why a load run could not measure the target: always "could not test".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The transport could not be started (the process, the connections, the handshake).
    #[error("could not start the load: {0}")]
    Start(String),
    /// Not one request was answered.
    #[error("the target answered none of the {sent} requests of the load within {timeout:?} each")]
    Silent {
        /// Requests sent.
        sent: u64,
        /// The request timeout.
        timeout: Duration,
    },
}

/// A load run's inputs.
#[derive(Debug)]
pub struct LoadRun<'a> {
    /// Where the load goes.
    pub target: &'a LoadTarget,
    /// The revision to speak (the run's negotiated one).
    pub revision: Revision,
    /// What the load says about its client.
    pub client: ClientMeta,
    /// Time one request may take.
    pub timeout: Duration,
    /// The largest stdout line or HTTP body read.
    pub max_message: usize,
    /// What to do.
    pub options: &'a LoadOptions,
    /// Live figures.
    pub progress: watch::Sender<Option<LoadProgress>>,
}

impl LoadRun<'_> {
    fn pattern(&self) -> LoadPattern {
        match self.target {
            LoadTarget::Stdio(_) => LoadPattern::StdioPipelined,
            LoadTarget::Http { .. } if self.options.http_pattern == HttpPatternChoice::Churn => LoadPattern::HttpChurn,
            LoadTarget::Http { .. } if self.revision.era() == Era::Stateless => LoadPattern::HttpStateless,
            LoadTarget::Http { .. } => LoadPattern::HttpSession,
        }
    }

    async fn start(&self) -> Result<(Arc<dyn LoadTransport>, Option<u32>, Stopper), LoadError> {
        match self.target {
            LoadTarget::Stdio(cmd) => {
                let handshake = handshake_for(self.revision, &self.client);
                let load = StdioLoad::start(cmd, &handshake, self.timeout, self.max_message)
                    .await
                    .map_err(LoadError::Start)?;
                let load = Arc::new(load);
                Ok((load.clone(), load.pid(), Stopper::Stdio(load)))
            }
            LoadTarget::Http { target, server_pid } => {
                if self.options.http_pattern == HttpPatternChoice::Churn && self.revision.era() == Era::Stateless {
                    return Err(LoadError::Start(
                        "the churn pattern opens sessions, which the stateless revision 2026-07-28 has none of"
                            .to_owned(),
                    ));
                }
                let load = HttpLoad::start(
                    target,
                    self.revision,
                    self.pattern(),
                    self.options.connections,
                    self.client.clone(),
                    self.timeout,
                    self.max_message,
                )
                .await
                .map_err(LoadError::Start)?;
                let load = Arc::new(load);
                Ok((load.clone(), *server_pid, Stopper::Http(load)))
            }
        }
    }
}

enum Stopper {
    Stdio(Arc<StdioLoad>),
    Http(Arc<HttpLoad>),
}

impl Stopper {
    async fn stop(self) {
        match self {
            Stopper::Stdio(s) => s.shutdown().await,
            Stopper::Http(h) => h.shutdown(),
        }
    }
}

/// Runs the load `run` describes with `workload` and returns what it measured.
pub async fn measure(run: &LoadRun<'_>, workload: &Workload) -> Result<PerformanceReport, LoadError> {
    let mut env = environment();
    let (transport, pid, stopper) = run.start().await?;
    let sampler = pid.map(Sampler::start);
    let options = run.options;
    let mut drive = Drive {
        transport,
        requests: Arc::new(workload.requests.clone()),
        picks: Arc::new(pick_table(&workload.weights())),
        progress: run.progress.clone(),
        step: None,
        drain: run.timeout * 2 + Duration::from_secs(1),
    };
    let duration = options.measured();
    let rates: Vec<f64> = match (options.profile, options.arrival) {
        (LoadProfile::Stress, ArrivalModel::Open) => {
            (0..options.stress_steps).map(|k| options.rate * options.stress_factor.powi(k as i32)).collect()
        }
        _ => vec![options.rate],
    };
    let mut steps: Vec<(f64, Recorder, Option<f64>)> = Vec::new();
    for (k, rate) in rates.iter().enumerate() {
        drive.step = (rates.len() > 1).then(|| (k as u32 + 1, rates.len() as u32));
        let cpu_before = own_cpu_seconds();
        let wall = Instant::now();
        let recorder = match options.arrival {
            ArrivalModel::Open => open_loop(&drive, *rate, options.warmup, duration, options.in_flight).await,
            ArrivalModel::Closed { users } => closed_loop(&drive, users, options.warmup, duration).await,
        };
        let cpu = own_cpu_seconds().zip(cpu_before).map(|(after, before)| {
            let secs = wall.elapsed().as_secs_f64();
            if secs > 0.0 { ((after - before) / secs * 1000.0).round() / 10.0 } else { 0.0 }
        });
        let broken = step_breaks(&recorder, *rate, options);
        steps.push((*rate, recorder, cpu));
        if options.profile == LoadProfile::Stress && !broken.is_empty() {
            break;
        }
    }
    // The step the figures describe: for a stress ramp the knee (the last step within every SLO), else the run.
    let knee = (options.profile == LoadProfile::Stress)
        .then(|| steps.iter().rposition(|(rate, r, _)| step_breaks(r, *rate, options).is_empty()))
        .flatten();
    let chosen = knee.unwrap_or(steps.len().saturating_sub(1));
    let stress = (options.profile == LoadProfile::Stress).then(|| StressRamp {
        steps: steps.iter().map(|(rate, r, _)| stress_step(r, *rate, options)).collect(),
        knee_rate: knee.map(|i| steps[i].0),
    });
    let (rate, recorder, generator_cpu) = steps.swap_remove(chosen);
    let resources = match sampler {
        Some(s) => s.finish(recorder.measure_from, recorder.measure_until, recorder.completed_count()).await,
        None => None,
    };
    stopper.stop().await;
    env.load_after = load_average();
    if recorder.sent_count() > 0
        && recorder.latency().corrected.count == 0
        && recorder.errors().by_kind.keys().all(|k| *k == crate::report::performance::ErrorKind::Timeout)
    {
        return Err(LoadError::Silent { sent: recorder.sent_count(), timeout: run.timeout });
    }
    Ok(report(run, workload, &recorder, rate, generator_cpu, resources, stress, env))
}

/// The SLOs a step broke (the stress ramp stops at the first step that breaks one).
fn step_breaks(r: &Recorder, rate: f64, options: &LoadOptions) -> Vec<String> {
    let slo = options.slo.thresholds();
    let l = r.latency().corrected;
    let e = r.errors();
    let secs = options.measured().as_secs_f64();
    let achieved = r.received_in_window() as f64 / secs;
    let mut broken = Vec::new();
    if l.mean_ms >= slo.mean_ms {
        broken.push(format!("mean {:.1} ms ≥ {} ms", l.mean_ms, slo.mean_ms));
    }
    if l.p95_ms >= slo.p95_ms {
        broken.push(format!("p95 {:.1} ms ≥ {} ms", l.p95_ms, slo.p95_ms));
    }
    if e.rate >= slo.error_rate {
        broken.push(format!("error rate {:.2} % ≥ {:.2} %", e.rate * 100.0, slo.error_rate * 100.0));
    }
    if options.arrival == ArrivalModel::Open && achieved < rate * slo.achieved_ratio {
        broken.push(format!("achieved {achieved:.0}/s < {:.0} % of {rate:.0}/s", slo.achieved_ratio * 100.0));
    }
    broken
}

fn stress_step(r: &Recorder, rate: f64, options: &LoadOptions) -> StressStep {
    let l = r.latency().corrected;
    StressStep {
        rate,
        achieved_per_sec: round1(r.received_in_window() as f64 / options.measured().as_secs_f64()),
        mean_ms: l.mean_ms,
        p95_ms: l.p95_ms,
        p99_ms: l.p99_ms,
        error_rate: r.errors().rate,
        broken: step_breaks(r, rate, options),
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    run: &LoadRun<'_>,
    workload: &Workload,
    recorder: &Recorder,
    rate: f64,
    generator_cpu: Option<f64>,
    resources: Option<crate::report::performance::ResourceUse>,
    stress: Option<StressRamp>,
    environment: crate::report::performance::Environment,
) -> PerformanceReport {
    let options = run.options;
    let secs = options.measured().as_secs_f64();
    let open = options.arrival == ArrivalModel::Open;
    let sent = recorder.sent_count();
    let achieved = recorder.received_in_window() as f64 / secs;
    let (late, max_lag, window_full_waits) = recorder.lateness();
    let late_share = if sent == 0 { 0.0 } else { late as f64 / sent as f64 };
    PerformanceReport {
        source: MeasurementSource::Harness,
        profile: options.profile,
        arrival: match options.arrival {
            ArrivalModel::Open => Arrival::Open { rate },
            ArrivalModel::Closed { users } => Arrival::Closed { virtual_users: users },
        },
        transport: match run.target {
            LoadTarget::Stdio(_) => TransportKind::Stdio,
            LoadTarget::Http { .. } => TransportKind::Http,
        },
        pattern: run.pattern(),
        workload: workload.entries.clone(),
        warmup_ms: options.warmup.as_secs_f64() * 1000.0,
        duration_ms: secs * 1000.0,
        sent,
        completed: recorder.completed_count(),
        throughput: Throughput {
            requested_per_sec: open.then_some(rate),
            achieved_per_sec: round1(achieved),
            sent_per_sec: round1(sent as f64 / secs),
            ratio: open.then(|| (achieved / rate * 10_000.0).round() / 10_000.0),
        },
        latency: recorder.latency(),
        errors: recorder.errors(),
        timeline: recorder.timeline(),
        generator: GeneratorHealth {
            late_sends: late,
            late_share,
            max_lag_ms: (max_lag.as_secs_f64() * 1e6).round() / 1000.0,
            cpu_percent: generator_cpu,
            saturated: late_share > SATURATED_LATE_SHARE
                || generator_cpu.is_some_and(|c| c > SATURATED_CPU * f64::from(environment.cpus.max(1))),
            in_flight_limit: options.in_flight,
            window_full_waits,
            connections: matches!(run.target, LoadTarget::Http { .. }).then_some(options.connections),
        },
        resources,
        quantum: recorder.quantum(),
        stress,
        slo: options.slo.thresholds(),
        plots: Vec::new(),
        environment,
        notes: Vec::new(),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
