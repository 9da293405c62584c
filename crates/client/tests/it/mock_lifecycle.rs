//! The membership, group-list and user calls against a mock server: what they send, and how
//! their answers and errors read.

use rocketchat_client::{
    Client, DEFAULT_USER_AGENT, Error, RoomSelector, UserSelector,
    protocol::{ErrorBody, ErrorKind, PlainError, Success},
};
use rocketchat_protocol::{
    groups,
    query::{Sort, SortDirection},
    users::info::{self, UserLookup},
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path, query_param},
};

use crate::support::{TOKEN, USER_ID, client, fixture, hits, mock_server};

/// The group of the fixtures.
const ROOM_ID: &str = "ByehQjC44FwMeiLbX";
/// `john.doe`, the other user of the fixtures.
const JOHN: &str = "nSYqWzZ4GsKTX4dyK";
/// The member whose roles the fixtures take away.
const ROLE_HOLDER: &str = "oCHkav5Zf6vmpu2W2";

/// The `POST` routes that change a membership or delete the group, as their fixture folders
/// name them.
const MEMBER_CALLS: [&str; 6] = [
    "groups.kick",
    "groups.leave",
    "groups.removeModerator",
    "groups.addOwner",
    "groups.removeOwner",
    "groups.delete",
];

/// Sends the request of `route`'s `request.json` fixture through its typed method.
async fn member_call(client: &Client, route: &str) -> Result<Success, Error> {
    let room = || RoomSelector::id(ROOM_ID);
    match route {
        "groups.kick" => {
            let request = groups::kick::Request::new(room(), UserSelector::id(JOHN));
            client.groups_kick(&request).await
        }
        "groups.leave" => {
            client
                .groups_leave(&groups::leave::Request::new(room()))
                .await
        }
        "groups.removeModerator" => {
            let request =
                groups::remove_moderator::Request::new(room(), UserSelector::id(ROLE_HOLDER));
            client.groups_remove_moderator(&request).await
        }
        "groups.addOwner" => {
            let request = groups::add_owner::Request::new(room(), UserSelector::id(JOHN));
            client.groups_add_owner(&request).await
        }
        "groups.removeOwner" => {
            let request = groups::remove_owner::Request::new(room(), UserSelector::id(ROLE_HOLDER));
            client.groups_remove_owner(&request).await
        }
        "groups.delete" => {
            client
                .groups_delete(&groups::delete::Request::new(room()))
                .await
        }
        other => panic!("no member call {other}"),
    }
}

/// Mounts a mock for `POST /api/v1/<route>` that must be called once, with exactly this body
/// and the headers the client sends with every JSON call.
async fn expect_post(server: &MockServer, route: &str, body: Value, answer: ResponseTemplate) {
    let route_path = format!("/api/v1/{route}");
    Mock::given(method("POST"))
        .and(path(route_path.as_str()))
        .and(body_json(body))
        .and(header("Content-Type", "application/json"))
        .and(header("Accept", "application/json"))
        .and(header("User-Agent", DEFAULT_USER_AGENT))
        .and(header("X-Auth-Token", TOKEN))
        .and(header("X-User-Id", USER_ID))
        .respond_with(answer)
        .expect(1)
        .named(format!("POST {route_path}"))
        .mount(server)
        .await;
}

/// Mounts a mock for `GET <route_path>` that must be called once, with the auth headers.
async fn expect_get(server: &MockServer, route_path: &str, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route_path))
        .and(header("Accept", "application/json"))
        .and(header("User-Agent", DEFAULT_USER_AGENT))
        .and(header("X-Auth-Token", TOKEN))
        .and(header("X-User-Id", USER_ID))
        .respond_with(answer)
        .expect(1)
        .named(format!("GET {route_path}"))
        .mount(server)
        .await;
}

/// The query strings of the requests `server` received, in order.
async fn queries(server: &MockServer) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|request| request.url.query().map(str::to_owned))
        .collect()
}

