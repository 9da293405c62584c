//! Several server instances on one PostgreSQL database, over real HTTP: any instance answers
//! any call, and what one does the others see.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rocketchat_server::Config;
use rocketchat_server::testing::{TestServer, TestUser};
use serde_json::{Value, json};
use tokio_postgres::NoTls;

use crate::common::stores::Store;
use crate::support::{
    config, get, invite_one_by_one, post, race_overlapping_invites, start_binary,
    until_acknowledged,
};

/// `count` in-process servers on the test's database, started one after the other.
async fn instances(count: usize) -> Vec<TestServer> {
    let mut servers = Vec::with_capacity(count);
    for _ in 0..count {
        servers.push(TestServer::start_with(config()).await);
    }
    servers
}

/// The group's members, `usersCount`, `msgs` and number of messages, read through `server`.
async fn group_state(
    server: &TestServer,
    who: &TestUser,
    room_id: &str,
) -> (HashSet<String>, Value, Value, usize) {
    let members = get(
        server,
        &format!("/api/v1/groups.members?roomId={room_id}&count=0"),
        who,
    )
    .await;
    assert_eq!(members.status, 200, "{:#}", members.body);
    let names = members.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member["username"].as_str().unwrap().to_owned())
        .collect();
    let info = get(
        server,
        &format!("/api/v1/groups.info?roomId={room_id}"),
        who,
    )
    .await;
    let history = get(
        server,
        &format!("/api/v1/groups.history?roomId={room_id}&count=0"),
        who,
    )
    .await;
    (
        names,
        info.body["group"]["usersCount"].clone(),
        info.body["group"]["msgs"].clone(),
        history.body["messages"].as_array().unwrap().len(),
    )
}

/// 64 inviters race over overlapping lists of 100 users, through three instances: each user is
/// added once, reported `added` once, counted once, and gets one `au` message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_add_each_user_once_under_overlapping_invites() {
    Store::Postgres
        .run(
            "three_instances_add_each_user_once_under_overlapping_invites",
            async {
                let servers = instances(3).await;
                let names: Vec<String> = (0..100).map(|i| format!("user{i:02}")).collect();
                servers[0].seed_users(&names, "password").await;
                let owner = servers[0].create_user("owner").await;
                let room_id = servers[0].create_group(&owner, "shared", &[]).await;
                let servers_ref: Vec<&TestServer> = servers.iter().collect();
                let added = race_overlapping_invites(&servers_ref, &owner, &room_id, &names).await;
                assert_eq!(added, 100, "each user is reported added exactly once");
                for server in &servers {
                    let (members, users_count, msgs, messages) =
                        group_state(server, &owner, &room_id).await;
                    assert_eq!(members.len(), 101);
                    assert_eq!(users_count, 101);
                    assert_eq!(msgs, 100);
                    assert_eq!(messages, 100);
                }
            },
        )
        .await;
}

