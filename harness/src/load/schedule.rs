//! The clocks of a load run. Open loop (the default): request *i* is due at `start + i / rate`; a tokio interval
//! with `MissedTickBehavior::Burst` issues it, one task per request, so a slow answer never delays a later send,
//! and latency is measured from the due time. Closed loop: each virtual user sends its next request when the
//! last is answered (what most load tools do; it cannot see coordinated omission).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, MissedTickBehavior};

use super::recorder::{LATE, Recorder};
use super::request::PreparedRequest;
use super::transport::LoadTransport;
use super::{LoadPhase, LoadProgress};

/// How often progress is published.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// What the clocks drive: a transport, the requests with their weights, and where to count.
#[derive(Clone)]
pub struct Drive {
    /// The transport under load.
    pub transport: Arc<dyn LoadTransport>,
    /// The workload's requests.
    pub requests: Arc<Vec<PreparedRequest>>,
    /// Indices into `requests`, each as often as its weight (normalised), spread out.
    pub picks: Arc<Vec<usize>>,
    /// Live figures for the progress line.
    pub progress: watch::Sender<Option<LoadProgress>>,
    /// The step of a stress ramp, when in one: (1-based index, steps at most).
    pub step: Option<(u32, u32)>,
    /// How long requests still in flight at the end are waited for (the request timeout and a margin).
    pub drain: Duration,
}

impl Drive {
    fn request(&self, id: u64) -> &PreparedRequest {
        let len = self.picks.len().max(1) as u64;
        // A multiplicative hash spreads a weighted mix evenly over time.
        let slot = (id.wrapping_mul(2_654_435_761) % len) as usize;
        &self.requests[self.picks.get(slot).copied().unwrap_or(0)]
    }
}

/// The pick table of a weighted mix: each index as often as its weight divided by the weights' gcd (at most
/// 10 000 entries; weights are scaled down beyond that).
pub fn pick_table(weights: &[u32]) -> Vec<usize> {
    let g = weights.iter().copied().filter(|w| *w > 0).fold(0, gcd).max(1);
    let mut scaled: Vec<u64> = weights.iter().map(|w| u64::from(w / g)).collect();
    let total: u64 = scaled.iter().sum();
    if total > 10_000 {
        scaled = scaled.iter().map(|w| if *w == 0 { 0 } else { (w * 10_000 / total).max(1) }).collect();
    }
    scaled.iter().enumerate().flat_map(|(i, w)| std::iter::repeat_n(i, *w as usize)).collect()
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Runs the open loop at `rate` for `warmup + duration` with at most `in_flight` requests outstanding; returns
/// the counts of the measured window after the requests in flight have ended (bounded by `drive.drain`).
pub async fn open_loop(drive: &Drive, rate: f64, warmup: Duration, duration: Duration, in_flight: u32) -> Recorder {
    let start = Instant::now();
    let recorder = Arc::new(Mutex::new(Recorder::new((start + warmup).into_std(), duration)));
    let end = start + warmup + duration;
    let period = Duration::from_secs_f64(1.0 / rate).max(Duration::from_nanos(1));
    let mut ticker = tokio::time::interval_at(start, period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let window = Arc::new(Semaphore::new(in_flight as usize));
    let reporter = tokio::spawn(report_progress(drive.clone(), recorder.clone(), start, warmup, duration));
    let mut held_back = false;
    let mut id: u64 = 1;
    loop {
        let intended = ticker.tick().await;
        if intended >= end {
            break;
        }
        let now = Instant::now();
        let late = now.saturating_duration_since(intended);
        // Lateness after waiting for the window is the target's (backpressure), until the clock has caught up.
        if held_back && late <= LATE {
            held_back = false;
        }
        let permit = match window.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                lock(&recorder).window_full();
                held_back = true;
                match window.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                }
            }
        };
        let lag = if held_back { Duration::ZERO } else { late };
        lock(&recorder).sent(intended.into_std(), lag);
        let (d, r, this) = (drive.clone(), recorder.clone(), id);
        tokio::spawn(async move {
            let answer = d.transport.call(d.request(this), this).await;
            let now = std::time::Instant::now();
            lock(&r).answered(intended.into_std(), &answer, now);
            drop(permit);
        });
        id += 1;
    }
    publish(drive, &recorder, start, warmup, duration, LoadPhase::Draining);
    // Every request in flight ends within its own timeout; waiting for all permits waits for them.
    let _ = tokio::time::timeout(drive.drain, window.acquire_many(in_flight)).await;
    reporter.abort();
    take(recorder)
}

