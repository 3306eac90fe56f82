//! Tools: listing and calling.

pub(crate) mod arguments;
pub(crate) mod call;
pub(crate) mod catalog;
pub(crate) mod list;
pub(crate) mod schemas;

use crate::check::Check;

/// The checks of this area, in report order.
pub(crate) const CHECKS: &[Check] = &[
    list::SHAPE,
    schemas::INPUT_SCHEMA_VALID,
    schemas::NAME_FORMAT,
    call::UNKNOWN_TOOL_CHECK,
    call::INVALID_ARGUMENTS,
    call::STRUCTURED_CONTENT,
];
