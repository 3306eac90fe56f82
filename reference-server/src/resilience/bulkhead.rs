//! A bulkhead: bounded concurrency per backend with a bounded wait for a slot.

use std::{sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// At most `capacity` concurrent calls; a caller waits at most `max_wait` for a slot.
#[derive(Debug)]
pub(crate) struct Bulkhead {
    slots: Arc<Semaphore>,
    capacity: usize,
    max_wait: Duration,
}

/// The bulkhead had no free slot within its wait bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

impl Bulkhead {
    /// A bulkhead of `capacity` slots (at least 1).
    pub(crate) fn new(capacity: usize, max_wait: Duration) -> Self {
        let capacity = capacity.max(1);
        Self { slots: Arc::new(Semaphore::new(capacity)), capacity, max_wait }
    }

    /// Waits up to the bound for a slot, held until the returned permit drops.
    pub(crate) async fn acquire(&self) -> Result<OwnedSemaphorePermit, Full> {
        match tokio::time::timeout(self.max_wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Full),
        }
    }

    /// Calls holding a slot now.
    pub(crate) fn in_use(&self) -> usize {
        self.capacity - self.slots.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_a_bounded_time_for_a_slot() {
        let bulkhead = Bulkhead::new(1, Duration::from_millis(100));
        let held = bulkhead.acquire().await.expect("first slot");
        assert_eq!(bulkhead.in_use(), 1);
        let start = tokio::time::Instant::now();
        assert_eq!(bulkhead.acquire().await.unwrap_err(), Full);
        assert_eq!(start.elapsed(), Duration::from_millis(100));
        drop(held);
        assert!(bulkhead.acquire().await.is_ok());
    }
}