/// Runs `users` closed-loop virtual users for `warmup + duration`.
pub async fn closed_loop(drive: &Drive, users: u32, warmup: Duration, duration: Duration) -> Recorder {
    let start = Instant::now();
    let recorder = Arc::new(Mutex::new(Recorder::new((start + warmup).into_std(), duration)));
    let end = start + warmup + duration;
    let reporter = tokio::spawn(report_progress(drive.clone(), recorder.clone(), start, warmup, duration));
    let mut tasks = tokio::task::JoinSet::new();
    for user in 0..u64::from(users) {
        let (d, r) = (drive.clone(), recorder.clone());
        tasks.spawn(async move {
            let mut id = user + 1;
            while Instant::now() < end {
                let intended = std::time::Instant::now();
                lock(&r).sent(intended, Duration::ZERO);
                let answer = d.transport.call(d.request(id), id).await;
                lock(&r).answered(intended, &answer, std::time::Instant::now());
                id += u64::from(users);
            }
        });
    }
    let bound = warmup + duration + drive.drain;
    let _ = tokio::time::timeout(bound, async { while tasks.join_next().await.is_some() {} }).await;
    tasks.abort_all();
    reporter.abort();
    take(recorder)
}

fn lock(r: &Mutex<Recorder>) -> std::sync::MutexGuard<'_, Recorder> {
    r.lock().unwrap_or_else(|p| p.into_inner())
}

/// The recorder, once every task holding it has ended (or a copy of its state if one is still running).
fn take(recorder: Arc<Mutex<Recorder>>) -> Recorder {
    match Arc::try_unwrap(recorder) {
        Ok(m) => m.into_inner().unwrap_or_else(|p| p.into_inner()),
        Err(shared) => lock(&shared).clone(),
    }
}

async fn report_progress(
    drive: Drive,
    recorder: Arc<Mutex<Recorder>>,
    start: Instant,
    warmup: Duration,
    duration: Duration,
) {
    let mut every = tokio::time::interval(PROGRESS_EVERY);
    every.tick().await;
    loop {
        every.tick().await;
        let phase = if start.elapsed() < warmup { LoadPhase::WarmingUp } else { LoadPhase::Measuring };
        publish(&drive, &recorder, start, warmup, duration, phase);
    }
}

fn publish(
    drive: &Drive,
    recorder: &Mutex<Recorder>,
    start: Instant,
    warmup: Duration,
    duration: Duration,
    phase: LoadPhase,
) {
    let now = std::time::Instant::now();
    let (answered, errors, p99) = {
        let r = lock(recorder);
        (r.answered_total, r.errors_total, r.recent_p99_ms(now))
    };
    let previous = drive.progress.borrow().as_ref().map_or(0, |p| p.answered);
    let rate = answered.saturating_sub(previous) as f64 / PROGRESS_EVERY.as_secs_f64();
    drive.progress.send_replace(Some(LoadProgress {
        phase,
        elapsed: start.elapsed(),
        total: warmup + duration,
        rate_per_sec: rate,
        p99_ms: p99,
        answered,
        errors,
        step: drive.step,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pick_table_follows_the_weights() {
        assert_eq!(pick_table(&[9, 1]).len(), 10);
        assert_eq!(pick_table(&[9, 1]).iter().filter(|i| **i == 1).count(), 1);
        assert_eq!(pick_table(&[4, 2]), vec![0, 0, 1]);
        assert_eq!(pick_table(&[1]), vec![0]);
        assert!(pick_table(&[1_000_000, 1]).len() <= 10_001);
        assert!(pick_table(&[1_000_000, 1]).contains(&1));
    }
}
