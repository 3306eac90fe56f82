//! Tools: listing and calling.

pub(crate) mod list;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[
    list::SHAPE,
];
