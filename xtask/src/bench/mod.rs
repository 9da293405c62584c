//! `cargo xtask bench`: the server's performance targets, measured.
//!
//! The targets:
//!
//! * one-user invites into 10-member groups at 64 connections reach at least 10% of the
//!   throughput of a bare `GET /api/info`, with a p99 latency of at most 25 ms;
//! * a 1,000-user bulk invite takes less than 25 ms, a 10,000-user one less than 200 ms;
//! * a one-user invite into a 100,000-member group takes at most 1.2 times as long as one into
//!   a 10-member group;
//! * while 200 slow connections are open, normal requests keep a p99 latency of at most 10 ms;
//! * the server's peak resident memory stays below 64 MB.
//!
//! One run builds the release server and the `bench_seed` example, seeds a SQLite file under
//! `target/bench/` through the server's library (one shared password hash, users by the tens
//! of thousands per write), starts `rocketchat-server` on it, logs the admin in with
//! `rocketchat-client`, and measures, with `wrk` on the same machine:
//!
//! 1. the baseline: bare `GET /api/info` at 64 connections;
//! 2. the same `GET /api/info` load while 200 slow connections are open (see [`slow`]);
//! 3. one-user invites at 64 connections into groups of 10 members, each request inviting a
//!    user who is not yet a member;
//! 4. one-user invites into a 100,000-member group, against 3.;
//! 5. 1,000- and 10,000-user bulk invites, each into a fresh group with fresh users (median of
//!    several runs, each call timed end to end by the client);
//! 6. the server's peak resident memory (`VmHWM`).
//!
//! It prints a Markdown table (also written to `target/bench/results.md`) with the raw figures,
//! the ratios and the targets. Nothing here runs in CI.
//!
//! The pieces: [`seed`] builds the binaries and seeds the database, [`server`] runs the server
//! process, [`api`] talks to it through the client, [`wrk`] loads it, [`slow`] holds the slow
//! connections, [`machine`] describes the machine and [`report`] renders the table.

mod api;
mod machine;
mod report;
mod seed;
mod server;
mod slow;
mod wrk;

use std::path::PathBuf;
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
/// Seconds per wrk run.
const DURATION_SECS: u32 = 10;
/// Users seeded for each one-user invite run (small groups, then the big group); a run stops
/// early when it has invited them all.
const INVITE_USERS: usize = 200_000;
/// Groups of 10 members that the small-group run rotates through, so that each stays small.
const SMALL_GROUPS: usize = 1_000;
/// Members of the big group.
const BIG_MEMBERS: usize = 100_000;
/// Bulk invite sizes, and their targets in milliseconds.
const BULK: [(usize, f64); 2] = [(1_000, 25.0), (10_000, 200.0)];
/// Runs per bulk size (each into a fresh group with fresh users); the median is reported.
const BULK_RUNS: usize = 5;
/// Slow connections held open during the slow-connection run.
const SLOW_CONNECTIONS: usize = 200;

/// The pause before the bulk invites (and a tenth of it between two of them).
const SETTLE: Duration = Duration::from_secs(2);

/// The least throughput of one-user invites, as a share of the baseline's.
const TARGET_INVITE_RATIO: f64 = 0.10;
/// The highest p99 latency of one-user invites, in milliseconds.
const TARGET_P99_MS: f64 = 25.0;
/// The most a one-user invite into the big group may take, as a multiple of one into a small
/// group.
const TARGET_BIG_SLOWDOWN: f64 = 1.2;
/// The highest p99 latency of normal requests while the slow connections are open, in
/// milliseconds.
const TARGET_SLOW_P99_MS: f64 = 10.0;
/// The highest peak resident memory of the server, in MB.
const TARGET_HWM_MB: f64 = 64.0;

/// Runs the whole bench and prints its table.
pub(crate) fn run() -> Result<(), String> {
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

    step("seeding");
    let seeded = seed::seed(&binaries.seed, &dir)?;
    let manifest = &seeded.manifest;

    step("starting the server");
    let port = server::free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.join("server.log");
    let mut server = Server::start(&binaries.server, &seeded.db, port, &manifest.password, &log)?;
    let client = api::client(&base, &manifest.password)?;
    runtime.block_on(api::wait_until_ready(&client, &mut server))?;
    let session = runtime.block_on(api::log_in(&client))?;

    step("baseline: GET /api/info");
    let info_url = format!("{base}/api/info");
    wrk::run(&info_url, None, 2)?; // warm-up
    let baseline = wrk::run(&info_url, None, DURATION_SECS)?;
    baseline.require_ok("GET /api/info")?;

    step(&format!(
        "GET /api/info while {SLOW_CONNECTIONS} slow connections are open"
    ));
    let (slow, slow_closed) = runtime.block_on(beside_slow_connections(port, &info_url))?;
    slow.require_ok("GET /api/info beside slow connections")?;
    println!("  {slow_closed}");

    let invite_url = format!("{base}/api/v1/groups.invite");
    let script = |name: &str, rooms: &[String], prefix: &str| -> Result<PathBuf, String> {
        let path = dir.join(format!("{name}.lua"));
        std::fs::write(&path, wrk::invite_script(rooms, prefix, &session))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(path)
    };

    step("one-user invites into 10-member groups");
    let small_script = script(
        "invite-small",
        &manifest.small_groups,
        &manifest.small_prefix,
    )?;
    let small = wrk::run(&invite_url, Some(&small_script), DURATION_SECS)?;
    small.require_ok("one-user invites into small groups")?;

    step("one-user invites into a 100,000-member group");
    let big_room = &manifest.big_group;
    let big_before = runtime.block_on(api::users_count(&client, big_room))?;
    let big_script = script(
        "invite-big",
        std::slice::from_ref(big_room),
        &manifest.big_prefix,
    )?;
    let big = wrk::run(&invite_url, Some(&big_script), DURATION_SECS)?;
    big.require_ok("one-user invites into the big group")?;
    let big_after = runtime.block_on(api::users_count(&client, big_room))?;
    if big_after.saturating_sub(big_before) < big.requests {
        return Err(format!(
            "the big group grew by {} members, but wrk counted {} successful invites",
            big_after.saturating_sub(big_before),
            big.requests
        ));
    }
    let hwm_after_load_kb = server.vm_hwm_kb()?;
    // Let the server finish checkpointing the WAL the load left behind: the bulk invites are
    // measured on a quiet server, not against that backlog.
    std::thread::sleep(SETTLE);

    let bulk = bulk_invites(&runtime, &client, &manifest.bulk)?;
    let hwm_kb = server.vm_hwm_kb()?;
    server.stop();

    let report = Report {
        machine: machine::Machine::read(),
        wrk_version,
        db_mb: seeded.db_mb,
        seed_time: seeded.took,
        baseline,
        slow,
        slow_closed,
        small,
        big,
        bulk,
        hwm_after_load_kb,
        hwm_kb,
    };
    let out = report.render();
    println!("\n{out}");
    let results = dir.join("results.md");
    std::fs::write(&results, &out).map_err(|e| format!("writing {}: {e}", results.display()))?;
    println!("(also written to {})", results.display());
    Ok(())
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

/// Times the bulk invites: for each size of [`BULK`], one call per fresh group.
fn bulk_invites(
    runtime: &Runtime,
    client: &Client,
    groups: &[seed::BulkGroups],
) -> Result<Vec<BulkFigures>, String> {
    let mut bulk = Vec::new();
    for (group, (size, target_ms)) in groups.iter().zip(BULK) {
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
fn target_dir(root: &std::path::Path) -> PathBuf {
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
