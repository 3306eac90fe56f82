//! Prompts: listing and getting.

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[];
