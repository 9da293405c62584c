//! `cargo xtask bench [--store sqlite|postgres]`: the server's performance targets, measured
//! on either of its stores.
//!
//! The targets on SQLite (`cargo xtask bench`, the default):
//!
//! * one-user invites into 10-member groups at 64 connections reach at least 10% of the
//!   throughput of a bare `GET /api/info`, with a p99 latency of at most 25 ms;
//! * a 1,000-user bulk invite takes less than 25 ms, a 10,000-user one less than 200 ms;
//! * a one-user invite into a 100,000-member group takes at most 1.2 times as long as one into
//!   a 10-member group;
//! * while 200 slow connections are open, normal requests keep a p99 latency of at most 10 ms;
//! * the server's peak resident memory stays below 64 MB.
//!
//! The targets on PostgreSQL (`cargo xtask bench --store postgres`), where every write is a
//! round trip to another process and a durable commit of its own:
//!
//! * one-user invites into 10-member groups at 64 connections reach at least 4% of the
//!   throughput of a bare `GET /api/info`, with a p99 latency of at most 50 ms;
//! * a 1,000-user bulk invite takes less than 30 ms, a 10,000-user one less than 250 ms;
//! * a one-user invite into a 100,000-member group takes at most 1.2 times as long as one into
//!   a 10-member group;
//! * two server instances on the one database, loaded together, invite at least as fast as one;
//! * the slow-connection and memory targets are SQLite's: they do not depend on the store.
//!
//! One run builds the release server and the `bench_seed` example; on PostgreSQL it starts a
//! throwaway cluster of its own (see [`postgres`]: default durability settings, stopped and
//! removed at the end). It seeds the database through the server's library (the same data on
//! both stores: one shared password hash, users by the tens of thousands per write), on
//! PostgreSQL then runs `VACUUM ANALYZE` and `CHECKPOINT`, starts `rocketchat-server` on it,
//! logs the admin in with `rocketchat-client`, and measures, with `wrk` on the same machine:
//!
//! 1. the baseline: bare `GET /api/info` at 64 connections;
//! 2. the same `GET /api/info` load while 200 slow connections are open (see [`slow`]);
//! 3. one-user invites at 64 connections into groups of 10 members, each request inviting a
//!    user who is not yet a member, against the same into a 100,000-member group;
//! 4. on PostgreSQL only, the same load on two servers sharing the database: a second
//!    `rocketchat-server` starts on another port, and one wrk process gives each of its two
//!    threads (32 connections each) one of the servers, against the first server alone; both
//!    invite the big group's users (members of no 10-member group) into the 10-member groups,
//!    one cursor through them for both, so that both invite the same kind of users into the
//!    same groups.
//!
//!    Each of these compares two loads by alternating them (see [`alternate`]): [`ROUNDS`]
//!    rounds of [`ROUND_SECS`] seconds, the base first in odd rounds and the other first in
//!    even ones, so that a drift of the machine's speed (other guests, the database's own
//!    housekeeping) falls on both alike; a ratio is that of their mean throughputs. A single
//!    run of each, one after the other, moved by a quarter from run to run;
//! 5. 1,000- and 10,000-user bulk invites, each into a fresh group with fresh users (median of
//!    several runs, each call timed end to end by the client);
//! 6. the server's peak resident memory (`VmHWM`).
//!
//! Beside each wrk run it reads where the machine's CPU went (see [`cpu`]): to the server, to
//! PostgreSQL, to the load generator, to anything else running meanwhile.
//!
//! It prints a Markdown table (also written to `target/bench/results.md`, or
//! `results-postgres.md`) with the raw figures, the ratios and the targets. Nothing here runs in
//! CI.
//!
//! The pieces: [`seed`] builds the binaries and seeds the database, [`postgres`] runs the
//! PostgreSQL cluster, [`server`] runs the server process, [`api`] talks to it through the
//! client, [`wrk`] loads it, [`slow`] holds the slow connections, [`cpu`] accounts for the CPU,
//! [`machine`] describes the machine and [`report`] renders the table.

