//! The runner: a [`Plan`] (selection and static applicability), then execution in stages (provision → launch →
//! handshake → checks → teardown) emitting [`Event`]s; aggregation ([`RunRecorder`]) is one more consumer of those
//! events and builds the report once at the end with [`crate::report::build_report`].

pub(crate) mod backing;
mod checks;
mod config;
mod events;
mod execute;
pub(crate) mod id_pattern;
mod interrupt;
mod partition;
mod plan;
mod record;
mod registry;

pub use config::{
    DEFAULT_JOURNEY_DIR, DEFAULT_UNIT_CASES, RunConfig, RunOptions, SecretToken, ServicesRequest, UnitOptions,
    default_journey_sources,
};
pub use events::{Event, EventSink, NullSink};
pub use execute::run;
pub use interrupt::{Interrupt, Signal};
pub use partition::{Partition, PartitionError, PartitionKind};
pub use plan::{Plan, PlanContext, PlannedCheck, RunError, Selection, static_skip_for};
pub use record::RunRecorder;
pub(crate) use record::signal_exit;
pub use registry::registry_for;
