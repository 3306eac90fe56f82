//! The libtest-mimic bridge.

use std::sync::LazyLock;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::check::Status;
use crate::report::model::CheckReport;
use crate::runner::{NullSink, RunConfig, static_skip_for};
use crate::target::serve_reference_if_requested;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("failed to build the tokio runtime")
});

/// A set of targets whose checks become tests.
#[derive(Debug, Default)]
pub struct Bridge {
    targets: Vec<(String, RunConfig)>,
}

impl Bridge {
    /// No targets yet.
    pub fn new() -> Self {
        Bridge::default()
    }

    /// Adds a target; its selected checks become tests named `<label>::<check id>`.
    pub fn target(mut self, label: impl Into<String>, config: RunConfig) -> Self {
        self.targets.push((label.into(), config));
        self
    }

    /// The tests this bridge would run, without running them.
    pub fn trials(&self) -> Vec<Trial> {
        let mut trials = Vec::new();
        for (label, config) in &self.targets {
            let registry = RUNTIME.block_on(crate::runner::registry_for(config, &mut NullSink));
            let plan = match registry.and_then(|r| {
                crate::runner::Plan::new(r.checks, &config.selection, crate::runner::PlanContext::of(config))
            }) {
                Ok(plan) => plan,
                Err(e) => {
                    let msg = e.to_string();
                    trials.push(Trial::test(format!("{label}::invalid-selection"), move || Err(Failed::from(msg))));
                    continue;
                }
            };
            for planned in plan.checks {
                let id = planned.check.meta.id.as_str();
                let ignored = static_skip_for(planned.check, config).is_some();
                let mut one = config.clone();
                one.selection.include = vec![id.to_owned()];
                one.selection.exclude.clear();
                one.selection.tags.clear();
                trials.push(
                    Trial::ignorable_test(format!("{label}::{id}"), move || run_trial(&one, id))
                        .with_ignored_flag(ignored),
                );
            }
        }
        trials
    }

    /// Parses the libtest command line, runs the tests and exits with libtest's exit code.
    pub fn run(self) -> ! {
        serve_reference_if_requested();
        let args = Arguments::from_args();
        let trials = self.trials();
        libtest_mimic::run(&args, trials).exit()
    }
}

fn run_trial(config: &RunConfig, id: &str) -> Result<Completion, Failed> {
    let report = RUNTIME
        .block_on(crate::runner::run(config, &mut NullSink))
        .map_err(|e| Failed::from(format!("invalid configuration: {e}")))?;
    let check: Option<&CheckReport> = report.suites.iter().flat_map(|s| &s.checks).find(|c| c.id == id);
    let Some(check) = check else {
        return Err(Failed::from(format!("check {id} produced no result")));
    };
    let detail = || {
        let mut s = format!("{} [{}] {}\n", check.outcome, check.level, check.reason.as_deref().unwrap_or(""));
        if let Some(e) = &check.expected {
            s.push_str(&format!("expected: {e}\n"));
        }
        if let Some(o) = &check.observed {
            s.push_str(&format!("observed: {o}\n"));
        }
        if let Some(rule) = &check.broken_rule {
            s.push_str(&format!("broken rule: {} ({}): {}\n  \"{}\"\n", rule.id, rule.level, rule.url, rule.quote));
        }
        s.push_str(&format!("spec: {}: {}\n  \"{}\"\n", check.spec_ref.id, check.spec_ref.url, check.spec_ref.quote));
        for w in check.wire.iter().take(20) {
            s.push_str(&format!("  {:>9.3} ms {:<8} {:<10} {}\n", w.at_ms, w.direction, w.channel, w.text));
        }
        s
    };
    match check.outcome {
        Status::Passed => Ok(Completion::Completed),
        Status::Warning => {
            eprintln!("warning: {id}: {}", check.reason.as_deref().unwrap_or(""));
            Ok(Completion::Completed)
        }
        Status::Skipped | Status::NotApplicable => Ok(Completion::Ignored { reason: check.reason.clone() }),
        Status::Failed | Status::Error | Status::Interrupted => Err(Failed::from(detail())),
    }
}
