//! Resources: listing, reading, templates, subscriptions.

pub(crate) mod list;
pub(crate) mod read;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] =
    &[list::LIST_SHAPE, list::TEMPLATES_SHAPE, read::READ_LISTED, read::NOT_FOUND, read::NOT_FOUND_CODE];
