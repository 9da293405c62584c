//! Running a test against each store.
//!
//! [`store_tests!`](crate::store_tests) turns each test it wraps into two, `<test>::sqlite` and
//! `<test>::postgres`, which run the same body with the test's database on SQLite (a file in a
//! temporary directory) and on PostgreSQL (a fresh database, see [`test_postgres`]). Inside,
//! [`config`] gives the server settings on that database; a test that starts its servers from
//! it runs on the store of the variant. Without PostgreSQL the `postgres` variants skip, or
//! fail under `CI=true`.

use std::future::Future;

use rocketchat_server::Config;

/// A store the tests run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// The database of the test running on this task.
#[derive(Debug)]
struct Database {
    store: Store,
    url: String,
    // Keeps a SQLite file's directory for as long as the test runs.
    _dir: Option<tempfile::TempDir>,
}

tokio::task_local! {
    static DATABASE: Database;
}

impl Store {
    /// Runs `body` with a database of its own on this store; skips (or fails under CI) when
    /// the store is not available.
    pub(crate) async fn run(self, test: &str, body: impl Future<Output = ()>) {
        let database = match self {
            Store::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                Database {
                    store: self,
                    url: format!("sqlite://{}", dir.path().join("test.db").display()),
                    _dir: Some(dir),
                }
            }
            Store::Postgres => match test_postgres::fresh_database().await {
                Some(url) => Database {
                    store: self,
                    url,
                    _dir: None,
                },
                None => return test_postgres::skip_or_fail(test),
            },
        };
        DATABASE.scope(database, body).await
    }
}

/// The store of the running test: the variant's, or SQLite for a test that runs on one store.
pub(crate) fn current() -> Store {
    DATABASE
        .try_with(|database| database.store)
        .unwrap_or(Store::Sqlite)
}

/// [`Config::for_tests`] on the running test's database: every server a test starts from it
/// shares that database. A test outside [`store_tests!`](crate::store_tests) gets a throwaway
/// SQLite store per server.
pub(crate) fn config() -> Config {
    let mut config = Config::for_tests();
    if let Ok(url) = DATABASE.try_with(|database| database.url.clone()) {
        config.database_url = url;
    }
    config
}

/// Defines each test it wraps twice, as `<test>::sqlite` and `<test>::postgres`, with the
/// attributes given (`#[tokio::test]` and its options, doc comments). The bodies reach the
/// test's database through [`config`] (directly, or through the support helpers that start
/// servers).
#[macro_export]
macro_rules! store_tests {
    ($( $(#[$meta:meta])* async fn $name:ident() $body:block )*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            async fn sqlite() {
                $crate::common::stores::Store::Sqlite
                    .run(stringify!($name), async move $body)
                    .await
            }

            $(#[$meta])*
            async fn postgres() {
                $crate::common::stores::Store::Postgres
                    .run(stringify!($name), async move $body)
                    .await
            }
        }
    )*};
}
