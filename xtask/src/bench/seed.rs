//! The bench's preparation: building the release binaries, and seeding a fresh database with
//! the `bench_seed` example, whose manifest names the rooms and users the runs use.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{BIG_MEMBERS, BULK_RUNS, BULK_SIZES, INVITE_USERS, SMALL_GROUPS};

/// The release binaries the bench runs.
#[derive(Debug)]
pub(super) struct Binaries {
    /// `rocketchat-server`.
    pub(super) server: PathBuf,
    /// The `bench_seed` example.
    pub(super) seed: PathBuf,
}

/// Builds the release server and the seeder with the cargo that runs this task.
pub(super) fn build(root: &Path, target: &Path) -> Result<Binaries, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Two builds, so that the server is built exactly as `cargo run --release` builds it
    // (an example would unify the dev-dependencies' features into it).
    for what in [["--bin", "rocketchat-server"], ["--example", "bench_seed"]] {
        let status = Command::new(&cargo)
            .current_dir(root)
            .args(["build", "--release", "--package", "rocketchat-server"])
            .args(what)
            .status()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err("the release build failed".to_owned());
        }
    }
    Ok(Binaries {
        server: target.join("release/rocketchat-server"),
        seed: target.join("release/examples/bench_seed"),
    })
}

/// A seeded database.
#[derive(Debug)]
pub(super) struct Seeded {
    /// How long seeding took.
    pub(super) took: Duration,
    /// What the seeder created.
    pub(super) manifest: Manifest,
}

/// What the seeder created, read from the manifest it writes.
#[derive(Debug)]
pub(super) struct Manifest {
    /// The password of the admin `admin`, who owns every group.
    pub(super) password: String,
    /// The ids of the 10-member groups.
    pub(super) small_groups: Vec<String>,
    /// The username prefix of the users to invite into the small groups.
    pub(super) small_prefix: String,
    /// The id of the big group.
    pub(super) big_group: String,
    /// The username prefix of the users to invite into the big group (and, on PostgreSQL,
    /// into the small groups by two instances at once, before the big group's run).
    pub(super) big_prefix: String,
    /// For each bulk size, in the order of [`BULK_SIZES`], its fresh groups.
    pub(super) bulk: Vec<BulkGroups>,
}

/// The fresh groups of one bulk size.
#[derive(Debug)]
pub(super) struct BulkGroups {
    /// One per run.
    pub(super) runs: Vec<BulkRun>,
}

/// One bulk invite: a group holding only the admin, and the prefix of the users to invite.
#[derive(Debug)]
pub(super) struct BulkRun {
    /// The group's id.
    pub(super) room: String,
    /// The users are `<prefix>0`, `<prefix>1`, and so on.
    pub(super) prefix: String,
}

/// The path of a new SQLite database `bench.db` in `dir`, with any earlier one (and its WAL)
/// removed.
pub(super) fn fresh_sqlite(dir: &Path) -> Result<PathBuf, String> {
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", db.display()));
        if file.exists() {
            std::fs::remove_file(&file).map_err(|e| format!("removing {}: {e}", file.display()))?;
        }
    }
    Ok(db)
}

/// The size of the SQLite file at `db`, in MB.
pub(super) fn sqlite_mb(db: &Path) -> f64 {
    std::fs::metadata(db).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

/// Seeds the empty database `database_url` names (as the server's `DATABASE_URL`), writing
/// the manifest into `dir`.
pub(super) fn seed(seed_bin: &Path, dir: &Path, database_url: &str) -> Result<Seeded, String> {
    let manifest_path = dir.join("manifest.json");
    let bulk_sizes: Vec<String> = BULK_SIZES.iter().map(usize::to_string).collect();
    let started = Instant::now();
    let status = Command::new(seed_bin)
        .arg(database_url)
        .arg(&manifest_path)
        .arg(INVITE_USERS.to_string())
        .arg(SMALL_GROUPS.to_string())
        .arg(BIG_MEMBERS.to_string())
        .arg(bulk_sizes.join(","))
        .arg(BULK_RUNS.to_string())
        .status()
        .map_err(|e| format!("running {}: {e}", seed_bin.display()))?;
    if !status.success() {
        return Err("seeding failed".to_owned());
    }
    let took = started.elapsed();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .map_err(|e| format!("reading {}: {e}", manifest_path.display()))?,
    )
    .map_err(|e| format!("the manifest: {e}"))?;
    Ok(Seeded {
        took,
        manifest: Manifest::read(&manifest)?,
    })
}

impl Manifest {
    /// Reads the seeder's JSON manifest.
    fn read(manifest: &Value) -> Result<Self, String> {
        let text = |value: &Value, what: &str| {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("the manifest has no {what}"))
        };
        let small_groups = manifest["small_groups"]
            .as_array()
            .ok_or("the manifest has no small groups")?
            .iter()
            .map(|room| text(room, "small group id"))
            .collect::<Result<_, _>>()?;
        let bulk = manifest["bulk"]
            .as_array()
            .ok_or("the manifest has no bulk groups")?
            .iter()
            .map(|group| {
                let runs = group["runs"]
                    .as_array()
                    .ok_or("the manifest has no bulk runs")?
                    .iter()
                    .map(|run| {
                        Ok(BulkRun {
                            room: text(&run["room_id"], "bulk room")?,
                            prefix: text(&run["prefix"], "bulk prefix")?,
                        })
                    })
                    .collect::<Result<_, String>>()?;
                Ok(BulkGroups { runs })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            password: text(&manifest["admin"]["password"], "admin password")?,
            small_groups,
            small_prefix: text(&manifest["small_prefix"], "small prefix")?,
            big_group: text(&manifest["big_group"], "big group")?,
            big_prefix: text(&manifest["big_prefix"], "big prefix")?,
            bulk,
        })
    }
}

/// The number of users the seeder creates: the admin, the small groups' 9 shared members, the
/// big group's members, the users to invite one by one, and the bulk invites' users.
pub(super) fn users() -> usize {
    let bulk: usize = BULK_SIZES.iter().map(|size| size * BULK_RUNS).sum();
    1 + 9 + (BIG_MEMBERS - 1) + 2 * INVITE_USERS + bulk
}

/// The number of groups the seeder creates.
pub(super) fn groups() -> usize {
    SMALL_GROUPS + 1 + BULK_SIZES.len() * BULK_RUNS
}
