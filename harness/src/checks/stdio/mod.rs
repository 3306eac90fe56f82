//! stdio transport rules.

pub(crate) mod stdout_only;
