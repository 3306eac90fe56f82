//! A message-level MCP client on top of the [`crate::wire`]: connections for both transports, the handshake
//! for both eras, requests with timeouts, and answers to server→client requests.

mod answers;
mod audit;
mod blocker;
mod client;
mod connection;
mod error;
mod log;
mod profile;
mod rpc;
mod typed;
mod violation;

pub use answers::ClientAnswers;
pub use audit::{AuditLog, SchemaAudit};
pub use blocker::{Blocker, BlockerKind};
pub use client::{Session, SessionOptions};
pub(crate) use connection::header_value;
pub use connection::{Connection, Inbound};
pub use error::SessionError;
pub use log::{LoggedViolation, WireLog, WireLogSnapshot};
pub use profile::ServerProfile;
pub(crate) use rpc::clip;
pub use rpc::{RpcError, RpcReply, clip_json};
pub use typed::{WireTransport, client_config, typed_client};
pub use violation::{OutputSample, Violation, ViolationKind};
