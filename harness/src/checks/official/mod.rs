//! The official-fixture profile (opt-in, `--profile official-fixtures`): the server scenarios of the official MCP
//! conformance suite (`@modelcontextprotocol/conformance`), judged as that suite judges them — by its fixture
//! names (tool `test_simple_text`, resource `test://static-text`, prompt `test_simple_prompt`, …).
//!
//! The rest of the harness is capability-driven and works on any server; these checks only mean something for a
//! server that implements the official fixtures (an SDK's conformance server), so the plan skips every check
//! tagged [`TAG`] unless [`crate::runner::RunOptions::official_fixtures`] is set. Each check is named
//! `official.<scenario id>` after the scenario it mirrors, asserts what that scenario asserts (its `dist/index.js`),
//! and applies in the scenario's revision window (`introducedIn` … `removedIn`).

mod completion;
mod elicitation;
pub(crate) mod fixture;
pub(crate) mod input_required;
mod json_schema;
mod logging;
mod progress;
mod prompts;
mod resources;
mod sampling;
mod subscriptions;
mod tools;

use crate::check::Check;

/// The tag every check of the profile carries; the plan skips tagged checks unless the profile is on.
pub(crate) const TAG: &str = "official-fixtures";

/// The checks of this area, in the order of the official suite's scenario list.
pub(crate) const CHECKS: &[Check] = &[
    completion::COMPLETE,
    tools::SIMPLE_TEXT,
    tools::IMAGE,
    tools::MIXED_CONTENT,
    logging::WITH_LOGGING,
    tools::ERROR,
    progress::WITH_PROGRESS,
    sampling::SAMPLING,
    elicitation::TOOL,
    tools::AUDIO,
    tools::EMBEDDED_RESOURCE,
    json_schema::JSON_SCHEMA_2020_12,
    elicitation::SEP1034_DEFAULTS,
    elicitation::SEP1330_ENUMS,
    resources::READ_TEXT,
    resources::READ_BINARY,
    resources::TEMPLATES_READ,
    subscriptions::SUBSCRIBE,
    subscriptions::UNSUBSCRIBE,
    resources::NOT_FOUND,
    prompts::SIMPLE,
    prompts::WITH_ARGS,
    prompts::EMBEDDED_RESOURCE,
    prompts::WITH_IMAGE,
    input_required::BASIC_ELICITATION,
    input_required::BASIC_SAMPLING,
    input_required::BASIC_LIST_ROOTS,
    input_required::REQUEST_STATE,
    input_required::MULTIPLE_INPUT_REQUESTS,
    input_required::MULTI_ROUND,
    input_required::TAMPERED_STATE,
];
