//! The raw JSON-RPC wire: stdio line framing and Streamable HTTP, with hard caps on everything a target sends and
//! every byte in and out recorded in a [`Transcript`].
//!
//! This layer moves bytes and messages; it judges nothing. It never panics on target input, every wait has a
//! timeout, and nothing a target sends can make it grow without bound (see [`Limits`]). Negative conformance checks
//! use it directly, so it sends whatever it is given: arbitrary lines on stdin, arbitrary bodies and headers over
//! HTTP (including requests without the default headers).
//!
//! Choices worth knowing:
//! - Stdio targets run in their own process group ([`StdioWire::shutdown`] and drop end the whole tree); a terminal's
//!   Ctrl-C therefore reaches only the harness, which ends its targets as it unwinds.
//! - HTTP goes through hyper's pooled client, not reqwest, because reqwest always adds `Accept: */*`; `https://`
//!   through rustls (ring) with ALPN `h2`/`http/1.1` and the roots [`tls`] describes.
//! - SSE is parsed here (not with `sse-stream`), with caps on event size and count.

mod command;
mod deadline;
mod error;
mod groups;
mod http;
mod limits;
mod sse;
mod stdio;
pub mod tls;
mod transcript;

pub use command::StdioCommand;
pub use error::WireError;
pub use groups::kill_all_process_groups;
pub(crate) use groups::{register as register_process_group, unregister as unregister_process_group};
pub use http::{HttpReply, HttpRequest, HttpTarget, HttpWire, ReplyBody};
pub use limits::Limits;
pub use sse::{SseEvent, SseReader};
pub use stdio::{Incoming, StdioWire};
pub use transcript::{Direction, Sighting, Transcript, TranscriptEntry};

#[cfg(test)]
mod tests {
    use super::*;

    /// The session layer moves these across tasks and into `anyhow`.
    #[test]
    fn public_types_are_send() {
        fn send<T: Send + 'static>() {}
        fn send_sync<T: Send + Sync + 'static>() {}
        send::<StdioWire>();
        send::<SseReader>();
        send::<HttpReply>();
        send_sync::<HttpWire>();
        send_sync::<Transcript>();
        send_sync::<WireError>();
    }
}
