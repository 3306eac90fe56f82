//! [`UniqueIds`]: a session manager that answers a request reusing the id of a request in flight.
//!
//! Each POSTed request of a legacy session gets its own stream from rmcp's session
//! worker, routed by JSON-RPC id. A second request with an id still in flight replaces
//! the first one's route (and its state in rmcp's service loop), so one of the two
//! POSTs never gets an answer. This wrapper claims the id before the request reaches
//! the session and answers a duplicate at once, on its own response stream, with
//! `-32600`. The id is freed when its response passes through the stream, when the
//! client cancels the request, or when the stream is dropped (the client went away).

use std::{
    collections::HashMap,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

use futures::{Stream, StreamExt as _, future::Either, stream};
use rmcp::{
    model::{ClientJsonRpcMessage, ClientNotification, RequestId, ServerJsonRpcMessage},
    transport::streamable_http_server::session::{
        EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
    },
};

use crate::server::{InFlight, duplicate_id_error};

/// Ids in flight, per session.
type Registry = Arc<Mutex<HashMap<SessionId, InFlight>>>;

/// Wraps a session manager `M` and keeps request ids unique among a session's requests in flight.
pub(crate) struct UniqueIds<M> {
    inner: M,
    in_flight: Registry,
}

impl<M> UniqueIds<M> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: M) -> Self {
        Self { inner, in_flight: Registry::default() }
    }
}

fn lock(registry: &Registry) -> std::sync::MutexGuard<'_, HashMap<SessionId, InFlight>> {
    registry.lock().unwrap_or_else(|e| e.into_inner())
}

/// Frees `id` of `session` if `ticket` still holds it, forgetting sessions with nothing in flight.
fn release(registry: &Registry, session: &SessionId, id: &RequestId, ticket: u64) {
    let mut sessions = lock(registry);
    if let Some(in_flight) = sessions.get_mut(session) {
        in_flight.release_ticket(id, ticket);
        if in_flight.is_empty() {
            sessions.remove(session);
        }
    }
}

/// The claim of one request on its id; released once, by the response or by drop.
struct Claim {
    registry: Registry,
    session: SessionId,
    id: RequestId,
    ticket: u64,
    released: bool,
}

impl Claim {
    fn release(&mut self) {
        if !std::mem::replace(&mut self.released, true) {
            release(&self.registry, &self.session, &self.id, self.ticket);
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.release();
    }
}

/// A request's response stream that frees the request's id when the response passes.
struct Claimed<S> {
    inner: S,
    claim: Claim,
}

impl<S: Stream<Item = ServerSseMessage> + Unpin> Stream for Claimed<S> {
    type Item = ServerSseMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(message)) = &polled {
            let answered = match message.message.as_deref() {
                Some(ServerJsonRpcMessage::Response(response)) => response.id == self.claim.id,
                Some(ServerJsonRpcMessage::Error(error)) => error.id.as_ref() == Some(&self.claim.id),
                _ => false,
            };
            if answered {
                self.claim.release();
            }
        }
        polled
    }
}

impl<M: SessionManager> SessionManager for UniqueIds<M> {
    type Error = M::Error;
    type Transport = M::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        self.inner.create_session().await
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.inner.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.inner.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        let closed = self.inner.close_session(id).await;
        lock(&self.in_flight).remove(id);
        closed
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let ClientJsonRpcMessage::Request(request) = &message else {
            return Ok(Either::Left(Either::Left(self.inner.create_stream(id, message).await?)));
        };
        let request_id = request.id.clone();
        let ticket = lock(&self.in_flight).entry(id.clone()).or_default().claim(&request_id);
        let Some(ticket) = ticket else {
            let answer = ServerSseMessage::from_message(duplicate_id_error(request_id));
            return Ok(Either::Right(stream::iter([answer])));
        };
        // From here the claim is released however this ends, including an error or cancellation.
        let claim =
            Claim { registry: self.in_flight.clone(), session: id.clone(), id: request_id, ticket, released: false };
        let inner = self.inner.create_stream(id, message).await?;
        Ok(Either::Left(Either::Right(Claimed { inner: Box::pin(inner), claim })))
    }

    async fn accept_message(&self, id: &SessionId, message: ClientJsonRpcMessage) -> Result<(), Self::Error> {
        let cancelled = match &message {
            ClientJsonRpcMessage::Notification(notification) => match &notification.notification {
                ClientNotification::CancelledNotification(cancelled) => cancelled.params.request_id.clone(),
                _ => None,
            },
            _ => None,
        };
        let accepted = self.inner.accept_message(id, message).await;
        // rmcp forgets a cancelled request at once (its response is dropped), so its id is free.
        if let Some(request_id) = cancelled {
            let mut sessions = lock(&self.in_flight);
            if let Some(in_flight) = sessions.get_mut(id) {
                in_flight.release(&request_id);
                if in_flight.is_empty() {
                    sessions.remove(id);
                }
            }
        }
        accepted
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner.create_standalone_stream(id).await
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner.resume(id, last_event_id).await
    }

    async fn restore_session(&self, id: SessionId) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.inner.restore_session(id).await
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}
