//! Stopping a run from outside: SIGINT or SIGTERM (or a test) ends the run early. The runner stops the check in
//! progress, ends the target's processes, marks the unfinished checks `interrupted` and still builds the report.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// The signal that stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Signal {
    /// SIGINT (Ctrl-C): exit code 130.
    Sigint,
    /// SIGTERM: exit code 143.
    Sigterm,
}

impl Signal {
    /// The signal's number.
    pub fn number(self) -> i32 {
        match self {
            Signal::Sigint => 2,
            Signal::Sigterm => 15,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Sigint => "SIGINT",
            Signal::Sigterm => "SIGTERM",
        })
    }
}

/// A handle that ends a run when triggered. Cheap to clone; the default is never triggered.
#[derive(Debug, Clone)]
pub struct Interrupt {
    tx: Arc<watch::Sender<Option<Signal>>>,
}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt { tx: Arc::new(watch::channel(None).0) }
    }
}

impl Interrupt {
    /// A handle triggered by this process's SIGINT and SIGTERM (the first one; handle a second one yourself to exit
    /// at once). Must be called inside a tokio runtime. Fails when the signal handlers cannot be installed.
    pub fn on_signals() -> std::io::Result<Interrupt> {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = Interrupt::default();
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        let handle = interrupt.clone();
        tokio::spawn(async move {
            loop {
                let which = tokio::select! {
                    _ = int.recv() => Signal::Sigint,
                    _ = term.recv() => Signal::Sigterm,
                };
                if handle.triggered().is_some() {
                    second_signal(which);
                }
                handle.trigger(which);
            }
        });
        Ok(interrupt)
    }

    /// Ends the run (the first trigger wins).
    pub fn trigger(&self, signal: Signal) {
        self.tx.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(signal);
                true
            } else {
                false
            }
        });
    }

    /// The signal, once triggered.
    pub fn triggered(&self) -> Option<Signal> {
        *self.tx.borrow()
    }

    /// Waits until triggered.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn wait(&self) -> Signal {
        let mut rx = self.tx.subscribe();
        loop {
            if let Some(s) = *rx.borrow_and_update() {
                return s;
            }
            if rx.changed().await.is_err() {
                // The sender lives as long as any handle; this cannot happen while `self` exists.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Runs `fut` unless the run is interrupted first.
    pub async fn guard<T>(&self, fut: impl Future<Output = T>) -> Result<T, Signal> {
        tokio::select! {
            biased;
            signal = self.wait() => Err(signal),
            value = fut => Ok(value),
        }
    }
}

/// A second signal while the first is being handled: end every process group the harness started and exit at
/// once with the signal's code.
fn second_signal(which: Signal) {
    crate::wire::kill_all_process_groups();
    eprintln!("mcp-harness: second {which}: exiting without writing the report");
    std::process::exit(128 + which.number());
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn guard_returns_the_value_or_the_signal() {
        let i = Interrupt::default();
        assert_eq!(i.guard(async { 7 }).await, Ok(7));
        let j = i.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            j.trigger(Signal::Sigterm);
            j.trigger(Signal::Sigint);
        });
        assert_eq!(i.guard(std::future::pending::<()>()).await, Err(Signal::Sigterm));
        assert_eq!(i.triggered(), Some(Signal::Sigterm));
    }
}
