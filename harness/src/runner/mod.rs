//! The runner: a [`Plan`] (selection and static applicability), then execution with timeouts, emitting
//! [`Event`]s; the report is built once at the end by [`crate::report::build_report`].

pub(crate) mod backing;
mod config;
mod events;
mod execute;
pub(crate) mod id_pattern;
mod plan;

pub use config::{RunConfig, RunOptions, ServicesRequest};
pub use events::{Event, EventSink, NullSink};
pub use execute::run;
pub use plan::{static_skip_for, Plan, PlannedCheck, RunError, Selection};
