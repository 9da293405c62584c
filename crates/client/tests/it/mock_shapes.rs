//! What the client sends, and the answer shapes it reads: old and modern servers.

use rocketchat_client::{Client, Credentials, DEFAULT_USER_AGENT, RoomSelector};
use rocketchat_protocol::{groups, login, users};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, body_string, header, header_exists, method, path, query_param},
};

use crate::support::{TOKEN, USER_ID, client, fixture, hits, mock_server};

const INVITE: &str = "/api/v1/groups.invite";

fn ok(file: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture(file))
}

/// Mounts a mock for one authenticated route that must be called exactly once.
async fn expect_once(
    server: &MockServer,
    http_method: &str,
    route: &str,
    answer: ResponseTemplate,
) {
    Mock::given(method(http_method))
        .and(path(route))
        .and(header("X-Auth-Token", TOKEN))
        .and(header("X-User-Id", USER_ID))
        .respond_with(answer)
        .expect(1)
        .named(format!("{http_method} {route}"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn old_200_shape_with_usernames_is_read() {
    let server = mock_server(INVITE).await;
    expect_once(
        &server,
        "POST",
        INVITE,
        ok("groups.invite/response-200-documented.json"),
    )
    .await;

    let response = client(&server)
        .invite_usernames(RoomSelector::name("testing"), ["testing1"])
        .await
        .unwrap();

    assert!(response.success);
    assert_eq!(
        response.group.usernames.as_deref(),
        Some(&["testing".to_owned(), "testing1".to_owned()][..])
    );
    assert_eq!(response.group.users_count, None);
    assert_eq!(response.invitees, None);
    assert_eq!(response.summary(), None);
}

#[tokio::test]
async fn per_user_outcomes_are_read() {
    let server = mock_server(INVITE).await;
    expect_once(
        &server,
        "POST",
        INVITE,
        ok("groups.invite/response-200-with-outcomes.json"),
    )
    .await;

    let response = client(&server)
        .invite_usernames(
            RoomSelector::name("private-abc"),
            ["John.Doe", "testing1", "no.such.user"],
        )
        .await
        .unwrap();

    let summary = response.summary().unwrap();
    assert_eq!(
        (summary.added, summary.already_members, summary.not_found),
        (1, 1, 1)
    );
    assert_eq!(response.group.users_count, Some(2));
}

#[tokio::test]
async fn invites_send_the_documented_bodies() {
    let cases = [
        (
            vec!["john.doe"],
            false,
            json!({"roomName": "private-abc", "username": "john.doe"}),
        ),
        (
            vec!["a", "b"],
            false,
            json!({"roomName": "private-abc", "usernames": ["a", "b"]}),
        ),
        (
            vec!["nSYqWzZ4GsKTX4dyK"],
            true,
            json!({"roomName": "private-abc", "userId": "nSYqWzZ4GsKTX4dyK"}),
        ),
        (
            vec!["x", "y"],
            true,
            json!({"roomName": "private-abc", "userIds": ["x", "y"]}),
        ),
    ];
    for (entries, ids, body) in cases {
        let server = mock_server(&format!("POST {INVITE} with {body}")).await;
        Mock::given(method("POST"))
            .and(path(INVITE))
            .and(body_json(&body))
            .and(header("Content-Type", "application/json"))
            .and(header("Accept", "application/json"))
            .and(header("User-Agent", DEFAULT_USER_AGENT))
            .and(header("X-Auth-Token", TOKEN))
            .and(header("X-User-Id", USER_ID))
            .respond_with(ok("groups.invite/response-200-modern.json"))
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server);
        let room = RoomSelector::name("private-abc");
        let result = if ids {
            client.invite_user_ids(room, entries).await
        } else {
            client.invite_usernames(room, entries).await
        };
        result.unwrap();
    }
}

#[tokio::test]
async fn every_method_reaches_its_route() {
    let server = mock_server("every endpoint").await;
    Mock::given(method("GET"))
        .and(path("/api/info"))
        .respond_with(ok("info/response-200-modern.json"))
        .expect(1)
        .mount(&server)
        .await;
    expect_once(&server, "GET", "/api/v1/me", ok("me/response-200.json")).await;
    expect_once(
        &server,
        "POST",
        "/api/v1/users.create",
        ok("users.create/response-200.json"),
    )
    .await;
    expect_once(
        &server,
        "POST",
        "/api/v1/groups.create",
        ok("groups.create/response-200.json"),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.info"))
        .and(query_param("roomId", "ByehQjC44FwMeiLbX"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ok("groups.info/response-200.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.members"))
        .and(query_param("roomName", "private abc&x"))
        .and(query_param("offset", "0"))
        .and(query_param("count", "50"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ok("groups.members/response-200.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.history"))
        .and(query_param("roomId", "ByehQjC44FwMeiLbX"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ok("groups.history/response-200.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups.addModerator"))
        .and(body_json(fixture("groups.addModerator/request.json")))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ok("groups.addModerator/response-200.json"))
        .expect(1)
        .mount(&server)
        .await;
    expect_once(
        &server,
        "POST",
        INVITE,
        ok("groups.invite/response-200-modern.json"),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/logout"))
        .and(body_string("{}"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ok("logout/response-200.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    assert_eq!(
        client.info().await.unwrap().version,
        fixture("info/response-200-modern.json")["version"]
    );
    assert_eq!(client.me().await.unwrap().user.id, "aobEdbYhXfu5hkeqG");
    let request =
        users::create::Request::new("example", "example@example.com", "Example User", "x");
    assert!(client.users_create(&request).await.unwrap().success);
    assert!(
        client
            .groups_create(&groups::create::Request::new("testing"))
            .await
            .unwrap()
            .success
    );
    let room = RoomSelector::id("ByehQjC44FwMeiLbX");
    assert!(
        client
            .groups_info(&groups::info::Request::new(room.clone()))
            .await
            .unwrap()
            .success
    );
    let mut members = groups::members::Request::new(RoomSelector::name("private abc&x"));
    members.offset = Some(0);
    members.count = Some(50);
    assert_eq!(client.groups_members(&members).await.unwrap().total, 2);
    let history = client
        .groups_history(&groups::history::Request::new("ByehQjC44FwMeiLbX"))
        .await
        .unwrap();
    assert_eq!(history.messages[0].message_type.as_deref(), Some("au"));
    let moderator: groups::add_moderator::Request =
        serde_json::from_value(fixture("groups.addModerator/request.json")).unwrap();
    assert!(
        client
            .groups_add_moderator(&moderator)
            .await
            .unwrap()
            .success
    );
    let invite =
        groups::invite::Request::new(room, groups::invite::Invitees::user_id("nSYqWzZ4GsKTX4dyK"))
            .unwrap();
    assert_eq!(
        client
            .groups_invite(&invite)
            .await
            .unwrap()
            .group
            .users_count,
        Some(2)
    );
    assert_eq!(
        client.logout().await.unwrap(),
        rocketchat_protocol::logout::Response::logged_out()
    );
    assert_eq!(client.user_id(), None, "logout forgets the token");
}

#[tokio::test]
async fn info_needs_no_credentials_and_sends_no_auth_headers() {
    let server = mock_server("GET /api/info").await;
    Mock::given(method("GET"))
        .and(path("/api/info"))
        .and(header_exists("X-Auth-Token"))
        .respond_with(ResponseTemplate::new(400))
        .expect(0)
        .named("GET /api/info with auth headers")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/info"))
        .respond_with(ok("info/response-200-old.json"))
        .expect(1)
        .mount(&server)
        .await;

    let info = client(&server).info().await.unwrap();

    assert_eq!(info.minimum_client_versions, None);
}

async fn mount_login(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/v1/login"))
        .and(body_json(
            json!({"username": "testing1", "password": "p4ss"}),
        ))
        .respond_with(ok("login/response-200-modern.json"))
        .expect(times)
        .named("POST /api/v1/login")
        .mount(server)
        .await;
}

#[tokio::test]
async fn password_is_exchanged_for_a_token_once() {
    let server = mock_server("POST /api/v1/login, then GET /api/v1/me with its token").await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/me"))
        .and(header("X-Auth-Token", TOKEN))
        .and(header("X-User-Id", USER_ID))
        .respond_with(ok("me/response-200.json"))
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::password("testing1", "p4ss"))
        .build()
        .unwrap();

    let (a, b) = tokio::join!(client.me(), client.me());
    a.unwrap();
    b.unwrap();
    client.me().await.unwrap();

    assert_eq!(client.user_id().as_deref(), Some(USER_ID));
}

#[tokio::test]
async fn revoked_token_is_replaced_by_logging_in_again() {
    let server = mock_server("POST /api/v1/login and POST /api/v1/groups.invite").await;
    mount_login(&server, 2).await;
    Mock::given(method("POST"))
        .and(path(INVITE))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(fixture("groups.invite/error-401-modern.json")),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(INVITE))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ok("groups.invite/response-200-modern.json"))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::password("testing1", "p4ss"))
        .build()
        .unwrap();

    client
        .invite_usernames(RoomSelector::name("private-abc"), ["john.doe"])
        .await
        .unwrap();

    assert_eq!(hits(&server, INVITE).await, 2);
}

#[tokio::test]
async fn explicit_login_switches_the_session() {
    let server = mock_server("POST /api/v1/login").await;
    mount_login(&server, 1).await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();

    let response = client
        .login(&login::Request::username("testing1", "p4ss"))
        .await
        .unwrap();

    assert_eq!(response.success, Some(true));
    assert_eq!(client.session().unwrap().auth_token.expose(), TOKEN);
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[tokio::test]
async fn empty_logout_answer_counts_as_success() {
    let server = mock_server("POST /api/v1/logout").await;
    expect_once(
        &server,
        "POST",
        "/api/v1/logout",
        ResponseTemplate::new(200),
    )
    .await;

    let response = client(&server).logout().await.unwrap();

    assert_eq!(response.data.message, "You've been logged out!");
}