mod api;
mod cpu;
mod machine;
mod postgres;
mod report;
mod seed;
mod server;
mod slow;
mod wrk;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rocketchat_client::Client;
use tokio::runtime::Runtime;

use report::{BulkFigures, Report};
use server::Server;
use slow::{Closed, SlowConnections};
use wrk::WrkRun;

/// Connections wrk keeps open.
const CONNECTIONS: u32 = 64;
/// wrk's threads: one per core of the machine we measure on.
const WRK_THREADS: u32 = 2;
/// Seconds per wrk run of `GET /api/info`.
const DURATION_SECS: u32 = 10;
/// Users seeded for the one-user invites into the small groups, and as many for the big group
/// (who also serve the two-instance comparison); each run goes on from where the last of its
/// kind stopped, and the bench fails if they run out (at about 12,000 invites a second for
/// [`ROUNDS`] runs of [`ROUND_SECS`]).
const INVITE_USERS: usize = 200_000;
/// Groups of 10 members that the small-group run rotates through, so that each stays small.
const SMALL_GROUPS: usize = 1_000;
/// Members of the big group.
const BIG_MEMBERS: usize = 100_000;
/// Bulk invite sizes.
const BULK_SIZES: [usize; 2] = [1_000, 10_000];
/// Runs per bulk size (each into a fresh group with fresh users); the median is reported.
const BULK_RUNS: usize = 5;
/// Slow connections held open during the slow-connection run.
const SLOW_CONNECTIONS: usize = 200;
/// Rounds of an alternating comparison, each a run of either load.
const ROUNDS: usize = 3;
/// Seconds per wrk run of an alternating comparison.
const ROUND_SECS: u32 = 4;
/// Seconds of the warm-up run of each side of a comparison.
const WARM_UP_SECS: u32 = 1;

/// The pause before the bulk invites (and a tenth of it between two of them).
const SETTLE: Duration = Duration::from_secs(2);

/// The store a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// A SQLite file (the default).
    Sqlite,
    /// A PostgreSQL database, on a cluster the bench starts.
    Postgres,
}

impl Store {
    /// `sqlite` or `postgres` (also `postgresql`), as `--store` takes it.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        match name {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }

    /// The targets on this store.
    fn targets(self) -> &'static Targets {
        match self {
            Self::Sqlite => &SQLITE_TARGETS,
            Self::Postgres => &POSTGRES_TARGETS,
        }
    }
}

/// What the figures must reach on one store (see the module's documentation).
#[derive(Debug)]
struct Targets {
    /// The least throughput of one-user invites, as a share of the baseline's.
    invite_ratio: f64,
    /// The highest p99 latency of one-user invites, in milliseconds.
    p99_ms: f64,
    /// The longest median bulk invite, in milliseconds, for each of [`BULK_SIZES`].
    bulk_ms: [f64; 2],
    /// The most a one-user invite into the big group may take, as a multiple of one into a
    /// small group.
    big_slowdown: f64,
    /// The highest p99 latency of normal requests while the slow connections are open, in
    /// milliseconds.
    slow_p99_ms: f64,
    /// The highest peak resident memory of the server, in MB.
    hwm_mb: f64,
    /// The least throughput of two instances on one database, as a multiple of one
    /// instance's; `None` where the store cannot be shared.
    two_instances: Option<f64>,
}

const SQLITE_TARGETS: Targets = Targets {
    invite_ratio: 0.10,
    p99_ms: 25.0,
    bulk_ms: [25.0, 200.0],
    big_slowdown: 1.2,
    slow_p99_ms: 10.0,
    hwm_mb: 64.0,
    two_instances: None,
};