/// A token logged out through one instance is refused by the others within a second, though
/// they had it cached.
#[tokio::test]
async fn a_logout_on_one_instance_is_refused_on_the_others_within_a_second() {
    Store::Postgres
        .run(
            "a_logout_on_one_instance_is_refused_on_the_others_within_a_second",
            async {
                let servers = instances(3).await;
                let bob = servers[0].create_user("bob").await;
                for server in &servers[1..] {
                    let me = get(server, "/api/v1/me", &bob).await;
                    assert_eq!(me.status, 200, "{:#}", me.body);
                }
                let logout = post(&servers[0], "/api/v1/logout", &bob, json!({})).await;
                assert_eq!(logout.status, 200, "{:#}", logout.body);
                let logged_out = Instant::now();
                for server in &servers[1..] {
                    loop {
                        let me = get(server, "/api/v1/me", &bob).await;
                        if me.status == 401 {
                            break;
                        }
                        assert_eq!(me.status, 200, "{:#}", me.body);
                        assert!(
                            logged_out.elapsed() < Duration::from_secs(1),
                            "{} still takes the token after a second",
                            server.url()
                        );
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            },
        )
        .await;
}

/// Instances started at the same moment on an empty database migrate it once and create one
/// first admin, and all of them serve.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_started_together_migrate_once() {
    Store::Postgres
        .run("instances_started_together_migrate_once", async {
            let config: Config = config();
            let (a, b, c, d) = tokio::join!(
                TestServer::start_with(config.clone()),
                TestServer::start_with(config.clone()),
                TestServer::start_with(config.clone()),
                TestServer::start_with(config.clone()),
            );
            let (db, connection) = tokio_postgres::connect(&config.database_url, NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            let versions: Vec<i32> = db
                .query(
                    "SELECT version FROM schema_migrations ORDER BY version",
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
            assert_eq!(versions, [1, 2], "each migration, once");
            let admins: i64 = db
                .query_one("SELECT count(*) FROM users WHERE username = 'admin'", &[])
                .await
                .unwrap()
                .get(0);
            assert_eq!(admins, 1);
            for server in [&a, &b, &c, &d] {
                let me = get(server, "/api/v1/me", server.admin()).await;
                assert_eq!(me.status, 200, "{:#}", me.body);
                assert_eq!(me.body["username"], "admin");
            }
        })
        .await;
}

/// Two instances (real processes) take one-user invites; one is killed with SIGKILL a quarter
/// of the way through. The other keeps answering every call, and every invite either of them
/// answered `added` is there, with counters that agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_mid_load_loses_nothing_and_the_others_keep_answering() {
    const USERS: usize = 1_000;
    const INVITERS: usize = 16;
    Store::Postgres
        .run(
            "an_instance_killed_mid_load_loses_nothing_and_the_others_keep_answering",
            async {
                let database = config().database_url;
                let setup = TestServer::start_with(config()).await;
                let names: Vec<String> = (0..USERS).map(|i| format!("invitee{i}")).collect();
                setup.seed_users(&names, "password").await;
                let owner = setup.create_user("owner").await;
                let room_id = setup.create_group(&owner, "durable", &[]).await;

                let (mut doomed, doomed_url) = start_binary(&database).await;
                let (_survivor, survivor_url) = start_binary(&database).await;
                let acknowledged = Arc::new(Mutex::new(HashSet::new()));
                let mut to_doomed = Vec::new();
                let mut to_survivor = Vec::new();
                for inviter in 0..INVITERS {
                    let names: Vec<String> = names
                        .iter()
                        .skip(inviter)
                        .step_by(INVITERS)
                        .cloned()
                        .collect();
                    let url = if inviter % 2 == 0 {
                        &doomed_url
                    } else {
                        &survivor_url
                    };
                    let task = tokio::spawn(invite_one_by_one(
                        url.clone(),
                        owner.clone(),
                        room_id.clone(),
                        names,
                        Arc::clone(&acknowledged),
                    ));
                    if inviter % 2 == 0 {
                        to_doomed.push(task);
                    } else {
                        to_survivor.push(task);
                    }
                }
                until_acknowledged(&acknowledged, USERS / 4).await;
                doomed.start_kill().unwrap();
                doomed.wait().await.unwrap();
                let mut doomed_finished = true;
                for task in to_doomed {
                    doomed_finished &= task.await.unwrap();
                }
                for task in to_survivor {
                    assert!(
                        task.await.unwrap(),
                        "the surviving instance stopped answering"
                    );
                }
                assert!(!doomed_finished, "the load ended before the kill");

                let acknowledged = acknowledged.lock().unwrap().clone();
                let (members, users_count, msgs, messages) =
                    group_state(&setup, &owner, &room_id).await;
                let lost: Vec<&String> = acknowledged.difference(&members).collect();
                assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
                assert_eq!(users_count, members.len());
                assert_eq!(msgs, members.len() - 1);
                assert_eq!(messages, members.len() - 1);
            },
        )
        .await;
}
