//! The suite's one load run: started by the first performance check that needs it, shared by the others.

use std::sync::Arc;

use tokio::sync::{OnceCell, watch};

use crate::check::{CheckContext, Outcome};
use crate::load::{LoadProgress, LoadRun, LoadTarget, choose_workload, client_meta, measure};
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
    measure(&run, &workload).await.map(Arc::new).map_err(|e| Outcome::error(format!("could not test: {e}")))
}

/// Measurements read from a k6 summary (`--import-k6`) instead of a load run.
fn imported(path: &std::path::Path, options: &crate::load::LoadOptions) -> Result<Arc<PerformanceReport>, Outcome> {
    let _ = (path, options);
    Err(Outcome::error("could not test: reading k6 summaries is not built yet"))
}
