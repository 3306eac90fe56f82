//! Reproducible generation: a runner whose draws follow from one seed ([`seeded_runner`]). Shrinking a failing
//! draw against a live server is `super::replay`.

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

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

#[cfg(test)]
mod tests {
    use proptest::strategy::{Strategy, ValueTree};
    use serde_json::Value;
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
}
