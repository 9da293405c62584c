//! What the SQLite-only tests check by opening the SQLite file, checked in the PostgreSQL
//! database itself: how tokens and memberships are stored, that a failing bulk invite and a
//! timed-out one change nothing, and that every query has an index.

use std::time::Duration;

use rocketchat_server::testing::TestServer;
use serde_json::json;
use tokio_postgres::{Client, NoTls};

use crate::common::stores::Store;
use crate::support::{World, config, poison_messages};

/// A connection of the test's own to the database `url` names.
async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("the test database accepts connections");
    tokio::spawn(connection);
    client
}

/// Holds the group's row from another session until the returned task ends it, `hold` later:
/// writes into the group wait for it, and invites that arrive meanwhile queue up.
async fn hold_group(url: &str, room_id: &str, hold: Duration) -> tokio::task::JoinHandle<()> {
    let db = connect(url).await;
    db.batch_execute(&format!(
        "BEGIN; SELECT 1 FROM rooms WHERE id = '{room_id}' FOR UPDATE"
    ))
    .await
    .unwrap();
    tokio::spawn(async move {
        tokio::time::sleep(hold).await;
        db.batch_execute("ROLLBACK").await.unwrap();
    })
}

/// How many transactions wrote the group's memberships: `xmin` names each row's.
async fn writing_transactions(url: &str, room_id: &str) -> i64 {
    connect(url)
        .await
        .query_one(
            "SELECT count(DISTINCT xmin::text) FROM subscriptions WHERE rid = $1",
            &[&room_id],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn tokens_and_passwords_are_stored_only_as_hashes() {
    Store::Postgres
        .run("tokens_and_passwords_are_stored_only_as_hashes", async {
            let config = config();
            let server = TestServer::start_with(config.clone()).await;
            let bob = server.create_user("bob").await;
            let db = connect(&config.database_url).await;
            let stored: Vec<String> = db
                .query(
                    "SELECT hashed_token FROM login_tokens WHERE user_id = $1",
                    &[&bob.user_id],
                )
                .await
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
            use base64::Engine as _;
            use sha2::Digest as _;
            let expected = base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha256::digest(bob.auth_token.as_bytes()));
            assert_eq!(stored, [expected]);
            let hash: String = db
                .query_one(
                    "SELECT password_hash FROM users WHERE id = $1",
                    &[&bob.user_id],
                )
                .await
                .unwrap()
                .get(0);
            let digest: String = sha2::Sha256::digest(b"bob-password")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert!(bcrypt::verify(digest, &hash).unwrap());
        })
        .await;
}

#[tokio::test]
async fn new_subscriptions_are_open_alerted_and_unread_without_roles() {
    Store::Postgres
        .run(
            "new_subscriptions_are_open_alerted_and_unread_without_roles",
            async {
                let config = config();
                let world = World::with(TestServer::start_with(config.clone()).await).await;
                let answer = world.owner_invites("john.doe").await;
                assert_eq!(answer.status, 200, "{:#}", answer.body);
                let db = connect(&config.database_url).await;
                let row = db
                    .query_one(
                        "SELECT open, alert, unread, user_mentions, roles FROM subscriptions \
                         WHERE rid = $1 AND username = 'john.doe'",
                        &[&world.room_id],
                    )
                    .await
                    .unwrap();
                let fields: (bool, bool, i64, i64, Vec<String>) =
                    (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
                assert_eq!(fields, (true, true, 1, 1, vec![]));
                let owner_roles: Vec<String> = db
                    .query_one(
                        "SELECT roles FROM subscriptions WHERE rid = $1 AND username = 'testing1'",
                        &[&world.room_id],
                    )
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(owner_roles, ["owner"]);
            },
        )
        .await;
}

/// A trigger makes the second user's system message fail; the first user must not stay added.
#[tokio::test]
async fn a_bulk_invite_that_fails_half_way_changes_nothing() {
    Store::Postgres
        .run("a_bulk_invite_that_fails_half_way_changes_nothing", async {
            let config = config();
            let world = World::with(TestServer::start_with(config.clone()).await).await;
            world.server.create_user("poison").await;
            poison_messages().await;
            let answer = world
                .invite(
                    &world.owner,
                    json!({ "roomId": world.room_id, "usernames": ["john.doe", "poison"] }),
                )
                .await;
            answer.assert_fixture(500, "errors/error-500-internal.json");
            assert_eq!(world.member_names().await, ["member", "testing1"]);
            let info = world.info().await;
            assert_eq!(info["usersCount"], 2);
            assert_eq!(info["msgs"], 0);
            assert!(world.history().await.is_empty());
            let answer = world.owner_invites("john.doe").await;
            assert_eq!(answer.status, 200, "{:#}", answer.body);
        })
        .await;
}

/// Invites that queue up for one group share a transaction, and each is still answered with
/// the group as its own invite left it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invites_that_queue_up_commit_together_and_keep_their_own_answers() {
    Store::Postgres
        .run(
            "invites_that_queue_up_commit_together_and_keep_their_own_answers",
            async {
                let config = config();
                let world = World::with(TestServer::start_with(config.clone()).await).await;
                let names = ["u.one", "u.two", "u.three", "u.four", "u.five", "u.six"];
                for name in names {
                    world.server.create_user(name).await;
                }
                let before = writing_transactions(&config.database_url, &world.room_id).await;
                let holder = hold_group(
                    &config.database_url,
                    &world.room_id,
                    Duration::from_millis(800),
                )
                .await;
                let answers =
                    futures_util::future::join_all(names.map(|name| world.owner_invites(name)))
                        .await;
                holder.await.unwrap();
                let mut counts = Vec::new();
                for answer in &answers {
                    assert_eq!(answer.status, 200, "{:#}", answer.body);
                    counts.push(answer.body["group"]["usersCount"].as_u64().unwrap());
                }
                // Each answer shows the group right after its own invite: one count each.
                counts.sort_unstable();
                assert_eq!(counts, [3, 4, 5, 6, 7, 8]);
                let info = world.info().await;
                assert_eq!(info["usersCount"], 8);
                assert_eq!(info["msgs"], 6);
                // The first to arrive waited alone; those that queued behind it, together.
                let after = writing_transactions(&config.database_url, &world.room_id).await;
                assert!(after - before <= 2, "{} transactions", after - before);
            },
        )
        .await;
}

/// When one invite of a shared transaction fails, the transaction is rolled back and each of
/// its invites runs again alone: the failing one gets its error, the others are made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_invite_does_not_take_the_others_of_its_batch_down() {
    Store::Postgres
        .run(
            "a_failing_invite_does_not_take_the_others_of_its_batch_down",
            async {
                let config = config();
                let world = World::with(TestServer::start_with(config.clone()).await).await;
                for name in ["poison", "u.one", "u.two"] {
                    world.server.create_user(name).await;
                }
                poison_messages().await;
                let holder = hold_group(
                    &config.database_url,
                    &world.room_id,
                    Duration::from_millis(800),
                )
                .await;
                // The first invite takes the writer and waits for the row; the others queue
                // behind it and then go together.
                let first = world.owner_invites("john.doe");
                let rest = async {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    tokio::join!(
                        world.owner_invites("u.one"),
                        world.owner_invites("poison"),
                        world.owner_invites("u.two")
                    )
                };
                let (first, (one, poison, two)) = tokio::join!(first, rest);
                holder.await.unwrap();
                for answer in [&first, &one, &two] {
                    assert_eq!(answer.status, 200, "{:#}", answer.body);
                }
                poison.assert_fixture(500, "errors/error-500-internal.json");
                assert_eq!(
                    world.member_names().await,
                    ["john.doe", "member", "testing1", "u.one", "u.two"]
                );
                let info = world.info().await;
                assert_eq!(info["usersCount"], 5);
                assert_eq!(info["msgs"], 3);
            },
        )
        .await;
}

