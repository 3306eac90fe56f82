//! Selecting checks and deciding, before connecting, which of them apply.

use super::id_pattern::IdPattern;
use crate::check::{Check, OptIn, Outcome, SkipReason, Suite};
use crate::protocol::RevisionChoice;

/// Which checks a run selects.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Suites (empty = all suites).
    pub suites: Vec<Suite>,
    /// Id globs or dotted prefixes; a check is selected when it matches any (empty = all).
    pub include: Vec<String>,
    /// Id globs or dotted prefixes to leave out.
    pub exclude: Vec<String>,
    /// Tags; a check is selected when it has any of them, or its level (`MUST`, `SHOULD`) matches (empty = all).
    pub tags: Vec<String>,
    /// Only this shard of what the other fields select (`--partition`).
    pub partition: Option<super::Partition>,
}

impl Selection {
    /// Whether the selection could pick checks of `suite` (its suites allow it and some `include` pattern could
    /// match one of its ids), so the suite's set-up (the unit suite's discovery) is worth doing.
    pub fn may_select_suite(&self, suite: Suite) -> bool {
        if !self.suites.is_empty() && !self.suites.contains(&suite) {
            return false;
        }
        if self.include.is_empty() {
            return true;
        }
        let samples: &[&str] = match suite {
            Suite::Unit => &["unit.surface", "unit.tool.x.valid-inputs", "unit.prompt.x.get"],
            _ => return true,
        };
        self.include.iter().any(|p| match super::id_pattern::IdPattern::parse(p) {
            Ok(pattern) => p.starts_with(suite.as_str()) || samples.iter().any(|id| pattern.matches(id)),
            Err(_) => false,
        })
    }
}

/// A configuration the runner cannot act on. Maps to exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A `--check` pattern is not a valid glob.
    #[error("invalid check pattern `{pattern}`: {reason}")]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
    },
    /// A `--check` pattern matches no check the harness has (probably a typo).
    #[error("check pattern `{0}` matches no known check (see `mcp-harness list`)")]
    PatternMatchesNothing(String),
    /// A `--tag` names no tag or level any check has.
    #[error("tag `{0}` is carried by no check (see `mcp-harness list`)")]
    UnknownTag(String),
    /// A journey file (the e2e suite) cannot be read or is invalid: `file:line:column: message`.
    #[error(transparent)]
    Journey(#[from] mcp_harness_suites::journey::JourneyError),
}

/// A check in the plan, with its static outcome (if it cannot run against this target whatever happens).
#[derive(Debug, Clone)]
pub struct PlannedCheck {
    /// The check.
    pub check: &'static Check,
    /// `Some` when it will not run: not applicable (transport, fixed revision) or skipped (opt-in missing).
    pub skip: Option<Outcome>,
}

/// The selected checks, in registry order.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Checks to report on.
    pub checks: Vec<PlannedCheck>,
}

/// What the plan knows about the run before connecting: the target's transport (unknown to `list` without a
/// target), the revision asked for, and the opt-ins given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanContext {
    /// `Some(true)` for a stdio target, `Some(false)` for HTTP, `None` when unknown (every transport's checks are
    /// listed).
    pub stdio: Option<bool>,
    /// The revision asked for.
    pub protocol: RevisionChoice,
    /// `--danger-intrusive` was given.
    pub danger_intrusive: bool,
    /// `--profile official-fixtures` was given.
    pub official_fixtures: bool,
    /// `--surface FILE` was given.
    pub surface_lock: bool,
}

impl PlanContext {
    /// The context of a run with `config`.
    pub fn of(config: &crate::runner::RunConfig) -> Self {
        PlanContext {
            stdio: Some(config.target.is_stdio()),
            protocol: config.protocol,
            danger_intrusive: config.options.danger_intrusive,
            official_fixtures: config.options.official_fixtures,
            surface_lock: config.options.surface.is_some(),
        }
    }

    fn allows(&self, opt_in: OptIn) -> bool {
        match opt_in {
            OptIn::DangerIntrusive => self.danger_intrusive,
            OptIn::OfficialFixtures => self.official_fixtures,
            OptIn::SurfaceLock => self.surface_lock,
        }
    }
}

