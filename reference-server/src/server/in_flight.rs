//! Request ids in flight in one session, and the answer to a request that reuses one.
//!
//! JSON-RPC ids must be unique among a session's unanswered requests. rmcp keys its
//! per-request state by id and silently replaces the first request's entry when a
//! second one arrives with the same id, so one of the two is never answered (its
//! response is dropped as "for a cancelled request", or, over a Streamable HTTP
//! session, routed to no stream). The transports therefore track the ids they have
//! handed to rmcp and answer a duplicate themselves, before rmcp sees it.

use std::collections::{HashMap, hash_map::Entry};

use rmcp::{
    ErrorData,
    model::{RequestId, ServerJsonRpcMessage},
};

/// Message of the `-32600` answer to a request whose id is already in flight.
pub(crate) const DUPLICATE_ID_MESSAGE: &str = "Invalid Request: id is already in use by a request in flight";

/// The `-32600` error that answers a request reusing the id of a request in flight.
pub(crate) fn duplicate_id_error(id: RequestId) -> ServerJsonRpcMessage {
    ServerJsonRpcMessage::error(ErrorData::invalid_request(DUPLICATE_ID_MESSAGE, None), Some(id))
}

/// Ids of one session's unanswered requests, each with a ticket naming its holder.
///
/// The ticket lets a late release (a stream dropped after its id was freed by a
/// cancellation and taken by a new request) leave the new holder alone.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    ids: HashMap<RequestId, u64>,
    next_ticket: u64,
}

impl InFlight {
    /// Claims `id`: its ticket, or `None` when a request with that id is still in flight.
    pub(crate) fn claim(&mut self, id: &RequestId) -> Option<u64> {
        match self.ids.entry(id.clone()) {
            Entry::Occupied(_) => None,
            Entry::Vacant(slot) => {
                self.next_ticket = self.next_ticket.wrapping_add(1);
                slot.insert(self.next_ticket);
                Some(self.next_ticket)
            }
        }
    }

    /// Frees `id` whoever holds it (its response was sent, or the client cancelled it).
    pub(crate) fn release(&mut self, id: &RequestId) {
        self.ids.remove(id);
    }

    /// Frees `id` only if `ticket` still holds it.
    pub(crate) fn release_ticket(&mut self, id: &RequestId, ticket: u64) {
        if self.ids.get(id) == Some(&ticket) {
            self.ids.remove(id);
        }
    }

    /// Whether no request is in flight.
    pub(crate) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_free_again_once_released() {
        let mut in_flight = InFlight::default();
        let id = RequestId::Number(7);
        assert!(in_flight.claim(&id).is_some());
        assert!(in_flight.claim(&id).is_none());
        assert!(in_flight.claim(&RequestId::String("7".into())).is_some(), "\"7\" and 7 are different ids");
        in_flight.release(&id);
        assert!(in_flight.claim(&id).is_some());
    }

    #[test]
    fn a_stale_ticket_leaves_the_new_holder_alone() {
        let mut in_flight = InFlight::default();
        let id = RequestId::Number(1);
        let old = in_flight.claim(&id).unwrap();
        in_flight.release(&id);
        let new = in_flight.claim(&id).unwrap();
        in_flight.release_ticket(&id, old);
        assert!(in_flight.claim(&id).is_none());
        in_flight.release_ticket(&id, new);
        assert!(in_flight.is_empty());
    }

    #[test]
    fn the_answer_is_an_invalid_request_with_the_id() {
        let value = serde_json::to_value(duplicate_id_error(RequestId::Number(3))).unwrap();
        assert_eq!(value["id"], 3);
        assert_eq!(value["error"]["code"], -32600);
        assert_eq!(value["error"]["message"], DUPLICATE_ID_MESSAGE);
    }
}
