//! Deadlines from caller-given timeouts.

use std::time::Duration;

use tokio::time::Instant;

/// Now plus `timeout`, saturating far in the future (a caller may pass `Duration::MAX` to mean "no limit").
pub(crate) fn after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_timeouts_do_not_overflow() {
        assert!(after(Duration::MAX) > Instant::now() + Duration::from_secs(86_400));
        assert!(after(Duration::ZERO) <= Instant::now());
    }
}
