//! Prompts: listing and getting.

pub(crate) mod get;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[get::LIST_SHAPE, get::GET_LISTED, get::MISSING_ARGUMENT];
