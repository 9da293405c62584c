//! The membership calls, the group lists, users.info and the paging streams against our own
//! server over loopback.

use std::collections::BTreeSet;

use futures_util::{StreamExt, TryStreamExt};
use rocketchat_client::{
    Client, Error, RoomSelector, UserSelector,
    protocol::{ApiError, ErrorBody, ErrorKind, PlainError, Success},
};
use rocketchat_protocol::{
    groups,
    users::info::{self, UserLookup},
};
use rocketchat_server::testing::{TestServer, TestUser};

use crate::e2e::{assert_api_error, client_for};

/// The usernames of a group's members, read through the members stream; panics on a repeat.
async fn member_names(client: &Client, room_id: &str) -> BTreeSet<String> {
    let members: Vec<_> = client
        .groups_members_stream(RoomSelector::id(room_id))
        .try_collect()
        .await
        .unwrap();
    let names: BTreeSet<String> = members
        .iter()
        .map(|member| member.username.clone().unwrap())
        .collect();
    assert_eq!(names.len(), members.len(), "no member twice: {members:?}");
    names
}

fn names<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

/// Asserts that `result` failed with Rocket.Chat's 400 body `expected`, field by field.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>, expected: &ApiError) {
    assert_api_error(&result.unwrap_err(), expected);
}

fn in_room(error: ErrorKind, reason: &str, method: &str) -> ApiError {
    ApiError::new(error, reason).with_method(method)
}

