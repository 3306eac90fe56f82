//! `mcp-harness list`.

use std::io::Write;

use anyhow::{Context as _, Result};
use serde_json::json;

use mcp_harness::RunConfig;
use mcp_harness::check::{CheckMeta, Suite};
use mcp_harness::protocol::{Revision, RevisionChoice};
use mcp_harness::report::cite;
use mcp_harness::runner::{Interrupt, NullSink, Plan, PlanContext, PlannedCheck, Selection, registry_for};
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
    // The unit checks are generated from the target's tools and prompts: with the unit suite selected (and only
    // then) `list` starts the target once to name them.
    let mut config = RunConfig::new(super::run::target(&args.target)?).protocol(cx.protocol);
    config.selection = selection.clone();
    config.journeys = journeys.map(<[_]>::to_vec);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let registry = runtime.block_on(async {
        config.interrupt = Interrupt::on_signals()?;
        anyhow::Ok(registry_for(&config, &mut NullSink).await?)
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    if let Some(problem) = &registry.unit.problem {
        eprintln!("mcp-harness: the unit suite's checks could not be generated: {problem:?}");
    }
    let checks = Plan::new(registry.checks, &selection, cx)?.checks;
    let mut out = std::io::stdout().lock();
    let written = write_checks(&mut out, &checks, args.format, cx.protocol);
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(selection)
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
    Ok(Selection {
        suites,
        include: f.check.clone(),
        exclude: f.exclude.clone(),
        tags: f.tag.clone(),
        partition: f.partition,
    })
}
