//! Which principal owns each legacy (2025-era) HTTP session.
//!
//! A session is bound to the `iss` and `sub` of the token that initialized it. A request that names a session
//! with another principal's token — or a session this layer never bound — is answered as if the session did not
//! exist (404), so a leaked or guessed session id is worth nothing without its owner's token.
//!
//! Bindings are forgotten when the session is deleted or the MCP service no longer knows it, and otherwise after
//! [`IDLE_LIMIT`] without a request (the MCP service itself ends sessions idle for 5 minutes), so the map stays
//! bounded by the sessions in use.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

use super::token::Owner;

/// How long a binding outlives its session's last request.
const IDLE_LIMIT: Duration = Duration::from_secs(30 * 60);

/// Session id → owner and the time of its last request.
#[derive(Default)]
pub(crate) struct SessionOwners(Mutex<HashMap<String, (Owner, Instant)>>);

impl SessionOwners {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, (Owner, Instant)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `owner` created `session`, and forgets bindings idle for longer than [`IDLE_LIMIT`].
    pub(crate) fn bind(&self, session: &str, owner: &Owner) {
        let now = Instant::now();
        let mut sessions = self.lock();
        sessions.retain(|_, (_, seen)| now.duration_since(*seen) < IDLE_LIMIT);
        sessions.insert(session.to_owned(), (owner.clone(), now));
    }

    /// Whether `owner` may use `session`: only the principal that created it.
    pub(crate) fn allows(&self, session: &str, owner: &Owner) -> bool {
        match self.lock().get_mut(session) {
            Some((bound, seen)) if bound == owner => {
                *seen = Instant::now();
                true
            }
            _ => false,
        }
    }

    /// Forgets `session` (deleted, or unknown to the MCP service).
    pub(crate) fn forget(&self, session: &str) {
        self.lock().remove(session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_its_owners_only() {
        let owners = SessionOwners::default();
        let alice = Owner { issuer: "https://as".into(), subject: Some("alice".into()) };
        let bob = Owner { issuer: "https://as".into(), subject: Some("bob".into()) };
        let other_alice = Owner { issuer: "https://other".into(), subject: Some("alice".into()) };
        owners.bind("s1", &alice);
        assert!(owners.allows("s1", &alice));
        assert!(!owners.allows("s1", &bob));
        assert!(!owners.allows("s1", &other_alice));
        assert!(!owners.allows("unknown", &alice), "a session nobody bound is nobody's");
        owners.forget("s1");
        assert!(!owners.allows("s1", &alice));
    }
}
