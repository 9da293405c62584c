//! Our server driven by Python tools written outside this team, over real HTTP.
//!
//! * [`rocketchat_api`]: the `rocketchat-API` package (PyPI), the most used Rocket.Chat client.
//! * [`schemathesis`]: property-based fuzzing of every endpoint from our own OpenAPI document.
//!
//! Each runs against both stores, SQLite and PostgreSQL (see `common::stores`).
//!
//! Both come from a virtual environment with the pinned packages of `.ci/requirements.txt`:
//! `ROCKETCHAT_INTEROP_PYTHON` names its interpreter when set (CI points it at
//! `.venv/bin/python`); otherwise the tests make one under the target directory once.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

#[path = "../common/mod.rs"]
mod common;
mod rocketchat_api;
mod schemathesis;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|error| panic!("{command:?}: {error}"));
    assert!(status.success(), "{command:?} failed with {status}");
}

/// A Python interpreter whose environment has the packages of `.ci/requirements.txt`.
fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
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
        })
        .clone()
}

/// A command-line program installed beside [`python`], such as `st`.
fn venv_program(name: &str) -> PathBuf {
    python()
        .parent()
        .expect("python lives in a bin folder")
        .join(name)
}
