//! `cargo xtask bench`: the server's performance targets (issue 3, "Performance"), measured.
//!
//! One run builds the release server and the `bench_seed` example, seeds a SQLite file under
//! `target/bench/` through the server's library (one shared password hash, users by the tens
//! of thousands per write), starts `rocketchat-server` on it, logs the admin in over HTTP, and
//! measures, with `wrk` on the same machine:
//!
//! 1. the baseline: bare `GET /api/info` at 64 connections;
//! 2. one-user invites at 64 connections into groups of 10 members, each request inviting a
//!    user who is not yet a member (throughput as a ratio of the baseline, and p99);
//! 3. 1,000- and 10,000-user bulk invites, each into a fresh group with fresh users (median of
//!    several runs, timed end to end by a plain HTTP client);
//! 4. one-user invites into a 100,000-member group, against 2.;
//! 5. the server's peak resident memory (`VmHWM`).
//!
//! It prints a Markdown table (also written to `target/bench/results.md`) with the raw figures,
//! the ratios and the targets. Nothing here runs in CI.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

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

/// The pause before the bulk invites (and a tenth of it between two of them).
const SETTLE: Duration = Duration::from_secs(2);

/// Targets from the issue.
const TARGET_INVITE_RATIO: f64 = 0.10;
const TARGET_P99_MS: f64 = 25.0;
const TARGET_BIG_SLOWDOWN: f64 = 1.2;
const TARGET_HWM_MB: f64 = 64.0;

const INSTALL_WRK: &str = "wrk is not installed; on Debian or Ubuntu:\n  \
                           sudo apt-get update && sudo apt-get install -y wrk";