/// Asserts that `error` is the 400 body `body` (a fixture), field by field.
#[track_caller]
fn assert_api_error(error: &Error, kind: &ErrorKind, body: &Value) {
    let Error::Api {
        status,
        kind: got,
        message,
        details,
    } = error
    else {
        panic!("expected {kind}, got {error:?}")
    };
    assert_eq!((*status, got), (400, kind));
    assert_eq!(message, body["error"].as_str().unwrap());
    assert_eq!(
        details.clone().map(Value::Object),
        body.get("details").cloned()
    );
    assert_eq!(error.error_type(), Some(kind));
}

fn ok(file: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture(file))
}

#[tokio::test]
async fn member_calls_send_the_documented_bodies_and_read_success() {
    let server = mock_server("every membership route").await;
    for route in MEMBER_CALLS {
        expect_post(
            &server,
            route,
            fixture(&format!("{route}/request.json")),
            ok(&format!("{route}/response-200.json")),
        )
        .await;
    }
    let client = client(&server);

    for route in MEMBER_CALLS {
        let answer = member_call(&client, route).await;
        assert_eq!(answer.unwrap(), Success::new(), "{route}");
    }
}

#[tokio::test]
async fn a_member_may_be_named_by_username_in_a_group_named_by_name() {
    let server = mock_server("POST /api/v1/groups.kick").await;
    expect_post(
        &server,
        "groups.kick",
        json!({"roomName": "private-abc", "username": "john.doe"}),
        ok("groups.kick/response-200.json"),
    )
    .await;
    let request = groups::kick::Request::new(
        RoomSelector::name("private-abc"),
        UserSelector::username("john.doe"),
    );

    let answer = client(&server).groups_kick(&request).await.unwrap();

    assert!(answer.success);
}

#[tokio::test]
async fn member_call_errors_are_api_errors_and_are_not_repeated() {
    let cases = [
        ("groups.kick", "not-allowed", ErrorKind::NotAllowed),
        ("groups.kick", "user-not-in-room", ErrorKind::UserNotInRoom),
        (
            "groups.kick",
            "you-are-last-owner",
            ErrorKind::YouAreLastOwner,
        ),
        (
            "groups.leave",
            "you-are-last-owner",
            ErrorKind::YouAreLastOwner,
        ),
        ("groups.leave", "user-not-in-room", ErrorKind::UserNotInRoom),
        (
            "groups.leave",
            "room-param-not-provided",
            ErrorKind::RoomParamNotProvided,
        ),
        (
            "groups.removeModerator",
            "user-not-moderator",
            ErrorKind::UserNotModerator,
        ),
        (
            "groups.removeModerator",
            "user-param-not-provided",
            ErrorKind::UserParamNotProvided,
        ),
        (
            "groups.addOwner",
            "user-already-owner",
            ErrorKind::UserAlreadyOwner,
        ),
        ("groups.addOwner", "room-not-found", ErrorKind::RoomNotFound),
        (
            "groups.removeOwner",
            "remove-last-owner",
            ErrorKind::RemoveLastOwner,
        ),
        (
            "groups.removeOwner",
            "user-not-owner",
            ErrorKind::UserNotOwner,
        ),
        ("groups.delete", "not-allowed", ErrorKind::NotAllowed),
    ];
    for (route, error, kind) in cases {
        let route_path = format!("/api/v1/{route}");
        let server = mock_server(&route_path).await;
        let body = fixture(&format!("{route}/error-400-{error}.json"));
        Mock::given(method("POST"))
            .and(path(route_path.as_str()))
            .respond_with(ResponseTemplate::new(400).set_body_json(&body))
            .mount(&server)
            .await;

        let error = member_call(&client(&server), route).await.unwrap_err();

        assert_api_error(&error, &kind, &body);
        assert_eq!(hits(&server, &route_path).await, 1, "{route} {kind}");
    }
}

#[tokio::test]
async fn a_membership_change_that_may_have_happened_is_not_repeated_but_a_list_read_is() {
    let server = mock_server("POST groups.kick and GET groups.list").await;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups.kick"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.list"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.list"))
        .respond_with(ok("groups.list/response-200.json"))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server);

    let error = member_call(&client, "groups.kick").await.unwrap_err();
    let list = client
        .groups_list(&groups::list::Request::new())
        .await
        .unwrap();

    assert_eq!(error.status(), Some(503));
    assert_eq!(hits(&server, "/api/v1/groups.kick").await, 1);
    assert_eq!(list.total, 1);
    assert_eq!(hits(&server, "/api/v1/groups.list").await, 2);
}

