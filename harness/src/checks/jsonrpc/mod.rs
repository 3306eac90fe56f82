//! JSON-RPC 2.0 base rules every MCP message follows.

pub(crate) mod batch;
pub(crate) mod id_echo;
pub(crate) mod invalid_request;
pub(crate) mod notification;
pub(crate) mod parse_error;
pub(crate) mod raw;
pub(crate) mod response_id;
pub(crate) mod response_shape;
pub(crate) mod schema_valid;
pub(crate) mod unknown_method;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[
    unknown_method::CHECK,
    parse_error::CHECK,
    invalid_request::INVALID_REQUEST,
    id_echo::ID_ECHO,
    notification::NOTIFICATION_NO_RESPONSE,
    batch::BATCH_ANSWERED,
];
