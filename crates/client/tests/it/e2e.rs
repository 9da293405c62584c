//! The client against our own server over loopback: every method, every error kind.

use std::time::{Duration, Instant};

use rocketchat_client::{
    Client, Credentials, Error, RetryPolicy, RoomSelector,
    bulk::BatchOutcome,
    protocol::{ApiError, ErrorBody, ErrorKind, PlainError, UnauthorizedError},
};
use rocketchat_protocol::{
    Endpoint, Metadata, Method,
    groups::{self, invite::Outcome},
    login, users,
};
use rocketchat_server::{Config, testing::TestServer};
use serde::{Deserialize, Serialize};

/// A client acting as `credentials` on `server`, without retries unless a test adds them.
pub(crate) fn client_for(
    server: &TestServer,
    credentials: &rocketchat_server::testing::TestUser,
) -> Client {
    Client::builder()
        .base_url(server.url())
        .credentials(Credentials::token(
            &credentials.user_id,
            credentials.auth_token.as_str(),
        ))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

/// Asserts that `error` is Rocket.Chat's 400 body `expected`, field by field.
#[track_caller]
pub(crate) fn assert_api_error(error: &Error, expected: &ApiError) {
    let Error::Api {
        status,
        kind,
        message,
        details,
    } = error
    else {
        panic!("expected {expected:?}, got {error:?}")
    };
    assert_eq!(*status, 400);
    assert_eq!(kind, &expected.error_type);
    assert_eq!(message, &expected.error);
    assert_eq!(details, &expected.details);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_works_against_our_server() {
    let server = TestServer::start().await;
    let admin = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::password("admin", "admin-password"))
        .build()
        .unwrap();

    let info = admin.info().await.unwrap();
    assert!(info.success);
    assert!(!info.version.is_empty());

    let me = admin.me().await.unwrap();
    assert_eq!(me.user.username.as_deref(), Some("admin"));
    assert_eq!(
        admin.user_id().as_deref(),
        Some(server.admin().user_id.as_str())
    );

    let mut ids = Vec::new();
    for name in ["alice", "bob", "carol"] {
        let request = users::create::Request::new(
            name,
            format!("{name}@example.com"),
            name,
            format!("{name}-pw"),
        );
        let created = admin.users_create(&request).await.unwrap();
        assert_eq!(created.user.username.as_deref(), Some(name));
        ids.push(created.user.id);
    }

    let group = admin
        .groups_create(&groups::create::Request::new("team").members(["alice"]))
        .await
        .unwrap()
        .group;
    assert_eq!(
        (
            group.room_type.as_str(),
            group.name.as_deref(),
            group.users_count
        ),
        ("p", Some("team"), Some(2))
    );
    let room = RoomSelector::id(group.id.clone());

    let info = admin
        .groups_info(&groups::info::Request::new(RoomSelector::name("team")))
        .await
        .unwrap();
    assert_eq!(info.group.id, group.id);

    let invited = admin
        .invite_usernames(RoomSelector::name("team"), ["Bob", "alice", "ghost"])
        .await
        .unwrap();
    let outcomes: Vec<(&str, Outcome)> = invited
        .invitees
        .as_deref()
        .unwrap()
        .iter()
        .map(|i| (i.requested.as_str(), i.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("Bob", Outcome::Added),
            ("alice", Outcome::AlreadyMember),
            ("ghost", Outcome::NotFound)
        ]
    );
    assert_eq!(invited.group.users_count, Some(3));

    let by_id = admin
        .invite_user_ids(room.clone(), [ids[2].as_str()])
        .await
        .unwrap();
    let summary = by_id.summary().expect("our server reports outcomes");
    assert_eq!(
        (summary.added, summary.already_members, summary.not_found),
        (1, 0, 0)
    );
    assert_eq!(by_id.group.users_count, Some(4));

    let mut page = groups::members::Request::new(room.clone());
    page.count = Some(2);
    let members = admin.groups_members(&page).await.unwrap();
    assert_eq!(
        (members.count, members.total, members.members.len()),
        (2, 4, 2)
    );

    let history = admin
        .groups_history(&groups::history::Request::new(group.id.clone()))
        .await
        .unwrap();
    let added: Vec<&str> = history
        .messages
        .iter()
        .filter(|m| m.message_type.as_deref() == Some("au"))
        .map(|m| m.msg.as_str())
        .collect();
    assert_eq!(added, ["carol", "bob"], "newest first");

    let moderator = admin
        .groups_add_moderator(&groups::add_moderator::Request::new(
            group.id.clone(),
            ids[0].clone(),
        ))
        .await
        .unwrap();
    assert!(moderator.success);

    // An explicit login hands out a second token; logging out revokes only that one.
    let second = Client::builder().base_url(server.url()).build().unwrap();
    let login = second
        .login(&login::Request::username("alice", "alice-pw"))
        .await
        .unwrap();
    assert_eq!(login.data.user_id, ids[0]);
    assert_eq!(
        second.me().await.unwrap().user.username.as_deref(),
        Some("alice")
    );
    let session = second.session().unwrap();

    // A resume login with that token answers with the same token, on a client that had none.
    let third = Client::builder().base_url(server.url()).build().unwrap();
    let resumed = third
        .login(&login::Request::resume(session.auth_token.expose()))
        .await
        .unwrap();
    assert_eq!(resumed.data.auth_token, session.auth_token.expose());
    assert_eq!(resumed.data.user_id, ids[0]);
    assert_eq!(
        third.session().unwrap().auth_token.expose(),
        session.auth_token.expose()
    );

    assert_eq!(
        second.logout().await.unwrap(),
        rocketchat_protocol::logout::Response::logged_out()
    );
    let revoked = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::token(
            session.user_id.clone(),
            session.auth_token.clone(),
        ))
        .build()
        .unwrap();
    assert!(matches!(
        revoked.me().await.unwrap_err(),
        Error::Unauthorized { .. }
    ));
    let error = third
        .login(&login::Request::resume(session.auth_token.expose()))
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::Unauthorized { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "401 unauthorized: You've been logged out by the server. Please log in again."
    );
    admin.me().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_carry_their_error_type_message_and_details() {
    let mut config = Config::for_tests();
    config.max_invite_users = 3;
    let server = TestServer::start_with(config).await;
    let owner = server.create_user("owner").await;
    let member = server.create_user("member").await;
    let outsider = server.create_user("outsider").await;
    let room_id = server.create_group(&owner, "team", &["member"]).await;
    let owner = client_for(&server, &owner);
    let room = || RoomSelector::id(room_id.clone());

    let error = owner
        .invite_usernames(RoomSelector::name("no-such-group"), ["member"])
        .await
        .unwrap_err();
    assert_api_error(&error, &ApiError::room_not_found());

    let error = owner
        .invite_usernames(room(), ["ghost1", "ghost2"])
        .await
        .unwrap_err();
    assert_api_error(&error, &ApiError::empty_invite_list());

    let error = owner
        .invite_usernames(room(), ["a", "b", "c", "d"])
        .await
        .unwrap_err();
    assert_api_error(&error, &ApiError::too_many_invitees(3));

    let error = client_for(&server, &member)
        .invite_usernames(room(), ["outsider"])
        .await
        .unwrap_err();
    assert_api_error(&error, &ApiError::not_allowed("addUsersToRoom"));

    // A non-member learns nothing about the group's existence.
    let error = client_for(&server, &outsider)
        .invite_usernames(room(), ["outsider"])
        .await
        .unwrap_err();
    assert_api_error(&error, &ApiError::room_not_found());

    let error = owner
        .groups_create(&groups::create::Request::new("team"))
        .await
        .unwrap_err();
    assert_api_error(
        &error,
        &ApiError::new(
            ErrorKind::DuplicateChannelName,
            "A channel with name 'team' exists",
        ),
    );

    let admin = client_for(&server, server.admin());
    let error = admin
        .users_create(&users::create::Request::new(
            "member",
            "x@example.com",
            "x",
            "pw",
        ))
        .await
        .unwrap_err();
    assert_eq!(error.error_type(), Some(&ErrorKind::FieldUnavailable));

    // Nobody has add-user-to-any-p-room by default, not even admins, so to a non-member admin
    // the group does not exist either (Rocket.Chat would say error-not-allowed).
    let error = admin
        .invite_usernames(room(), ["outsider"])
        .await
        .unwrap_err();
    assert_api_error(&error, &ApiError::room_not_found());

    // Inviting a member again changes nothing and tells us their id.
    let again = owner.invite_usernames(room(), ["member"]).await.unwrap();
    let outcome = &again.invitees.unwrap()[0];
    assert_eq!(outcome.outcome, Outcome::AlreadyMember);
    let member_id = outcome.user.clone().unwrap().id;
    let add = groups::add_moderator::Request::new(room_id.clone(), member_id);
    owner.groups_add_moderator(&add).await.unwrap();
    let error = owner.groups_add_moderator(&add).await.unwrap_err();
    assert_api_error(
        &error,
        &ApiError::new(
            ErrorKind::UserAlreadyModerator,
            "User is already a moderator",
        )
        .with_method("addRoomModerator"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_answers() {
    let server = TestServer::start().await;

    let no_credentials = Client::builder().base_url(server.url()).build().unwrap();
    let error = no_credentials.me().await.unwrap_err();
    assert!(
        matches!(&error, Error::Unauthorized { message } if message == UnauthorizedError::LOGGED_OUT),
        "{error:?}"
    );

    let wrong_token = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::token(&server.admin().user_id, "not-the-token"))
        .build()
        .unwrap();
    let error = wrong_token
        .invite_usernames(RoomSelector::name("x"), ["y"])
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "401 unauthorized: You must be logged in to do this."
    );

    let wrong_password = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::password("admin", "wrong"))
        .build()
        .unwrap();
    let error = wrong_password.me().await.unwrap_err();
    assert!(matches!(&error, Error::Unauthorized { .. }), "{error:?}");
    assert_eq!(error.status(), Some(401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_is_waited_out_or_reported() {
    let mut config = Config::for_tests();
    config.rate_limiter = true;
    config.rate_limit_calls = 1;
    // Two seconds leave room for a slow machine between the first two calls.
    config.rate_limit_time_ms = 2_000;
    let server = TestServer::start_with(config).await;
    let user = server.create_user("user").await;
    let client = |policy: RetryPolicy| {
        Client::builder()
            .base_url(server.url())
            .credentials(Credentials::token(&user.user_id, user.auth_token.as_str()))
            .retry_policy(policy)
            .build()
            .unwrap()
    };

    client(RetryPolicy::never()).me().await.unwrap();
    let error = client(RetryPolicy::never()).me().await.unwrap_err();
    let Error::RateLimited {
        retry_after,
        message,
    } = &error
    else {
        panic!("{error:?}")
    };
    let wait = retry_after.expect("the server says when to try again");
    assert!(wait <= Duration::from_secs(2), "{wait:?}");
    assert!(message.ends_with("[error-too-many-requests]"), "{message}");

    // With retries, the client sits out the window (read from X-RateLimit-Reset) and succeeds.
    let started = Instant::now();
    client(RetryPolicy::default()).me().await.unwrap();
    client(RetryPolicy::default()).me().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

/// An endpoint our server does not have, to see its 404.
#[derive(Serialize)]
struct Missing {}

impl Endpoint for Missing {
    type Response = serde_json::Value;
    const METADATA: Metadata = Metadata::new("missing", Method::Get, "/api/v1/no.such.route")
        .description("A route that does not exist.")
        .rate_limited(false);
}

/// `GET /api/info` read as a shape it does not have, to see a decode error.
#[derive(Serialize)]
struct InfoAsSomethingElse {}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Unexpected {
    required_field: String,
}

impl Endpoint for InfoAsSomethingElse {
    type Response = Unexpected;
    const METADATA: Metadata = rocketchat_protocol::info::METADATA;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_statuses_decode_errors_and_transport_errors() {
    let server = TestServer::start().await;
    let client = client_for(&server, server.admin());

    let error = client.send(&Missing {}).await.unwrap_err();
    let Error::Http { status, body } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (*status, body),
        (404, &ErrorBody::Plain(PlainError::not_found()))
    );

    let error = client.send(&InfoAsSomethingElse {}).await.unwrap_err();
    let Error::Decode { status, body, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 200);
    let sent: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(sent["success"], true);

    let error = client
        .invite_usernames(RoomSelector::name("team"), Vec::<String>::new())
        .await
        .unwrap_err();
    assert_eq!(error.error_type(), Some(&ErrorKind::UsersParamsNotProvided));
    assert!(matches!(error, Error::InvalidRequest(_)));

    server.shutdown().await;
    let error = client.info().await.unwrap_err();
    assert!(
        matches!(error, Error::Transport(_)) && error.is_connect(),
        "{error:?}"
    );
}

/// A bulk invite against our server: batches of two, one of only unknown users (Rocket.Chat's
/// `error-empty-invite-list`), members already, and a last batch of one sent as `username`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_invite_adds_up_what_our_server_reports() {
    let server = TestServer::start().await;
    let owner = server.create_user("owner").await;
    for name in ["alice", "bob", "carol"] {
        server.create_user(name).await;
    }
    let room_id = server.create_group(&owner, "team", &["bob"]).await;
    let client = client_for(&server, &owner);

    let mut bulk = client
        .bulk_invite(
            RoomSelector::name("team"),
            rocketchat_client::Invitees::usernames(["ALICE", "bob", "ghost1", "ghost2", "carol"]),
        )
        .batch_size(2);
    let mut outcomes = Vec::new();
    while let Some(batch) = bulk.next_batch().await {
        outcomes.push(match batch.outcome {
            BatchOutcome::Accepted(response) => response
                .invitees
                .unwrap()
                .iter()
                .map(|invitee| format!("{} {}", invitee.requested, invitee.outcome))
                .collect::<Vec<_>>()
                .join(", "),
            BatchOutcome::NoneFound => "none found".to_owned(),
            BatchOutcome::Failed(error) => panic!("batch {} failed: {error}", batch.number),
        });
    }
    let report = bulk.finish();

    assert_eq!(
        outcomes,
        [
            "ALICE added, bob alreadyMember",
            "none found",
            "carol added"
        ]
    );
    assert_eq!(
        (
            report.outcomes.added,
            report.outcomes.already_members,
            report.outcomes.not_found,
            report.outcomes.other,
            report.unreported,
            report.not_done
        ),
        (2, 1, 2, 0, 0, 0)
    );
    assert_eq!(report.not_found_entries, ["ghost1", "ghost2"]);
    assert_eq!(
        (
            report.batches,
            report.succeeded,
            report.failed,
            report.skipped,
            report.stopped
        ),
        (3, 3, 0, 0, None)
    );
    let group = client
        .groups_info(&groups::info::Request::new(RoomSelector::id(room_id)))
        .await
        .unwrap()
        .group;
    assert_eq!(group.users_count, Some(4));
}
