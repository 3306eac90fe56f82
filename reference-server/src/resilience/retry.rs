//! Retry with capped exponential backoff and full jitter.

use std::time::Duration;

use rand::Rng;

/// How often and how patiently to retry transient failures.
///
/// Attempt `n` (0-based) that failed transiently waits a uniformly random time in
/// `[0, min(max_delay, base_delay · 2ⁿ)]` ("full jitter", which spreads retries of many
/// clients instead of synchronising them) before attempt `n + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Total attempts including the first (1 disables retries).
    pub max_attempts: u32,
    /// Backoff ceiling of the first retry.
    pub base_delay: Duration,
    /// Upper bound of any single backoff.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub(crate) const NONE: Self = Self { max_attempts: 1, base_delay: Duration::ZERO, max_delay: Duration::ZERO };

    /// The backoff ceiling after failed attempt `attempt` (0-based): `min(max, base · 2ⁿ)`.
    pub(crate) fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base_delay.checked_mul(factor).unwrap_or(self.max_delay).min(self.max_delay)
    }

    /// A full-jitter delay after failed attempt `attempt`, drawn from `rng`.
    pub(crate) fn backoff(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(attempt);
        if ceiling.is_zero() {
            return Duration::ZERO;
        }
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.random_range(0..=nanos))
    }

    /// Whether another attempt follows failed attempt `attempt` (0-based).
    pub(crate) fn allows_retry(&self, attempt: u32) -> bool {
        attempt.saturating_add(1) < self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use rand::{SeedableRng, rngs::StdRng};

    use super::*;

    const POLICY: RetryPolicy =
        RetryPolicy { max_attempts: 4, base_delay: Duration::from_millis(50), max_delay: Duration::from_millis(300) };

    #[test]
    fn ceiling_doubles_then_caps() {
        let ceilings: Vec<_> = (0..6).map(|n| POLICY.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, vec![50, 100, 200, 300, 300, 300]);
        assert_eq!(POLICY.ceiling(u32::MAX), POLICY.max_delay, "no overflow");
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling_and_spreads() {
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 0..8 {
            let delays: Vec<_> = (0..200).map(|_| POLICY.backoff(attempt, &mut rng)).collect();
            assert!(delays.iter().all(|d| *d <= POLICY.ceiling(attempt)));
            let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
            assert!(distinct.len() > 100, "jitter spreads delays");
            assert!(delays.iter().any(|d| *d < POLICY.ceiling(attempt) / 4), "full jitter reaches near zero");
        }
    }

    #[test]
    fn attempts_are_bounded() {
        assert!(POLICY.allows_retry(0));
        assert!(POLICY.allows_retry(2));
        assert!(!POLICY.allows_retry(3));
        assert!(!RetryPolicy::NONE.allows_retry(0));
        assert_eq!(RetryPolicy::NONE.backoff(0, &mut rand::rng()), Duration::ZERO);
    }
}
