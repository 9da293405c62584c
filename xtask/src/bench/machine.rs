//! The machine the figures come from, and the commit they were measured at, for the report.

use std::process::Command;

/// The machine the figures come from.
#[derive(Debug)]
pub(super) struct Machine {
    /// Logical cores available to this process.
    pub(super) cores: usize,
    /// The CPU's model name.
    pub(super) cpu: String,
    /// Total memory, in GiB.
    pub(super) mem_gib: f64,
    /// The kernel's name and release, such as `Linux 6.8.0`.
    pub(super) kernel: String,
}

impl Machine {
    /// Reads the machine's description from `/proc` and `uname`; what cannot be read is left
    /// blank or zero.
    pub(super) fn read() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split_once(':'))
            .map_or_else(
                || "unknown CPU".to_owned(),
                |(_, model)| model.trim().to_owned(),
            );
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_kb: f64 = meminfo
            .lines()
            .find(|line| line.starts_with("MemTotal:"))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse().ok())
            .unwrap_or(0.0);
        Self {
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            cpu,
            mem_gib: mem_kb / 1_048_576.0,
            kernel: command_line("uname", &["-sr"]).unwrap_or_default(),
        }
    }
}

/// Today's date in UTC, such as `2026-11-26`.
pub(super) fn today() -> String {
    command_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_else(|| "today".to_owned())
}

/// The short hash of the commit checked out.
pub(super) fn commit() -> String {
    command_line("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default()
}

/// The trimmed standard output of a command that succeeded.
fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
