//! Black-box security probes (the `security` suite): defences the spec motivates but does not word as a rule, and
//! (later) opt-in intrusive probes. Catalogue and sources: `suites/security/README.md`.

pub(crate) mod bind_loopback;
pub(crate) mod content_type;
pub(crate) mod cors;
pub(crate) mod host_rebinding;
pub(crate) mod session_binding;
pub(crate) mod session_enforcement;
pub(crate) mod session_fixation;
pub(crate) mod session_id_quality;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[
    host_rebinding::HOST_REBINDING,
    content_type::CONTENT_TYPE,
    cors::CORS,
    bind_loopback::BIND_LOOPBACK,
    session_id_quality::SESSION_ID_QUALITY,
    session_fixation::SESSION_FIXATION,
    session_enforcement::SESSION_ENFORCEMENT,
    session_binding::SESSION_BINDING,
];
