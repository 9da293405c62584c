//! Throwaway databases for tests: [`fresh_database`], [`skip_or_fail`], [`with_database`].
//!
//! [`fresh_database`] gives each call a new, empty database, as a URL for `DATABASE_URL`:
//!
//! * on the server `TEST_DATABASE_URL` names (`postgres://user@host/db`), when it is set; its
//!   role must be allowed to create databases. The databases, `rocketchat_test_<pid>_<n>`, are
//!   left on that server.
//! * otherwise on a cluster of our own, started on first use and shared by the whole test
//!   process: `initdb` into a temporary directory, then `postgres` on a free loopback port, with
//!   durability switched off (nothing here survives the process anyway). The cluster stops,
//!   and its directory is removed, when the test process ends, however it ends (a panic, a
//!   kill): it runs under a small shell wrapper that waits for its standard input, a pipe only
//!   this process writes to, to close. It is a plain child process, not a task of the runtime
//!   that happened to start it, so every test's runtime can use it.
//!
//! The programs are looked for in `ROCKETCHAT_TEST_PG_BIN` when it is set (there only), else as
//! [`Programs::find`](crate::programs::Programs::find) does. As root the cluster runs as the `postgres` user.
//!
//! When there is no PostgreSQL, [`fresh_database`] answers `None` and the test calls
//! [`skip_or_fail`], which skips it, except under `CI=true`, where it fails.

use std::{
    env, fs,
    io::Write as _,
    net::TcpListener,
    os::unix::process::CommandExt as _,
    path::Path,
    process::{Child, ChildStdin, Command, Stdio},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use tokio::sync::OnceCell;
use tokio_postgres::{NoTls, error::SqlState};

use crate::programs::{Programs, cluster_owner, error_chain, tail};

/// The server to use instead of starting one.
const URL_VAR: &str = "TEST_DATABASE_URL";
/// The only directory to look for `initdb` and `postgres` in, when set.
const BIN_VAR: &str = "ROCKETCHAT_TEST_PG_BIN";
/// How long a new cluster may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Settings for a cluster whose data does not outlive the tests: fast, and irrelevant to
/// correctness. Several servers under test, each with a pool, share it.
const SETTINGS: [&str; 5] = [
    "listen_addresses=127.0.0.1",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=300",
];

/// Runs `postgres` (the arguments after the directory) with its log in the directory, and stops
/// it when standard input closes, then removes the directory. A background job's standard input
/// is /dev/null, hence the copy on fd 3. If postgres ends by itself, the wrapper leaves the
/// directory (and its log) to the test process, which is still there to read it.
const WRAPPER: &str = r#"
dir=$1
shift
exec 3<&0
"$@" </dev/null 3<&- >>"$dir/postgres.log" 2>&1 &
postgres=$!
(cat <&3 >/dev/null; : >"$dir/stopping"; kill -INT "$postgres" 2>/dev/null) &
watcher=$!
exec 3<&-
wait "$postgres"
status=$?
if [ -e "$dir/stopping" ]; then
  rm -rf "$dir"
else
  kill "$watcher" 2>/dev/null
fi
exit "$status"
"#;

/// Where databases are made, or why they cannot be: settled once per process.
static SERVER: OnceCell<Result<Server, String>> = OnceCell::const_new();
/// Numbers the databases this process makes.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A server on which we may create databases.
#[derive(Debug)]
struct Server {
    /// A URL with the right to create databases.
    admin_url: String,
    /// The server, for messages (without a password it may hold).
    name: String,
    /// Our own cluster, when we started one: alive as long as this is.
    _cluster: Option<Cluster>,
}

/// The cluster this process started: it stops when `_lifeline` closes, which happens only when
/// the process ends, since it lives in a static.
#[derive(Debug)]
struct Cluster {
    _lifeline: ChildStdin,
    _wrapper: Child,
}

/// A fresh, empty PostgreSQL database for one test, as a URL for `DATABASE_URL`, or `None`
/// when PostgreSQL is not available here (then the test calls [`skip_or_fail`]).
///
/// The first call starts the cluster, or settles that there is none (and says why on stderr,
/// once). Panics when `TEST_DATABASE_URL` is set but does not work, or when a database cannot be
/// created on a cluster that started.
pub async fn fresh_database() -> Option<String> {
    let server = SERVER
        .get_or_init(|| async {
            let server = find_or_start_server().await;
            if let Err(reason) = &server {
                eprintln!("PostgreSQL is not available: {reason}");
            }
            server
        })
        .await
        .as_ref()
        .ok()?;
    Some(create_database(server).await)
}

/// Says on stderr (even when the test's output is captured) that the PostgreSQL test `test`
/// did not run, why, and how to make it run; under `CI=true` (CI sets it) panics with that
/// message instead, so that CI never silently skips. For a test to which [`fresh_database`]
/// answered `None`.
pub fn skip_or_fail(test: &str) {
    let reason = match SERVER.get() {
        Some(Err(reason)) => reason.as_str(),
        _ => "fresh_database did not say why",
    };
    let help = "install PostgreSQL's server programs (Debian: apt-get install postgresql) or set \
                TEST_DATABASE_URL=postgres://user@host/db (a role allowed to create databases)";
    if env::var("CI").is_ok_and(|ci| ci == "true" || ci == "1") {
        panic!(
            "{test} cannot run, and CI=true forbids skipping it: PostgreSQL is not available ({reason}); {help}"
        );
    }
    // Past the test harness's capture of eprintln!, so that a skip shows in every run.
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: PostgreSQL is not available ({reason}); {help}"
    );
}

