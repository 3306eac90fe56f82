//! Reproducible generation and shrinking: a runner whose draws follow from one seed ([`seeded_runner`]), and the
//! shrink loop proptest runs for a failing case, made async so the property can call a server ([`minimise`]).

use std::future::Future;

use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

/// A proptest runner whose generation is fully determined by `seed` (ChaCha TestRng from the seed bytes), so
/// `--seed N` replays a run.
///
/// The ChaCha key is the seed's eight little-endian bytes followed by 24 zero bytes. No failure persistence is
/// configured: a replay comes from the seed alone.
pub fn seeded_runner(seed: u64) -> TestRunner {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config { failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key))
}

/// Shrinks a failing value: starting from `tree.current()` (which failed), repeatedly `simplify()`; keep a simpler
/// value when `still_fails(value).await` is true, else `complicate()`; stop after `max_steps` evaluations. Returns
/// the minimal failing value found and how many steps were used.
///
/// This is proptest's own shrink loop (`TestRunner::run` does the same with a synchronous test), so a value tree
/// reaches the same minimum here as it would there.
pub async fn minimise<T, F, Fut>(tree: &mut T, mut still_fails: F, max_steps: usize) -> (Value, usize)
where
    T: ValueTree<Value = Value>,
    F: FnMut(Value) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut smallest = tree.current();
    let mut steps = 0;
    if !tree.simplify() {
        return (smallest, steps);
    }
    while steps < max_steps {
        let candidate = tree.current();
        steps += 1;
        let moved = if still_fails(candidate.clone()).await {
            smallest = candidate;
            tree.simplify()
        } else {
            tree.complicate()
        };
        if !moved {
            break;
        }
    }
    (smallest, steps)
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;
    use serde_json::json;

    use super::*;
    use crate::unit::input_space;

    /// The first `count` values a runner seeded with `seed` draws from `strategy`.
    fn draws(strategy: &impl Strategy<Value = Value>, seed: u64, count: usize) -> Vec<Value> {
        let mut runner = seeded_runner(seed);
        (0..count).map(|_| strategy.new_tree(&mut runner).expect("a value").current()).collect()
    }

    #[test]
    fn the_same_seed_replays_the_same_values_and_another_seed_differs() {
        let schema = json!({
            "type": "object",
            "properties": {"name": {"type": "string"}, "count": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}},
            "required": ["name"]
        });
        let first = draws(&input_space(&schema).valid, 7, 20);
        assert_eq!(first, draws(&input_space(&schema).valid, 7, 20));
        assert_ne!(first, draws(&input_space(&schema).valid, 8, 20));
    }

    #[test]
    fn minimise_finds_the_smallest_failing_integer() {
        let strategy = (0i64..10_000).prop_map(Value::from);
        let mut runner = seeded_runner(1);
        let mut tree = loop {
            let tree = strategy.new_tree(&mut runner).expect("a value");
            if tree.current().as_i64().is_some_and(|v| v >= 137) {
                break tree;
            }
        };
        let start = tree.current();
        let (minimal, steps) = futures::executor::block_on(minimise(
            &mut tree,
            |value| async move { value.as_i64().is_some_and(|v| v >= 137) },
            1_000,
        ));
        assert_eq!(minimal, json!(137), "started from {start}");
        assert!(steps > 0 && steps < 1_000, "{steps} steps");
    }

    #[tokio::test]
    async fn minimise_simplifies_generated_arguments() {
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "integer"}, "s": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}
        }, "required": ["n", "s"]});
        let space = input_space(&schema);
        let mut runner = seeded_runner(5);
        let fails = |value: &Value| value["n"].as_i64().is_some_and(|n| n >= 50);
        let mut tree = loop {
            let tree = space.valid.new_tree(&mut runner).expect("a value");
            let current = tree.current();
            if fails(&current) && current["s"].as_str().is_some_and(|s| !s.is_empty()) {
                break tree;
            }
        };
        let start = tree.current();
        let (minimal, _) = minimise(&mut tree, |value| async move { fails(&value) }, 10_000).await;
        assert_eq!(minimal, json!({"n": 50, "s": ""}), "started from {start}");
    }

    #[tokio::test]
    async fn negative_integers_shrink_toward_the_bound_nearest_zero() {
        let space = input_space(&json!({"type": "integer", "maximum": -10}));
        let mut runner = seeded_runner(2);
        let mut shrunk = 0;
        for _ in 0..20 {
            let mut tree = space.valid.new_tree(&mut runner).expect("a value");
            if tree.current().as_i64().is_some_and(|v| v <= -50) {
                let (minimal, _) =
                    minimise(&mut tree, |value| async move { value.as_i64().is_some_and(|v| v <= -50) }, 1_000).await;
                assert_eq!(minimal, json!(-50));
                shrunk += 1;
            }
        }
        assert!(shrunk >= 3, "only {shrunk} draws at or below -50");
    }

    #[tokio::test]
    async fn minimise_stops_after_max_steps() {
        let strategy = (0i64..10_000).prop_map(Value::from);
        let mut runner = seeded_runner(3);
        let mut tree = loop {
            let tree = strategy.new_tree(&mut runner).expect("a value");
            if tree.current().as_i64().is_some_and(|v| v >= 1_000) {
                break tree;
            }
        };
        let start = tree.current();
        let (found, steps) =
            minimise(&mut tree, |value| async move { value.as_i64().is_some_and(|v| v >= 137) }, 2).await;
        assert_eq!(steps, 2);
        assert!(found.as_i64().is_some_and(|v| v >= 137 && v <= start.as_i64().unwrap_or(i64::MAX)), "{found}");
    }
}
