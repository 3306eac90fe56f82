//! Pagination of list methods: cursors followed to the end, invalid cursors rejected.

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[];