const POSTGRES_TARGETS: Targets = Targets {
    invite_ratio: 0.04,
    p99_ms: 50.0,
    bulk_ms: [30.0, 250.0],
    big_slowdown: 1.2,
    slow_p99_ms: 10.0,
    hwm_mb: 64.0,
    two_instances: Some(1.0),
};

/// Runs the whole bench on `store` and prints its table.
pub(crate) fn run(store: Store) -> Result<(), String> {
    let wrk_version = wrk::version()?;
    let root = crate::project_root();
    let target = target_dir(&root);
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;

    step("building the release server and the seeder");
    let binaries = seed::build(&root, &target)?;

    // Declared before the servers, so that it is dropped (stopped and removed) after them,
    // whichever way this function ends.
    let cluster = match store {
        Store::Sqlite => None,
        Store::Postgres => {
            step("starting a throwaway PostgreSQL cluster");
            let cluster = runtime.block_on(postgres::Cluster::start(&dir))?;
            println!("  PostgreSQL {} at {}", cluster.version(), cluster.url());
            Some(cluster)
        }
    };
    let sqlite_file = match store {
        Store::Sqlite => Some(seed::fresh_sqlite(&dir)?),
        Store::Postgres => None,
    };
    let database_url = match (&cluster, &sqlite_file) {
        (Some(cluster), _) => cluster.url(),
        (None, Some(file)) => format!("sqlite://{}", file.display()),
        (None, None) => return Err("no database to seed".to_owned()),
    };

    step("seeding");
    let seeded = seed::seed(&binaries.seed, &dir, &database_url)?;
    println!("  seeded in {:.1} s", seeded.took.as_secs_f64());
    let manifest = &seeded.manifest;
    let (settle_time, db_mb) = match (&cluster, &sqlite_file) {
        (Some(cluster), _) => {
            step("VACUUM ANALYZE and CHECKPOINT");
            let took = runtime.block_on(cluster.settle())?;
            println!("  took {:.1} s", took.as_secs_f64());
            (Some(took), runtime.block_on(cluster.database_mb())?)
        }
        (None, Some(file)) => (None, seed::sqlite_mb(file)),
        (None, None) => (None, 0.0),
    };

    step("starting the server");
    let port = server::free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.join("server.log");
    let mut server = Server::start(
        &binaries.server,
        &database_url,
        port,
        &manifest.password,
        &log,
    )?;
    let client = api::client(&base, &manifest.password)?;
    runtime.block_on(api::wait_until_ready(&client, &mut server))?;
    let session = runtime.block_on(api::log_in(&client))?;
    let mut cpu = CpuLog {
        roots: cpu::Roots {
            servers: server.pid().into_iter().collect(),
            database: cluster.as_ref().and_then(postgres::Cluster::pid),
        },
        runs: Vec::new(),
        counts: Vec::new(),
    };

    step("baseline: GET /api/info");
    let info_url = format!("{base}/api/info");
    wrk::run(&info_url, None, 2)?; // warm-up
    let baseline = cpu.measure("Baseline", || wrk::run(&info_url, None, DURATION_SECS))?;
    baseline.require_ok("GET /api/info")?;

    step(&format!(
        "GET /api/info while {SLOW_CONNECTIONS} slow connections are open"
    ));
    let (slow, slow_closed) = cpu.measure("Beside slow connections", || {
        runtime.block_on(beside_slow_connections(port, &info_url))
    })?;
    slow.require_ok("GET /api/info beside slow connections")?;
    println!("  {slow_closed}");

    let invite_url = format!("{base}/api/v1/groups.invite");
    let script = |name: &str, rooms: &[String], prefix: &str, ports: &[u16], start: usize| {
        let path = dir.join(format!("{name}.lua"));
        std::fs::write(
            &path,
            wrk::invite_script(rooms, prefix, &session, ports, start),
        )
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok::<_, String>(path)
    };

    step("one-user invites into 10-member groups and into a 100,000-member group, in turn");
    let big_room = &manifest.big_group;
    let big_before = runtime.block_on(api::users_count(&client, big_room))?;
    let (small_cursor, big_cursor) = (Cell::new(0), Cell::new(0));
    let small_round = |round: usize, start: usize| {
        script(
            &format!("invite-small-{round}"),
            &manifest.small_groups,
            &manifest.small_prefix,
            &[port],
            start,
        )
    };
    let big_round = |round: usize, start: usize| {
        script(
            &format!("invite-big-{round}"),
            std::slice::from_ref(big_room),
            &manifest.big_prefix,
            &[port],
            start,
        )
    };
    let invites = alternate(
        &mut cpu,
        &invite_url,
        Side {
            cpu_row: "One-user invites, 10-member groups",
            what: "one-user invites into small groups",
            script: &small_round,
            cursor: &small_cursor,
        },
        Side {
            cpu_row: "One-user invites, 100,000-member group",
            what: "one-user invites into the big group",
            script: &big_round,
            cursor: &big_cursor,
        },
    )?;
    let big_after = runtime.block_on(api::users_count(&client, big_room))?;
    let big_invites: u64 = invites.rounds.iter().map(|round| round.test.requests).sum();
    if big_after.saturating_sub(big_before) < big_invites {
        return Err(format!(
            "the big group grew by {} members, but wrk counted {big_invites} successful invites",
            big_after.saturating_sub(big_before),
        ));
    }

    let two = match store {
        Store::Sqlite => None,
        Store::Postgres => {
            step("one-user invites into 10-member groups, by one instance and by two in turn");
            // Both sides invite the big group's users (members of no 10-member group), one
            // cursor through them for both: one instance and two invite the same kind of
            // users into the same groups.
            let cursor = Cell::new(0);
            let one = |round: usize, start: usize| {
                script(
                    &format!("invite-one-{round}"),
                    &manifest.small_groups,
                    &manifest.big_prefix,
                    &[port],
                    start,
                )
            };
            let base = Side {
                cpu_row: "One-user invites, one instance of two",
                what: "one-user invites by one instance",
                script: &one,
                cursor: &cursor,
            };
            Some(two_instances(
                &runtime,
                &binaries.server,
                &database_url,
                &manifest.password,
                &dir,
                &mut cpu,
                &invite_url,
                base,
                |second| {
                    move |round: usize, start: usize| {
                        script(
                            &format!("invite-two-{round}"),
                            &manifest.small_groups,
                            &manifest.big_prefix,
                            &[port, second],
                            start,
                        )
                    }
                },
            )?)
        }
    };
    let hwm_after_load_kb = server.vm_hwm_kb()?;
    // Let the server finish checkpointing the WAL the load left behind: the bulk invites are
    // measured on a quiet server, not against that backlog.
    std::thread::sleep(SETTLE);

    let bulk = bulk_invites(&runtime, &client, &manifest.bulk, store.targets())?;
    let hwm_kb = server.vm_hwm_kb()?;
    server.stop();
    let database = match &cluster {
        Some(cluster) => report::Database::Postgres {
            version: cluster.version().to_owned(),
            settle: settle_time.unwrap_or_default(),
        },
        None => report::Database::Sqlite,
    };
    if let Some(cluster) = cluster {
        step("stopping PostgreSQL");
        cluster.stop()?;
    }

    let report = Report {
        machine: machine::Machine::read(),
        wrk_version,
        database,
        targets: store.targets(),
        db_mb,
        seed_time: seeded.took,
        baseline,
        slow,
        slow_closed,
        invites,
        two,
        bulk,
        hwm_after_load_kb,
        hwm_kb,
        cpu: cpu.runs,
    };
    let out = report.render();
    println!("\n{out}");
    let results = dir.join(match store {
        Store::Sqlite => "results.md",
        Store::Postgres => "results-postgres.md",
    });
    std::fs::write(&results, &out).map_err(|e| format!("writing {}: {e}", results.display()))?;
    println!("(also written to {})", results.display());
    Ok(())
}

