//! The target's resource use, sampled from `/proc` (Linux) about four times a second: resident memory, CPU time
//! and open descriptors of a process and all its descendants. Elsewhere, or when the process is gone, samples
//! are simply missing.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::report::performance::{ResourceSample, ResourceUse};

/// How often the tree is sampled.
const EVERY: Duration = Duration::from_millis(250);
/// Samples kept at most (an endurance run of a day at 4 Hz would hold 345 600; the report keeps a thinned series).
const MAX_SAMPLES: usize = 2_000;

/// One reading of the tree.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reading {
    /// Resident bytes.
    pub rss: u64,
    /// User + system CPU seconds so far.
    pub cpu: f64,
    /// Open file descriptors.
    pub fds: u64,
}

/// Reads `/proc` for `root` and its descendants; `None` when `root` is gone or `/proc` is unavailable.
pub fn read_tree(root: u32) -> Option<(Reading, Vec<u32>)> {
    let pids = tree(root)?;
    let mut total = Reading::default();
    for pid in &pids {
        if let Some(r) = read_process(*pid) {
            total.rss += r.rss;
            total.cpu += r.cpu;
            total.fds += r.fds;
        }
    }
    Some((total, pids))
}

/// `root` and its descendants (from each process's parent in `/proc/<pid>/stat`).
fn tree(root: u32) -> Option<Vec<u32>> {
    if !std::path::Path::new(&format!("/proc/{root}")).exists() {
        return None;
    }
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if let Some(ppid) = stat_fields(pid).and_then(|f| f.get(1).and_then(|s| s.parse::<u32>().ok())) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = vec![root];
    let mut seen: HashSet<u32> = HashSet::from([root]);
    let mut i = 0;
    while i < out.len() {
        for c in children.get(&out[i]).into_iter().flatten() {
            if seen.insert(*c) {
                out.push(*c);
            }
        }
        i += 1;
    }
    Some(out)
}

/// The fields of `/proc/<pid>/stat` after the command name: `[state, ppid, …]` (field 3 onward).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 1..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

fn read_process(pid: u32) -> Option<Reading> {
    let fields = stat_fields(pid)?;
    // utime and stime are fields 14 and 15 of stat (indices 11 and 12 after the name).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let resident_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count() as u64).unwrap_or(0);
    Some(Reading { rss: resident_pages * page_size(), cpu: ticks as f64 / clock_ticks(), fds })
}

/// The harness's own CPU seconds so far (user + system).
pub fn own_cpu_seconds() -> Option<f64> {
    read_process(std::process::id()).map(|r| r.cpu)
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(n).ok().filter(|n| *n > 0).unwrap_or(4096)
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if n > 0 { n as f64 } else { 100.0 }
}