impl Plan {
    /// Selects from `registry` and decides static applicability in `cx`.
    ///
    /// Checks of the official-fixture profile and the surface-lock checks are part of the plan only with their
    /// opt-in, or when named by a `--check` pattern (they are then skipped, opt-in required, with how to enable
    /// them). The surface-lock checks are not tied to `--suite`: a lock adds them to whatever suites are selected
    /// (`--surface FILE` extends any run), and a `--check` pattern names them whatever the suites; `--check`,
    /// `--exclude` and `--tag` still narrow them like any check.
    pub fn new(registry: &'static [Check], sel: &Selection, cx: PlanContext) -> Result<Plan, RunError> {
        let parse =
            |p: &String| IdPattern::parse(p).map_err(|reason| RunError::BadPattern { pattern: p.clone(), reason });
        let include = sel.include.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
        let exclude = sel.exclude.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
        for (p, raw) in include.iter().zip(&sel.include) {
            if !registry.iter().any(|c| p.matches(c.meta.id.as_str())) {
                return Err(RunError::PatternMatchesNothing(raw.clone()));
            }
        }
        let has_tag =
            |c: &Check, tag: &str| c.meta.tags.contains(&tag) || c.meta.level.as_str().eq_ignore_ascii_case(tag);
        for tag in &sel.tags {
            if !registry.iter().any(|c| has_tag(c, tag)) {
                return Err(RunError::UnknownTag(tag.clone()));
            }
        }
        let checks = registry
            .iter()
            .filter(|c| {
                sel.suites.is_empty()
                    || sel.suites.contains(&c.meta.suite)
                    || (c.meta.applies.opt_in == Some(OptIn::SurfaceLock) && (cx.surface_lock || !include.is_empty()))
            })
            .filter(|c| include.is_empty() || include.iter().any(|p| p.matches(c.meta.id.as_str())))
            .filter(|c| !exclude.iter().any(|p| p.matches(c.meta.id.as_str())))
            .filter(|c| match c.meta.applies.opt_in {
                Some(opt_in @ (OptIn::OfficialFixtures | OptIn::SurfaceLock)) => {
                    cx.allows(opt_in) || !include.is_empty()
                }
                _ => true,
            })
            .filter(|c| sel.tags.is_empty() || sel.tags.iter().any(|t| has_tag(c, t)))
            .enumerate()
            .filter(|(position, c)| sel.partition.is_none_or(|p| p.includes(c.meta.id.as_str(), *position)))
            .map(|(_, check)| PlannedCheck { check, skip: static_outcome(check, cx) })
            .collect();
        Ok(Plan { checks })
    }

    /// The checks that will run (no static outcome).
    pub fn runnable(&self) -> impl Iterator<Item = &PlannedCheck> {
        self.checks.iter().filter(|p| p.skip.is_none())
    }
}

/// Decides what can be decided without connecting: transport and a fixed revision (not applicable), opt-ins
/// (skipped, with the flag that enables the check).
pub(crate) fn static_outcome(check: &Check, cx: PlanContext) -> Option<Outcome> {
    let a = &check.meta.applies;
    if let Some(stdio) = cx.stdio
        && !a.covers_transport(stdio)
    {
        let only = if stdio { "Streamable HTTP" } else { "stdio" };
        return Some(Outcome::not_applicable(format!("applies to {only} targets only")));
    }
    if let RevisionChoice::Exact(r) = cx.protocol
        && !a.covers_revision(r)
    {
        return Some(Outcome::not_applicable(format!("does not apply to protocol revision {r}")));
    }
    if let Some(opt_in) = a.opt_in
        && !cx.allows(opt_in)
    {
        let why = match opt_in {
            OptIn::DangerIntrusive => "intrusive probe",
            OptIn::OfficialFixtures => "official-fixture profile",
            OptIn::SurfaceLock => "surface lock",
        };
        return Some(Outcome::skip(SkipReason::OptInRequired, format!("{why}: run with {}", opt_in.flag())));
    }
    None
}

