//! The harness itself: each call to `fresh_database` gives a new database, empty and apart
//! from the others, at a URL tokio-postgres takes, on a cluster that every test's runtime can
//! use.

use tokio_postgres::{Client, NoTls};

use test_postgres::{fresh_database, skip_or_fail, with_database};

/// A client for `url`, its connection driven on the caller's runtime.
async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|error| panic!("connecting to {url}: {error}"));
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("connection: {error}");
        }
    });
    client
}

/// The tables and views of `client`'s database, outside PostgreSQL's own schemas.
async fn user_tables(client: &Client) -> Vec<String> {
    client
        .query(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables \
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

async fn current_database(client: &Client) -> String {
    client
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0)
}

/// The database a URL names.
fn database_of(url: &str) -> &str {
    let path = url.rsplit_once('/').unwrap().1;
    path.split_once('?').map_or(path, |(database, _)| database)
}

#[tokio::test]
async fn each_call_gives_a_different_empty_database_apart_from_the_others() {
    let Some(first) = fresh_database().await else {
        return skip_or_fail(
            "harness::each_call_gives_a_different_empty_database_apart_from_the_others",
        );
    };
    let second = fresh_database()
        .await
        .expect("a second database, after a first one");
    assert!(
        first.starts_with("postgres://") || first.starts_with("postgresql://"),
        "{first}"
    );
    assert_ne!(first, second);

    let (one, two) = (connect(&first).await, connect(&second).await);
    assert_eq!(current_database(&one).await, database_of(&first));
    assert_eq!(current_database(&two).await, database_of(&second));
    assert_eq!(user_tables(&one).await, Vec::<String>::new());
    assert_eq!(user_tables(&two).await, Vec::<String>::new());

    one.batch_execute(
        "CREATE TABLE only_here (id integer PRIMARY KEY); INSERT INTO only_here VALUES (1), (2)",
    )
    .await
    .unwrap();
    assert_eq!(user_tables(&one).await, ["public.only_here"]);
    assert_eq!(user_tables(&two).await, Vec::<String>::new());

    // The same name in the other database is another table.
    two.batch_execute("CREATE TABLE only_here (name text)")
        .await
        .unwrap();
    assert_eq!(count(&one, "only_here").await, 2);
    assert_eq!(count(&two, "only_here").await, 0);
}

async fn count(client: &Client, table: &str) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0)
}

/// The tests run on many runtimes, one per test, which end with their test: the cluster, and
/// new databases on it, must outlive the runtime that started it.
#[test]
fn the_cluster_outlives_the_runtimes_that_used_it() {
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let Some(first) = runtime().block_on(fresh_database()) else {
        return skip_or_fail("harness::the_cluster_outlives_the_runtimes_that_used_it");
    };
    let second = runtime().block_on(fresh_database()).unwrap();
    runtime().block_on(async {
        for url in [&first, &second] {
            let client = connect(url).await;
            assert_eq!(current_database(&client).await, database_of(url));
        }
    });
}

/// Many tests at once, each with a pool of connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_databases_and_connections_at_once() {
    let Some(first) = fresh_database().await else {
        return skip_or_fail("harness::many_databases_and_connections_at_once");
    };
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        tasks.spawn(async {
            let url = fresh_database().await.unwrap();
            let mut clients = Vec::new();
            for _ in 0..10 {
                clients.push(connect(&url).await);
            }
            for client in &clients {
                client.batch_execute("SELECT 1").await.unwrap();
            }
            url
        });
    }
    let mut urls = vec![first];
    while let Some(url) = tasks.join_next().await {
        urls.push(url.unwrap());
    }
    let count = urls.len();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), count, "{urls:?}");
}

#[test]
fn with_database_names_another_database_in_the_same_url() {
    for (url, expected) in [
        ("postgres://u@h/db", "postgres://u@h/new"),
        ("postgres://u@h", "postgres://u@h/new"),
        ("postgres://u@h/", "postgres://u@h/new"),
        (
            "postgresql://u:p@h:5433/db?sslmode=disable",
            "postgresql://u:p@h:5433/new?sslmode=disable",
        ),
        (
            "postgres://u@h?application_name=x",
            "postgres://u@h/new?application_name=x",
        ),
        (
            "postgres://u@h1:5432,h2:5433/db",
            "postgres://u@h1:5432,h2:5433/new",
        ),
    ] {
        assert_eq!(with_database(url, "new"), expected, "{url}");
    }
}