/// Invites that time out while their write waits for a lock are answered 503 and cancelled,
/// whether they wait alone or in a shared transaction: a client is never told "unavailable"
/// for a change that happened anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invites_that_time_out_waiting_for_the_database_are_not_made() {
    Store::Postgres
        .run(
            "invites_that_time_out_waiting_for_the_database_are_not_made",
            async {
                let mut config = config();
                config.request_timeout_secs = 1;
                let world = World::with(TestServer::start_with(config.clone()).await).await;
                let before = world.info().await;
                let holder = hold_group(
                    &config.database_url,
                    &world.room_id,
                    Duration::from_millis(2500),
                )
                .await;
                // Another session holds the group's row for 2.5 s: reads go on, and the first
                // invite's statement, prepared and running, waits for the row until its caller
                // gives up, at 1 s. The two that queued behind it from 0.5 s are then taken
                // together, and their callers give up at 1.5 s, while the row is still held.
                let first = world.owner_invites("john.doe");
                let rest = async {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    tokio::join!(
                        world.owner_invites("jane.doe"),
                        world.owner_invites("outsider")
                    )
                };
                let (first, (second, third)) = tokio::join!(first, rest);
                for answer in [first, second, third] {
                    assert_eq!(answer.status, 503, "{:#}", answer.body);
                    assert_eq!(
                        answer.body,
                        json!({ "success": false, "error": "Service Unavailable" })
                    );
                }
                holder.await.unwrap();
                // Give statements that were not cancelled the time to commit, then look.
                tokio::time::sleep(Duration::from_millis(300)).await;
                let after = world.info().await;
                assert_eq!(after["usersCount"], before["usersCount"]);
                assert_eq!(after["msgs"], before["msgs"]);
                assert_eq!(world.member_names().await, ["member", "testing1"]);
            },
        )
        .await;
}

