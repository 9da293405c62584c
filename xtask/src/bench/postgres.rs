//! The bench's own PostgreSQL, for `cargo xtask bench --store postgres`: a throwaway cluster
//! in `target/bench/postgres-<pid>/`, stopped and removed at the end of the run, also when the
//! run fails.
//!
//! `initdb` and `postgres` are taken from the `PATH`, else from the newest
//! `/usr/lib/postgresql/*/bin` (Debian's place). PostgreSQL refuses to run as root: as root,
//! both run as the `postgres` user, which then owns the cluster's directory. The cluster
//! listens on a free loopback port only (no Unix socket), with PostgreSQL's default settings,
//! durability included (`fsync` and `synchronous_commit` on, as in production), but for
//! `max_connections`, raised so that two servers' pools fit. Its log is
//! `target/bench/postgres.log`.
//!
//! An error or a panic stops the cluster and removes its directory on the way out (`Drop`).
//! Ctrl-C reaches PostgreSQL too, which stops at once; the directory it leaves, like that of
//! a killed run, is removed by the next run, which first stops any PostgreSQL still running
//! in such a directory.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use test_postgres::programs::{Programs, cluster_owner, error_chain, tail};
use tokio_postgres::{Client, NoTls};

use super::server::free_port;

/// The database the bench seeds and the servers use.
const DATABASE: &str = "bench";
/// The settings that differ from PostgreSQL's defaults: where it listens, and room for two
/// servers' pools (16 connections each by default) and the bench's own connections.
const SETTINGS: [&str; 3] = [
    "listen_addresses=127.0.0.1",
    "unix_socket_directories=",
    "max_connections=200",
];
/// How long the cluster may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a fast shutdown may take before the cluster is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(60);
/// The prefix of the clusters' directories in `target/bench/`.
const DIR_PREFIX: &str = "postgres-";

/// A running cluster; stopped, and its directory removed, when dropped.
#[derive(Debug)]
pub(super) struct Cluster {
    /// The `postgres` process, until it is stopped.
    postgres: Option<Child>,
    /// The data directory, until it is removed.
    dir: Option<PathBuf>,
    /// Its loopback port.
    port: u16,
    /// PostgreSQL's version, such as `15.14`.
    version: String,
    /// Its log.
    log: PathBuf,
}

