//! Black-box security probes (the `security` suite): defences the spec motivates but does not word as a rule, the
//! passive scan of what a server publishes about itself (`security.meta.*`, over one metadata corpus), what it
//! lets out during the run (`security.leak.*`), malformed-input robustness judged by liveness
//! (`security.robust.*`, sharing [`robust`]), and the opt-in intrusive injection probes (`security.inject.*`,
//! [`inject`]). Catalogue and sources:
//! `suites/security/README.md`.

pub(crate) mod annotations;
pub(crate) mod auth;
pub(crate) mod bind_loopback;
pub(crate) mod canary;
pub(crate) mod content_type;
pub(crate) mod corpus;
pub(crate) mod cors;
pub(crate) mod cross_tool;
pub(crate) mod deep_nesting;
pub(crate) mod flood;
pub(crate) mod hidden_instructions;
pub(crate) mod host_rebinding;
pub(crate) mod icon_uris;
pub(crate) mod inject;
pub(crate) mod invalid_utf8;
pub(crate) mod invisible_unicode;
pub(crate) mod oversized;
pub(crate) mod robust;
pub(crate) mod rug_pull;
pub(crate) mod sensitive_output;
pub(crate) mod session_binding;
pub(crate) mod session_enforcement;
pub(crate) mod session_fixation;
pub(crate) mod session_id_quality;
pub(crate) mod stdio_framing;
pub(crate) mod tool_names;

use crate::check::Check;

/// The checks of this area, in report order (the `security.leak.*` checks judge the whole run: they are in the
/// registry's observed group, [`OBSERVED`]).
pub(crate) const CHECKS: &[Check] = &[
    host_rebinding::HOST_REBINDING,
    content_type::CONTENT_TYPE,
    cors::CORS,
    bind_loopback::BIND_LOOPBACK,
    session_id_quality::SESSION_ID_QUALITY,
    session_fixation::SESSION_FIXATION,
    session_enforcement::SESSION_ENFORCEMENT,
    session_binding::SESSION_BINDING,
    auth::challenge::CHALLENGE,
    auth::prm_document::PRM_DOCUMENT,
    auth::all_requests::ALL_REQUESTS,
    auth::invalid_token::INVALID_TOKEN,
    auth::query_token::QUERY_TOKEN,
    auth::audience::AUDIENCE,
    auth::insufficient_scope::INSUFFICIENT_SCOPE,
    hidden_instructions::HIDDEN_INSTRUCTIONS,
    invisible_unicode::INVISIBLE_UNICODE,
    tool_names::TOOL_NAMES,
    cross_tool::CROSS_TOOL_REFERENCE,
    rug_pull::RUG_PULL,
    annotations::ANNOTATION_CONSISTENCY,
    icon_uris::ICON_URIS,
    invalid_utf8::INVALID_UTF8,
    deep_nesting::DEEP_NESTING,
    stdio_framing::STDIO_FRAMING,
    oversized::OVERSIZED_MESSAGE,
    flood::FLOOD,
    inject::path_traversal::PATH_TRAVERSAL,
    inject::resource_traversal::RESOURCE_TRAVERSAL,
    inject::command::COMMAND,
    inject::sql::SQL,
    inject::ssrf::SSRF,
    inject::request_state::REQUEST_STATE,
];

/// The checks of this area that judge what the whole run observed (`Needs::Observations`).
pub(crate) const OBSERVED: &[Check] = &[canary::CANARY_SECRET, sensitive_output::SENSITIVE_OUTPUT];
