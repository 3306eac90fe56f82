//! The registry a run selects from: the registered checks and journeys, plus, when the selection may pick unit
//! checks, those generated from the target's surface — discovered first by starting the target once. One place
//! for `run`, `list` and the cargo-test bridge.

use super::config::RunConfig;
use super::events::{Event, EventSink};
use super::plan::RunError;
use crate::check::Suite;
use crate::checks::Registry;

/// The registry for `config`; `sink` hears [`Event::Discovering`] before the target is started for discovery.
/// A journey file with a mistake is an error before anything starts.
pub async fn registry_for(config: &RunConfig, sink: &mut dyn EventSink) -> Result<&'static Registry, RunError> {
    let sources = config.journey_sources();
    let registry = crate::checks::registry(&sources)?;
    if !config.selection.may_select_suite(Suite::Unit) {
        return Ok(registry);
    }
    let target = config.target.describe();
    sink.event(&Event::Discovering { target: &target });
    let unit = crate::unit::discover(
        &config.target,
        config.launch_timeout,
        &config.limits,
        &super::execute::session_options(config),
        &config.interrupt,
    )
    .await;
    Ok(crate::checks::registry_with_unit(&sources, unit)?)
}
