//! Check-id patterns, shared by `--check`/`--exclude` and baseline entries.

use globset::{Glob, GlobMatcher};

/// One id pattern: a glob when it has glob characters, else a dotted prefix or exact id.
#[derive(Debug, Clone)]
pub(crate) enum IdPattern {
    Glob(GlobMatcher),
    Prefix(String),
}

impl IdPattern {
    /// Parses a pattern; the error is the glob syntax problem.
    pub(crate) fn parse(p: &str) -> Result<IdPattern, String> {
        if p.contains(['*', '?', '[', '{']) {
            let glob = Glob::new(p).map_err(|e| e.kind().to_string())?;
            Ok(IdPattern::Glob(glob.compile_matcher()))
        } else {
            Ok(IdPattern::Prefix(p.trim_end_matches('.').to_owned()))
        }
    }

    /// Whether `id` matches: globs match the whole id, prefixes whole dotted segments.
    pub(crate) fn matches(&self, id: &str) -> bool {
        match self {
            IdPattern::Glob(g) => g.is_match(id),
            IdPattern::Prefix(p) => id == p || id.strip_prefix(p.as_str()).is_some_and(|rest| rest.starts_with('.')),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments_and_globs_match_ids() {
        let p = IdPattern::parse("lifecycle").unwrap();
        assert!(p.matches("lifecycle.initialize.succeeds"));
        assert!(p.matches("lifecycle"));
        assert!(!p.matches("lifecyclex.a"));
        let g = IdPattern::parse("*.unknown-*").unwrap();
        assert!(g.matches("jsonrpc.unknown-method"));
        assert!(IdPattern::parse("[").is_err());
    }
}
