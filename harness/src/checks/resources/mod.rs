//! Resources: listing, reading, templates, subscriptions.

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[];
