//! Seeds a SQLite database for `cargo xtask bench`, through the library's store, fast.
//!
//! ```text
//! bench_seed DB_FILE MANIFEST_JSON INVITE_USERS SMALL_GROUPS BIG_MEMBERS BULK_SIZES BULK_RUNS
//! ```
//!
//! `BULK_SIZES` is a comma-separated list such as `1000,10000`.
//!
//! It creates, in an empty database:
//!
//! * the admin `admin` (password from `BENCH_ADMIN_PASS`, default `bench-password`), owner of
//!   every group below; the server started on this file logs it in;
//! * `SMALL_GROUPS` groups `small-<g>` of 10 members (the admin and the users `s0`..`s8`);
//! * the group `big`, of `BIG_MEMBERS` members (the admin and the users `m<i>`);
//! * `INVITE_USERS` users `a<i>` to invite one by one into the small groups, and as many `c<i>`
//!   to invite into `big`: each request of the load invites a user who is not yet a member;
//! * for each bulk size `n` and each of `BULK_RUNS` runs, a group `bulk-<n>-<r>` holding only
//!   the admin, and `n` users `k<n>r<r>u<i>` to invite into it in one call.
//!
//! Every user shares one precomputed password hash, and users are created by the thousands per
//! write with [`SqliteStore::create_users`]; groups with their members go through
//! [`Store::create_group`], which is set-based. The manifest (JSON) names the rooms' ids.

use std::time::Instant;

use rocketchat_server::store::sqlite::SqliteStore;
use rocketchat_server::store::{NewGroup, NewUser, Store as _};
use serde_json::json;
use sha2::{Digest as _, Sha256};

const CHUNK: usize = 50_000;

fn user(username: String, password_hash: &str, roles: &[&str]) -> NewUser {
    NewUser {
        id: None,
        name: username.clone(),
        username,
        email: None,
        email_verified: false,
        password_hash: Some(password_hash.to_owned()),
        roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        user_type: "user".to_owned(),
        active: true,
    }
}

async fn create_users(
    store: &SqliteStore,
    names: impl Iterator<Item = String>,
    hash: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut batch = Vec::with_capacity(CHUNK);
    for name in names {
        batch.push(user(name, hash, &["user"]));
        if batch.len() == CHUNK {
            store.create_users(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        store.create_users(batch).await?;
    }
    Ok(())
}

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
    let db: String = arg(&args, 0, "DB_FILE");
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
    // Rocket.Chat's scheme: bcrypt over the SHA-256 hex digest. One hash for everybody.
    let digest: String = Sha256::digest(password.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let hash = bcrypt::hash(digest, 4)?;

    let store = SqliteStore::open(&db)?;
    let admin_id = store
        .create_users(vec![user("admin".to_owned(), &hash, &["user", "admin"])])
        .await?
        .remove(0);
    let admin = rocketchat_server::domain::Caller {
        id: admin_id,
        username: "admin".to_owned(),
        name: "admin".to_owned(),
        roles: vec!["user".to_owned(), "admin".to_owned()],
    };

    create_users(&store, (0..9).map(|i| format!("s{i}")), &hash).await?;
    create_users(
        &store,
        (0..big_members.saturating_sub(1)).map(|i| format!("m{i}")),
        &hash,
    )
    .await?;
    create_users(&store, (0..invite_users).map(|i| format!("a{i}")), &hash).await?;
    create_users(&store, (0..invite_users).map(|i| format!("c{i}")), &hash).await?;
    for &size in &bulk_sizes {
        for run in 0..bulk_runs {
            create_users(
                &store,
                (0..size).map(|i| format!("k{size}r{run}u{i}")),
                &hash,
            )
            .await?;
        }
    }

    let group = |name: String, members: Vec<String>| NewGroup {
        caller: admin.clone(),
        name,
        members,
        read_only: false,
        custom_fields: Default::default(),
        extra: Default::default(),
        exclude_self: false,
    };
    let small_members: Vec<String> = (0..9).map(|i| format!("s{i}")).collect();
    let mut small = Vec::with_capacity(small_groups);
    for g in 0..small_groups {
        let room = store
            .create_group(group(format!("small-{g}"), small_members.clone()))
            .await?;
        small.push(room.id);
    }
    let big_names = (0..big_members.saturating_sub(1)).map(|i| format!("m{i}"));
    let big = store
        .create_group(group("big".to_owned(), big_names.collect()))
        .await?;
    let mut bulk = Vec::new();
    for &size in &bulk_sizes {
        let mut rooms = Vec::new();
        for run in 0..bulk_runs {
            let room = store
                .create_group(group(format!("bulk-{size}-{run}"), Vec::new()))
                .await?;
            rooms.push(json!({ "room_id": room.id, "prefix": format!("k{size}r{run}u") }));
        }
        bulk.push(json!({ "size": size, "runs": rooms }));
    }
    let manifest_json = json!({
        "admin": { "username": "admin", "password": password },
        "invite_users": invite_users,
        "small_groups": small,
        "small_prefix": "a",
        "big_group": big.id,
        "big_members": big.users_count,
        "big_prefix": "c",
        "bulk": bulk,
    });
    std::fs::write(&manifest, serde_json::to_string_pretty(&manifest_json)?)?;
    // Closing the store commits, checkpoints and joins its writer.
    tokio::task::spawn_blocking(move || drop(store)).await?;
    eprintln!("bench_seed: seeded {db} in {:.1?}", started.elapsed());
    Ok(())
}
