//! The two protocol eras and how to tell which one a request belongs to.

use rmcp::{RoleServer, model::ProtocolVersion, service::RequestContext};

/// The wire era of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Era {
    /// 2025-03-26 … 2025-11-25: initialize, sessions, server→client requests.
    Legacy,
    /// 2026-07-28: stateless, per-request `_meta`, input-required results.
    Modern,
}

impl Era {
    /// The era of the request being handled in `context`.
    pub(crate) fn of(context: &RequestContext<RoleServer>) -> Self {
        match context.protocol_version() {
            Some(version) if version.as_str() >= ProtocolVersion::V_2026_07_28.as_str() => Self::Modern,
            _ => Self::Legacy,
        }
    }
}
