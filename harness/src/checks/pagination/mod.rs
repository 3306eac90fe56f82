//! Pagination of list methods: cursors followed to the end, invalid cursors rejected.

pub(crate) mod invalid_cursor;
pub(crate) mod terminates;
pub(crate) mod walk;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[terminates::TERMINATES, invalid_cursor::INVALID_CURSOR];
