//! Fan-out of change notifications to legacy sessions and 2026 listen streams.

#![allow(deprecated)] // resources/subscribe and logging are legacy-era features.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use rmcp::{Peer, RoleServer, model::ResourceUpdatedNotificationParam, service::SubscriptionSink};

/// A change that clients may be told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// `notifications/tools/list_changed`.
    Tools,
    /// `notifications/prompts/list_changed`.
    Prompts,
    /// `notifications/resources/updated` for one URI.
    ResourceUpdated(String),
}

/// A legacy session's peer and the URIs it subscribed to.
struct SessionEntry {
    peer: Peer<RoleServer>,
    subscriptions: Arc<Mutex<HashSet<String>>>,
}

/// Registry of everyone who can receive notifications.
#[derive(Default)]
pub(crate) struct Hub {
    sessions: Mutex<HashMap<u64, SessionEntry>>,
    listeners: Mutex<HashMap<u64, SubscriptionSink>>,
    next_id: AtomicU64,
}

impl Hub {
    /// A fresh id for a session or listener.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Registers an initialized legacy session.
    pub(crate) fn add_session(&self, id: u64, peer: Peer<RoleServer>, subscriptions: Arc<Mutex<HashSet<String>>>) {
        lock(&self.sessions).insert(id, SessionEntry { peer, subscriptions });
    }

    /// Forgets a legacy session (it ended).
    pub(crate) fn remove_session(&self, id: u64) {
        lock(&self.sessions).remove(&id);
    }

    /// Number of registered legacy sessions.
    pub(crate) fn session_count(&self) -> usize {
        lock(&self.sessions).len()
    }

    /// Registers a 2026 `subscriptions/listen` stream.
    pub(crate) fn add_listener(&self, sink: SubscriptionSink) -> u64 {
        let id = self.next_id();
        lock(&self.listeners).insert(id, sink);
        id
    }

    /// Forgets a listen stream.
    pub(crate) fn remove_listener(&self, id: u64) {
        lock(&self.listeners).remove(&id);
    }

    /// Delivers `change` to every interested session and listener.
    ///
    /// Listen streams only receive what their accepted filter allows (the sink
    /// enforces it); legacy sessions receive list changes always and resource
    /// updates only for URIs they subscribed to.
    pub(crate) async fn publish(&self, change: Change) {
        let peers: Vec<Peer<RoleServer>> = lock(&self.sessions)
            .values()
            .filter(|entry| match &change {
                Change::ResourceUpdated(uri) => lock(&entry.subscriptions).contains(uri),
                _ => true,
            })
            .map(|entry| entry.peer.clone())
            .collect();
        for peer in peers {
            let sent = match &change {
                Change::Tools => peer.notify_tool_list_changed().await,
                Change::Prompts => peer.notify_prompt_list_changed().await,
                Change::ResourceUpdated(uri) => {
                    peer.notify_resource_updated(ResourceUpdatedNotificationParam::new(uri.clone())).await
                }
            };
            if let Err(error) = sent {
                tracing::debug!(%error, "dropping notification for a closed session");
            }
        }
        let sinks: Vec<SubscriptionSink> = lock(&self.listeners).values().cloned().collect();
        for sink in sinks {
            let sent = match &change {
                Change::Tools => sink.notify_tool_list_changed().await,
                Change::Prompts => sink.notify_prompt_list_changed().await,
                Change::ResourceUpdated(uri) => sink.notify_resource_updated(uri.clone()).await,
            };
            if let Err(error) = sent {
                tracing::debug!(%error, "notification not delivered to a listen stream");
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
