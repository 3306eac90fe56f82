//! `mcp-harness list`.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use mcp_harness::check::Suite;
use mcp_harness::runner::{Plan, PlanContext, PlannedCheck, Selection};
use mcp_harness::protocol::RevisionChoice;

use super::args::{FilterArgs, ListArgs, ListFormat, ProfileArg};

/// Prints the checks `run` would select with the same flags, and whether each would run, to stdout. A closed stdout
/// (`mcp-harness list | head`) ends the listing quietly.
pub(crate) fn list(args: &ListArgs) -> Result<Selection> {
    let selection = selection(&args.filter)?;
    // The same plan `run` makes: the target's transport, the revision and the opt-ins decide, before connecting,
    // which checks are not applicable or skipped.
    let cx = PlanContext {
        stdio: Some(args.target.is_stdio()),
        protocol: args.plan.protocol.parse::<RevisionChoice>()?,
        danger_intrusive: args.plan.danger_intrusive,
        official_fixtures: args.plan.profile.contains(&ProfileArg::OfficialFixtures),
    };
    let checks = Plan::new(mcp_harness::checks::all(), &selection, cx)?.checks;
    let mut out = std::io::stdout().lock();
    let written = write_checks(&mut out, &checks, args.format);
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(selection)
}

fn write_checks(out: &mut impl Write, checks: &[PlannedCheck], format: ListFormat) -> std::io::Result<()> {
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
                writeln!(out, "{:<width$} {:<6} {:<11} {}{plan}", m.id.as_str(), m.level.as_str(), m.suite.as_str(), m.title)?;
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
                    json!({"id": m.id, "title": m.title, "suite": m.suite, "level": m.level, "spec": m.spec,
                           "covers": m.covers, "applies": m.applies, "tags": m.tags, "plan": planned})
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        }
    }
    out.flush()
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
            None => anyhow::bail!("unknown suite `{s}` (known: conformance, integration, e2e, performance, security, all)"),
        }
    }
    Ok(Selection { suites, include: f.check.clone(), exclude: f.exclude.clone(), tags: f.tag.clone() })
}
