//! Capabilities consistent with behaviour: advertised features work, unadvertised ones answer -32601.

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[];
