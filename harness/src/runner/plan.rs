//! Selecting checks and deciding, before connecting, which of them apply.

use crate::check::{Check, Outcome, SkipReason, Suite, Transports};
use crate::checks::OFFICIAL_FIXTURES_TAG;
use crate::protocol::RevisionChoice;
use super::id_pattern::IdPattern;

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
}

/// A check in the plan, with its static skip (if the check cannot apply to this target whatever happens).
#[derive(Debug, Clone)]
pub struct PlannedCheck {
    /// The check.
    pub check: &'static Check,
    /// `Some` when it is skipped without running.
    pub skip: Option<Outcome>,
}

/// The selected checks, in registry order.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Checks to report on.
    pub checks: Vec<PlannedCheck>,
}

impl Plan {
    /// Selects from `registry` and decides static applicability for a target (`is_stdio`), revision choice and
    /// opt-ins (intrusive probes, the official-fixture profile).
    pub fn new(registry: &'static [Check], sel: &Selection, is_stdio: bool, protocol: RevisionChoice, intrusive_allowed: bool, official_fixtures: bool) -> Result<Plan, RunError> {
        let include = sel.include.iter().map(|p| IdPattern::parse(p).map_err(|reason| RunError::BadPattern { pattern: p.clone(), reason })).collect::<Result<Vec<_>, _>>()?;
        let exclude = sel.exclude.iter().map(|p| IdPattern::parse(p).map_err(|reason| RunError::BadPattern { pattern: p.clone(), reason })).collect::<Result<Vec<_>, _>>()?;
        for (p, raw) in include.iter().zip(&sel.include) {
            if !registry.iter().any(|c| p.matches(c.meta.id.as_str())) {
                return Err(RunError::PatternMatchesNothing(raw.clone()));
            }
        }
        for tag in &sel.tags {
            let known = registry.iter().any(|c| c.meta.tags.contains(&tag.as_str()) || c.meta.level.as_str().eq_ignore_ascii_case(tag));
            if !known {
                return Err(RunError::UnknownTag(tag.clone()));
            }
        }
        let checks = registry
            .iter()
            .filter(|c| sel.suites.is_empty() || sel.suites.contains(&c.meta.suite))
            .filter(|c| include.is_empty() || include.iter().any(|p| p.matches(c.meta.id.as_str())))
            .filter(|c| !exclude.iter().any(|p| p.matches(c.meta.id.as_str())))
            // The official-fixture profile is not part of a run unless asked for: by the profile, or by naming its
            // checks (`--check 'official.*'`), which shows them skipped with how to enable them.
            .filter(|c| official_fixtures || !include.is_empty() || !c.meta.tags.contains(&OFFICIAL_FIXTURES_TAG))
            .filter(|c| {
                sel.tags.is_empty()
                    || sel.tags.iter().any(|t| c.meta.tags.contains(&t.as_str()) || c.meta.level.as_str().eq_ignore_ascii_case(t))
            })
            .map(|check| PlannedCheck { check, skip: static_skip(check, is_stdio, protocol, intrusive_allowed, official_fixtures) })
            .collect();
        Ok(Plan { checks })
    }
}

/// Decides what can be decided without connecting: transport, revision window (for a fixed revision), opt-ins.
pub(crate) fn static_skip(check: &Check, is_stdio: bool, protocol: RevisionChoice, intrusive_allowed: bool, official_fixtures: bool) -> Option<Outcome> {
    let a = &check.meta.applies;
    match (a.transports, is_stdio) {
        (Transports::Http, true) => return Some(Outcome::skip(SkipReason::NotApplicable, "applies to Streamable HTTP targets only")),
        (Transports::Stdio, false) => return Some(Outcome::skip(SkipReason::NotApplicable, "applies to stdio targets only")),
        _ => {}
    }
    if let RevisionChoice::Exact(r) = protocol {
        if !a.covers_revision(r) {
            return Some(Outcome::skip(SkipReason::NotApplicable, format!("does not apply to protocol revision {r}")));
        }
    }
    if a.intrusive && !intrusive_allowed {
        return Some(Outcome::skip(SkipReason::OptInRequired, "intrusive probe: needs --danger-intrusive"));
    }
    if check.meta.tags.contains(&OFFICIAL_FIXTURES_TAG) && !official_fixtures {
        return Some(Outcome::skip(SkipReason::OptInRequired, "official-fixture profile: run with --profile official-fixtures"));
    }
    None
}

/// The static skip of `check` under `config`, if any.
pub fn static_skip_for(check: &Check, config: &crate::runner::RunConfig) -> Option<Outcome> {
    static_skip(check, config.target.is_stdio(), config.protocol, config.options.danger_intrusive, config.options.official_fixtures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_patterns_and_tags_are_usage_errors() {
        let sel = Selection { include: vec!["no-such-check".into()], ..Default::default() };
        assert!(matches!(
            Plan::new(crate::checks::all(), &sel, true, RevisionChoice::Auto, false, false),
            Err(RunError::PatternMatchesNothing(_))
        ));
        let sel = Selection { tags: vec!["no-such-tag".into()], ..Default::default() };
        assert!(matches!(Plan::new(crate::checks::all(), &sel, true, RevisionChoice::Auto, false, false), Err(RunError::UnknownTag(_))));
    }

    #[test]
    fn http_only_checks_are_skipped_for_stdio_targets_at_plan_time() {
        let plan = Plan::new(crate::checks::all(), &Selection::default(), true, RevisionChoice::Auto, false, false).unwrap();
        for pc in &plan.checks {
            if pc.check.meta.applies.transports == Transports::Http {
                assert!(pc.skip.is_some(), "{}", pc.check.meta.id);
            }
        }
    }

    #[test]
    fn official_fixture_checks_are_opt_in() {
        let sel = Selection { include: vec!["official.*".into()], ..Default::default() };
        // `auto`: the revision window is decided at run time, so only the opt-in can skip them here.
        let protocol = RevisionChoice::Auto;
        let off = Plan::new(crate::checks::all(), &sel, false, protocol, false, false).unwrap();
        assert!(!off.checks.is_empty());
        for pc in &off.checks {
            let skip = pc.skip.as_ref().unwrap_or_else(|| panic!("{} runs without the profile", pc.check.meta.id));
            assert_eq!(skip.skip, Some(SkipReason::OptInRequired));
            assert!(skip.reason.as_deref().unwrap_or_default().contains("--profile official-fixtures"));
        }
        let on = Plan::new(crate::checks::all(), &sel, false, protocol, false, true).unwrap();
        assert!(on.checks.iter().all(|pc| pc.skip.is_none()), "with the profile, nothing is skipped at plan time");
    }
}
