//! Capabilities consistent with behaviour: advertised features work, unadvertised ones answer -32601.

pub(crate) mod consistent;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[consistent::CONSISTENT, consistent::UNADVERTISED_METHOD];
