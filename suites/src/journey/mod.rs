//! The e2e suite's journey files (`*.journey.yaml`), typed: the format, its reader (with the source line of every
//! journey, step and assertion), its JSON Schema, and the journeys shipped for the bundled reference server.
//!
//! # Format
//!
//! ```yaml
//! # yaml-language-server: $schema=../schemas/journey.schema.json
//! journeys:
//!   - name: notes-crud                 # check id e2e.<file stem>.notes-crud
//!     description: Create, read and delete a record.
//!     revisions: ">=2025-06-18"        # or a list; outside it: not applicable
//!     sessions: [main]                 # default [main]; each opened on first use
//!     setup: []                        # a failure here: the journey could not be set up (error)
//!     steps:
//!       - call: {tool: create_data, arguments: {collection: notes, data: {title: Hello}}}
//!         capture: {note_id: $.structuredContent.id}
//!         expect:
//!           - {path: $.structuredContent.data.title, equals: Hello}
//!       - call: {tool: get_data, arguments: {id: "${note_id}"}}
//!         expect:
//!           - {path: $.structuredContent.id, equals: "${note_id}"}
//!           - {latency-ms: 2000}
//!     teardown:                        # always runs
//!       - call: {tool: delete_data, arguments: {id: "${note_id}"}}
//! ```
//!
//! A step has one action (`list`, `call`, `read`, `get`, `complete`, `subscribe`, `unsubscribe`, `listen`,
//! `set-level`, `ping`, `raw`) and optionally `session`, `timeout-ms`, `answers`, `expect`, `capture` and
//! `notifications`; see [`Step`] and [`Assertion`] for each key. The assertions and captures of a step address
//! its answer: the JSON-RPC `result`, or the `error` object when the server answered with an error.

mod embedded;
mod model;
mod parse;
mod revisions;
mod schema;
mod vars;
mod write;

pub use embedded::{EmbeddedFile, REFERENCE_JOURNEY_DIR, REFERENCE_JOURNEYS, REFERENCE_SNAPSHOTS};
pub use model::{
    ACTION_KEYS, Action, Answers, Assertion, AssertionKind, CallAction, CompleteAction, DEFAULT_NOTIFICATION_WITHIN_MS,
    GetAction, Journey, JourneyFile, ListKind, ListenAction, LogLevel, NotificationExpectation, Ping,
    RequiredCapability, SnapshotSpec, Step, TransportFilter,
};
pub use parse::{DEFAULT_SESSION, JourneyError, MAX_WAIT_MS, Phase, is_journey_name, parse_journey_file};
pub use revisions::Revisions;
pub use schema::{JOURNEY_SCHEMA, JOURNEY_SCHEMA_ID, generate_journey_schema};
pub use serde_saphyr::Spanned;
pub use vars::{Variables, interpolate, is_variable_name, references, substitute_value};
pub use write::{escape_value, escape_variables, journey_file_to_yaml, unlocated};
