//! PostgreSQL's server programs, and the user to run them as.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// What [`cluster_owner`] says when it cannot run PostgreSQL as anyone.
const NO_POSTGRES_USER: &str =
    "running as root, which PostgreSQL refuses, and there is no `postgres` user to run it as";

/// Where one installation's `initdb` and `postgres` are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Programs {
    /// `initdb`, which makes a cluster.
    pub initdb: PathBuf,
    /// `postgres`, the server, of the same installation.
    pub postgres: PathBuf,
}

impl Programs {
    /// Looks for `initdb` in `only_in` when given (and nowhere else), otherwise on the `PATH`,
    /// else in the newest `/usr/lib/postgresql/<version>/bin` (where Debian installs each major
    /// version, off the `PATH`); `postgres` is taken next to it, or next to where a link to it
    /// leads. Fails saying where it looked.
    pub fn find(only_in: Option<&Path>) -> Result<Self, String> {
        let initdb = match only_in {
            Some(dir) => {
                let initdb = dir.join("initdb");
                if !is_executable(&initdb) {
                    return Err(format!("no initdb in {}", dir.display()));
                }
                initdb
            }
            None => on_path("initdb")
                .or_else(newest_debian_initdb)
                .ok_or("no initdb on the PATH nor in /usr/lib/postgresql/*/bin")?,
        };
        let real = fs::canonicalize(&initdb).unwrap_or_else(|_| initdb.clone());
        let postgres = [&initdb, &real]
            .into_iter()
            .map(|initdb| initdb.with_file_name("postgres"))
            .find(|postgres| is_executable(postgres))
            .ok_or_else(|| format!("no postgres next to {}", initdb.display()))?;
        Ok(Self { initdb, postgres })
    }

    /// The server's version number, such as `15.14`, from `postgres --version`.
    pub fn version(&self) -> Result<String, String> {
        let output = Command::new(&self.postgres)
            .arg("--version")
            .output()
            .map_err(|e| format!("running {} --version: {e}", self.postgres.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text
            .split_once("(PostgreSQL)")
            .map_or(text.trim(), |(_, rest)| rest.trim())
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned())
    }
}

/// The user and group id a cluster runs as: `None` for ours, unless we are root, which
/// PostgreSQL refuses; then the `postgres` user's. Fails as root without a `postgres` user.
pub fn cluster_owner() -> Result<Option<(u32, u32)>, String> {
    let id = |args: &[&str]| -> Option<u32> {
        let output = Command::new("id").args(args).output().ok()?;
        output.status.success().then_some(())?;
        String::from_utf8(output.stdout).ok()?.trim().parse().ok()
    };
    if id(&["-u"]).ok_or("`id -u` failed")? != 0 {
        return Ok(None);
    }
    match (id(&["-u", "postgres"]), id(&["-g", "postgres"])) {
        (Some(uid), Some(gid)) => Ok(Some((uid, gid))),
        _ => Err(NO_POSTGRES_USER.to_owned()),
    }
}

/// An error with its causes, as one line: tokio-postgres's own message for the server's
/// answers is only "db error".
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// The last ten lines of a program's output or log, enough to say what went wrong.
pub fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

fn on_path(program: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| is_executable(path))
}

/// The `initdb` of the newest version in `/usr/lib/postgresql`, by number (16 after 9.6).
fn newest_debian_initdb() -> Option<PathBuf> {
    let version = |name: &str| -> Option<Vec<u32>> {
        name.split('.').map(|part| part.parse().ok()).collect()
    };
    fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = version(entry.file_name().to_str()?)?;
            let initdb = entry.path().join("bin/initdb");
            is_executable(&initdb).then_some((version, initdb))
        })
        .max()
        .map(|(_, initdb)| initdb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_ten_lines() {
        let log: String = (0..20).map(|i| format!("line {i}\n")).collect();
        assert_eq!(tail(&log).lines().count(), 10);
        assert!(tail(&log).starts_with("line 10"));
        assert!(tail(&log).ends_with("line 19"));
        assert_eq!(tail("one\ntwo\n"), "one\ntwo");
        assert_eq!(tail(""), "");
    }

    #[test]
    fn a_directory_without_initdb_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Programs::find(Some(dir.path())),
            Err(format!("no initdb in {}", dir.path().display()))
        );
    }

    #[test]
    fn postgres_is_taken_next_to_initdb() {
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str| {
            let path = dir.path().join(name);
            fs::write(
                &path,
                "#!/bin/sh\necho 'postgres (PostgreSQL) 15.14 (Debian 15.14-1)'\n",
            )
            .unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let initdb = script("initdb");
        assert_eq!(
            Programs::find(Some(dir.path())),
            Err(format!("no postgres next to {}", initdb.display()))
        );
        let postgres = script("postgres");
        let programs = Programs::find(Some(dir.path())).unwrap();
        assert_eq!(programs, Programs { initdb, postgres });
        assert_eq!(programs.version().unwrap(), "15.14");
    }

    #[test]
    fn an_error_says_its_causes() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("db error")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = Outer(std::io::Error::other("database \"x\" does not exist"));
        assert_eq!(
            error_chain(&error),
            "db error: database \"x\" does not exist"
        );
    }
}
