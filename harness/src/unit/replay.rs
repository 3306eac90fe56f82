//! Shrinking across awaits. A proptest value tree is not `Send`, so it cannot be held while a check waits for the
//! server; instead the shrinking state is the list of moves made (`simplify` or `complicate`) from the failing
//! draw, and the tree is rebuilt from the seed and replayed for each candidate, then dropped before the await.
//! Generation is deterministic for a seed, so the rebuilt tree is the same tree.

use proptest::strategy::{SBoxedStrategy, Strategy, ValueTree};
use serde_json::Value;

use super::shrink::seeded_runner;

/// The `case`-th draw of `space` under `seed`, and the moves made from it. A check drives it: `step(true)` for a
/// simpler candidate after one that still failed, `step(false)` after one that did not (proptest's algorithm).
pub(crate) struct Replay<'a> {
    space: &'a SBoxedStrategy<Value>,
    seed: u64,
    case: u32,
    /// `true` for a `simplify`, `false` for a `complicate`.
    moves: Vec<bool>,
}

impl<'a> Replay<'a> {
    /// The failing draw to shrink.
    pub(crate) fn new(space: &'a SBoxedStrategy<Value>, seed: u64, case: u32) -> Replay<'a> {
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
    pub(crate) fn step(&mut self, simplify: bool) -> Option<Value> {
        let mut tree = self.tree()?;
        let moved = if simplify { tree.simplify() } else { tree.complicate() };
        if !moved {
            return None;
        }
        self.moves.push(simplify);
        Some(tree.current())
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

    #[test]
    fn a_failing_integer_shrinks_to_the_boundary() {
        let space = (0i64..10_000).prop_map(Value::from).sboxed();
        let seed = 42;
        let (case, failing) = (0..100)
            .find_map(|case| {
                let v = draw(&space, seed, case).ok()?;
                (v.as_i64()? >= 137).then_some((case, v))
            })
            .expect("a draw at or above 137");
        let mut replay = Replay::new(&space, seed, case);
        let (mut minimal, mut steps) = (failing, 0);
        let mut next = replay.step(true);
        while let Some(candidate) = next {
            steps += 1;
            assert!(steps < 500, "shrinking ends");
            if candidate.as_i64() >= Some(137) {
                minimal = candidate;
                next = replay.step(true);
            } else {
                next = replay.step(false);
            }
        }
        assert_eq!(minimal, Value::from(137), "after {steps} steps");
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
