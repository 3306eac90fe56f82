//! Judging a run's outcomes against a baseline (the 4-way table in the module docs).

use super::parse::Baseline;
use crate::check::Status;

/// What the baseline says about one check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mark {
    /// Failed or warned, and listed: tolerated.
    ExpectedFailure,
    /// Passed, and listed by an entry that matched nothing failing: the entry should be removed.
    Stale,
}

/// The baseline's verdict on a run's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// One mark per result, in the order given (`None`: the baseline does not change the outcome).
    pub marks: Vec<Option<Mark>>,
    /// Entries that matched at least one of the results.
    pub matched: usize,
    /// Entries that matched a passing check and nothing that failed or warned, in file order.
    pub stale_entries: Vec<String>,
}

impl Baseline {
    /// Judges `results` (check id and final status, after SHOULD downgrades) against the baseline.
    ///
    /// A failed or warned check listed by any entry is an expected failure. An entry is stale when it matched at
    /// least one passing check and no failed or warned one; the passing checks it matched are marked stale.
    /// Skipped and errored checks are never marked, and never make an entry stale.
    pub fn judge(&self, results: &[(&str, Status)]) -> Judgement {
        let failing = |s: Status| matches!(s, Status::Failed | Status::Warning);
        let mut marks = vec![None; results.len()];
        let mut matched = 0;
        let mut stale_entries = Vec::new();
        for entry in self.entries() {
            let hits: Vec<usize> = (0..results.len()).filter(|&i| entry.matches(results[i].0)).collect();
            if hits.is_empty() {
                continue;
            }
            matched += 1;
            let any_failing = hits.iter().any(|&i| failing(results[i].1));
            let any_passed = hits.iter().any(|&i| results[i].1 == Status::Passed);
            for &i in &hits {
                if failing(results[i].1) {
                    marks[i] = Some(Mark::ExpectedFailure);
                } else if results[i].1 == Status::Passed && !any_failing {
                    marks[i] = Some(Mark::Stale);
                }
            }
            if any_passed && !any_failing {
                stale_entries.push(entry.text.clone());
            }
        }
        Judgement { marks, matched, stale_entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["a.fail", "a.pass", "b.pass", "c.skip", "c.error", "d.warn"];

    fn judge(baseline: &str, results: &[(&str, Status)]) -> Judgement {
        Baseline::parse(baseline, "b.yml", KNOWN).unwrap().judge(results)
    }

    #[test]
    fn the_four_way_table_plus_tolerated_outcomes() {
        use Status::*;
        let results = [
            ("a.fail", Failed),
            ("a.pass", Passed),
            ("b.pass", Passed),
            ("c.skip", Skipped),
            ("c.error", Error),
            ("d.warn", Warning),
        ];
        let all = "server:\n  - a.fail\n  - a.pass\n  - c.skip\n  - c.error\n  - d.warn\n";
        let j = judge(all, &results);
        assert_eq!(
            j.marks,
            [Some(Mark::ExpectedFailure), Some(Mark::Stale), None, None, None, Some(Mark::ExpectedFailure)]
        );
        assert_eq!(j.matched, 5);
        assert_eq!(j.stale_entries, ["a.pass"]);

        let none = judge("server: []\n", &results);
        assert_eq!(none.marks, [None; 6]);
        assert_eq!((none.matched, none.stale_entries.len()), (0, 0));
    }

    #[test]
    fn a_prefix_entry_is_stale_only_when_nothing_it_matches_fails() {
        use Status::*;
        let still_failing = judge("server:\n  - a\n", &[("a.fail", Failed), ("a.pass", Passed)]);
        assert_eq!(still_failing.marks, [Some(Mark::ExpectedFailure), None]);
        assert!(still_failing.stale_entries.is_empty());

        let fixed = judge("server:\n  - a\n", &[("a.fail", Passed), ("a.pass", Passed), ("c.skip", Skipped)]);
        assert_eq!(fixed.marks, [Some(Mark::Stale), Some(Mark::Stale), None]);
        assert_eq!(fixed.stale_entries, ["a"]);

        let not_run = judge("server:\n  - a\n  - b.pass\n", &[("c.skip", Skipped), ("b.pass", Skipped)]);
        assert_eq!(not_run.marks, [None, None]);
        assert_eq!((not_run.matched, not_run.stale_entries.len()), (1, 0));
    }
}
