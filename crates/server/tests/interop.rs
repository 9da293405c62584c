//! Interop: the Python `rocketchat-API` package (PyPI), the most used Rocket.Chat client and
//! written outside this team, drives our server over real HTTP.
//!
//! The script `tests/interop/rocketchat_api_interop.py` logs in, creates users and a group,
//! invites by id and in bulk, reads the group back and checks the refusals, all through the
//! package's own methods. The Python interpreter is `ROCKETCHAT_INTEROP_PYTHON` when set (CI
//! points it at `.venv/bin/python`); otherwise the test makes a virtual environment under the
//! target directory once and installs the pinned packages from `.ci/requirements.txt` there.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use rocketchat_server::testing::TestServer;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|error| panic!("{command:?}: {error}"));
    assert!(status.success(), "{command:?} failed with {status}");
}

/// A Python with `rocketchat-API` installed.
fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("ROCKETCHAT_INTEROP_PYTHON") {
        return python.into();
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    }
    let requirements = workspace_root().join(".ci/requirements.txt");
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(requirements));
    python
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_rocketchat_api_package_works_against_our_server() {
    let python = tokio::task::spawn_blocking(python).await.unwrap();
    let server = TestServer::start().await;
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/rocketchat_api_interop.py");
    let url = server.url().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([&url, "admin", "admin-password"])
            .output()
    })
    .await
    .unwrap()
    .expect("the interop script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "interop failed:\n{stdout}\n{stderr}"
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.ends_with("passed, 0 failed") && !last.starts_with("0 "),
        "{stdout}"
    );
}
