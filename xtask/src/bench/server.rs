//! The server under test: starting a `rocketchat-server` process on the seeded database,
//! reading its peak resident memory, and stopping it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process; stopped (SIGTERM, then SIGKILL) when dropped.
#[derive(Debug)]
pub(super) struct Server {
    /// The process, until it is stopped.
    child: Option<Child>,
    /// Where its output goes, for error messages.
    log: PathBuf,
}

impl Server {
    /// Starts the server on the database `database_url` names, listening on
    /// `127.0.0.1:port`, with the admin's password, its rate limiter on and its output in
    /// `log`. Does not wait for it to answer: see [`super::api::wait_until_ready`].
    pub(super) fn start(
        bin: &Path,
        database_url: &str,
        port: u16,
        password: &str,
        log: &Path,
    ) -> Result<Self, String> {
        let log_file =
            std::fs::File::create(log).map_err(|e| format!("creating {}: {e}", log.display()))?;
        let err_file = log_file.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .env("DATABASE_URL", database_url)
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
        Ok(Self {
            child: Some(child),
            log: log.to_owned(),
        })
    }

    /// Fails when the process has exited.
    pub(super) fn check_running(&mut self) -> Result<(), String> {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => Ok(()),
            Some(Ok(Some(status))) => Err(format!(
                "the server exited ({status}); see {}",
                self.log.display()
            )),
            Some(Err(error)) => Err(format!("watching the server: {error}")),
            None => Err("the server was stopped".to_owned()),
        }
    }

    /// The server's log file.
    pub(super) fn log(&self) -> &Path {
        &self.log
    }

    /// The process id, while it runs.
    pub(super) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The process's peak resident memory (`VmHWM`), in KiB.
    pub(super) fn vm_hwm_kb(&self) -> Result<u64, String> {
        let pid = self.child.as_ref().map_or(0, Child::id);
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .map_err(|e| format!("reading the server's /proc status: {e}"))?;
        status
            .lines()
            .find(|line| line.starts_with("VmHWM:"))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse().ok())
            .ok_or_else(|| "no VmHWM in /proc/PID/status".to_owned())
    }

    /// Stops the server.
    pub(super) fn stop(mut self) {
        self.shutdown();
    }

    /// Sends SIGTERM, waits up to 10 s for a graceful exit, then kills the process.
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

/// A local port that was free a moment ago.
pub(super) fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a port: {e}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|e| e.to_string())
}
