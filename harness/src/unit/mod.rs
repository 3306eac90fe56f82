//! The unit suite: each tool and prompt exercised alone, with inputs drawn from its schema.
//!
//! - [`inputs`]: JSON Schema (2020-12 and draft-07) → a proptest strategy of valid values ([`input_space`]), with
//!   edge values weighted in and what it could not honour listed.
//! - [`invalid`]: from one valid value, invalid variants that each break exactly one constraint
//!   ([`invalid_cases`]).
//! - [`shrink`]: a runner whose draws follow from a seed ([`seeded_runner`]); `replay`: proptest's shrink loop,
//!   one candidate at a time so a check can await the server (a value tree is not `Send`: it is rebuilt from the
//!   seed for each candidate);
//! - [`set`] and [`discover`]: the checks generated from the target's surface, discovered before the plan;
//! - `tool_valid`, `tool_invalid`, `prompt_get`, `resource_read`, `resource_templates`, `sequence` (stateful sequences), `surface_check`: the check functions.

mod discover;
pub mod inputs;
pub mod invalid;
mod probe;
mod prompt_get;
mod replay;
mod resource_read;
mod resource_templates;
mod sequence;
pub mod set;
pub mod shrink;
mod surface_check;
mod tool_invalid;
mod tool_valid;

pub use discover::discover;
pub use inputs::{InputSpace, input_space};
pub use invalid::{InvalidCase, invalid_cases};
pub(crate) use resource_read::CHECK as RESOURCE_READ_CHECK;
pub(crate) use resource_templates::CHECK as RESOURCE_TEMPLATES_CHECK;
pub(crate) use sequence::CHECK as SEQUENCE_CHECK;
pub use set::{DiscoveryProblem, ToolCheck, UnitItem, UnitSet};
pub use shrink::seeded_runner;
pub(crate) use surface_check::CHECK as SURFACE_CHECK;
