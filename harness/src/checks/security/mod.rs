//! Black-box security probes (the `security` suite): defences the spec motivates but does not word as a rule, and
//! (later) opt-in intrusive probes. Catalogue and sources: `suites/security/README.md`.

pub(crate) mod content_type;
pub(crate) mod host_rebinding;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[host_rebinding::HOST_REBINDING, content_type::CONTENT_TYPE];
