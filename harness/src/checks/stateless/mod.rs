//! The 2026-07-28 stateless era: `_meta`, `resultType`, caching hints, input-required results, subscriptions/listen.

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[];
