//! `mcp-harness list`.

use std::io::Write;

use anyhow::{Context as _, Result};
use serde_json::json;

use mcp_harness::check::{CheckMeta, Suite};
use mcp_harness::protocol::{Revision, RevisionChoice};
use mcp_harness::report::cite;
use mcp_harness::runner::{Plan, PlanContext, PlannedCheck, Selection, default_journey_sources};
use mcp_harness::surface::LoadedLock;

use super::args::{FilterArgs, ListArgs, ListFormat, ProfileArg};

/// Prints the checks `run` would select with the same flags, and whether each would run, to stdout. A closed stdout
/// (`mcp-harness list | head`) ends the listing quietly.
pub(crate) fn list(args: &ListArgs) -> Result<Selection> {
    let selection = selection(&args.filter)?;
    // A lock `run` could not read is a usage error here too; the checks it enables need nothing else from it.
    if let Some(path) = &args.plan.surface {
        LoadedLock::load(path).with_context(|| format!("--surface {}", path.display()))?;
    }
    // The same plan `run` makes: the target's transport, the revision and the opt-ins decide, before connecting,
    // which checks are not applicable or skipped.
    let cx = PlanContext {
        stdio: Some(args.target.is_stdio()),
        protocol: args.plan.protocol.parse::<RevisionChoice>()?,
        danger_intrusive: args.plan.danger_intrusive,
        official_fixtures: args.plan.profile.contains(&ProfileArg::OfficialFixtures),
        surface_lock: args.plan.surface.is_some(),
    };
    let journeys = (!args.filter.journeys.is_empty()).then_some(args.filter.journeys.as_slice());
    let reference = args.target.stdio.is_none() && args.target.url.is_none();
    let sources = default_journey_sources(journeys, reference);
    let registry = if selection.may_select_suite(Suite::Unit) {
        // The unit checks are generated from the target's tools and prompts: list them (the one case where
        // `list` connects).
        mcp_harness::checks::registry(&sources)?;
        let unit = discover_unit(args, cx.protocol)?;
        if let Some(problem) = &unit.problem {
            eprintln!("mcp-harness: the unit suite's checks could not be generated: {problem:?}");
        }
        mcp_harness::checks::registry_with_unit(&sources, unit)?
    } else {
        mcp_harness::checks::registry(&sources)?
    };
    let checks = Plan::new(registry.checks, &selection, cx)?.checks;
    let mut out = std::io::stdout().lock();
    let written = write_checks(&mut out, &checks, args.format, cx.protocol);
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(selection)
}

/// Starts the target once and lists its surface, for the unit suite's checks.
fn discover_unit(args: &ListArgs, protocol: RevisionChoice) -> Result<mcp_harness::unit::UnitSet> {
    let spec = super::run::target(&args.target)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let options = mcp_harness::session::SessionOptions { revision: protocol, ..Default::default() };
    let limits = mcp_harness::wire::Limits::default();
    let unit = runtime.block_on(async {
        let interrupt = mcp_harness::runner::Interrupt::on_signals()?;
        let launch = std::time::Duration::from_secs(30);
        anyhow::Ok(mcp_harness::unit::discover(&spec, launch, &limits, &options, &interrupt).await)
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(unit)
}

fn write_checks(
    out: &mut impl Write,
    checks: &[PlannedCheck],
    format: ListFormat,
    protocol: RevisionChoice,
) -> std::io::Result<()> {
    match format {
        ListFormat::Text => {
            // Ids in one column as wide as the longest selected id.
            let width = checks.iter().map(|c| c.check.meta.id.as_str().len()).max().unwrap_or(0);
            for c in checks {
                let m = &c.check.meta;
                let plan = match &c.skip {
                    None => String::new(),
                    Some(o) => format!("  [{}: {}]", o.status, o.reason.as_deref().unwrap_or_default()),
                };
                writeln!(
                    out,
                    "{:<width$} {:<6} {:<11} {}{plan}",
                    m.id.as_str(),
                    m.level.as_str(),
                    m.suite.as_str(),
                    m.title
                )?;
            }
        }
        ListFormat::Json => {
            let all: Vec<_> = checks
                .iter()
                .map(|c| {
                    let m = &c.check.meta;
                    let planned = match &c.skip {
                        None => json!({"outcome": "run"}),
                        Some(o) => json!({"outcome": o.status, "reason": o.reason}),
                    };
                    json!({"id": m.id, "title": m.title, "suite": m.suite, "level": m.level,
                           "requirements": requirements(m, protocol), "applies": m.applies, "tags": m.tags,
                           "plan": planned})
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        }
    }
    out.flush()
}

/// The requirements a check cites, `{id, level, quote, url}` each, as the catalogs word them for the revision the
/// run would speak: the one `--protocol` names, else the newest the check applies to. An id no catalog has (a
/// unit test rules that out) is listed with null fields.
fn requirements(meta: &CheckMeta, protocol: RevisionChoice) -> Vec<serde_json::Value> {
    let revision = match protocol {
        RevisionChoice::Exact(r) => r,
        RevisionChoice::Auto => {
            Revision::ALL.into_iter().rev().find(|r| meta.applies.covers_revision(*r)).unwrap_or(Revision::LATEST)
        }
    };
    meta.requirements
        .iter()
        .map(|id| match cite(id, revision) {
            Some(c) => json!({"id": id, "level": c.requirement.level, "quote": c.requirement.quote, "url": c.url}),
            None => json!({"id": id, "level": null, "quote": null, "url": null}),
        })
        .collect()
}

/// Turns filter flags into a selection, rejecting unknown suites.
pub(crate) fn selection(f: &FilterArgs) -> Result<Selection> {
    let mut suites = Vec::new();
    for s in &f.suite {
        if s == "all" {
            suites.clear();
            break;
        }
        match Suite::parse(s) {
            Some(suite) => suites.push(suite),
            None => {
                anyhow::bail!("unknown suite `{s}` (known: conformance, integration, e2e, performance, security, all)")
            }
        }
    }
    Ok(Selection { suites, include: f.check.clone(), exclude: f.exclude.clone(), tags: f.tag.clone() })
}