#[tokio::test]
async fn group_lists_send_offset_count_and_sort_and_read_the_page() {
    let server = mock_server("GET groups.list and groups.listAll").await;
    expect_get(
        &server,
        "/api/v1/groups.list",
        ok("groups.list/response-200.json"),
    )
    .await;
    expect_get(
        &server,
        "/api/v1/groups.listAll",
        ok("groups.listAll/response-200.json"),
    )
    .await;
    let client = client(&server);
    let sort = Sort::new()
        .then("usersCount", SortDirection::Descending)
        .then("name", SortDirection::Ascending);

    let mine = client
        .groups_list(
            &groups::list::Request::new()
                .offset(10)
                .count(5)
                .sort(sort.to_string()),
        )
        .await
        .unwrap();
    let all = client
        .groups_list_all(&groups::list_all::Request::new())
        .await
        .unwrap();

    assert_eq!(
        queries(&server).await,
        [
            Some("offset=10&count=5&sort=%7B%22usersCount%22%3A-1%2C%22name%22%3A1%7D".to_owned()),
            None
        ]
    );
    assert_eq!(
        serde_json::to_value(&mine).unwrap(),
        fixture("groups.list/response-200.json")
    );
    assert_eq!(
        (mine.groups[0].id.as_str(), mine.groups[0].users_count),
        (ROOM_ID, Some(2))
    );
    assert_eq!(
        serde_json::to_value(&all).unwrap(),
        fixture("groups.listAll/response-200.json")
    );
    assert_eq!(
        all.groups[0].custom_fields.as_ref().unwrap()["companyId"],
        "org1"
    );
    assert_eq!((all.offset, all.count, all.total), (0, 1, 1));
}

#[tokio::test]
async fn the_documented_list_answer_is_read_too() {
    let server = mock_server("GET /api/v1/groups.list").await;
    expect_get(
        &server,
        "/api/v1/groups.list",
        ok("groups.list/response-200-documented.json"),
    )
    .await;

    let list = client(&server)
        .groups_list(&groups::list::Request::new())
        .await
        .unwrap();

    let names: Vec<_> = list.groups.iter().map(|g| g.name.as_deref()).collect();
    assert_eq!(names, [Some("test-test"), Some("testing")]);
    assert_eq!((list.count, list.total), (1, 1));
}

#[tokio::test]
async fn groups_roles_names_the_group_and_reads_who_holds_which_role() {
    let server = mock_server("GET /api/v1/groups.roles").await;
    expect_get(
        &server,
        "/api/v1/groups.roles",
        ok("groups.roles/response-200.json"),
    )
    .await;

    let roles = client(&server)
        .groups_roles(&groups::roles::Request::new(RoomSelector::name("team")))
        .await
        .unwrap();

    assert_eq!(queries(&server).await, [Some("roomName=team".to_owned())]);
    let entry = &roles.roles[0];
    assert_eq!(
        (
            entry.u.username.as_str(),
            entry.roles.as_slice(),
            entry.holds("moderator")
        ),
        ("ronnie.dio", ["moderator".to_owned()].as_slice(), true)
    );
    assert!(!entry.holds("owner"));
}

