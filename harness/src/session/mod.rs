//! A message-level MCP client on top of the [`crate::wire`]: connections for both transports, the handshake
//! for both eras, requests with timeouts, and answers to server→client requests.

mod answers;
mod audit;
mod client;
mod connection;
mod error;
mod profile;
mod rpc;
mod typed;

pub use answers::ClientAnswers;
pub use audit::{AuditLog, SchemaAudit};
pub use client::{Session, SessionOptions};
pub use connection::{Connection, Inbound};
pub use error::SessionError;
pub use profile::ServerProfile;
pub use rpc::{clip_json, RpcError, RpcReply};
pub use typed::{client_config, typed_client, WireTransport};