pub(crate) fn run() -> Result<(), String> {
    let wrk_version = wrk_version()?;
    let root = crate::project_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"));
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;

    step("building the release server and the seeder");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Two builds, so that the server is built exactly as `cargo run --release` builds it
    // (an example would unify the dev-dependencies' features into it).
    for target in [["--bin", "rocketchat-server"], ["--example", "bench_seed"]] {
        let status = Command::new(&cargo)
            .current_dir(&root)
            .args(["build", "--release", "--package", "rocketchat-server"])
            .args(target)
            .status()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err("the release build failed".to_owned());
        }
    }
    let server_bin = target.join("release/rocketchat-server");
    let seed_bin = target.join("release/examples/bench_seed");

    step("seeding");
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", db.display()));
        if file.exists() {
            std::fs::remove_file(&file).map_err(|e| format!("removing {}: {e}", file.display()))?;
        }
    }
    let manifest_path = dir.join("manifest.json");
    let bulk_sizes: Vec<String> = BULK.iter().map(|(size, _)| size.to_string()).collect();
    let seeding = Instant::now();
    let status = Command::new(&seed_bin)
        .arg(&db)
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
    let seed_time = seeding.elapsed();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .map_err(|e| format!("reading {}: {e}", manifest_path.display()))?,
    )
    .map_err(|e| format!("the manifest: {e}"))?;
    let db_mb = file_mb(&db);

    step("starting the server");
    let port = free_port()?;
    let password = manifest["admin"]["password"]
        .as_str()
        .ok_or("the manifest has no admin password")?
        .to_owned();
    let server = Server::start(&server_bin, &db, port, &password, &dir.join("server.log"))?;
    let base = format!("http://127.0.0.1:{port}");
    let (user_id, token) = login(port, &password)?;

    step("baseline: GET /api/info");
    wrk(&format!("{base}/api/info"), None, 2)?; // warm-up
    let baseline = wrk(&format!("{base}/api/info"), None, DURATION_SECS)?;
    baseline.require_ok("GET /api/info")?;

    let script = |name: &str, rooms: &[&str], prefix: &str| -> Result<PathBuf, String> {
        let path = dir.join(format!("{name}.lua"));
        std::fs::write(&path, invite_script(rooms, prefix, &user_id, &token))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(path)
    };
    let invite_url = format!("{base}/api/v1/groups.invite");

    step("one-user invites into 10-member groups");
    let small_rooms: Vec<&str> = manifest["small_groups"]
        .as_array()
        .ok_or("the manifest has no small groups")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let small_prefix = manifest["small_prefix"].as_str().unwrap_or("a");
    let small_script = script("invite-small", &small_rooms, small_prefix)?;
    let small = wrk(&invite_url, Some(&small_script), DURATION_SECS)?;
    small.require_ok("one-user invites into small groups")?;

    step("one-user invites into a 100,000-member group");
    let big_room = manifest["big_group"].as_str().ok_or("no big group")?;
    let big_prefix = manifest["big_prefix"].as_str().unwrap_or("c");
    let big_before = users_count(port, &user_id, &token, big_room)?;
    let big_script = script("invite-big", &[big_room], big_prefix)?;
    let big = wrk(&invite_url, Some(&big_script), DURATION_SECS)?;
    big.require_ok("one-user invites into the big group")?;
    let big_after = users_count(port, &user_id, &token, big_room)?;
    if big_after.saturating_sub(big_before) < big.requests {
        return Err(format!(
            "the big group grew by {} members, but wrk counted {} successful invites",
            big_after - big_before,
            big.requests
        ));
    }
    let hwm_after_load = server.vm_hwm_kb()?;
    // Let the server finish checkpointing the WAL the load left behind: the bulk invites are
    // measured on a quiet server, not against that backlog.
    std::thread::sleep(SETTLE);

    let mut bulk_results = Vec::new();
    for (group, (size, target)) in manifest["bulk"]
        .as_array()
        .ok_or("no bulk groups")?
        .iter()
        .zip(BULK)
    {
        step(&format!("{size}-user bulk invites"));
        let mut times = Vec::new();
        for run in group["runs"].as_array().ok_or("no bulk runs")? {
            let room = run["room_id"].as_str().ok_or("no bulk room")?;
            let prefix = run["prefix"].as_str().ok_or("no bulk prefix")?;
            let usernames: Vec<String> = (0..size).map(|i| format!("{prefix}{i}")).collect();
            let body = json!({ "roomId": room, "usernames": usernames }).to_string();
            let started = Instant::now();
            let (status, answer) = http(
                port,
                "POST",
                "/api/v1/groups.invite",
                &user_id,
                &token,
                &body,
            )?;
            let elapsed = started.elapsed();
            let answer: Value = serde_json::from_str(&answer)
                .map_err(|e| format!("the bulk answer is not JSON ({e})"))?;
            let count = answer["group"]["usersCount"].as_u64().unwrap_or_default();
            if status != 200 || count != size as u64 + 1 {
                return Err(format!(
                    "a {size}-user bulk invite answered {status} with usersCount {count}"
                ));
            }
            times.push(elapsed.as_secs_f64() * 1000.0);
            std::thread::sleep(SETTLE / 10);
        }
        println!("  times (ms): {}", join_f(&times, 1));
        bulk_results.push((size, median(&mut times), times, target));
    }
    let hwm = server.vm_hwm_kb()?;
    server.stop();

    let machine = Machine::read();
    let today = command_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_else(|| "today".to_owned());
    let commit = command_line("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let ratio = small.rps / baseline.rps;
    let slowdown = small.rps / big.rps;
    let hwm_mb = hwm as f64 / 1024.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Measured {today} at commit {commit} by `cargo xtask bench`.\n"
    );
    let _ = writeln!(
        out,
        "Machine: {} cores, {}, {:.1} GiB RAM, {}; the load generator (wrk {}, {WRK_THREADS} \
         threads) runs on the same machine.\n",
        machine.cores, machine.cpu, machine.mem_gib, machine.kernel, wrk_version
    );
    let _ = writeln!(
        out,
        "Server: release build, SQLite in WAL mode, rate limiter on (the admin caller is exempt \
         by role), `RUST_LOG=warn`. Seeded {} users and {} groups into a {db_mb:.0} MB database \
         in {:.1} s. wrk runs last {DURATION_SECS} s at {CONNECTIONS} connections; the bulk invites \
         start {} s after the load, {} ms apart.\n",
        manifest_users(),
        SMALL_GROUPS + 1 + BULK.len() * BULK_RUNS,
        seed_time.as_secs_f64(),
        SETTLE.as_secs(),
        (SETTLE / 10).as_millis()
    );
    let _ = writeln!(out, "| Measure | Figure | Ratio | Target | Met |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| Baseline: `GET /api/info`, {CONNECTIONS} connections | {} req/s (p99 {:.2} ms) | 1.00 | | |",
        thousands(baseline.rps),
        baseline.p99_ms
    );
    let _ = writeln!(
        out,
        "| One-user invite into 10-member groups, {CONNECTIONS} connections ({} invites) | {} req/s | {:.1}% of baseline | ≥ 10% | {} |",
        thousands(small.requests as f64),
        thousands(small.rps),
        ratio * 100.0,
        met(ratio >= TARGET_INVITE_RATIO)
    );
    let _ = writeln!(
        out,
        "| One-user invite p99 latency (p50) | {:.2} ms ({:.2} ms) | | ≤ 25 ms | {} |",
        small.p99_ms,
        small.p50_ms,
        met(small.p99_ms <= TARGET_P99_MS)
    );
    for (size, median, _, target) in &bulk_results {
        let _ = writeln!(
            out,
            "| {}-user bulk invite, median of {BULK_RUNS} fresh groups | {median:.1} ms | | < {target:.0} ms | {} |",
            thousands(*size as f64),
            met(median < target)
        );
    }
    let _ = writeln!(
        out,
        "| One-user invite into a {}-member group, {CONNECTIONS} connections | {} req/s (p99 {:.2} ms) | {slowdown:.2}x the 10-member time | ≤ 1.2x | {} |",
        thousands(BIG_MEMBERS as f64),
        thousands(big.rps),
        big.p99_ms,
        met(slowdown <= TARGET_BIG_SLOWDOWN)
    );
    let _ = writeln!(
        out,
        "| Server peak resident memory (VmHWM), after the load / at the end | {:.1} MB / {hwm_mb:.1} MB | | < 64 MB | {} |",
        hwm_after_load as f64 / 1024.0,
        met(hwm_mb < TARGET_HWM_MB)
    );
    println!("\n{out}");
    let results = dir.join("results.md");
    std::fs::write(&results, &out).map_err(|e| format!("writing {}: {e}", results.display()))?;
    println!("(also written to {})", results.display());
    Ok(())
}

