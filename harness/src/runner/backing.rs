//! Providing backing services (Postgres, Redis) to a run: which are wanted, starting them, and what checks see.

use super::config::ServicesRequest;
use super::events::{Event, EventSink};
use super::plan::Plan;
use crate::check::{Outcome, SkipReason};
use crate::services::{self, RunningServices, Service};

/// The backing services of a run, as checks see them.
#[derive(Debug)]
pub(crate) enum BackingServices {
    /// Nothing asked for them.
    NotRequested,
    /// Up, with URLs for the target.
    Running(RunningServices),
    /// They could not be provided here (no Docker engine, no image): checks needing them are skipped.
    Unavailable(String),
    /// Providing them was attempted and broke (a container did not become ready, a URL does not answer).
    Failed(String),
}

impl BackingServices {
    /// The running services, or the outcome a check needing them concludes with.
    pub(crate) fn running(&self) -> Result<&RunningServices, Outcome> {
        match self {
            BackingServices::Running(s) => Ok(s),
            BackingServices::NotRequested => Err(Outcome::skip(
                SkipReason::ServicesUnavailable,
                "no backing services were requested for this run (pass --with postgres,redis)",
            )),
            BackingServices::Unavailable(reason) => Err(Outcome::skip(SkipReason::ServicesUnavailable, reason.clone())),
            BackingServices::Failed(reason) => Err(Outcome::error(reason.clone())),
        }
    }

    /// Variables to add to the target's environment (`DATABASE_URL`, `REDIS_URL`).
    pub(crate) fn env(&self) -> &[(String, String)] {
        match self {
            BackingServices::Running(s) => &s.env,
            _ => &[],
        }
    }

    /// Why the services are missing, when they were wanted and are not running.
    pub(crate) fn problem(&self) -> Option<&str> {
        match self {
            BackingServices::Unavailable(r) | BackingServices::Failed(r) => Some(r),
            _ => None,
        }
    }

    /// Stops and removes what this run started.
    pub(crate) async fn shutdown(self, sink: &mut dyn EventSink) {
        if let BackingServices::Running(s) = self
            && let Err(e) = s.shutdown().await
        {
            sink.event(&Event::Note(&format!("warning: removing the service containers failed: {e}")));
        }
    }
}

/// The services a run needs: those asked for, plus those of every selected check that may run.
pub(crate) fn wanted(plan: &Plan, request: &ServicesRequest) -> Vec<Service> {
    let mut wanted = request.with.clone();
    for p in plan.runnable() {
        wanted.extend(p.check.meta.applies.services);
    }
    let mut unique = Vec::new();
    for s in wanted {
        if !unique.contains(&s) {
            unique.push(s);
        }
    }
    unique
}

/// Starts (or finds) the wanted services, reporting progress as notes.
pub(crate) async fn provide(
    wanted: &[Service],
    request: &ServicesRequest,
    sink: &mut dyn EventSink,
) -> BackingServices {
    if wanted.is_empty() {
        return BackingServices::NotRequested;
    }
    let names: Vec<&str> = wanted.iter().map(|s| s.name()).collect();
    sink.event(&Event::Note(&format!("providing backing services: {}", names.join(", "))));
    match services::start(wanted, &request.config).await {
        Ok(running) => {
            for note in &running.notes {
                sink.event(&Event::Note(note));
            }
            BackingServices::Running(running)
        }
        Err(e) if e.is_unavailable() => {
            let reason = e.to_string();
            sink.event(&Event::Note(&reason));
            BackingServices::Unavailable(reason)
        }
        Err(e) => {
            let reason = format!("backing services failed: {e}");
            sink.event(&Event::Note(&reason));
            BackingServices::Failed(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Suite;
    use crate::protocol::RevisionChoice;
    use crate::runner::Selection;

    fn plan(suites: Vec<Suite>) -> Plan {
        let sel = Selection { suites, ..Default::default() };
        let cx = crate::runner::PlanContext {
            stdio: Some(true),
            protocol: RevisionChoice::Auto,
            danger_intrusive: false,
            official_fixtures: false,
            surface_lock: false,
        };
        Plan::new(crate::checks::all(), &sel, cx).unwrap()
    }

    #[test]
    fn the_integration_suite_wants_both_services_and_conformance_none() {
        let request = ServicesRequest::default();
        assert_eq!(wanted(&plan(vec![Suite::Integration]), &request), vec![Service::Postgres, Service::Redis]);
        assert!(wanted(&plan(vec![Suite::Conformance]), &request).is_empty());
        let with = ServicesRequest { with: vec![Service::Redis, Service::Redis], ..Default::default() };
        assert_eq!(wanted(&plan(vec![Suite::Conformance]), &with), vec![Service::Redis]);
    }

    #[test]
    fn checks_skip_when_unavailable_and_error_when_failed() {
        let unavailable = BackingServices::Unavailable("no Docker engine".into());
        let o = unavailable.running().unwrap_err();
        assert_eq!(o.skip, Some(SkipReason::ServicesUnavailable));
        assert_eq!(o.reason.as_deref(), Some("no Docker engine"));
        let failed = BackingServices::Failed("container exited".into());
        assert_eq!(failed.running().unwrap_err().status, crate::check::Status::Error);
        assert!(BackingServices::NotRequested.running().is_err());
        assert!(BackingServices::NotRequested.env().is_empty());
    }
}
