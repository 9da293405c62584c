use serde_json::json;

use crate::support::{get, post};
use rocketchat_server::testing::TestServer;

#[tokio::test]
async fn owner_invites_a_user_by_username() {
    let server = TestServer::start().await;
    let owner = server.create_user("owner").await;
    server.create_user("john.doe").await;
    let room = server.create_group(&owner, "private-abc", &[]).await;
    let answer = post(
        &server,
        "/api/v1/groups.invite",
        &owner,
        json!({ "roomId": room, "usernames": ["John.Doe", "owner", "nobody"] }),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["group"]["usersCount"], 2);
    assert_eq!(answer.body["group"]["msgs"], 1);
    let history = get(
        &server,
        &format!("/api/v1/groups.history?roomId={room}"),
        &owner,
    )
    .await;
    assert_eq!(history.status, 200, "{:#}", history.body);
    assert_eq!(history.body["messages"][0]["msg"], "john.doe");
}
