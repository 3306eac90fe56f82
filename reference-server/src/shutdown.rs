//! SIGTERM/SIGINT handling shared by both transports.

use tokio_util::sync::CancellationToken;

/// A token cancelled on the first SIGTERM or SIGINT.
#[derive(Clone)]
pub(crate) struct Shutdown {
    token: CancellationToken,
}

impl Shutdown {
    /// Spawns the signal listener; must run inside the runtime.
    pub(crate) fn install() -> Self {
        let token = CancellationToken::new();
        let trigger = token.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutdown signal received, draining in-flight requests");
            trigger.cancel();
        });
        Self { token }
    }

    /// Resolves once a shutdown signal arrived.
    pub(crate) async fn requested(&self) {
        self.token.cancelled().await;
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        tracing::warn!("failed to install signal handlers; only end of input stops the server");
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
