//! The bench's report: a description of the run and a Markdown table of its figures, their
//! ratios to the baseline and the targets, with the helpers that format them.

use std::fmt::Write as _;
use std::time::Duration;

use super::cpu::Usage;
use super::machine::{self, Machine};
use super::slow::Closed;
use super::wrk::WrkRun;
use super::{
    BIG_MEMBERS, BULK_RUNS, CONNECTIONS, DURATION_SECS, ROUND_SECS, ROUNDS, SETTLE,
    SLOW_CONNECTIONS, Targets, WARM_UP_SECS, WRK_THREADS, seed,
};

/// The bulk invites of one size.
#[derive(Debug)]
pub(super) struct BulkFigures {
    /// Users per invite.
    pub(super) size: usize,
    /// The median time of one invite, in milliseconds.
    pub(super) median_ms: f64,
    /// The target, in milliseconds.
    pub(super) target_ms: f64,
}

/// One round of an alternating comparison.
#[derive(Debug)]
pub(super) struct Round {
    /// The load compared against.
    pub(super) base: WrkRun,
    /// The load measured.
    pub(super) test: WrkRun,
}

/// An alternating comparison of two loads (see `alternate`).
#[derive(Debug)]
pub(super) struct Comparison {
    /// The rounds, in order.
    pub(super) rounds: Vec<Round>,
}

impl Comparison {
    /// The mean throughput of the base's runs, and of the test's runs.
    fn throughputs(&self) -> (f64, f64) {
        let runs = self.rounds.len().max(1) as f64;
        let base: f64 = self.rounds.iter().map(|round| round.base.rps).sum();
        let test: f64 = self.rounds.iter().map(|round| round.test.rps).sum();
        (base / runs, test / runs)
    }

    /// The test's throughput as a multiple of the base's, over all rounds.
    fn speedup(&self) -> f64 {
        let (base, test) = self.throughputs();
        test / base
    }

    /// Each round's `figure(base, test)`, as `1.02x, 0.97x, ...`.
    fn per_round(&self, figure: fn(&WrkRun, &WrkRun) -> f64) -> String {
        let ratios: Vec<String> = self
            .rounds
            .iter()
            .map(|round| format!("{:.2}x", figure(&round.base, &round.test)))
            .collect();
        ratios.join(", ")
    }

    /// The answers of one side (`Round::base` or `Round::test`), over all rounds.
    fn requests(&self, side: fn(&Round) -> &WrkRun) -> u64 {
        self.rounds.iter().map(|round| side(round).requests).sum()
    }

    /// The highest p99 and the highest p50 latency of one side's runs, in milliseconds.
    fn worst_latency(&self, side: fn(&Round) -> &WrkRun) -> (f64, f64) {
        let worst = |figure: fn(&WrkRun) -> f64| {
            self.rounds
                .iter()
                .map(|round| figure(side(round)))
                .fold(0.0, f64::max)
        };
        (worst(|run| run.p99_ms), worst(|run| run.p50_ms))
    }

    /// One side's latency, as `p99 up to 12.00 ms (p50 up to 6.00 ms)`.
    fn latency(&self, side: fn(&Round) -> &WrkRun) -> String {
        let (p99, p50) = self.worst_latency(side);
        format!("p99 up to {p99:.2} ms (p50 up to {p50:.2} ms)")
    }
}

/// The base side of a round.
fn base(round: &Round) -> &WrkRun {
    &round.base
}

/// The test side of a round.
fn test(round: &Round) -> &WrkRun {
    &round.test
}

/// The database the server ran on.
#[derive(Debug)]
pub(super) enum Database {
    /// A SQLite file.
    Sqlite,
    /// The bench's PostgreSQL cluster.
    Postgres {
        /// PostgreSQL's version.
        version: String,
        /// How long `VACUUM ANALYZE` and `CHECKPOINT` took after seeding.
        settle: Duration,
    },
}

