//! What the server acknowledged survives the process being killed: the real binary, under load,
//! stopped with SIGKILL, then started again on the same SQLite file.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rocketchat_server::Config;
use rocketchat_server::testing::{TestServer, TestUser};
use serde_json::{Value, json};

use crate::support::{get, invite_one_by_one, start_binary, until_acknowledged};

/// Users invited one by one during the load.
const USERS: usize = 2_000;
/// Concurrent inviters.
const INVITERS: usize = 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_invite_is_lost_when_the_server_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("killed.db").display());
    let mut config = Config::for_tests();
    config.database_url = database.clone();
    let setup = TestServer::start_with(config.clone()).await;
    let names: Vec<String> = (0..USERS).map(|i| format!("invitee{i}")).collect();
    setup.seed_users(&names, "password").await;
    let owner = setup.create_user("owner").await;
    let room_id = setup.create_group(&owner, "durable", &[]).await;
    setup.shutdown().await;

    let (mut child, url) = start_binary(&database).await;
    let owner = log_in(&url, "owner", "owner-password").await;
    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let mut inviters = Vec::new();
    for inviter in 0..INVITERS {
        let names: Vec<String> = names
            .iter()
            .skip(inviter)
            .step_by(INVITERS)
            .cloned()
            .collect();
        inviters.push(tokio::spawn(invite_one_by_one(
            url.clone(),
            owner.clone(),
            room_id.clone(),
            names,
            Arc::clone(&acknowledged),
        )));
    }
    // Kill it in the middle of the load; once the server is gone, calls fail, and what was
    // answered is what counts.
    until_acknowledged(&acknowledged, USERS / 4).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    for inviter in inviters {
        inviter.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() < USERS, "the load ended before the kill");

    let server = TestServer::start_with(config).await;
    let owner = server.log_in("owner").await;
    let members = get(
        &server,
        &format!("/api/v1/groups.members?roomId={room_id}&count=0"),
        &owner,
    )
    .await;
    assert_eq!(members.status, 200, "{:#}", members.body);
    let members: HashSet<String> = members.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member["username"].as_str().unwrap().to_owned())
        .collect();
    let lost: Vec<&String> = acknowledged.difference(&members).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    // The counters agree with what survived, acknowledged or not.
    let info = get(
        &server,
        &format!("/api/v1/groups.info?roomId={room_id}"),
        &owner,
    )
    .await;
    assert_eq!(info.body["group"]["usersCount"], members.len());
    assert_eq!(info.body["group"]["msgs"], members.len() - 1);
    let history = get(
        &server,
        &format!("/api/v1/groups.history?roomId={room_id}&count=0"),
        &owner,
    )
    .await;
    assert_eq!(
        history.body["messages"].as_array().unwrap().len(),
        members.len() - 1
    );
}

async fn log_in(url: &str, username: &str, password: &str) -> TestUser {
    let body: Value = reqwest::Client::new()
        .post(format!("{url}/api/v1/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    TestUser::new(
        body["data"]["userId"].as_str().unwrap(),
        body["data"]["authToken"].as_str().unwrap(),
        username,
    )
}
