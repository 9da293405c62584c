//! Throwaway PostgreSQL for this workspace's tests and benchmark.
//!
//! * [`fresh_database`] gives a test a new, empty database on a cluster of the test process's
//!   own (or on the server `TEST_DATABASE_URL` names); a test that gets none calls
//!   [`skip_or_fail`]. The server's and the client's tests run on it.
//! * [`programs`] finds PostgreSQL's server programs and the user to run them as, for
//!   `cargo xtask bench --store postgres`, which runs a cluster of its own with production
//!   settings.

mod database;
pub mod programs;

pub use database::{fresh_database, skip_or_fail, with_database};
