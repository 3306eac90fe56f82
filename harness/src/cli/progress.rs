//! Progress on stderr while a run goes: one line per stage (what was planned, the target started, the handshake
//! done or failed with its evidence, a process restarted, an interrupt), and on terminals a bar with the current
//! check and failures as they happen. Each root cause is printed once; the summary at the end groups the checks
//! it affected.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use mcp_harness::check::Status;
use mcp_harness::report::printable;
use mcp_harness::runner::{Event, EventSink};
use mcp_harness::session::SessionError;

/// Lines of a target's stderr shown when the handshake fails.
const STDERR_LINES_SHOWN: usize = 12;

/// How much a run prints on stderr (`-q`, `-v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verbosity {
    /// Only what went wrong: a target that could not be started, a failed handshake, an interrupt.
    Quiet,
    /// The run's story and failures as they happen.
    Normal,
    /// The story plus every check as it finishes.
    Verbose,
}

/// Draws a progress bar with the current check, and prints the run's story.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    color: bool,
    verbosity: Verbosity,
    /// When a load's live figures were last printed as a line (without a bar).
    load_line: Option<std::time::Instant>,
}

impl Progress {
    /// A progress reporter; the bar is shown only when `show` and stderr is a terminal outside CI, and not when
    /// quiet.
    pub(crate) fn new(show: bool, color: bool, verbosity: Verbosity) -> Self {
        let ci = std::env::var_os("CI").is_some() || std::env::var_os("GITHUB_ACTIONS").is_some();
        let visible = show && std::io::stderr().is_terminal() && !ci && verbosity != Verbosity::Quiet;
        let bar = visible.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let template = if color {
                "{spinner:.cyan} [{bar:30.cyan/blue}] {pos}/{len} {wide_msg}"
            } else {
                "{spinner} [{bar:30}] {pos}/{len} {wide_msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress { bar, color, verbosity, load_line: None }
    }

    /// Prints one line (text from the target is shown with its control characters escaped).
    fn line(&self, text: &str) {
        let text = printable(text);
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn paint(&self, code: &str, word: &str) -> String {
        if self.color { format!("\x1b[{code}m{word}\x1b[0m") } else { word.to_owned() }
    }
}

/// How often a load's live figures are printed as a line when no bar is drawn (CI logs).
const LOAD_LINE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl Progress {
    /// A load run's live figures: the bar's message, or a line every few seconds without a bar.
    fn load_progress(&mut self, live: &mcp_harness::load::LoadProgress) {
        use mcp_harness::load::LoadPhase;
        let phase = match live.phase {
            LoadPhase::WarmingUp => "warming up",
            LoadPhase::Measuring => "measuring",
            LoadPhase::Draining => "draining",
        };
        let step = live.step.map_or(String::new(), |(k, n)| format!(" step {k}/{n}"));
        let text = format!(
            "load{step} {phase} {:.0}/{:.0} s · {:.0}/s · p99 {:.2} ms · {} errors",
            live.elapsed.as_secs_f64(),
            live.total.as_secs_f64(),
            live.rate_per_sec,
            live.p99_ms,
            live.errors
        );
        match &self.bar {
            Some(bar) => bar.set_message(text),
            None => {
                if self.load_line.is_none_or(|t| t.elapsed() >= LOAD_LINE_EVERY) {
                    self.load_line = Some(std::time::Instant::now());
                    eprintln!("mcp-harness: {text}");
                }
            }
        }
    }
}

impl EventSink for Progress {
    fn event(&mut self, event: &Event<'_>) {
        let trouble = matches!(
            event,
            Event::TargetLaunchFailed { .. } | Event::HandshakeFailed { .. } | Event::Interrupted { .. }
        );
        if self.verbosity == Verbosity::Quiet && !trouble {
            return;
        }
        match event {
            Event::Discovering { target } => {
                self.line(&format!("mcp-harness: listing the surface of {target} for the unit suite's checks"));
            }
            Event::RunStarted { plan, target } => {
                let runnable = plan.runnable().count();
                if let Some(bar) = &self.bar {
                    bar.set_length(plan.checks.len() as u64);
                }
                let not_run = plan.checks.len() - runnable;
                let aside =
                    if not_run > 0 { format!(" ({not_run} more not applicable or opt-in)") } else { String::new() };
                self.line(&format!("mcp-harness: {runnable} checks against {target}{aside}"));
            }
            Event::ServicesProvided { notes } => {
                for note in *notes {
                    self.line(&format!("mcp-harness: {note}"));
                }
            }
            Event::ServicesUnavailable { problem, required } => {
                let then = if *required { "required: cannot test" } else { "the checks that need them are skipped" };
                self.line(&format!("mcp-harness: backing services unavailable ({then}): {problem}"));
            }
            Event::TargetLaunched { description } => self.line(&format!("mcp-harness: target started: {description}")),
            Event::TargetLaunchFailed { reason } => {
                self.line(&format!(
                    "mcp-harness: {}: could not start the target: {reason}",
                    self.paint("1;31", "error")
                ));
            }
            Event::HandshakeCompleted { profile } => {
                let name = profile.server_info.get("name").and_then(|v| v.as_str()).unwrap_or("(no name)");
                let version = profile.server_info.get("version").and_then(|v| v.as_str()).unwrap_or("?");
                self.line(&format!("mcp-harness: connected to {name} {version}, protocol {}", profile.revision));
            }
            Event::HandshakeFailed { error, stderr_tail } => {
                let (word, then) = match error {
                    SessionError::Blocked(_) => ("could not test", "nothing can be evaluated"),
                    _ => {
                        ("handshake failed", "the lifecycle checks judge it; the checks that need a session cannot run")
                    }
                };
                self.line(&format!("mcp-harness: {}: {then}", self.paint("1;31", word)));
                let evidence = match error {
                    SessionError::Misbehaved(v) => v.evidence(),
                    other => other.to_string(),
                };
                for l in evidence.lines() {
                    self.line(&format!("  {l}"));
                }
                let lines: Vec<&str> = stderr_tail.lines().filter(|l| !l.trim().is_empty()).collect();
                if !lines.is_empty() {
                    self.line("  the target's stderr ends:");
                    for l in &lines[lines.len().saturating_sub(STDERR_LINES_SHOWN)..] {
                        self.line(&format!("    {l}"));
                    }
                }
            }
            Event::CheckStarted(meta) => {
                if let Some(bar) = &self.bar {
                    bar.set_message(meta.id.as_str().to_owned());
                }
            }
            Event::CheckFinished(result) if self.verbosity == Verbosity::Verbose => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                let status = result.outcome.status;
                let code = match status {
                    Status::Passed => "32",
                    Status::Failed | Status::Error => "31",
                    Status::Warning => "33",
                    _ => "2",
                };
                let label = self.paint(code, &format!("{:<5}", status.as_str().to_uppercase()));
                let reason = result.outcome.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
                self.line(&format!("{label} {} ({} ms){reason}", result.meta.id, result.duration.as_millis()));
            }
            Event::CheckFinished(result) => {
                let Some(bar) = &self.bar else { return };
                bar.inc(1);
                // Without a bar the final summary lists these; with one, show failures as they happen.
                let (label, code) = match result.outcome.status {
                    Status::Failed => ("FAIL ", "31"),
                    Status::Warning => ("WARN ", "33"),
                    _ => return,
                };
                let reason = result.outcome.reason.as_deref().unwrap_or("");
                self.line(&format!("{} {} — {reason}", self.paint(code, label), result.meta.id));
            }
            Event::TargetRestarted { after, exit_status } => {
                self.line(&format!(
                    "mcp-harness: the target's process exited ({exit_status}) during {after}; started a fresh one"
                ));
            }
            Event::TargetLost { reason, .. } => self.line(&format!("mcp-harness: {reason}")),
            Event::Interrupted { signal } => {
                self.line(&format!("mcp-harness: interrupted by {signal}: ending the target, writing the report"));
            }
            Event::LoadProgress(live) => self.load_progress(live),
            Event::LoadMeasured(m) => {
                let c = &m.latency.corrected;
                let offered = m.throughput.requested_per_sec.map_or(String::new(), |r| format!("{r}/s offered, "));
                self.line(&format!(
                    "mcp-harness: load measured over {:.0} s: {offered}{}/s answered; corrected p50 {:.3} / p99 {:.3} ms \
                     (uncorrected p99 {:.3} ms); errors {:.2} %",
                    m.duration_ms / 1000.0,
                    m.throughput.achieved_per_sec,
                    c.p50_ms,
                    c.p99_ms,
                    m.latency.service.p99_ms,
                    m.errors.rate * 100.0
                ));
            }
            Event::Note(text) => match &self.bar {
                Some(bar) => bar.set_message(printable(text).into_owned()),
                None => eprintln!("mcp-harness: {}", printable(text)),
            },
            Event::RunFinished(_) => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}
