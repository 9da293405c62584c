//! Where the machine's CPU went during a run, read from `/proc`: to the server, to the database
//! (PostgreSQL's processes), to the load generator (wrk and the bench itself), and to
//! everything else. The load generator shares the machine with the server, and so does
//! whatever else happens to run on it: these figures say how much each took.
//!
//! A process's share is the growth of its `utime + stime + cutime + cstime` between two
//! samples, so that the time of a child that ended (a PostgreSQL backend, a wrk process) counts
//! for the parent that reaped it; "other" is the machine's busy time (`/proc/stat`) less the
//! bench's own processes.

use std::collections::HashMap;

/// One look at the machine's and every process's CPU time, in clock ticks.
#[derive(Debug)]
pub(super) struct Sample {
    /// All CPUs' busy time (user, nice, system, irq, softirq).
    busy: u64,
    /// All CPUs' time, idle included.
    total: u64,
    /// The CPUs.
    cores: usize,
    /// Each process: its parent and its CPU time with its reaped children's.
    processes: HashMap<u32, (u32, u64)>,
}

/// The processes whose CPU time counts as the bench's own, by the roots of their trees.
#[derive(Clone, Debug, Default)]
pub(super) struct Roots {
    /// The server processes.
    pub(super) servers: Vec<u32>,
    /// The PostgreSQL postmaster, if there is one.
    pub(super) database: Option<u32>,
}

/// What each took during a run, in cores (1.0 is one core busy the whole run).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Usage {
    /// The server processes.
    pub(super) server: f64,
    /// PostgreSQL.
    pub(super) database: f64,
    /// wrk and the bench itself.
    pub(super) load: f64,
    /// Every other process, and the kernel's own work.
    pub(super) other: f64,
    /// Nobody (or the hypervisor's other guests).
    pub(super) idle: f64,
}

impl Usage {
    /// The mean of `runs` runs whose mean is `self` and one more run, `next`, all of the
    /// same length.
    pub(super) fn with(self, next: &Self, runs: u32) -> Self {
        let mean = |old: f64, new: f64| (old * f64::from(runs) + new) / f64::from(runs + 1);
        Self {
            server: mean(self.server, next.server),
            database: mean(self.database, next.database),
            load: mean(self.load, next.load),
            other: mean(self.other, next.other),
            idle: mean(self.idle, next.idle),
        }
    }
}

/// Who a process's time goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Server,
    Database,
    Load,
    Other,
}

impl Sample {
    /// Reads `/proc`; what cannot be read counts as nothing.
    pub(super) fn take() -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let mut busy = 0;
        let mut total = 0;
        let mut cores = 0;
        for line in stat.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("cpu") => {
                    let ticks: Vec<u64> = words.filter_map(|word| word.parse().ok()).collect();
                    // user nice system idle iowait irq softirq steal (guest time is in user).
                    busy = [0, 1, 2, 5, 6]
                        .iter()
                        .filter_map(|&i| ticks.get(i))
                        .sum::<u64>();
                    total = ticks.iter().take(8).sum();
                }
                Some(name) if name.starts_with("cpu") => cores += 1,
                _ => {}
            }
        }
        let mut processes = HashMap::new();
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                let Some(pid) = entry
                    .file_name()
                    .to_str()
                    .and_then(|name| name.parse().ok())
                else {
                    continue;
                };
                if let Some(process) = process(pid) {
                    processes.insert(pid, process);
                }
            }
        }
        Self {
            busy,
            total,
            cores: cores.max(1),
            processes,
        }
    }

    /// Whose time the process `pid` is in this sample.
    fn owner(&self, pid: u32, roots: &Roots) -> Owner {
        let me = std::process::id();
        let mut current = pid;
        // A parent chain is short; the bound only guards against a cycle in a racy read.
        for _ in 0..64 {
            if roots.servers.contains(&current) {
                return Owner::Server;
            }
            if roots.database == Some(current) {
                return Owner::Database;
            }
            if current == me {
                return Owner::Load;
            }
            match self.processes.get(&current) {
                Some(&(parent, _)) if parent != 0 => current = parent,
                _ => break,
            }
        }
        Owner::Other
    }

    /// The CPU time of the bench's own processes in this sample, by owner.
    fn owned(&self, roots: &Roots) -> [u64; 3] {
        let mut owned = [0; 3];
        for (&pid, &(_, ticks)) in &self.processes {
            match self.owner(pid, roots) {
                Owner::Server => owned[0] += ticks,
                Owner::Database => owned[1] += ticks,
                Owner::Load => owned[2] += ticks,
                Owner::Other => {}
            }
        }
        owned
    }

    /// What each took between `self` and the later sample `end`.
    pub(super) fn until(&self, end: &Self, roots: &Roots) -> Usage {
        let total = end.total.saturating_sub(self.total);
        if total == 0 {
            return Usage::default();
        }
        // Ticks to cores: the machine had `cores` cores for the run's `total / cores` ticks.
        let cores = |ticks: u64| ticks as f64 * end.cores as f64 / total as f64;
        let (before, after) = (self.owned(roots), end.owned(roots));
        let grew = |i: usize| after[i].saturating_sub(before[i]);
        let busy = end.busy.saturating_sub(self.busy);
        let ours = grew(0) + grew(1) + grew(2);
        Usage {
            server: cores(grew(0)),
            database: cores(grew(1)),
            load: cores(grew(2)),
            other: cores(busy.saturating_sub(ours)),
            idle: cores(total.saturating_sub(busy)),
        }
    }
}

/// A process's parent and its CPU time with its reaped children's, from `/proc/PID/stat`.
fn process(pid: u32) -> Option<(u32, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: the fields start after the last ')'.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // Fields 4 (ppid) and 14 to 17 (utime stime cutime cstime), counted from 1 with the pid
    // and the name as 1 and 2.
    let parent = fields.get(1)?.parse().ok()?;
    let ticks = fields
        .get(11..15)?
        .iter()
        .map(|field| field.parse::<i64>().unwrap_or(0).max(0).unsigned_abs())
        .sum();
    Some((parent, ticks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let (parent, _) = process(std::process::id()).unwrap();
        assert!(parent > 0);
        let sample = Sample::take();
        assert!(sample.cores >= 1 && sample.total > 0);
        assert_eq!(
            sample.owner(std::process::id(), &Roots::default()),
            Owner::Load
        );
        assert_eq!(sample.owner(1, &Roots::default()), Owner::Other);
    }

    #[test]
    fn shares_add_up_to_the_machine() {
        let start = Sample::take();
        let mut spin = 0u64;
        for i in 0..20_000_000u64 {
            spin = std::hint::black_box(spin.wrapping_add(i * i));
        }
        assert!(spin > 0);
        let usage = start.until(&Sample::take(), &Roots::default());
        let sum = usage.server + usage.database + usage.load + usage.other + usage.idle;
        assert!((sum - start.cores as f64).abs() < 0.5, "{usage:?}");
    }
}
