//! Project automation, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! Tasks:
//! - `schema [--check | --stdout]`: writes the JSON Schema of every wire type and the OpenAPI
//!   document to `schemas/`; `--check` writes nothing and fails when a committed file is stale.
//! - `bench [--store sqlite|postgres]`: builds the release server, seeds a database (SQLite,
//!   or a throwaway PostgreSQL cluster), drives the server with `wrk` and prints the
//!   performance figures against the targets (see `bench/mod.rs`; needs `wrk`, and PostgreSQL's
//!   server programs for `--store postgres`; never run by CI).

use std::{path::PathBuf, process::ExitCode};

mod bench;
mod openapi;
mod schema;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  schema            write schemas/ (JSON Schema per wire type, OpenAPI document)
  schema --check    fail with a diff when a committed file in schemas/ is stale
  schema --stdout   print what would be written
  bench             build the release server, seed it, load it with wrk (apt-get install wrk)
                    and print the performance figures against the targets, on SQLite
  bench --store postgres
                    the same on PostgreSQL, with a second server on the same database: starts
                    a throwaway cluster (initdb and postgres from the PATH or
                    /usr/lib/postgresql/*/bin) under target/bench/ and removes it at the end
";

/// What a generator does with the files it renders; shared by every generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Write the files (the default).
    Write,
    /// Write nothing; fail when a file differs.
    Check,
    /// Print the files to standard output.
    Stdout,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["schema"] => schema::run(Mode::Write),
        ["schema", "--check"] => schema::run(Mode::Check),
        ["schema", "--stdout"] => schema::run(Mode::Stdout),
        ["bench"] => bench::run(bench::Store::Sqlite),
        ["bench", "--store", name] => match bench::Store::parse(name) {
            Some(store) => bench::run(store),
            None => {
                eprint!("unknown store: {name} (sqlite or postgres)\n\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        [] | ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("unknown task: {}\n\n{USAGE}", args.join(" "));
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, wherever `cargo xtask` was started from.
pub(crate) fn project_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .expect("xtask lives in the workspace root")
        .to_owned()
}