/// A group deleted while an invite waits for its row, the way a deletion must (the row locked
/// first, then its memberships, messages and the row itself): the invite finds it gone, writes
/// nothing, and answers as for any group that does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_into_a_group_deleted_meanwhile_writes_nothing() {
    Store::Postgres
        .run(
            "an_invite_into_a_group_deleted_meanwhile_writes_nothing",
            async {
                let config = config();
                let world = World::with(TestServer::start_with(config.clone()).await).await;
                let db = connect(&config.database_url).await;
                db.batch_execute(&format!(
                    "BEGIN; SELECT 1 FROM rooms WHERE id = '{}' FOR UPDATE",
                    world.room_id
                ))
                .await
                .unwrap();
                let delete = async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    db.batch_execute(&format!(
                        "DELETE FROM messages WHERE rid = '{0}'; \
                         DELETE FROM subscriptions WHERE rid = '{0}'; \
                         DELETE FROM rooms WHERE id = '{0}'; COMMIT",
                        world.room_id
                    ))
                    .await
                    .unwrap();
                };
                let invite = world.owner_invites("john.doe");
                let (answer, ()) = tokio::join!(invite, delete);
                answer.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
                for table in ["subscriptions", "messages"] {
                    let left: i64 = db
                        .query_one(
                            &format!("SELECT count(*) FROM {table} WHERE rid = $1"),
                            &[&world.room_id],
                        )
                        .await
                        .unwrap()
                        .get(0);
                    assert_eq!(left, 0, "{table}");
                }
            },
        )
        .await;
}

/// A user deleted while an invite of them waits for their row: the invite finds them gone,
/// writes nothing, and answers as for any user who does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_of_a_user_deleted_meanwhile_writes_nothing() {
    Store::Postgres
        .run(
            "an_invite_of_a_user_deleted_meanwhile_writes_nothing",
            async {
                let config = config();
                let world = World::with(TestServer::start_with(config.clone()).await).await;
                let before = world.info().await;
                let db = connect(&config.database_url).await;
                db.batch_execute(
                    "BEGIN; SELECT 1 FROM users WHERE username = 'john.doe' FOR UPDATE",
                )
                .await
                .unwrap();
                let delete = async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    db.batch_execute(
                        "DELETE FROM subscriptions WHERE user_id = \
                         (SELECT id FROM users WHERE username = 'john.doe'); \
                         DELETE FROM users WHERE username = 'john.doe'; COMMIT",
                    )
                    .await
                    .unwrap();
                };
                let invite = world.owner_invites("john.doe");
                let (answer, ()) = tokio::join!(invite, delete);
                answer.assert_fixture(400, "groups.invite/error-400-empty-invite-list.json");
                let after = world.info().await;
                assert_eq!(after["usersCount"], before["usersCount"]);
                assert_eq!(after["msgs"], before["msgs"]);
                assert_eq!(world.member_names().await, ["member", "testing1"]);
                let orphans: i64 = db
                    .query_one(
                        "SELECT count(*) FROM subscriptions s \
                         WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)",
                        &[],
                    )
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(orphans, 0);
            },
        )
        .await;
}

