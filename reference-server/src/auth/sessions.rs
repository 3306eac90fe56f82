//! Which principal owns each legacy (2025-era) HTTP session.
//!
//! A session is bound to the `iss` and `sub` of the token that initialized it. A request that names a session
//! with another principal's token is answered as if the session did not exist (404), so a leaked or guessed
//! session id is worth nothing without its owner's token.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use super::token::Owner;

/// Session id → owner.
#[derive(Default)]
pub(crate) struct SessionOwners(Mutex<HashMap<String, Owner>>);

impl SessionOwners {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Owner>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `owner` created `session`.
    pub(crate) fn bind(&self, session: &str, owner: &Owner) {
        self.lock().insert(session.to_owned(), owner.clone());
    }

    /// Whether `owner` may use `session`: its owner, or anyone for a session this layer does not know (the MCP
    /// service then answers 404 itself).
    pub(crate) fn allows(&self, session: &str, owner: &Owner) -> bool {
        self.lock().get(session).is_none_or(|bound| bound == owner)
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
        assert!(owners.allows("unknown", &bob));
        owners.forget("s1");
        assert!(owners.allows("s1", &bob));
    }
}