/// Everything one run measured, and where.
#[derive(Debug)]
pub(super) struct Report {
    /// The machine.
    pub(super) machine: Machine,
    /// wrk's version.
    pub(super) wrk_version: String,
    /// The database.
    pub(super) database: Database,
    /// The targets on that database.
    pub(super) targets: &'static Targets,
    /// The seeded database's size, in MB.
    pub(super) db_mb: f64,
    /// How long seeding took.
    pub(super) seed_time: Duration,
    /// Bare `GET /api/info`.
    pub(super) baseline: WrkRun,
    /// `GET /api/info` while the slow connections were open.
    pub(super) slow: WrkRun,
    /// How many slow connections the server closed during that run.
    pub(super) slow_closed: Closed,
    /// One-user invites into 10-member groups (the base) and into the big group (the test).
    pub(super) invites: Comparison,
    /// One-user invites into 10-member groups by two instances on one database against one,
    /// if measured.
    pub(super) two: Option<Comparison>,
    /// The bulk invites, one entry per size.
    pub(super) bulk: Vec<BulkFigures>,
    /// The server's peak resident memory after the wrk runs, in KiB.
    pub(super) hwm_after_load_kb: u64,
    /// The server's peak resident memory at the end, in KiB.
    pub(super) hwm_kb: u64,
    /// Where the CPU went during each wrk run.
    pub(super) cpu: Vec<(String, Usage)>,
}

impl Report {
    /// The report in Markdown: where and how the figures were measured, the table, and where
    /// the CPU went.
    pub(super) fn render(&self) -> String {
        let mut out = String::new();
        self.describe(&mut out);
        self.table(&mut out);
        self.cpu_table(&mut out);
        out
    }

    /// The paragraphs above the table.
    fn describe(&self, out: &mut String) {
        let machine = &self.machine;
        let (command, beside) = match self.database {
            Database::Sqlite => ("cargo xtask bench", ""),
            Database::Postgres { .. } => {
                ("cargo xtask bench --store postgres", ", as does PostgreSQL")
            }
        };
        let _ = writeln!(
            out,
            "Measured {} at commit {} by `{command}`.\n",
            machine::today(),
            machine::commit()
        );
        let _ = writeln!(
            out,
            "Machine: {} cores, {}, {:.1} GiB RAM, {}; the load generator (wrk {}, {WRK_THREADS} \
             threads) runs on the same machine{beside}.\n",
            machine.cores, machine.cpu, machine.mem_gib, machine.kernel, self.wrk_version
        );
        let store = match &self.database {
            Database::Sqlite => "SQLite in WAL mode".to_owned(),
            Database::Postgres { version, .. } => format!(
                "PostgreSQL {version} (a cluster of the bench's own, with PostgreSQL's default \
                 settings, so `fsync` and `synchronous_commit` on, but for \
                 `max_connections = 200`; the server's default connection pool)"
            ),
        };
        let settled = match &self.database {
            Database::Sqlite => String::new(),
            Database::Postgres { settle, .. } => format!(
                ", then ran `VACUUM ANALYZE` and `CHECKPOINT` in {:.1} s",
                settle.as_secs_f64()
            ),
        };
        let _ = write!(
            out,
            "Server: release build, {store}, rate limiter on (the admin caller is exempt by \
             role), `RUST_LOG=warn`. Seeded {} users and {} groups into a {:.0} MB database \
             in {:.1} s{settled}. Every wrk run has {CONNECTIONS} connections, those of \
             `GET /api/info` last {DURATION_SECS} s; the bulk invites start {} s after the load, \
             {} ms apart. The {SLOW_CONNECTIONS} slow \
             connections are opened just before their run and held through it: a third send \
             nothing, a third half a request line, a third the headers of a `groups.invite` POST \
             and half of its 100-byte body.",
            thousands(seed::users() as f64),
            thousands(seed::groups() as f64),
            self.db_mb,
            self.seed_time.as_secs_f64(),
            SETTLE.as_secs(),
            (SETTLE / 10).as_millis()
        );
        let _ = write!(
            out,
            " The one-user invites into the 10-member groups alternate with those into the \
             {}-member group, in {ROUNDS} rounds of {ROUND_SECS} s each (10-member groups first \
             in odd rounds, the big group first in even ones) after an unmeasured warm-up run \
             of {WARM_UP_SECS} s of each, every run inviting users from \
             where the one before of its kind stopped: their figures are the means of the \
             rounds (and the highest latencies), their ratio that of the mean throughputs.",
            thousands(BIG_MEMBERS as f64)
        );
        if self.two.is_some() {
            let _ = write!(
                out,
                " For the two-instance comparison a second server starts on the same \
                 database, and one wrk process gives each of its {WRK_THREADS} threads one of the \
                 two servers ({} connections each); it alternates with the first server alone \
                 in {ROUNDS} rounds of {ROUND_SECS} s the same way, both inviting the big \
                 group's users, who are in no 10-member group yet, into the 10-member groups.",
                CONNECTIONS / WRK_THREADS
            );
        }
        let _ = writeln!(out, "\n");
    }