/// The request naming `user` in the group, for each room-role route and kicks.
fn member(room_id: &str, user: &TestUser) -> (RoomSelector, UserSelector) {
    (
        RoomSelector::id(room_id),
        UserSelector::id(user.user_id.clone()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_member_of_a_group_of_251_is_streamed_once() {
    let server = TestServer::start().await;
    let owner = server.create_user("owner").await;
    let usernames: Vec<String> = (1..=250).map(|i| format!("member{i:03}")).collect();
    let ids = server.seed_users(&usernames, "member-password").await;
    let members: Vec<&str> = usernames.iter().map(String::as_str).collect();
    let room_id = server.create_group(&owner, "crowd", &members).await;
    let client = client_for(&server, &owner);

    let mut stream = client.groups_members_stream(RoomSelector::name("crowd"));
    let mut streamed = Vec::new();
    while let Some(member) = stream.try_next().await.unwrap() {
        streamed.push((member.id, member.username.unwrap()));
    }

    assert_eq!(stream.total(), Some(251));
    let mut expected: Vec<(String, String)> = ids.into_iter().zip(usernames).collect();
    expected.push((owner.user_id.clone(), "owner".to_owned()));
    expected.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(streamed, expected, "every member once, in username order");

    let kicked = groups::kick::Request::new(
        RoomSelector::id(&room_id),
        UserSelector::username("member123"),
    );
    assert_eq!(client.groups_kick(&kicked).await.unwrap(), Success::new());
    let after = member_names(&client, &room_id).await;
    assert_eq!(after.len(), 250);
    assert!(!after.contains("member123"));
    assert!(after.contains("member122") && after.contains("member124"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_groups_are_streamed_past_one_page_and_all_groups_with_listall() {
    let server = TestServer::start().await;
    let owner = server.create_user("owner").await;
    let alice = server.create_user("alice").await;
    let outsider = server.create_user("outsider").await;
    let names: Vec<String> = (1..=120).map(|i| format!("team-{i:03}")).collect();
    for name in &names {
        server.create_group(&owner, name, &["alice"]).await;
    }
    server.create_group(&owner, "without-alice", &[]).await;

    let mine: Vec<String> = client_for(&server, &alice)
        .groups_list_stream()
        .map_ok(|group| group.name.unwrap())
        .try_collect()
        .await
        .unwrap();
    let mut all = client_for(&server, server.admin())
        .groups_list_all_stream()
        .page_size(7);
    let mut every_group = Vec::new();
    while let Some(group) = all.next().await {
        every_group.push(group.unwrap().name.unwrap());
    }
    let nothing: Vec<_> = client_for(&server, &outsider)
        .groups_list_stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(mine, names, "sorted by name");
    let mut expected = names.clone();
    expected.push("without-alice".to_owned());
    assert_eq!(every_group, expected);
    assert_eq!(all.total(), Some(121));
    assert!(nothing.is_empty());

    let error = client_for(&server, &alice)
        .groups_list_all_stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&error, Error::Http { status: 403, body: ErrorBody::Plain(body) }
            if *body == PlainError::permission_required()),
        "{error:?}"
    );
}

/// A group's life through the client: the room roles, kicks, leaves, and its deletion; each
/// change is checked by what it allows next and by the members stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_from_roles_to_kicks_leaves_and_deletion() {
    let server = TestServer::start().await;
    let owner = server.create_user("owner").await;
    let alice = server.create_user("alice").await;
    let bob = server.create_user("bob").await;
    let carol = server.create_user("carol").await;
    let dave = server.create_user("dave").await;
    let room_id = server
        .create_group(&owner, "life", &["alice", "bob", "carol", "dave"])
        .await;
    let room = || RoomSelector::id(&room_id);
    let [as_owner, as_alice, as_bob, as_carol] =
        [&owner, &alice, &bob, &carol].map(|user| client_for(&server, user));
    let kick = |user: &TestUser| {
        let (room, user) = member(&room_id, user);
        groups::kick::Request::new(room, user)
    };
    let not_allowed_to_kick = ApiError::not_allowed("removeUserFromRoom");

    // A plain member may not kick; a moderator may.
    assert_refused(
        as_alice.groups_kick(&kick(&dave)).await,
        &not_allowed_to_kick,
    );
    let alice_by_name = groups::add_moderator::Request::with_user(
        RoomSelector::name("life"),
        UserSelector::username("alice"),
    );
    as_owner.groups_add_moderator(&alice_by_name).await.unwrap();
    assert_eq!(
        as_alice.groups_kick(&kick(&dave)).await.unwrap(),
        Success::new()
    );
    assert_eq!(
        member_names(&as_owner, &room_id).await,
        names(["alice", "bob", "carol", "owner"])
    );
    assert_refused(
        as_alice.groups_kick(&kick(&dave)).await,
        &in_room(
            ErrorKind::UserNotInRoom,
            "User is not in this room",
            "removeUserFromRoom",
        ),
    );

    // Without the role, alice may not kick any more.
    let (_, alice_id) = member(&room_id, &alice);
    let unmoderate = groups::remove_moderator::Request::new(room(), alice_id);
    as_owner.groups_remove_moderator(&unmoderate).await.unwrap();
    assert_refused(
        as_owner.groups_remove_moderator(&unmoderate).await,
        &in_room(
            ErrorKind::UserNotModerator,
            "User is not a moderator",
            "removeRoomModerator",
        ),
    );
    assert_refused(
        as_alice.groups_kick(&kick(&carol)).await,
        &not_allowed_to_kick,
    );

    // Owners: the last one may neither leave nor give up the role.
    let (_, bob_id) = member(&room_id, &bob);
    let (_, owner_id) = member(&room_id, &owner);
    let bob_owns = groups::add_owner::Request::new(room(), bob_id.clone());
    as_owner.groups_add_owner(&bob_owns).await.unwrap();
    assert_refused(
        as_owner.groups_add_owner(&bob_owns).await,
        &in_room(
            ErrorKind::UserAlreadyOwner,
            "User is already an owner",
            "addRoomOwner",
        ),
    );
    let bob_gives_up = groups::remove_owner::Request::new(room(), bob_id.clone());
    as_owner.groups_remove_owner(&bob_gives_up).await.unwrap();
    assert_refused(
        as_owner.groups_remove_owner(&bob_gives_up).await,
        &in_room(
            ErrorKind::UserNotOwner,
            "User is not an owner",
            "removeRoomOwner",
        ),
    );
    assert_refused(
        as_owner
            .groups_remove_owner(&groups::remove_owner::Request::new(room(), owner_id))
            .await,
        &in_room(
            ErrorKind::RemoveLastOwner,
            "This is the last owner. Please set a new owner before removing this one.",
            "removeRoomOwner",
        ),
    );
    let leave = groups::leave::Request::new(room());
    assert_refused(
        as_owner.groups_leave(&leave).await,
        &in_room(
            ErrorKind::YouAreLastOwner,
            "You are the last owner. Please set new owner before leaving the room.",
            "leaveRoom",
        ),
    );

    // Leaving: the group is gone for whoever left, and leaving again finds no group.
    assert_eq!(as_carol.groups_leave(&leave).await.unwrap(), Success::new());
    assert_refused(
        as_carol
            .groups_info(&groups::info::Request::new(room()))
            .await,
        &ApiError::room_not_found(),
    );
    assert_refused(
        as_carol.groups_leave(&leave).await,
        &ApiError::room_not_found(),
    );
    as_owner.groups_add_owner(&bob_owns).await.unwrap();
    as_owner.groups_leave(&leave).await.unwrap();
    assert_eq!(
        member_names(&as_bob, &room_id).await,
        names(["alice", "bob"])
    );

    // Deleting: gone for everyone, from the lists too.
    let delete = groups::delete::Request::new(room());
    assert_eq!(as_bob.groups_delete(&delete).await.unwrap(), Success::new());
    for client in [&as_bob, &as_alice] {
        assert_refused(
            client
                .groups_info(&groups::info::Request::new(room()))
                .await,
            &ApiError::room_not_found(),
        );
    }
    assert_refused(
        as_bob.groups_delete(&delete).await,
        &ApiError::room_not_found(),
    );
    let mut members = as_alice.groups_members_stream(room());
    assert_refused(
        members.next().await.expect("the error"),
        &ApiError::room_not_found(),
    );
    assert!(members.next().await.is_none());
    let groups: Vec<_> = as_alice.groups_list_stream().try_collect().await.unwrap();
    assert!(groups.is_empty(), "{groups:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_info_shows_oneself_in_full_and_others_in_part() {
    let server = TestServer::start().await;
    let alice = server.create_user("alice").await;
    let bob = server.create_user("bob").await;
    let as_bob = client_for(&server, &bob);

    let other = as_bob
        .users_info(&info::Request::new(UserLookup::Username("alice".into())))
        .await
        .unwrap()
        .user;
    let me = as_bob
        .users_info(&info::Request::new(UserLookup::UserId(bob.user_id.clone())))
        .await
        .unwrap()
        .user;
    let as_admin = client_for(&server, server.admin())
        .users_info(&info::Request::new(UserLookup::UserId(
            alice.user_id.clone(),
        )))
        .await
        .unwrap()
        .user;

    assert_eq!(
        (
            other.id.as_str(),
            other.username.as_deref(),
            other.can_view_all_info,
            other.emails.is_none(),
            other.roles.is_none()
        ),
        (
            alice.user_id.as_str(),
            Some("alice"),
            Some(false),
            true,
            true
        )
    );
    assert_eq!(
        (me.id.as_str(), me.username.as_deref(), me.can_view_all_info),
        (bob.user_id.as_str(), Some("bob"), Some(true))
    );
    assert_eq!(me.emails.unwrap()[0].address, "bob@example.com");
    assert_eq!(me.roles.as_deref(), Some(&["user".to_owned()][..]));
    assert_eq!(as_admin.can_view_all_info, Some(true));
    assert_eq!(as_admin.emails.unwrap()[0].address, "alice@example.com");

    // Usernames match exactly; an unknown one is a 400 without errorType.
    for lookup in [
        UserLookup::Username("ghost".into()),
        UserLookup::Username("Alice".into()),
        UserLookup::ImportId("42".into()),
    ] {
        let error = as_bob
            .users_info(&info::Request::new(lookup.clone()))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Http { status: 400, body: ErrorBody::Plain(body) }
                if *body == PlainError::user_not_found()),
            "{lookup:?}: {error:?}"
        );
    }
}
