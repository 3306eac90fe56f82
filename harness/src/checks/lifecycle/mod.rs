//! Lifecycle: the stateful `initialize` handshake and the stateless `server/discover`.

pub(crate) mod discover;
pub(crate) mod initialize;
pub(crate) mod second_initialize;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] =
    &[initialize::SUCCEEDS, initialize::VERSION_NEGOTIATION, second_initialize::SECOND_ANSWERED, discover::RESULT];
