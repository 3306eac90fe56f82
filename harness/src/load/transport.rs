//! What the scheduler needs from a transport: send one prepared request with an id, and say what came of it.

use std::time::Instant;

use futures::future::BoxFuture;

use super::reply::CallResult;
use super::request::PreparedRequest;

/// The end of one request.
#[derive(Debug, Clone)]
pub struct Answer {
    /// When it actually went out (the start of its service time).
    pub sent: Instant,
    /// What it came to.
    pub result: CallResult,
}

/// A transport under load. Every call ends, within the request timeout, with an [`Answer`].
pub trait LoadTransport: Send + Sync {
    /// Sends `request` with `id` and waits (bounded) for its answer.
    fn call<'a>(&'a self, request: &'a PreparedRequest, id: u64) -> BoxFuture<'a, Answer>;
}