/// Where the CPU went during each measured run.
#[derive(Debug)]
struct CpuLog {
    /// The bench's processes.
    roots: cpu::Roots,
    /// Each run's name and usage, in order; runs of the same name share one entry, the
    /// mean of their usage.
    runs: Vec<(String, cpu::Usage)>,
    /// How many runs each entry of `runs` stands for.
    counts: Vec<u32>,
}

impl CpuLog {
    /// Runs `work`, and notes and prints where the CPU went meanwhile.
    fn measure<T>(
        &mut self,
        name: &str,
        work: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        let before = cpu::Sample::take();
        let result = work()?;
        let usage = before.until(&cpu::Sample::take(), &self.roots);
        let database = match self.roots.database {
            Some(_) => format!(", PostgreSQL {:.2}", usage.database),
            None => String::new(),
        };
        println!(
            "  CPU, in cores: server {:.2}{database}, load generator {:.2}, other {:.2}, \
             idle {:.2}",
            usage.server, usage.load, usage.other, usage.idle
        );
        match self.runs.iter().position(|(known, _)| known == name) {
            Some(entry) => {
                self.runs[entry].1 = self.runs[entry].1.with(&usage, self.counts[entry]);
                self.counts[entry] += 1;
            }
            None => {
                self.runs.push((name.to_owned(), usage));
                self.counts.push(1);
            }
        }
        Ok(result)
    }
}