/// `url` (`postgres://...` or `postgresql://...`), naming the database `database` instead.
pub fn with_database(url: &str, database: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (url, None),
    };
    let authority = url.find("://").map_or(0, |scheme| scheme + 3);
    let base = match url[authority..].find('/') {
        Some(path) => &url[..authority + path],
        None => url,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// Creates a database no one has used, on the caller's runtime, and answers its URL.
async fn create_database(server: &Server) -> String {
    let (client, connection) = tokio_postgres::connect(&server.admin_url, NoTls)
        .await
        .unwrap_or_else(|error| panic!("connecting to {}: {}", server.name, error_chain(&error)));
    let connection = tokio::spawn(connection);
    let database = loop {
        let database = format!(
            "rocketchat_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        // template0: empty whatever template1 holds on someone else's server.
        let create = format!("CREATE DATABASE {database} TEMPLATE template0");
        match client.batch_execute(&create).await {
            Ok(()) => break database,
            // Left by an earlier process with the same id, on TEST_DATABASE_URL's server.
            Err(error) if error.code() == Some(&SqlState::DUPLICATE_DATABASE) => {}
            Err(error) => panic!(
                "creating a database on {}: {}",
                server.name,
                error_chain(&error)
            ),
        }
    };
    drop(client);
    let _ = connection.await;
    with_database(&server.admin_url, &database)
}

/// `TEST_DATABASE_URL`'s server, or a cluster of our own, or why there is neither.
async fn find_or_start_server() -> Result<Server, String> {
    if let Some(url) = env::var(URL_VAR).ok().filter(|url| !url.is_empty()) {
        assert!(
            url.starts_with("postgres://") || url.starts_with("postgresql://"),
            "{URL_VAR} must be a postgres://user@host/db URL"
        );
        return Ok(Server {
            admin_url: url,
            name: format!("{URL_VAR}'s server"),
            _cluster: None,
        });
    }
    let only_in = env::var_os(BIN_VAR);
    let programs =
        Programs::find(only_in.as_deref().map(Path::new)).map_err(|reason| match &only_in {
            Some(_) => format!("{reason} ({BIN_VAR} is set)"),
            None => reason,
        })?;
    let owner = cluster_owner()?;
    // A free port can be taken by someone else before postgres binds it: try another.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match start_cluster(&programs, owner).await {
            Err(Start::PortTaken(_)) if attempts < 3 => continue,
            Err(Start::PortTaken(reason) | Start::Failed(reason)) => return Err(reason),
            Ok(server) => return Ok(server),
        }
    }
}

