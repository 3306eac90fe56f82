//! Shrinking across awaits. A proptest value tree is not `Send`, so it cannot be held while a check waits for the
//! server; instead the shrinking state is the list of moves made (`simplify` or `complicate`) from the failing
//! draw, and the tree is rebuilt from the seed and replayed for each candidate, then dropped before the await.
//! Generation is deterministic for a seed, so the rebuilt tree is the same tree.

use proptest::strategy::{SBoxedStrategy, Strategy, ValueTree};
use serde_json::Value;

use super::shrink::seeded_runner;

/// The `case`-th draw of `space` under `seed`, and the moves made from it.
struct Replay<'a> {
    space: &'a SBoxedStrategy<Value>,
    seed: u64,
    case: u32,
    /// `true` for a `simplify`, `false` for a `complicate`.
    moves: Vec<bool>,
}

impl<'a> Replay<'a> {
    /// The failing draw to shrink.
    fn new(space: &'a SBoxedStrategy<Value>, seed: u64, case: u32) -> Replay<'a> {
        Replay { space, seed, case, moves: Vec::new() }
    }

    /// The tree in its current state, rebuilt.
    fn tree(&self) -> Option<<SBoxedStrategy<Value> as Strategy>::Tree> {
        let mut runner = seeded_runner(self.seed);
        let mut tree = None;
        for _ in 0..=self.case {
            tree = Some(self.space.new_tree(&mut runner).ok()?);
        }
        let mut tree = tree?;
        for simplify in &self.moves {
            if *simplify {
                tree.simplify();
            } else {
                tree.complicate();
            }
        }
        Some(tree)
    }

    /// Makes the next move; the new candidate, or `None` when the tree cannot move that way.
    fn step(&mut self, simplify: bool) -> Option<Value> {
        let mut tree = self.tree()?;
        let moved = if simplify { tree.simplify() } else { tree.complicate() };
        if !moved {
            return None;
        }
        self.moves.push(simplify);
        Some(tree.current())
    }
}

/// Proptest's shrink loop for the failing `case`-th draw, one candidate at a time so a check can await the server
/// between them: take [`Shrinker::candidate`], try it, report with [`Shrinker::record`]; simplify while it still
/// fails, complicate when it stops failing, until the tree cannot move.
pub(crate) struct Shrinker<'a> {
    replay: Replay<'a>,
    next: Option<Value>,
    best: Value,
    steps: usize,
}

impl<'a> Shrinker<'a> {
    /// Shrinking `failing`, the `case`-th draw of `space` under `seed`.
    pub(crate) fn new(space: &'a SBoxedStrategy<Value>, seed: u64, case: u32, failing: Value) -> Shrinker<'a> {
        let mut replay = Replay::new(space, seed, case);
        let next = replay.step(true);
        Shrinker { replay, next, best: failing, steps: 0 }
    }

    /// The next simpler candidate to try, or `None` when shrinking is over.
    pub(crate) fn candidate(&self) -> Option<Value> {
        self.next.clone()
    }

    /// Whether the last candidate still failed.
    pub(crate) fn record(&mut self, still_fails: bool) {
        self.steps += 1;
        if still_fails {
            if let Some(candidate) = self.next.take() {
                self.best = candidate;
            }
            self.next = self.replay.step(true);
        } else {
            self.next = self.replay.step(false);
        }
    }

    /// The simplest failing value found, and the candidates tried.
    pub(crate) fn best(&self) -> (&Value, usize) {
        (&self.best, self.steps)
    }
}

/// The `case`-th value `space` draws under `seed` (the same runner draws cases 0, 1, … in order).
pub(crate) fn draw(space: &SBoxedStrategy<Value>, seed: u64, case: u32) -> Result<Value, String> {
    let mut runner = seeded_runner(seed);
    let mut value = Value::Null;
    for _ in 0..=case {
        value = space.new_tree(&mut runner).map_err(|e| e.to_string())?.current();
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    use super::*;

    /// Shrinks the first draw (of the first 200) under `seed` that fails, with `fails`, at most `max` tries.
    fn shrink(space: &SBoxedStrategy<Value>, seed: u64, fails: impl Fn(&Value) -> bool, max: usize) -> (Value, usize) {
        let (case, failing) = (0..200)
            .find_map(|case| draw(space, seed, case).ok().filter(|v| fails(v)).map(|v| (case, v)))
            .expect("a failing draw");
        let mut shrinker = Shrinker::new(space, seed, case, failing);
        while let Some(candidate) = shrinker.candidate() {
            if shrinker.best().1 >= max {
                break;
            }
            shrinker.record(fails(&candidate));
        }
        let (best, steps) = shrinker.best();
        (best.clone(), steps)
    }

    #[test]
    fn a_failing_integer_shrinks_to_the_boundary() {
        let space = (0i64..10_000).prop_map(Value::from).sboxed();
        let (minimal, steps) = shrink(&space, 42, |v| v.as_i64() >= Some(137), 1_000);
        assert_eq!(minimal, Value::from(137), "after {steps} steps");
        let (stopped, steps) = shrink(&space, 3, |v| v.as_i64() >= Some(137), 2);
        assert_eq!(steps, 2, "the step limit is kept");
        assert!(stopped.as_i64() >= Some(137), "{stopped}");
    }

    #[test]
    fn generated_arguments_shrink_to_the_simplest_failing_object() {
        let schema = serde_json::json!({"type": "object", "properties": {
            "n": {"type": "integer"}, "s": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}
        }, "required": ["n", "s"]});
        let space = crate::unit::input_space(&schema).valid;
        let (minimal, _) = shrink(&space, 5, |v| v["n"].as_i64().is_some_and(|n| n >= 50), 10_000);
        assert_eq!(minimal, serde_json::json!({"n": 50, "s": ""}));
    }

    #[test]
    fn negative_integers_shrink_toward_the_bound_nearest_zero() {
        let space = crate::unit::input_space(&serde_json::json!({"type": "integer", "maximum": -10})).valid;
        let (minimal, _) = shrink(&space, 2, |v| v.as_i64().is_some_and(|v| v <= -50), 1_000);
        assert_eq!(minimal, Value::from(-50));
    }

    #[test]
    fn draws_are_determined_by_the_seed() {
        let space = (0i64..1_000_000).prop_map(Value::from).sboxed();
        let a: Vec<Value> = (0..5).map(|c| draw(&space, 7, c).unwrap()).collect();
        let b: Vec<Value> = (0..5).map(|c| draw(&space, 7, c).unwrap()).collect();
        let c: Vec<Value> = (0..5).map(|c| draw(&space, 8, c).unwrap()).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
