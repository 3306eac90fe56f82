//! The 2026-07-28 stateless era: `_meta`, `resultType`, caching hints, input-required results, subscriptions/listen.

pub(crate) mod meta;
pub(crate) mod results;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] =
    &[results::RESULT_TYPE, results::CACHING_HINTS, meta::META_REQUIRED, meta::UNSUPPORTED_VERSION_CHECK];
