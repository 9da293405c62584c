//! Running `wrk`: its version, one load run and what it measured, and the Lua script of the
//! one-user invite runs.

use std::path::Path;
use std::process::Command;

use rocketchat_client::Session;

use super::{CONNECTIONS, INVITE_USERS, WRK_THREADS};

/// What to do when wrk is missing.
const INSTALL_WRK: &str = "wrk is not installed; on Debian or Ubuntu:\n  \
                           sudo apt-get update && sudo apt-get install -y wrk";

/// wrk's version, such as `4.1.0-3+b2`; fails with how to install wrk when it is missing.
pub(super) fn version() -> Result<String, String> {
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

/// What one wrk run measured.
#[derive(Debug)]
pub(super) struct WrkRun {
    /// Answers received.
    pub(super) requests: u64,
    /// Answers per second.
    pub(super) rps: f64,
    /// Median latency, in milliseconds.
    pub(super) p50_ms: f64,
    /// 99th-percentile latency, in milliseconds.
    pub(super) p99_ms: f64,
    /// Answers whose status was not 2xx or 3xx.
    pub(super) non_2xx: u64,
    /// wrk's line on socket errors, if it printed one.
    pub(super) socket_errors: Option<String>,
    /// For an invite script's run: the first user index no thread reached, where a later run
    /// may start without inviting anyone twice.
    pub(super) next_user: Option<usize>,
}

impl WrkRun {
    /// Fails when the run got no answer or an answer that was not 2xx; notes socket errors.
    pub(super) fn require_ok(&self, what: &str) -> Result<(), String> {
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

/// Loads `url` for `seconds` at [`CONNECTIONS`] connections on [`WRK_THREADS`] threads, with
/// `script` if given, and prints and answers what wrk measured.
pub(super) fn run(url: &str, script: Option<&Path>, seconds: u32) -> Result<WrkRun, String> {
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
    let run = parse(&text).ok_or_else(|| format!("could not read wrk's output:\n{text}"))?;
    println!(
        "  {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        run.requests, run.rps, run.p50_ms, run.p99_ms
    );
    Ok(run)
}

/// Reads the figures out of wrk's report (run with `--latency`).
fn parse(text: &str) -> Option<WrkRun> {
    let mut run = WrkRun {
        requests: 0,
        rps: f64::NAN,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        non_2xx: 0,
        socket_errors: None,
        next_user: None,
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
            ["Next", "user:", index] => run.next_user = Some(index.parse().ok()?),
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

/// A wrk script in which request `i` invites user `<prefix><i>` into `rooms[i % len]`, as the
/// session's user, for `i` from `start` on; each thread takes every `WRK_THREADS`-th index, so
/// no user is invited twice, and a thread stops when the seeded users run out. At the end the
/// script prints `Next user: <i>`, the first index no thread reached (see
/// [`WrkRun::next_user`]).
///
/// With more than one port in `ports`, thread `t` connects to `127.0.0.1:ports[t % len]`
/// instead of the URL's address (wrk's `thread.addr`): one wrk process loads several servers
/// at once, each thread one server, and reports their combined figures. The requests' `Host`
/// header still names the URL's port, which the server ignores.
pub(super) fn invite_script(
    rooms: &[String],
    prefix: &str,
    session: &Session,
    ports: &[u16],
    start: usize,
) -> String {
    let rooms: Vec<String> = rooms.iter().map(|room| format!("{room:?}")).collect();
    let ports: Vec<String> = ports.iter().map(|port| format!("\"{port}\"")).collect();
    let user_id = &session.user_id;
    let token = session.auth_token.expose();
    format!(
        r#"-- Generated by cargo xtask bench.
local rooms = {{ {rooms} }}
local ports = {{ {ports} }}
local prefix = "{prefix}"
local budget = {INVITE_USERS}
local stride = {WRK_THREADS}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-User-Id"] = "{user_id}"
wrk.headers["X-Auth-Token"] = "{token}"

local created = 0
local threads = {{}}
function setup(thread)
  thread:set("first", {start} + created)
  if #ports > 1 then
    thread.addr = wrk.lookup("127.0.0.1", ports[(created % #ports) + 1])[1]
  end
  created = created + 1
  table.insert(threads, thread)
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

function done(summary, latency, requests)
  local next = 0
  for _, thread in ipairs(threads) do
    local reached = thread:get("index")
    if reached > next then next = reached end
  end
  io.write(string.format("Next user: %d\n", next))
end
"#,
        rooms = rooms.join(", "),
        ports = ports.join(", ")
    )
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
Next user: 12345
";
        let run = parse(text).unwrap();
        assert_eq!(run.requests, 940_000);
        assert_eq!(run.non_2xx, 3);
        assert!((run.rps - 94_000.0).abs() < 1e-9);
        assert!((run.p50_ms - 0.65).abs() < 1e-9);
        assert!((run.p99_ms - 2.5).abs() < 1e-9);
        assert_eq!(run.next_user, Some(12_345));
    }

    #[test]
    fn a_script_gives_each_thread_a_server_only_when_there_are_several() {
        let session = Session {
            user_id: "admin-id".to_owned(),
            auth_token: "token".into(),
        };
        let rooms = ["r1".to_owned(), "r2".to_owned()];
        let one = invite_script(&rooms, "a", &session, &[3000], 0);
        assert!(one.contains("local rooms = { \"r1\", \"r2\" }"), "{one}");
        assert!(one.contains("local ports = { \"3000\" }"), "{one}");
        assert!(one.contains("if #ports > 1 then"), "{one}");
        let two = invite_script(&rooms, "c", &session, &[3000, 3001], 500);
        assert!(
            two.contains("local ports = { \"3000\", \"3001\" }"),
            "{two}"
        );
        assert!(two.contains("local prefix = \"c\""), "{two}");
        assert!(
            two.contains("thread:set(\"first\", 500 + created)"),
            "{two}"
        );
        assert!(
            two.contains(
                "thread.addr = wrk.lookup(\"127.0.0.1\", ports[(created % #ports) + 1])[1]"
            ),
            "{two}"
        );
        assert!(
            two.contains("wrk.headers[\"X-Auth-Token\"] = \"token\""),
            "{two}"
        );
    }

    #[test]
    fn reads_wrk_units() {
        let close =
            |text: &str, expected: f64| millis(text).is_some_and(|ms| (ms - expected).abs() < 1e-9);
        assert!(close("456.00us", 0.456));
        assert!(close("1.50ms", 1.5));
        assert!(close("1.02s", 1020.0));
        assert!(close("1.5m", 90_000.0));
        assert_eq!(millis("12"), None);
    }
}