/// The two-instance comparison: starts a second server on the same database, then compares
/// `base`, a load on the first server alone, with the load on both at once whose scripts
/// `both(second_port)` writes (sharing `base`'s cursor), and stops the second server.
#[allow(
    clippy::too_many_arguments,
    reason = "one call, in `run`; a struct would only rename the arguments"
)]
fn two_instances<S>(
    runtime: &Runtime,
    server_bin: &Path,
    database_url: &str,
    password: &str,
    dir: &Path,
    cpu: &mut CpuLog,
    invite_url: &str,
    base: Side<'_>,
    both: impl FnOnce(u16) -> S,
) -> Result<report::Comparison, String>
where
    S: Fn(usize, usize) -> Result<PathBuf, String>,
{
    let port = server::free_port()?;
    let log = dir.join("server-2.log");
    let mut second = Server::start(server_bin, database_url, port, password, &log)?;
    let client = api::client(&format!("http://127.0.0.1:{port}"), password)?;
    runtime.block_on(api::wait_until_ready(&client, &mut second))?;
    let first_servers = cpu.roots.servers.clone();
    // Both servers count in every round: the idle one costs next to nothing.
    cpu.roots.servers.extend(second.pid());
    let both = both(port);
    let test = Side {
        cpu_row: "One-user invites, two instances",
        what: "one-user invites by two instances",
        script: &both,
        cursor: base.cursor,
    };
    let compared = alternate(cpu, invite_url, base, test);
    cpu.roots.servers = first_servers;
    second.stop();
    compared
}

/// One side of an alternating comparison: a wrk load of one-user invites.
struct Side<'a> {
    /// Its row in the CPU table (the mean of its runs).
    cpu_row: &'static str,
    /// What it is, for errors.
    what: &'static str,
    /// Writes the script of a run: `script(round, first_user)`.
    script: &'a dyn Fn(usize, usize) -> Result<PathBuf, String>,
    /// The first user its next run invites (shared by two sides that invite the same users).
    cursor: &'a Cell<usize>,
}