/// Samples a process tree in the background until stopped.
#[derive(Debug)]
pub struct Sampler {
    root: u32,
    started: Instant,
    samples: Arc<Mutex<Vec<(Instant, Reading)>>>,
    pids: Arc<Mutex<Vec<u32>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sampler {
    /// Starts sampling `root`'s tree.
    pub fn start(root: u32) -> Sampler {
        let samples: Arc<Mutex<Vec<(Instant, Reading)>>> = Arc::default();
        let pids: Arc<Mutex<Vec<u32>>> = Arc::default();
        let (s, p) = (samples.clone(), pids.clone());
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(EVERY);
            loop {
                every.tick().await;
                let Some((reading, tree)) = tokio::task::spawn_blocking(move || read_tree(root)).await.ok().flatten()
                else {
                    continue;
                };
                let mut kept = s.lock().unwrap_or_else(|e| e.into_inner());
                if kept.len() >= MAX_SAMPLES {
                    // Thin out: keep every other sample, so the series spans the whole run at half the resolution.
                    let thinned: Vec<_> = kept.iter().copied().step_by(2).collect();
                    *kept = thinned;
                }
                kept.push((Instant::now(), reading));
                let mut known = p.lock().unwrap_or_else(|e| e.into_inner());
                for pid in tree {
                    if !known.contains(&pid) {
                        known.push(pid);
                    }
                }
            }
        });
        Sampler { root, started: Instant::now(), samples, pids, task }
    }

    /// The reading nearest before `at` (or the first after it).
    fn reading_at(samples: &[(Instant, Reading)], at: Instant) -> Option<Reading> {
        samples.iter().rev().find(|(t, _)| *t <= at).or_else(|| samples.first()).map(|(_, r)| *r)
    }

    /// Stops sampling (after one last reading) and summarises the measured window `[from, until]`.
    pub async fn finish(self, from: Instant, until: Instant, answered: u64) -> Option<ResourceUse> {
        self.task.abort();
        let root = self.root;
        if let Some((last, _)) = tokio::task::spawn_blocking(move || read_tree(root)).await.ok().flatten() {
            self.samples.lock().unwrap_or_else(|e| e.into_inner()).push((Instant::now(), last));
        }
        let samples = self.samples.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let start = Self::reading_at(&samples, from)?;
        let end = Self::reading_at(&samples, until)?;
        let cpu_seconds = (end.cpu - start.cpu).max(0.0);
        let mut series = Vec::with_capacity(samples.len());
        let mut previous: Option<(Instant, Reading)> = None;
        for (t, r) in &samples {
            let cpu_percent = previous.map_or(0.0, |(pt, pr)| {
                let dt = t.saturating_duration_since(pt).as_secs_f64();
                if dt > 0.0 { ((r.cpu - pr.cpu) / dt * 100.0).max(0.0) } else { 0.0 }
            });
            series.push(ResourceSample {
                at_ms: (t.saturating_duration_since(self.started).as_secs_f64() * 1000.0).round(),
                rss_bytes: r.rss,
                cpu_percent: (cpu_percent * 10.0).round() / 10.0,
                fds: r.fds,
            });
            previous = Some((*t, *r));
        }
        Some(ResourceUse {
            pids: self.pids.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            rss_start_bytes: start.rss,
            rss_end_bytes: end.rss,
            rss_peak_bytes: samples.iter().map(|(_, r)| r.rss).max().unwrap_or(0),
            rss_growth_bytes: i64::try_from(end.rss).unwrap_or(i64::MAX) - i64::try_from(start.rss).unwrap_or(i64::MAX),
            cpu_seconds: (cpu_seconds * 1000.0).round() / 1000.0,
            cpu_micros_per_call: (answered > 0).then(|| (cpu_seconds * 1e6 / answered as f64 * 10.0).round() / 10.0),
            fds_start: start.fds,
            fds_end: end.fds,
            samples: series,
        })
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harness_reads_its_own_process() {
        let (reading, pids) = read_tree(std::process::id()).expect("/proc is readable on Linux");
        assert!(reading.rss > 1 << 20, "{reading:?}");
        assert!(reading.fds >= 3, "{reading:?}");
        assert_eq!(pids[0], std::process::id());
        assert!(read_tree(u32::MAX - 1).is_none());
    }

    #[tokio::test]
    async fn a_child_is_part_of_the_tree_and_its_memory_is_sampled() {
        let mut child = tokio::process::Command::new("sleep").arg("5").kill_on_drop(true).spawn().unwrap();
        let (_, pids) = read_tree(std::process::id()).unwrap();
        assert!(pids.contains(&child.id().unwrap()));
        let sampler = Sampler::start(child.id().unwrap());
        tokio::time::sleep(Duration::from_millis(600)).await;
        let from = sampler.started;
        let used = sampler.finish(from, Instant::now(), 10).await.expect("samples");
        assert!(used.samples.len() >= 2, "{used:?}");
        assert!(used.rss_end_bytes > 0);
        let _ = child.kill().await;
    }
}
