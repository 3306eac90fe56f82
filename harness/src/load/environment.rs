//! The machine a load run's generator ran on (numbers from a shared or loaded machine mean little without it).

use crate::report::performance::Environment;

/// Reads the CPU model, CPU count, kernel and the one-minute load average (Linux `/proc`; missing elsewhere).
pub fn environment() -> Environment {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
    });
    Environment {
        cpu_model,
        cpus: std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX)),
        load_before: load_average(),
        load_after: None,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_owned()),
        optimized_build: !cfg!(debug_assertions),
    }
}

/// `/proc/loadavg`'s one-minute average.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_machine_is_described() {
        let e = super::environment();
        assert!(e.cpus >= 1);
        assert!(e.load_before.is_some() && e.kernel.is_some(), "{e:?}");
    }
}