    /// The table: one row per figure, latencies as p99 with p50 in parentheses.
    fn table(&self, out: &mut String) {
        let (baseline, slow, invites) = (&self.baseline, &self.slow, &self.invites);
        let targets = self.targets;
        let slow_ratio = slow.rps / baseline.rps;
        let (small_rps, big_rps) = invites.throughputs();
        let (small_p99, small_p50) = invites.worst_latency(base);
        let invite_ratio = small_rps / baseline.rps;
        // How many times as long an invite into the big group takes.
        let slowdown = small_rps / big_rps;
        let hwm_mb = self.hwm_kb as f64 / 1024.0;
        let closed = &self.slow_closed;
        let mut row = |cells: [&str; 5]| {
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        };
        row(["Measure", "Figure", "Ratio", "Target", "Met"]);
        row(["---", "---", "---", "---", "---"]);
        row([
            &format!("Baseline: `GET /api/info`, {CONNECTIONS} connections"),
            &format!("{} req/s, {}", thousands(baseline.rps), latency(baseline)),
            "1.00",
            "",
            "",
        ]);
        row([
            &format!(
                "`GET /api/info` while {SLOW_CONNECTIONS} slow connections are open, \
                 {CONNECTIONS} connections"
            ),
            &format!("{} req/s", thousands(slow.rps)),
            &format!("{:.1}% of baseline", slow_ratio * 100.0),
            "",
            "",
        ]);
        row([
            "`GET /api/info` p99 latency (p50) while the slow connections are open",
            &format!("{:.2} ms ({:.2} ms)", slow.p99_ms, slow.p50_ms),
            "",
            &format!("≤ {:.0} ms", targets.slow_p99_ms),
            met(slow.p99_ms <= targets.slow_p99_ms),
        ]);
        row([
            "Slow connections the server closed during that run",
            &format!(
                "{} of {}, held {:.1} s",
                closed.total(),
                closed.count(),
                closed.open_for().as_secs_f64()
            ),
            "",
            "none",
            met(closed.total() == 0),
        ]);
        row([
            &format!(
                "One-user invite into 10-member groups, {CONNECTIONS} connections ({} invites \
                 in {} runs of {ROUND_SECS} s)",
                thousands(invites.requests(base) as f64),
                invites.rounds.len()
            ),
            &format!("{} req/s", thousands(small_rps)),
            &format!("{:.1}% of baseline", invite_ratio * 100.0),
            &format!("≥ {:.0}%", targets.invite_ratio * 100.0),
            met(invite_ratio >= targets.invite_ratio),
        ]);
        row([
            "One-user invite p99 latency (p50), the highest of the runs",
            &format!("{small_p99:.2} ms ({small_p50:.2} ms)"),
            "",
            &format!("≤ {:.0} ms", targets.p99_ms),
            met(small_p99 <= targets.p99_ms),
        ]);
        if let (Some(two), Some(target)) = (&self.two, targets.two_instances) {
            let (one_rps, two_rps) = two.throughputs();
            let ratio = two.speedup();
            row([
                &format!(
                    "Two instances on one database against one, in {} alternating rounds of \
                     {ROUND_SECS} s: one-user invites into 10-member groups, {CONNECTIONS} \
                     connections, {} to each of the two ({} invites by two)",
                    two.rounds.len(),
                    CONNECTIONS / super::WRK_THREADS,
                    thousands(two.requests(test) as f64)
                ),
                &format!(
                    "two {} req/s, one {} req/s; two's {}; rounds {}",
                    thousands(two_rps),
                    thousands(one_rps),
                    two.latency(test),
                    two.per_round(|one, two| two.rps / one.rps)
                ),
                &format!("{ratio:.2}x one instance"),
                &format!("≥ {target:.1}x"),
                met(ratio >= target),
            ]);
        }
        for bulk in &self.bulk {
            row([
                &format!(
                    "{}-user bulk invite, median of {BULK_RUNS} fresh groups",
                    thousands(bulk.size as f64)
                ),
                &format!("{:.1} ms", bulk.median_ms),
                "",
                &format!("< {:.0} ms", bulk.target_ms),
                met(bulk.median_ms < bulk.target_ms),
            ]);
        }
        row([
            &format!(
                "One-user invite into a {}-member group, {CONNECTIONS} connections ({} invites \
                 in {} runs of {ROUND_SECS} s, between the 10-member groups' runs)",
                thousands(BIG_MEMBERS as f64),
                thousands(invites.requests(test) as f64),
                invites.rounds.len()
            ),
            &format!(
                "{} req/s, {}; rounds {}",
                thousands(big_rps),
                invites.latency(test),
                invites.per_round(|small, big| small.rps / big.rps)
            ),
            &format!("{slowdown:.2}x the 10-member time"),
            &format!("≤ {:.1}x", targets.big_slowdown),
            met(slowdown <= targets.big_slowdown),
        ]);
        row([
            "Server peak resident memory (VmHWM), after the load / at the end",
            &format!(
                "{:.1} MB / {hwm_mb:.1} MB",
                self.hwm_after_load_kb as f64 / 1024.0
            ),
            "",
            &format!("< {:.0} MB", targets.hwm_mb),
            met(hwm_mb < targets.hwm_mb),
        ]);
    }

