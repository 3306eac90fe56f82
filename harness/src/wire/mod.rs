//! The raw JSON-RPC wire: stdio line framing and Streamable HTTP, with hard caps on everything a target sends and
//! every byte in and out recorded in a [`Transcript`].
//!
//! This layer moves bytes and messages; it judges nothing. It never panics on target input, every wait has a
//! timeout, and nothing a target sends can make it grow without bound (see [`Limits`]). Negative conformance checks
//! use it directly, so it sends whatever it is given: arbitrary lines on stdin, arbitrary bodies and headers over
//! HTTP (including requests without the default headers).

mod command;
mod error;
mod http;
mod limits;
mod sse;
mod stdio;
mod transcript;

pub use command::StdioCommand;
pub use error::WireError;
pub use http::{HttpReply, HttpRequest, HttpTarget, HttpWire, ReplyBody};
pub use limits::Limits;
pub use sse::{SseEvent, SseReader};
pub use stdio::{Incoming, StdioWire};
pub use transcript::{Direction, Transcript, TranscriptEntry};