fn manifest_users() -> String {
    let bulk: usize = BULK.iter().map(|(size, _)| size * BULK_RUNS).sum();
    thousands((1 + 9 + (BIG_MEMBERS - 1) + 2 * INVITE_USERS + bulk) as f64)
}

fn step(what: &str) {
    println!("==> {what}");
}

fn met(yes: bool) -> &'static str {
    if yes { "yes" } else { "**no**" }
}

fn median(values: &mut [f64]) -> f64 {
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

fn join_f(values: &[f64], decimals: usize) -> String {
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

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn wrk_version() -> Result<String, String> {
    match Command::new("wrk").arg("-v").output() {
        Ok(output) => {
            let text = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            Ok(text
                .split_whitespace()
                .nth(1)
                .map(|v| v.trim_start_matches("debian/").to_owned())
                .unwrap_or_default())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(INSTALL_WRK.to_owned()),
        Err(error) => Err(format!("running wrk: {error}")),
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a port: {e}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|e| e.to_string())
}

/// The machine the figures come from.
struct Machine {
    cores: usize,
    cpu: String,
    mem_gib: f64,
    kernel: String,
}

impl Machine {
    fn read() -> Self {
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

/// The server under test; stopped (SIGTERM, then SIGKILL) when dropped.
struct Server {
    child: Option<Child>,
}

impl Server {
    fn start(bin: &Path, db: &Path, port: u16, password: &str, log: &Path) -> Result<Self, String> {
        let log_file =
            std::fs::File::create(log).map_err(|e| format!("creating {}: {e}", log.display()))?;
        let err_file = log_file.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("BIND_IP", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("ADMIN_USERNAME", "admin")
            .env("ADMIN_PASS", password)
            .env("API_ENABLE_RATE_LIMITER", "true")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", bin.display()))?;
        let mut server = Self { child: Some(child) };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((200, _)) = http(port, "GET", "/api/info", "", "", "") {
                return Ok(server);
            }
            if let Some(Ok(Some(status))) = server.child.as_mut().map(Child::try_wait) {
                return Err(format!(
                    "the server exited ({status}); see {}",
                    log.display()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!("the server did not answer; see {}", log.display()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    fn vm_hwm_kb(&self) -> Result<u64, String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .map_err(|e| format!("reading the server's /proc status: {e}"))?;
        status
            .lines()
            .find(|line| line.starts_with("VmHWM:"))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse().ok())
            .ok_or_else(|| "no VmHWM in /proc/PID/status".to_owned())
    }

    fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// One HTTP/1.1 call on a fresh connection; answers the status and the body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    user_id: &str,
    token: &str,
    body: &str,
) -> Result<(u16, String), String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connecting: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !user_id.is_empty() {
        let _ = write!(request, "X-User-Id: {user_id}\r\nX-Auth-Token: {token}\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("sending: {e}"))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .map_err(|e| format!("receiving: {e}"))?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or("an HTTP answer without a head")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or("an HTTP answer without a status")?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Ok((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

fn login(port: u16, password: &str) -> Result<(String, String), String> {
    let body = json!({ "user": "admin", "password": password }).to_string();
    let (status, answer) = http(port, "POST", "/api/v1/login", "", "", &body)?;
    let answer: Value =
        serde_json::from_str(&answer).map_err(|e| format!("the login answer: {e}"))?;
    match (
        status,
        answer["data"]["userId"].as_str(),
        answer["data"]["authToken"].as_str(),
    ) {
        (200, Some(user_id), Some(token)) => Ok((user_id.to_owned(), token.to_owned())),
        _ => Err(format!("logging in failed ({status}): {answer}")),
    }
}

fn users_count(port: u16, user_id: &str, token: &str, room: &str) -> Result<u64, String> {
    let path = format!("/api/v1/groups.info?roomId={room}");
    let (status, answer) = http(port, "GET", &path, user_id, token, "")?;
    let answer: Value =
        serde_json::from_str(&answer).map_err(|e| format!("the groups.info answer: {e}"))?;
    answer["group"]["usersCount"]
        .as_u64()
        .filter(|_| status == 200)
        .ok_or_else(|| format!("groups.info answered {status}: {answer}"))
}

/// A wrk script in which request `i` invites user `<prefix><i>` into `rooms[i % len]`; each
/// thread takes every `WRK_THREADS`-th index, so no user is invited twice, and a thread stops
/// when the seeded users run out.
fn invite_script(rooms: &[&str], prefix: &str, user_id: &str, token: &str) -> String {
    let rooms: Vec<String> = rooms.iter().map(|room| format!("{room:?}")).collect();
    format!(
        r#"-- Generated by cargo xtask bench.
local rooms = {{ {rooms} }}
local prefix = "{prefix}"
local budget = {INVITE_USERS}
local stride = {WRK_THREADS}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-User-Id"] = "{user_id}"
wrk.headers["X-Auth-Token"] = "{token}"

local created = 0
function setup(thread)
  thread:set("first", created)
  created = created + 1
end

function init(args)
  index = first
end

function request()
  local i = index
  index = index + stride
  if index >= budget then
    -- The seeded users run out: stop this thread (a last request or two re-invites a member).
    wrk.thread:stop()
    if i >= budget then i = budget - 1 end
  end
  local room = rooms[(i % #rooms) + 1]
  return wrk.format(nil, nil, nil, '{{"roomId":"' .. room .. '","username":"' .. prefix .. string.format("%d", i) .. '"}}')
end
"#,
        rooms = rooms.join(", ")
    )
}

/// What one wrk run measured.
#[derive(Debug)]
struct WrkRun {
    requests: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
    socket_errors: Option<String>,
}

impl WrkRun {
    fn require_ok(&self, what: &str) -> Result<(), String> {
        if self.non_2xx > 0 || self.requests == 0 {
            return Err(format!(
                "{what}: {} of {} answers were not 2xx (see the server log)",
                self.non_2xx, self.requests
            ));
        }
        if let Some(errors) = &self.socket_errors {
            println!("  note: wrk reported socket errors: {errors}");
        }
        Ok(())
    }
}

fn wrk(url: &str, script: Option<&Path>, seconds: u32) -> Result<WrkRun, String> {
    let mut command = Command::new("wrk");
    command.args([
        "--threads",
        &WRK_THREADS.to_string(),
        "--connections",
        &CONNECTIONS.to_string(),
        "--duration",
        &format!("{seconds}s"),
        "--timeout",
        "10s",
        "--latency",
    ]);
    if let Some(script) = script {
        command.arg("--script").arg(script);
    }
    let output = command
        .arg(url)
        .output()
        .map_err(|e| format!("running wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let run = parse_wrk(&text).ok_or_else(|| format!("could not read wrk's output:\n{text}"))?;
    println!(
        "  {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        run.requests, run.rps, run.p50_ms, run.p99_ms
    );
    Ok(run)
}

fn parse_wrk(text: &str) -> Option<WrkRun> {
    let mut run = WrkRun {
        requests: 0,
        rps: f64::NAN,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        non_2xx: 0,
        socket_errors: None,
    };
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", rate] => run.rps = rate.parse().ok()?,
            [count, "requests", "in", ..] => run.requests = count.parse().ok()?,
            ["Non-2xx", "or", "3xx", "responses:", count] => run.non_2xx = count.parse().ok()?,
            ["50%", latency] => run.p50_ms = millis(latency)?,
            ["99%", latency] => run.p99_ms = millis(latency)?,
            ["Socket", "errors:", ..] => run.socket_errors = Some(line.to_owned()),
            _ => {}
        }
    }
    (!run.rps.is_nan()).then_some(run)
}

/// wrk's `1.23ms`, `456.00us`, `1.02s`, `1.5m` in milliseconds.
fn millis(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let text = "Running 10s test @ http://127.0.0.1:3000/api/info
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   700.00us  300.00us  10.00ms   90.00%
    Req/Sec    47.00k     2.00k   50.00k    70.00%
  Latency Distribution
     50%  650.00us
     75%  800.00us
     90%    1.00ms
     99%    2.50ms
  940000 requests in 10.00s, 200.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  94000.00
Transfer/sec:     20.00MB
";
        let run = parse_wrk(text).unwrap();
        assert_eq!(run.requests, 940_000);
        assert_eq!(run.non_2xx, 3);
        assert!((run.rps - 94_000.0).abs() < 1e-9);
        assert!((run.p50_ms - 0.65).abs() < 1e-9);
        assert!((run.p99_ms - 2.5).abs() < 1e-9);
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
    }

    #[test]
    fn dechunks() {
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }
}
