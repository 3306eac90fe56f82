//! Per-connection state: one [`Session`] per stdio process or HTTP session.

#![allow(deprecated)] // logging levels are a legacy-era feature.

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use rmcp::model::LoggingLevel;

use super::hub::Hub;

/// State of one client connection (a stdio process or one HTTP session).
pub(crate) struct Session {
    id: u64,
    initialized: AtomicBool,
    log_level: Mutex<Option<LoggingLevel>>,
    subscriptions: Arc<Mutex<HashSet<String>>>,
    hub: Arc<Hub>,
}

impl Session {
    pub(crate) fn new(hub: Arc<Hub>) -> Self {
        Self {
            id: hub.next_id(),
            initialized: AtomicBool::new(false),
            log_level: Mutex::new(None),
            subscriptions: Arc::default(),
            hub,
        }
    }

    /// Session id within this process (not the HTTP `Mcp-Session-Id`).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Marks the session initialized; `false` if it already was (a second `initialize`).
    pub(crate) fn mark_initialized(&self) -> bool {
        !self.initialized.swap(true, Ordering::AcqRel)
    }

    /// URIs this session subscribed to with `resources/subscribe`.
    pub(crate) fn subscriptions(&self) -> &Arc<Mutex<HashSet<String>>> {
        &self.subscriptions
    }

    /// Sets the minimum level of `notifications/message` (`logging/setLevel`).
    pub(crate) fn set_log_level(&self, level: LoggingLevel) {
        *self.log_level.lock().unwrap_or_else(|e| e.into_inner()) = Some(level);
    }

    /// Whether a log message at `level` should be sent (all levels until set).
    pub(crate) fn wants_log(&self, level: LoggingLevel) -> bool {
        match *self.log_level.lock().unwrap_or_else(|e| e.into_inner()) {
            None => true,
            Some(minimum) => severity(level) >= severity(minimum),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Only an initialized session was registered (a stateless request's never is): skip the hub's lock.
        if self.initialized.load(Ordering::Acquire) {
            self.hub.remove_session(self.id);
        }
    }
}

/// RFC 5424 severity rank, higher is more severe.
pub(crate) fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_initialize_is_detected() {
        let session = Session::new(Arc::default());
        assert!(session.mark_initialized());
        assert!(!session.mark_initialized());
    }

    #[test]
    fn log_level_filters_less_severe_messages() {
        let session = Session::new(Arc::default());
        assert!(session.wants_log(LoggingLevel::Debug));
        session.set_log_level(LoggingLevel::Warning);
        assert!(!session.wants_log(LoggingLevel::Info));
        assert!(session.wants_log(LoggingLevel::Error));
    }
}
