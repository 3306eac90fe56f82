//! Progress on stderr while a run goes: a bar on terminals, nothing otherwise.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use mcp_harness::check::Status;
use mcp_harness::runner::{Event, EventSink};

/// Draws a progress bar with the current check, and prints failures as they happen.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    color: bool,
}

impl Progress {
    /// A progress reporter; the bar is shown only when `show` and stderr is a terminal outside CI.
    pub(crate) fn new(show: bool, color: bool) -> Self {
        let visible = show && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() && std::env::var_os("GITHUB_ACTIONS").is_none();
        let bar = visible.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let template = if color { "{spinner:.cyan} [{bar:30.cyan/blue}] {pos}/{len} {wide_msg}" } else { "{spinner} [{bar:30}] {pos}/{len} {wide_msg}" };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress { bar, color }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }
}

impl EventSink for Progress {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::RunStarted { total, target } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(*total as u64);
                }
                self.line(&format!("mcp-harness: {total} checks against {target}"));
            }
            Event::Note(text) => match &self.bar {
                Some(bar) => bar.set_message(text.to_string()),
                None => eprintln!("mcp-harness: {text}"),
            },
            Event::CheckStarted(meta) => {
                if let Some(bar) = &self.bar {
                    bar.set_message(meta.id.as_str().to_owned());
                }
            }
            Event::CheckFinished(result) => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                // Without a bar the final summary lists these; with one, show them as they happen.
                if self.bar.is_none() {
                    return;
                }
                let (label, code) = match result.outcome.status {
                    Status::Failed => ("FAIL ", "31"),
                    Status::Error => ("ERROR", "35"),
                    Status::Warning => ("WARN ", "33"),
                    _ => return,
                };
                let label = if self.color { format!("\x1b[{code}m{label}\x1b[0m") } else { label.to_owned() };
                let reason = result.outcome.reason.as_deref().unwrap_or("");
                self.line(&format!("{label} {} — {reason}", result.meta.id));
            }
            Event::RunFinished(_) => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}