/// The static outcome of `check` under `config`, if any.
pub fn static_skip_for(check: &Check, config: &crate::runner::RunConfig) -> Option<Outcome> {
    static_outcome(check, PlanContext::of(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Transports};

    fn cx(stdio: Option<bool>, official_fixtures: bool) -> PlanContext {
        PlanContext {
            stdio,
            protocol: RevisionChoice::Auto,
            danger_intrusive: false,
            official_fixtures,
            surface_lock: false,
        }
    }

    #[test]
    fn unknown_patterns_and_tags_are_usage_errors() {
        let sel = Selection { include: vec!["no-such-check".into()], ..Default::default() };
        assert!(matches!(
            Plan::new(crate::checks::all(), &sel, cx(Some(true), false)),
            Err(RunError::PatternMatchesNothing(_))
        ));
        let sel = Selection { tags: vec!["no-such-tag".into()], ..Default::default() };
        assert!(matches!(Plan::new(crate::checks::all(), &sel, cx(Some(true), false)), Err(RunError::UnknownTag(_))));
    }

    #[test]
    fn http_only_checks_are_not_applicable_to_stdio_targets_at_plan_time() {
        let plan = Plan::new(crate::checks::all(), &Selection::default(), cx(Some(true), false)).unwrap();
        for pc in &plan.checks {
            if pc.check.meta.applies.transports == Transports::Http {
                let skip = pc.skip.as_ref().unwrap_or_else(|| panic!("{}", pc.check.meta.id));
                assert_eq!(skip.status, Status::NotApplicable, "{}", pc.check.meta.id);
            }
        }
        // Without a known transport (`list` without a target) nothing is decided by transport.
        let plan = Plan::new(crate::checks::all(), &Selection::default(), cx(None, false)).unwrap();
        assert!(plan.checks.iter().all(|pc| pc.skip.as_ref().is_none_or(|o| o.status != Status::NotApplicable)));
    }

    #[test]
    fn partitions_split_the_selection_into_disjoint_shards_that_cover_it() {
        use super::super::{Partition, PartitionKind};
        let ids = |sel: &Selection| -> Vec<&'static str> {
            let plan = Plan::new(crate::checks::all(), sel, cx(Some(false), false)).unwrap();
            plan.checks.iter().map(|pc| pc.check.meta.id.as_str()).collect()
        };
        let whole = Selection { suites: vec![Suite::Conformance, Suite::Security], ..Default::default() };
        let all = ids(&whole);
        for kind in [PartitionKind::Hash, PartitionKind::Count] {
            let mut joined: Vec<&str> = Vec::new();
            for shard in 1..=3 {
                let sel = Selection { partition: Some(Partition { kind, shard, total: 3 }), ..whole.clone() };
                let part = ids(&sel);
                assert!(!part.is_empty(), "{kind:?} shard {shard} is empty");
                assert!(part.iter().all(|id| !joined.contains(id)), "{kind:?} shards overlap");
                joined.extend(part);
            }
            joined.sort_unstable();
            let mut expected = all.clone();
            expected.sort_unstable();
            assert_eq!(joined, expected, "{kind:?} shards cover the selection");
        }
    }

    #[test]
    fn official_fixture_checks_are_opt_in() {
        let sel = Selection { include: vec!["official.*".into()], ..Default::default() };
        let off = Plan::new(crate::checks::all(), &sel, cx(Some(false), false)).unwrap();
        assert!(!off.checks.is_empty());
        for pc in &off.checks {
            let skip = pc.skip.as_ref().unwrap_or_else(|| panic!("{} runs without the profile", pc.check.meta.id));
            assert_eq!(skip.skip, Some(SkipReason::OptInRequired));
            assert!(skip.reason.as_deref().unwrap_or_default().contains("--profile official-fixtures"));
        }
        let on = Plan::new(crate::checks::all(), &sel, cx(Some(false), true)).unwrap();
        assert!(on.checks.iter().all(|pc| pc.skip.is_none()), "with the profile, nothing is skipped at plan time");
        // Not named and no profile: not part of the plan at all.
        let none = Plan::new(crate::checks::all(), &Selection::default(), cx(Some(false), false)).unwrap();
        assert!(none.checks.iter().all(|pc| pc.check.meta.applies.opt_in != Some(OptIn::OfficialFixtures)));
    }

    #[test]
    fn a_surface_lock_adds_its_checks_to_any_suite_and_without_it_they_are_opt_in() {
        let surface = |pc: &&PlannedCheck| pc.check.meta.applies.opt_in == Some(OptIn::SurfaceLock);
        let with_lock = PlanContext { surface_lock: true, ..cx(Some(true), false) };
        let conformance = Selection { suites: vec![Suite::Conformance], ..Default::default() };
        let plan = Plan::new(crate::checks::all(), &conformance, with_lock).unwrap();
        let ids: Vec<&str> = plan.checks.iter().filter(surface).map(|pc| pc.check.meta.id.as_str()).collect();
        assert_eq!(ids, ["surface.tools", "surface.resources", "surface.templates", "surface.prompts"]);
        assert!(plan.checks.iter().filter(surface).all(|pc| pc.skip.is_none()));
        assert!(plan.checks.iter().any(|pc| pc.check.meta.suite == Suite::Conformance), "the suites stay selected");
        // `--check`, `--exclude` and `--tag` narrow them like any check.
        let narrowed = Selection { exclude: vec!["surface.tools".into()], ..conformance.clone() };
        let plan = Plan::new(crate::checks::all(), &narrowed, with_lock).unwrap();
        assert_eq!(plan.checks.iter().filter(surface).count(), 3);
        let only_ping = Selection { include: vec!["ping".into()], ..conformance.clone() };
        assert_eq!(
            Plan::new(crate::checks::all(), &only_ping, with_lock).unwrap().checks.iter().filter(surface).count(),
            0
        );
        // Without a lock: not part of any plan (not even of the e2e suite's) unless named, then skipped with the flag.
        for suites in [vec![Suite::Conformance], vec![Suite::E2e], vec![]] {
            let sel = Selection { suites, ..Default::default() };
            let plan = Plan::new(crate::checks::all(), &sel, cx(Some(true), false)).unwrap();
            assert_eq!(plan.checks.iter().filter(surface).count(), 0);
        }
        let named = Selection { include: vec!["surface.*".into()], ..conformance.clone() };
        let plan = Plan::new(crate::checks::all(), &named, cx(Some(true), false)).unwrap();
        assert_eq!(plan.checks.len(), 4);
        for pc in &plan.checks {
            let skip = pc.skip.as_ref().unwrap_or_else(|| panic!("{} runs without a lock", pc.check.meta.id));
            assert_eq!(skip.skip, Some(SkipReason::OptInRequired));
            assert_eq!(skip.reason.as_deref(), Some("surface lock: run with --surface FILE"));
        }
    }
}