#[tokio::test]
async fn list_errors_keep_their_shape() {
    let server = mock_server("GET groups.list and groups.listAll").await;
    let invalid_sort = fixture("groups.list/error-400-invalid-sort.json");
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.list"))
        .and(query_param("sort", r#"{"name":"asc"}"#))
        .respond_with(ResponseTemplate::new(400).set_body_json(&invalid_sort))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.listAll"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(fixture("groups.listAll/error-403.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let error = client
        .groups_list(&groups::list::Request::new().sort(r#"{"name":"asc"}"#))
        .await
        .unwrap_err();
    assert_api_error(&error, &ErrorKind::InvalidSort, &invalid_sort);

    let error = client
        .groups_list_all(&groups::list_all::Request::new())
        .await
        .unwrap_err();
    let Error::Http { status, body } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (*status, body),
        (403, &ErrorBody::Plain(PlainError::permission_required()))
    );
    assert_eq!(error.error_type(), None);
    assert!(!error.is_transient());
}

#[tokio::test]
async fn users_info_sends_one_lookup_and_reads_either_view() {
    let server = mock_server("GET /api/v1/users.info").await;
    for (query, file) in [
        (
            ("userId", "nSYqWzZ4GsKTX4dyK"),
            "users.info/response-200-other.json",
        ),
        (
            ("username", "testing1"),
            "users.info/response-200-self.json",
        ),
        (
            ("importId", "42"),
            "users.info/response-200-documented.json",
        ),
    ] {
        Mock::given(method("GET"))
            .and(path("/api/v1/users.info"))
            .and(query_param(query.0, query.1))
            .and(header("X-Auth-Token", TOKEN))
            .and(header("X-User-Id", USER_ID))
            .respond_with(ok(file))
            .expect(1)
            .named(format!("GET users.info?{}={}", query.0, query.1))
            .mount(&server)
            .await;
    }
    let client = client(&server);

    let other = client
        .users_info(&info::Request::new(UserLookup::UserId(JOHN.into())))
        .await
        .unwrap();
    let me = client
        .users_info(
            &info::Request::new(UserLookup::Username("testing1".into())).include_user_rooms(true),
        )
        .await
        .unwrap();
    let documented = client
        .users_info(&info::Request::new(UserLookup::ImportId("42".into())))
        .await
        .unwrap();

    assert_eq!(
        queries(&server).await,
        [
            Some("userId=nSYqWzZ4GsKTX4dyK".to_owned()),
            Some("username=testing1&includeUserRooms=true".to_owned()),
            Some("importId=42".to_owned()),
        ]
    );
    assert_eq!(
        serde_json::to_value(&other).unwrap(),
        fixture("users.info/response-200-other.json")
    );
    assert_eq!(
        (
            other.user.username.as_deref(),
            other.user.can_view_all_info,
            other.user.emails.is_none()
        ),
        (Some("john.doe"), Some(false), true)
    );
    assert_eq!(me.user.id, USER_ID);
    assert_eq!(me.user.can_view_all_info, Some(true));
    assert_eq!(
        me.user.emails.as_ref().unwrap()[0].address,
        "testing1@example.com"
    );
    assert_eq!(documented.user.username.as_deref(), Some("test.john"));
    assert_eq!(documented.user.other["rooms"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn users_info_errors_keep_their_shape() {
    for (file, lookup) in [
        (
            "error-400-user-not-found",
            UserLookup::Username("ghost".into()),
        ),
        (
            "error-400-invalid-search-query",
            UserLookup::UserId(String::new()),
        ),
    ] {
        let server = mock_server("GET /api/v1/users.info").await;
        let body = fixture(&format!("users.info/{file}.json"));
        Mock::given(method("GET"))
            .and(path("/api/v1/users.info"))
            .respond_with(ResponseTemplate::new(400).set_body_json(&body))
            .mount(&server)
            .await;

        let error = client(&server)
            .users_info(&info::Request::new(lookup))
            .await
            .unwrap_err();

        let Error::Http { status, body: got } = &error else {
            panic!("{file}: {error:?}")
        };
        let message = body["error"].as_str().unwrap();
        assert_eq!(
            (*status, got),
            (400, &ErrorBody::Plain(PlainError::new(message))),
            "{file}"
        );
        assert_eq!(error.to_string(), format!("400: {message}"));
        assert_eq!(hits(&server, "/api/v1/users.info").await, 1, "{file}");
    }

    let server = mock_server("GET /api/v1/users.info").await;
    let body = fixture("users.info/error-400-invalid-params.json");
    Mock::given(method("GET"))
        .and(path("/api/v1/users.info"))
        .respond_with(ResponseTemplate::new(400).set_body_json(&body))
        .mount(&server)
        .await;
    let error = client(&server)
        .users_info(&info::Request::new(UserLookup::UserId(JOHN.into())))
        .await
        .unwrap_err();
    assert_api_error(&error, &ErrorKind::InvalidParams, &body);
}
