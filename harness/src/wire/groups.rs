//! The process groups the harness started, so a second Ctrl-C can end them all before the harness exits.

use std::collections::BTreeSet;
use std::sync::Mutex;

static GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// Remembers the process group `pgid` (a child started with `process_group(0)`).
pub(crate) fn register(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid)
        && pgid > 1
    {
        GROUPS.lock().unwrap_or_else(|p| p.into_inner()).insert(pgid);
    }
}

/// Forgets the process group `pgid` (it was ended).
pub(crate) fn unregister(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        GROUPS.lock().unwrap_or_else(|p| p.into_inner()).remove(&pgid);
    }
}

/// Sends SIGKILL to every process group the harness started and has not ended yet. For the last moments of the
/// process (a second interrupt); the usual way to end a target is its own shutdown.
pub fn kill_all_process_groups() {
    let groups: Vec<i32> = GROUPS.lock().unwrap_or_else(|p| p.into_inner()).iter().copied().collect();
    for pgid in groups {
        // SAFETY: kill(2) has no memory-safety preconditions; a negative pid addresses a process group this
        // process created (registered only for children started in their own group, never 0 or 1).
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}