/// Every statement the store runs finds its rows through an index: with sequential scans made
/// as costly as the planner allows, no plan falls back on one.
#[tokio::test]
async fn every_query_has_an_index() {
    Store::Postgres
        .run("every_query_has_an_index", async {
            let config = config();
            let _server = TestServer::start_with(config.clone()).await;
            let db = connect(&config.database_url).await;
            db.batch_execute("SET enable_seqscan = off").await.unwrap();
            let queries = [
                "SELECT * FROM users WHERE id = 'x'",
                "SELECT * FROM users WHERE username_key = 'x'",
                "SELECT * FROM users WHERE email_key = 'x'",
                "SELECT id, username FROM users WHERE username_key = ANY('{a,b}')",
                "SELECT * FROM login_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.hashed_token = 'x' AND t.user_id = 'y' AND u.active",
                "SELECT r.*, s.roles FROM rooms r LEFT JOIN subscriptions s \
                 ON s.rid = r.id AND s.user_id = 'u' \
                 WHERE r.id = 'x' OR r.name = 'x' ORDER BY r.id = 'x' DESC LIMIT 1",
                "SELECT * FROM rooms r WHERE r.name = 'x'",
                "SELECT u.username_key, u.id, EXISTS (SELECT 1 FROM subscriptions s \
                 WHERE s.rid = r.id AND s.user_id = u.id) FROM users u LEFT JOIN \
                 (SELECT id FROM rooms WHERE id = 'r' OR name = 'r' \
                 ORDER BY id = 'r' DESC LIMIT 1) r ON true \
                 WHERE u.username_key = ANY('{a,b}')",
                "SELECT u.id, EXISTS (SELECT 1 FROM subscriptions s \
                 WHERE s.rid = r.id AND s.user_id = u.id) FROM users u LEFT JOIN \
                 (SELECT id FROM rooms WHERE id = 'r' OR name = 'r' \
                 ORDER BY id = 'r' DESC LIMIT 1) r ON true WHERE u.id = ANY('{a,b}')",
                "SELECT roles FROM subscriptions WHERE rid = 'r' AND user_id = 'u'",
                "SELECT u.* FROM subscriptions s JOIN users u ON u.id = s.user_id \
                 WHERE s.rid = 'r' AND u.active ORDER BY s.username LIMIT 50 OFFSET 0",
                "SELECT count(*) FROM subscriptions s JOIN users u ON u.id = s.user_id \
                 WHERE s.rid = 'r' AND u.active",
                "SELECT * FROM messages WHERE rid = 'r' ORDER BY seq DESC LIMIT 20 OFFSET 0",
                "DELETE FROM login_tokens WHERE hashed_token = 'x' AND user_id = 'y'",
                "SELECT r.* FROM rooms r JOIN subscriptions s ON s.rid = r.id \
                 WHERE s.user_id = 'u' AND r.t = 'p' ORDER BY r.name COLLATE \"C\" LIMIT 50",
                "SELECT EXISTS (SELECT 1 FROM subscriptions \
                 WHERE rid = 'r' AND user_id <> 'u' AND 'owner' = ANY (roles))",
                "SELECT s.id, r.name FROM subscriptions s JOIN rooms r ON r.id = s.rid \
                 WHERE s.user_id = 'u' ORDER BY r.t COLLATE \"C\", r.name COLLATE \"C\"",
                "DELETE FROM subscriptions WHERE rid = 'r'",
                "DELETE FROM messages WHERE rid = 'r'",
            ];
            for query in queries {
                let plan: Vec<String> = db
                    .query(&format!("EXPLAIN {query}"), &[])
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                let plan = plan.join("\n");
                assert!(!plan.contains("Seq Scan"), "{query}\n{plan}");
            }
        })
        .await;
}