impl Side<'_> {
    /// Its run of round `round`, inviting users from the cursor on, which it moves past them.
    fn run(&self, cpu: &mut CpuLog, invite_url: &str, round: usize) -> Result<WrkRun, String> {
        let script = (self.script)(round, self.cursor.get())?;
        let run = cpu.measure(self.cpu_row, || {
            wrk::run(invite_url, Some(&script), ROUND_SECS)
        })?;
        self.went(run)
    }

    /// A short run that is not measured (round 0), for what a server does on its first calls
    /// of a kind: open its pool's connections, prepare statements, fill caches.
    fn warm_up(&self, invite_url: &str) -> Result<(), String> {
        let script = (self.script)(0, self.cursor.get())?;
        self.went(wrk::run(invite_url, Some(&script), WARM_UP_SECS)?)?;
        Ok(())
    }

    /// Checks a run, and moves the cursor past the users it invited.
    fn went(&self, run: WrkRun) -> Result<WrkRun, String> {
        run.require_ok(self.what)?;
        let next = run
            .next_user
            .ok_or_else(|| format!("{}: the script did not say where it stopped", self.what))?;
        if next >= INVITE_USERS {
            return Err(format!(
                "{}: the {INVITE_USERS} seeded users ran out; raise INVITE_USERS in \
                 xtask/src/bench/mod.rs",
                self.what
            ));
        }
        self.cursor.set(next);
        Ok(run)
    }
}

/// Compares `test` with `base` in [`ROUNDS`] rounds of [`ROUND_SECS`] each, after a warm-up
/// run of each: `base` then `test` in odd rounds, `test` then `base` in even ones, so that a
/// drift of the machine's speed during the comparison falls on both alike.
fn alternate(
    cpu: &mut CpuLog,
    invite_url: &str,
    base: Side<'_>,
    test: Side<'_>,
) -> Result<report::Comparison, String> {
    base.warm_up(invite_url)?;
    test.warm_up(invite_url)?;
    let mut rounds = Vec::with_capacity(ROUNDS);
    for round in 1..=ROUNDS {
        let (base, test) = if round % 2 == 1 {
            let base = base.run(cpu, invite_url, round)?;
            (base, test.run(cpu, invite_url, round)?)
        } else {
            let test = test.run(cpu, invite_url, round)?;
            (base.run(cpu, invite_url, round)?, test)
        };
        rounds.push(report::Round { base, test });
    }
    Ok(report::Comparison { rounds })
}

/// Loads `url` with wrk, as for the baseline, while [`SLOW_CONNECTIONS`] slow connections are
/// open; answers what wrk measured and how many slow connections the server closed meanwhile.
async fn beside_slow_connections(port: u16, url: &str) -> Result<(WrkRun, Closed), String> {
    let connections = SlowConnections::open(port, SLOW_CONNECTIONS).await?;
    // wrk runs on a blocking thread, so that the connections' tasks go on meanwhile.
    let url = url.to_owned();
    let run = tokio::task::spawn_blocking(move || wrk::run(&url, None, DURATION_SECS))
        .await
        .map_err(|e| format!("the wrk task failed: {e}"))?;
    let closed = connections.close().await;
    Ok((run?, closed))
}

/// Times the bulk invites: for each size of [`BULK_SIZES`], one call per fresh group.
fn bulk_invites(
    runtime: &Runtime,
    client: &Client,
    groups: &[seed::BulkGroups],
    targets: &Targets,
) -> Result<Vec<BulkFigures>, String> {
    let mut bulk = Vec::new();
    for ((group, size), target_ms) in groups.iter().zip(BULK_SIZES).zip(targets.bulk_ms) {
        step(&format!("{size}-user bulk invites"));
        let mut times_ms = Vec::new();
        for run in &group.runs {
            let took = runtime.block_on(api::bulk_invite(client, &run.room, &run.prefix, size))?;
            times_ms.push(took.as_secs_f64() * 1000.0);
            std::thread::sleep(SETTLE / 10);
        }
        println!("  times (ms): {}", report::join_f(&times_ms, 1));
        bulk.push(BulkFigures {
            size,
            median_ms: report::median(&mut times_ms),
            target_ms,
        });
    }
    Ok(bulk)
}

/// Cargo's target directory: `CARGO_TARGET_DIR` (relative to the workspace root) or `target/`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

/// Announces the next step of the run.
fn step(what: &str) {
    println!("==> {what}");
}
