//! Seeds a database for `cargo xtask bench` with the server's test helpers, fast.
//!
//! ```text
//! bench_seed DATABASE_URL MANIFEST_JSON INVITE_USERS SMALL_GROUPS BIG_MEMBERS BULK_SIZES BULK_RUNS
//! ```
//!
//! `DATABASE_URL` is what the server's `DATABASE_URL` takes: `sqlite:///ABSOLUTE/FILE` (or
//! `sqlite://RELATIVE/FILE`) for a SQLite file, `postgres://USER@HOST:PORT/DATABASE` for a
//! PostgreSQL database. `BULK_SIZES` is a comma-separated list such as `1000,10000`.
//!
//! It creates, in an empty database, the same data whichever the store:
//!
//! * the admin `admin` (password from `BENCH_ADMIN_PASS`, default `bench-password`), owner of
//!   every group below; the server started on this database logs it in;
//! * `SMALL_GROUPS` groups `small-<g>` of 10 members (the admin and the users `s0`..`s8`);
//! * the group `big`, of `BIG_MEMBERS` members (the admin and the users `m<i>`);
//! * `INVITE_USERS` users `a<i>` to invite one by one into the small groups, and as many `c<i>`
//!   to invite into `big`: each request of the load invites a user who is not yet a member;
//! * for each bulk size `n` and each of `BULK_RUNS` runs, a group `bulk-<n>-<r>` holding only
//!   the admin, and `n` users `k<n>r<r>u<i>` to invite into it in one call.
//!
//! Every user shares one password hash, users are created by the tens of thousands per write
//! with [`TestServer::seed_users`] (a `COPY` on PostgreSQL), and groups with their members go
//! through [`TestServer::create_group`], which is set-based. The manifest (JSON) names the
//! rooms' ids.

use std::time::Instant;

use rocketchat_server::Config;
use rocketchat_server::testing::TestServer;
use serde_json::json;

fn arg<T: std::str::FromStr>(args: &[String], index: usize, name: &str) -> T {
    args.get(index)
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| {
            eprintln!("bench_seed: missing or bad {name}; see the file's documentation");
            std::process::exit(2)
        })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let database_url: String = arg(&args, 0, "DATABASE_URL");
    let manifest: String = arg(&args, 1, "MANIFEST_JSON");
    let invite_users: usize = arg(&args, 2, "INVITE_USERS");
    let small_groups: usize = arg(&args, 3, "SMALL_GROUPS");
    let big_members: usize = arg(&args, 4, "BIG_MEMBERS");
    let bulk_sizes: String = arg(&args, 5, "BULK_SIZES");
    let bulk_runs: usize = arg(&args, 6, "BULK_RUNS");
    let bulk_sizes: Vec<usize> = bulk_sizes
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();
    let password = std::env::var("BENCH_ADMIN_PASS").unwrap_or_else(|_| "bench-password".into());

    let started = Instant::now();
    let mut config = Config::for_tests();
    config.database_url.clone_from(&database_url);
    config.admin_pass = Some(password.clone());
    let server = TestServer::start_with(config).await;
    let admin = server.admin().clone();

    server
        .seed_users((0..9).map(|i| format!("s{i}")), &password)
        .await;
    let big_names: Vec<String> = (0..big_members.saturating_sub(1))
        .map(|i| format!("m{i}"))
        .collect();
    server.seed_users(&big_names, &password).await;
    server
        .seed_users((0..invite_users).map(|i| format!("a{i}")), &password)
        .await;
    server
        .seed_users((0..invite_users).map(|i| format!("c{i}")), &password)
        .await;
    for &size in &bulk_sizes {
        for run in 0..bulk_runs {
            server
                .seed_users((0..size).map(|i| format!("k{size}r{run}u{i}")), &password)
                .await;
        }
    }

    let small_members: Vec<String> = (0..9).map(|i| format!("s{i}")).collect();
    let small_members: Vec<&str> = small_members.iter().map(String::as_str).collect();
    let mut small = Vec::with_capacity(small_groups);
    for g in 0..small_groups {
        small.push(
            server
                .create_group(&admin, &format!("small-{g}"), &small_members)
                .await,
        );
    }
    let big_names: Vec<&str> = big_names.iter().map(String::as_str).collect();
    let big = server.create_group(&admin, "big", &big_names).await;
    let mut bulk = Vec::new();
    for &size in &bulk_sizes {
        let mut rooms = Vec::new();
        for run in 0..bulk_runs {
            let room_id = server
                .create_group(&admin, &format!("bulk-{size}-{run}"), &[])
                .await;
            rooms.push(json!({ "room_id": room_id, "prefix": format!("k{size}r{run}u") }));
        }
        bulk.push(json!({ "size": size, "runs": rooms }));
    }
    let manifest_json = json!({
        "admin": { "username": admin.username, "password": password },
        "invite_users": invite_users,
        "small_groups": small,
        "small_prefix": "a",
        "big_group": big,
        "big_members": big_members,
        "big_prefix": "c",
        "bulk": bulk,
    });
    std::fs::write(&manifest, serde_json::to_string_pretty(&manifest_json)?)?;
    // Shutting down commits (and on SQLite checkpoints) and closes the store.
    server.shutdown().await;
    eprintln!(
        "bench_seed: seeded {database_url} in {:.1?}",
        started.elapsed()
    );
    Ok(())
}