/// Why a start failed.
#[derive(Debug)]
enum Start {
    /// Someone took the port first: worth another try.
    PortTaken(String),
    Failed(String),
}

/// Makes a cluster in a new temporary directory and starts it on a free port.
async fn start_cluster(programs: &Programs, owner: Option<(u32, u32)>) -> Result<Server, Start> {
    let started = Instant::now();
    let failed = |what: &str, error: std::io::Error| Start::Failed(format!("{what}: {error}"));
    let dir = tempfile::Builder::new()
        .prefix("rocketchat-test-pg-")
        .tempdir()
        .map_err(|error| failed("making a temporary directory", error))?;
    let path = dir.path();
    let mut initdb = tokio::process::Command::new(&programs.initdb);
    initdb
        .arg("-D")
        .arg(path)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .current_dir(path)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|error| failed("giving the data directory to postgres", error))?;
        initdb.uid(uid).gid(gid);
    }
    let output = initdb
        .output()
        .await
        .map_err(|error| failed(&format!("running {}", programs.initdb.display()), error))?;
    if !output.status.success() {
        return Err(Start::Failed(format!(
            "{} failed ({}): {}",
            programs.initdb.display(),
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr))
        )));
    }
    let initdb_took = started.elapsed();

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|error| failed("finding a free port", error))?
        .port();
    let mut wrapper = Command::new("/bin/sh");
    wrapper
        .args(["-c", WRAPPER, "sh"])
        .arg(path)
        .arg(&programs.postgres)
        .arg("-D")
        .arg(path)
        .args(["-p", &port.to_string(), "-k"])
        .arg(path)
        .args(SETTINGS.iter().flat_map(|setting| ["-c", setting]))
        .current_dir(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Out of the terminal's process group: Ctrl-C stops the tests, and the wrapper then
        // stops postgres, rather than dying before it can remove the directory.
        .process_group(0);
    if let Some((uid, gid)) = owner {
        wrapper.uid(uid).gid(gid);
    }
    let mut wrapper = wrapper
        .spawn()
        .map_err(|error| failed("running /bin/sh", error))?;
    let lifeline = wrapper.stdin.take().expect("a piped standard input");
    let log = || tail(&fs::read_to_string(path.join("postgres.log")).unwrap_or_default());

    // Ready once it answers on its socket in our directory: postgres opens that after the TCP
    // port, so the port is ours, not someone else's who took it first.
    let mut ready = tokio_postgres::Config::new();
    ready
        .host_path(path)
        .port(port)
        .user("postgres")
        .dbname("postgres")
        .connect_timeout(Duration::from_secs(5));
    loop {
        if let Ok(Some(status)) = wrapper.try_wait() {
            let log = log();
            let reason = format!("postgres stopped while starting ({status}): {log}");
            return Err(if log.contains("already in use") {
                Start::PortTaken(reason)
            } else {
                Start::Failed(reason)
            });
        }
        if ready.connect(NoTls).await.is_ok() {
            break;
        }
        if started.elapsed() > START_TIMEOUT {
            let log = log();
            drop(lifeline);
            let _ = wrapper.wait();
            return Err(Start::Failed(format!(
                "postgres did not accept connections within {START_TIMEOUT:?}: {log}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // From here the wrapper removes the directory.
    let path = dir.keep();
    eprintln!(
        "started PostgreSQL at 127.0.0.1:{port} in {:.2?} (initdb {initdb_took:.2?}), data in {}",
        started.elapsed(),
        path.display()
    );
    Ok(Server {
        admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        name: format!("the test cluster at 127.0.0.1:{port}"),
        _cluster: Some(Cluster {
            _lifeline: lifeline,
            _wrapper: wrapper,
        }),
    })
}