impl Cluster {
    /// Stops what an earlier run left behind, makes a new cluster under `bench_dir`, starts it
    /// and creates the bench's (empty) database.
    pub(super) async fn start(bench_dir: &Path) -> Result<Self, String> {
        remove_leftovers(bench_dir)?;
        let programs = Programs::find(None).map_err(|reason| {
            format!("{reason}; on Debian or Ubuntu:\n  sudo apt-get install -y postgresql")
        })?;
        let owner = cluster_owner()?;
        let version = programs.version()?;
        let dir = bench_dir.join(format!("{DIR_PREFIX}{}", std::process::id()));
        let log = bench_dir.join("postgres.log");
        // From here on, dropping the cluster removes the directory.
        let mut cluster = Self {
            postgres: None,
            dir: Some(dir.clone()),
            port: 0,
            version,
            log: log.clone(),
        };
        std::fs::create_dir(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| format!("giving {} to the postgres user: {e}", dir.display()))?;
        }
        let mut initdb = Command::new(&programs.initdb);
        initdb
            .arg("-D")
            .arg(&dir)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"])
            .current_dir(&dir)
            .stdin(Stdio::null());
        as_owner(&mut initdb, owner);
        let output = initdb
            .output()
            .map_err(|e| format!("running {}: {e}", programs.initdb.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{} failed ({}): {}",
                programs.initdb.display(),
                output.status,
                tail(&String::from_utf8_lossy(&output.stderr))
            ));
        }
        // A free port may be taken by someone else before postgres binds it: try another.
        for attempt in 1.. {
            let port = free_port()?;
            let log_file = std::fs::File::create(&log)
                .map_err(|e| format!("creating {}: {e}", log.display()))?;
            let err_file = log_file.try_clone().map_err(|e| e.to_string())?;
            let mut postgres = Command::new(&programs.postgres);
            postgres
                .arg("-D")
                .arg(&dir)
                .args(["-p", &port.to_string()])
                .args(SETTINGS.iter().flat_map(|setting| ["-c", setting]))
                .current_dir(&dir)
                .stdin(Stdio::null())
                .stdout(log_file)
                .stderr(err_file);
            as_owner(&mut postgres, owner);
            let child = postgres
                .spawn()
                .map_err(|e| format!("running {}: {e}", programs.postgres.display()))?;
            cluster.postgres = Some(child);
            cluster.port = port;
            match cluster.wait_until_ready().await {
                Ok(()) => break,
                Err(Start::PortTaken(_)) if attempt < 3 => cluster.kill(),
                Err(Start::PortTaken(reason) | Start::Failed(reason)) => return Err(reason),
            }
        }
        let client = cluster.connect("postgres").await?;
        client
            .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
            .await
            .map_err(|e| format!("creating the database: {}", error_chain(&e)))?;
        Ok(cluster)
    }

    /// The URL of the bench's database, for `DATABASE_URL`.
    pub(super) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// The postmaster's process id.
    pub(super) fn pid(&self) -> Option<u32> {
        self.postgres.as_ref().map(Child::id)
    }

    /// PostgreSQL's version, such as `15.14`.
    pub(super) fn version(&self) -> &str {
        &self.version
    }

    /// A connection to `database`, as the superuser, driven on the caller's runtime.
    pub(super) async fn connect(&self, database: &str) -> Result<Client, String> {
        let (client, connection) = tokio_postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user("postgres")
            .dbname(database)
            .connect_timeout(Duration::from_secs(5))
            .connect(NoTls)
            .await
            .map_err(|e| format!("connecting to PostgreSQL: {}", error_chain(&e)))?;
        tokio::spawn(connection);
        Ok(client)
    }

    /// After seeding: `VACUUM ANALYZE` (so that autovacuum's first passes over the freshly
    /// seeded tables do not fall into a measured run, and the planner has statistics) and a
    /// `CHECKPOINT` (so that the runs start with the seeding's WAL flushed, as the SQLite
    /// seeder's shutdown leaves its WAL checkpointed). Answers how long it took.
    pub(super) async fn settle(&self) -> Result<Duration, String> {
        let started = Instant::now();
        let client = self.connect(DATABASE).await?;
        // One statement per call: several in one go would make a transaction, which VACUUM
        // refuses.
        for statement in ["VACUUM (ANALYZE)", "CHECKPOINT"] {
            client
                .batch_execute(statement)
                .await
                .map_err(|e| format!("{statement}: {}", error_chain(&e)))?;
        }
        Ok(started.elapsed())
    }

    /// The bench database's size on disk, in MB.
    pub(super) async fn database_mb(&self) -> Result<f64, String> {
        let client = self.connect(DATABASE).await?;
        let bytes: i64 = client
            .query_one("SELECT pg_database_size(current_database())", &[])
            .await
            .map_err(|e| format!("reading the database's size: {}", error_chain(&e)))?
            .get(0);
        Ok(bytes as f64 / 1_048_576.0)
    }

    /// Waits until the cluster accepts connections and is ours (its data directory is ours,
    /// not that of someone who took the port first).
    async fn wait_until_ready(&mut self) -> Result<(), Start> {
        let started = Instant::now();
        let dir = self.dir.clone().unwrap_or_default();
        loop {
            if let Some(Ok(Some(status))) = self.postgres.as_mut().map(Child::try_wait) {
                self.postgres = None;
                let log = tail(&std::fs::read_to_string(&self.log).unwrap_or_default());
                let reason = format!("postgres stopped while starting ({status}): {log}");
                return Err(
                    if log.contains("already in use") || log.contains("could not bind") {
                        Start::PortTaken(reason)
                    } else {
                        Start::Failed(reason)
                    },
                );
            }
            if let Ok(client) = self.connect("postgres").await
                && let Ok(row) = client
                    .query_one("SELECT current_setting('data_directory')", &[])
                    .await
            {
                let data_dir: String = row.get(0);
                if Path::new(&data_dir) == dir {
                    return Ok(());
                }
                return Err(Start::PortTaken(format!(
                    "127.0.0.1:{} is another PostgreSQL's ({data_dir})",
                    self.port
                )));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(Start::Failed(format!(
                    "PostgreSQL did not accept connections within {START_TIMEOUT:?}; see {}",
                    self.log.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the cluster and removes its directory; fails if either did not happen.
    pub(super) fn stop(mut self) -> Result<(), String> {
        self.shutdown()
    }

    /// A fast shutdown (SIGINT: active connections are cut, everything committed is kept),
    /// then SIGKILL if it takes too long; then the directory goes.
    fn shutdown(&mut self) -> Result<(), String> {
        if let Some(mut postgres) = self.postgres.take() {
            signal("INT", postgres.id());
            let deadline = Instant::now() + STOP_TIMEOUT;
            while !matches!(postgres.try_wait(), Ok(Some(_))) {
                if Instant::now() > deadline {
                    let _ = postgres.kill();
                    let _ = postgres.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        match self.dir.take() {
            Some(dir) => std::fs::remove_dir_all(&dir)
                .map_err(|e| format!("removing {}: {e}", dir.display())),
            None => Ok(()),
        }
    }

    /// Kills a postgres that failed to start, keeping the directory for another attempt.
    fn kill(&mut self) {
        if let Some(mut postgres) = self.postgres.take() {
            let _ = postgres.kill();
            let _ = postgres.wait();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            eprintln!("{error}");
        }
    }
}

/// Why a start failed.
#[derive(Debug)]
enum Start {
    /// Someone else has the port: worth another try.
    PortTaken(String),
    Failed(String),
}

/// Sends `signal` (`INT`, `KILL`, ...) to `pid`.
fn signal(signal: &str, pid: u32) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Stops a PostgreSQL left running by an earlier run that did not finish (Ctrl-C, a kill), and
/// removes the directories such runs left. A directory whose run is still going is left.
fn remove_leftovers(bench_dir: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(bench_dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(owner) = name.strip_prefix(DIR_PREFIX) else {
            continue;
        };
        let dir = entry.path();
        if owner.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && command_name(pid).is_some_and(|name| name == "xtask")
        }) {
            println!(
                "  note: {} belongs to a bench still running; left alone",
                dir.display()
            );
            continue;
        }
        let postmaster = std::fs::read_to_string(dir.join("postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next().and_then(|pid| pid.trim().parse().ok()));
        if let Some(pid) = postmaster
            && command_name(pid).is_some_and(|name| name == "postgres")
        {
            println!(
                "  stopping the PostgreSQL (pid {pid}) an earlier run left in {}",
                dir.display()
            );
            signal("INT", pid);
            let deadline = Instant::now() + STOP_TIMEOUT;
            while command_name(pid).is_some() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if command_name(pid).is_some() {
                signal("KILL", pid);
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        println!("  removing {}, left by an earlier run", dir.display());
        std::fs::remove_dir_all(&dir).map_err(|e| format!("removing {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// The command name of a running process.
fn command_name(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|name| name.trim().to_owned())
}

/// Makes `command` run as `owner`, when given.
fn as_owner(command: &mut Command, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
}
