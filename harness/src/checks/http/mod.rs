//! Streamable HTTP transport rules: status codes, headers, sessions, Origin validation, SSE.
//!
//! Every check opens its own session ([`probe::Probe`]) and sends requests it builds itself: the headers a
//! correct client sends, with one of them changed, so a rejection can only be about that one header.

pub(crate) mod headers;
pub(crate) mod origin;
pub(crate) mod post;
pub(crate) mod probe;
pub(crate) mod response_type;
pub(crate) mod sessions;
pub(crate) mod streams;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[
    origin::ORIGIN_403,
    sessions::ID_VISIBLE_ASCII,
    sessions::REQUIRED,
    sessions::UNKNOWN_404,
    sessions::DELETE,
    post::NOTIFICATION_202,
    post::ACCEPT_NEGOTIATION,
    headers::PROTOCOL_VERSION_HEADER,
    streams::GET_STREAM,
    streams::LEGACY_GET_DELETE_405,
    streams::SSE_FRAMING,
    streams::SSE_TERMINATE,
    headers::HEADER_MISMATCH_CHECK,
    headers::METHOD_NOT_FOUND_404,
    headers::VERSION_MISMATCH,
];
