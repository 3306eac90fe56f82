//! stdio transport rules.

pub(crate) mod hygiene;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[
    hygiene::CHECK,
];
