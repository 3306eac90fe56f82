//! The suite's one load run: started by the first performance check that needs it, shared by the others.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::{OnceCell, watch};

use crate::check::{CheckContext, Outcome};
use crate::load::k6::{K6Export, K6Request, import_k6_summary, k6_script};
use crate::load::{LoadOptions, LoadProgress, LoadRun, LoadTarget, Workload, choose_workload, client_meta, measure};
use crate::report::performance::PerformanceReport;
use crate::target::TargetTransport;

/// The load run of a run, shared by its performance checks.
#[derive(Debug, Default)]
pub(crate) struct LoadState {
    /// What the load measured, or the outcome every performance check ends with when it could not.
    pub(crate) result: OnceCell<Result<Arc<PerformanceReport>, Outcome>>,
    /// Live figures while it runs (the runner turns them into `LoadProgress` events).
    pub(crate) progress: watch::Sender<Option<LoadProgress>>,
    /// Whether the runner has reported the measurements (`LoadMeasured`).
    pub(crate) reported: std::sync::atomic::AtomicBool,
}

/// The run's load measurements, running the load first if no check has yet.
pub(crate) async fn measured(cx: &mut CheckContext) -> Result<Arc<PerformanceReport>, Outcome> {
    let env = cx.env.clone();
    env.load.result.get_or_init(|| run_load(cx)).await.clone()
}

async fn run_load(cx: &mut CheckContext) -> Result<Arc<PerformanceReport>, Outcome> {
    let options = cx.options().load.clone();
    if let Some(path) = &options.import_k6 {
        return imported(path, &options);
    }
    let client = client_meta(cx);
    let workload = choose_workload(cx, &options.mix, &client).await?;
    if let Some(path) = &options.export_k6 {
        export(cx, path, &options, &workload)?;
    }
    let target = match &cx.env.target.transport {
        TargetTransport::Stdio(cmd) => LoadTarget::Stdio(cmd.clone()),
        TargetTransport::Http(t) => LoadTarget::Http { target: t.clone(), server_pid: cx.env.target.server_pid() },
    };
    let run = LoadRun {
        target: &target,
        revision: cx.revision(),
        client,
        timeout: cx.timeout(),
        max_message: cx.limits().max_line_bytes,
        options: &options,
        progress: cx.env.load.progress.clone(),
    };
    let mut measured = measure(&run, &workload).await.map_err(|e| Outcome::error(format!("could not test: {e}")))?;
    if let Some(path) = &options.export_k6 {
        measured.notes.push(format!("the same workload was written as a k6 script to {}", path.display()));
    }
    Ok(Arc::new(measured))
}

/// Writes the chosen workload as a k6 script (`--export-k6`), for load beyond one machine.
fn export(cx: &CheckContext, path: &Path, options: &LoadOptions, workload: &Workload) -> Result<(), Outcome> {
    let Some(target) = cx.http_target() else {
        return Err(Outcome::error("could not test: --export-k6 writes HTTP load; this target is a stdio process"));
    };
    let script = k6_script(&K6Export {
        url: target.url.clone(),
        revision: cx.revision().as_str().to_owned(),
        stateless: cx.revision().era() == crate::protocol::Era::Stateless,
        rate: options.rate,
        duration: options.measured(),
        warmup: options.warmup,
        connections_hint: options.connections,
        requests: workload
            .requests
            .iter()
            .zip(&workload.entries)
            .map(|(r, e)| K6Request {
                method: r.method.clone(),
                params: r.params().cloned(),
                name_header: r.name.clone(),
                weight: e.weight,
            })
            .collect(),
    });
    std::fs::write(path, script)
        .map_err(|e| Outcome::error(format!("could not test: could not write the k6 script {}: {e}", path.display())))
}

/// Measurements read from a k6 summary (`--import-k6`) instead of a load run: the same checks judge them.
fn imported(path: &Path, options: &LoadOptions) -> Result<Arc<PerformanceReport>, Outcome> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Outcome::error(format!("could not test: could not read the k6 summary {}: {e}", path.display()))
    })?;
    let requested = matches!(options.arrival, crate::load::ArrivalModel::Open).then_some(options.rate);
    let (mut report, notes) = import_k6_summary(&text, &options.slo.thresholds(), requested)
        .map_err(|e| Outcome::error(format!("could not test: {}: {e}", path.display())))?;
    report.notes.extend(notes);
    report.notes.push(format!("measured by k6, imported from {}", path.display()));
    Ok(Arc::new(report))
}