    /// Where the CPU went during each wrk run, in cores.
    fn cpu_table(&self, out: &mut String) {
        if self.cpu.is_empty() {
            return;
        }
        let postgres = matches!(self.database, Database::Postgres { .. });
        let _ = writeln!(
            out,
            "\nWhere the CPU went during each run, in cores of the machine's {} (\"other\" is \
             every process outside the bench, and the kernel's own work):\n",
            self.machine.cores
        );
        let mut row = |cells: &[&str]| {
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        };
        let mut header = vec!["Run", "Server"];
        if postgres {
            header.push("PostgreSQL");
        }
        header.extend(["Load generator", "Other", "Idle"]);
        row(&header);
        row(&vec!["---"; header.len()]);
        for (name, usage) in &self.cpu {
            let cell = |cores: f64| format!("{cores:.2}");
            let mut cells = vec![name.clone(), cell(usage.server)];
            if postgres {
                cells.push(cell(usage.database));
            }
            cells.extend([cell(usage.load), cell(usage.other), cell(usage.idle)]);
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            row(&cells);
        }
    }
}

/// A run's latency as `p99 1.23 ms (p50 0.45 ms)`.
fn latency(run: &WrkRun) -> String {
    format!("p99 {:.2} ms (p50 {:.2} ms)", run.p99_ms, run.p50_ms)
}

/// The table's "Met" cell.
fn met(yes: bool) -> &'static str {
    if yes { "yes" } else { "**no**" }
}

/// The median of `values`, which it sorts; NaN when there are none.
pub(super) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.is_empty() {
        f64::NAN
    } else if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// `values` with `decimals` decimals each, separated by commas.
pub(super) fn join_f(values: &[f64], decimals: usize) -> String {
    values
        .iter()
        .map(|value| format!("{value:.decimals$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `12345.6` as `12,346`.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
    }

    fn run(requests: u64, rps: f64, p50_ms: f64, p99_ms: f64) -> WrkRun {
        WrkRun {
            requests,
            rps,
            p50_ms,
            p99_ms,
            non_2xx: 0,
            socket_errors: None,
            next_user: None,
        }
    }

    #[test]
    fn a_comparison_is_of_mean_throughputs_and_worst_latencies() {
        let comparison = Comparison {
            rounds: vec![
                Round {
                    base: run(400, 100.0, 5.0, 20.0),
                    test: run(360, 90.0, 6.0, 30.0),
                },
                Round {
                    base: run(800, 200.0, 4.0, 10.0),
                    test: run(840, 210.0, 7.0, 25.0),
                },
            ],
        };
        assert_eq!(comparison.throughputs(), (150.0, 150.0));
        assert!((comparison.speedup() - 1.0).abs() < 1e-9);
        assert_eq!(comparison.requests(base), 1_200);
        assert_eq!(comparison.requests(test), 1_200);
        assert_eq!(comparison.worst_latency(base), (20.0, 5.0));
        assert_eq!(
            comparison.latency(test),
            "p99 up to 30.00 ms (p50 up to 7.00 ms)"
        );
        assert_eq!(
            comparison.per_round(|base, test| test.rps / base.rps),
            "0.90x, 1.05x"
        );
    }

    #[test]
    fn takes_medians() {
        assert!((median(&mut [3.0, 1.0, 2.0]) - 2.0).abs() < 1e-9);
        assert!((median(&mut [4.0, 1.0, 3.0, 2.0]) - 2.5).abs() < 1e-9);
        assert!(median(&mut []).is_nan());
    }
}
