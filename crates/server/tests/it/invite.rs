//! `groups.invite`: every rule of `docs/rocketchat-compatibility.md#groupsinvite`, and every
//! deliberate difference there that concerns the invite.

use std::collections::HashSet;

use insta::assert_json_snapshot;
use reqwest::Method;
use rocketchat_server::Config;
use rocketchat_server::testing::TestServer;
use serde_json::{Value, json};

use crate::store_tests;
use crate::support::config;
use crate::support::{
    World, assert_answer_snapshot, call, fixture, get, post, race_overlapping_invites, raw,
};

fn room_not_found() -> Value {
    fixture("groups.invite/error-400-room-not-found.json")
}

store_tests! {
    #[tokio::test]
    async fn owner_invites_by_id_and_the_group_counts_the_new_member() {
        let world = World::new().await;
        let before = world.info().await;
        let john = world.server.create_user("john.new").await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "userId": john.user_id }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.headers["content-type"], "application/json");
        let group = &answer.body["group"];
        assert_eq!(group["_id"], world.room_id.as_str());
        assert_eq!(group["t"], "p");
        assert_eq!(group["msgs"], before["msgs"].as_u64().unwrap() + 1);
        assert_eq!(
            group["usersCount"],
            before["usersCount"].as_u64().unwrap() + 1
        );
        assert_ne!(group["_updatedAt"], before["_updatedAt"]);
        // Modern shape (docs/rocketchat-compatibility.md#modern-shapes): no usernames list,
        // usersCount and friends.
        assert!(group.get("usernames").is_none());
        for key in ["fname", "ro", "customFields", "u", "ts"] {
            assert!(group.get(key).is_some(), "{key} missing");
        }
        assert_answer_snapshot!("invite_by_id", answer.body);
    }

    #[tokio::test]
    async fn the_200_body_says_what_happened_to_each_requested_user() {
        let world = World::new().await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomName": "private-abc", "usernames": ["John.Doe", "testing1", "no.such.user"] }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        // The fixture's ids are the documented world's; ours are made up, so compare the rest.
        let without_ids = |body: &Value| -> Vec<(Value, Value, Value)> {
            body["invitees"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| {
                    (
                        o["requested"].clone(),
                        o["outcome"].clone(),
                        o["user"]["username"].clone(),
                    )
                })
                .collect()
        };
        let expected = fixture("groups.invite/response-200-with-outcomes.json");
        assert_eq!(without_ids(&answer.body), without_ids(&expected));
        assert_answer_snapshot!("invite_outcomes", answer.body);
    }

    #[tokio::test]
    async fn each_new_member_gets_one_au_message_from_the_inviter() {
        let world = World::new().await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": ["john.doe", "jane.doe"] }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        let history = world.history().await;
        assert_eq!(history.len(), 2);
        // Newest first: jane.doe was added after john.doe.
        assert_eq!(history[0]["msg"], "jane.doe");
        assert_eq!(history[1]["msg"], "john.doe");
        for message in &history {
            assert_eq!(message["t"], "au");
            assert_eq!(message["rid"], world.room_id.as_str());
            assert_eq!(
                message["u"],
                json!({ "_id": world.owner.user_id, "username": "testing1" })
            );
            assert_eq!(message["groupable"], false);
        }
        // System messages do not touch lm.
        assert!(answer.body["group"].get("lm").is_none());
        assert_answer_snapshot!("history_after_invite", json!({ "messages": history }));
    }

    #[tokio::test]
    async fn members_already_in_the_group_are_skipped_silently() {
        let world = World::new().await;
        let before = world.info().await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": ["member", "testing1"] }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        let group = &answer.body["group"];
        assert_eq!(group["msgs"], before["msgs"]);
        assert_eq!(group["usersCount"], before["usersCount"]);
        assert_eq!(group["_updatedAt"], before["_updatedAt"]);
        assert!(world.history().await.is_empty());
        let outcomes: Vec<_> = answer.body["invitees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["outcome"].clone())
            .collect();
        assert_eq!(outcomes, [json!("alreadyMember"), json!("alreadyMember")]);
    }

    #[tokio::test]
    async fn usernames_match_ignoring_case_and_unknown_ones_are_dropped() {
        let world = World::new().await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": ["JOHN.DOE", "ghost", "john.doe"] }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["group"]["usersCount"], 3);
        assert_eq!(answer.body["group"]["msgs"], 1);
        assert_eq!(
            world.member_names().await,
            ["john.doe", "member", "testing1"]
        );
    }

    #[tokio::test]
    async fn id_mode_treats_every_entry_as_an_id() {
        let world = World::new().await;
        let jane = world.server.create_user("jane.x").await;
        // username "john.doe" beside userIds is looked up as an _id and matches nothing.
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "userIds": [jane.user_id], "username": "john.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["invitees"][1]["outcome"], "notFound");
        assert_eq!(answer.body["group"]["usersCount"], 3);
        // {userIds: [], username} selects id mode: nothing matches.
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "userIds": [], "username": "jane.doe" }),
            )
            .await;
        answer.assert_fixture(400, "groups.invite/error-400-empty-invite-list.json");
    }

    #[tokio::test]
    async fn null_counts_as_absent_as_the_python_client_sends_it() {
        let world = World::new().await;
        let john = world.server.create_user("john.py").await;
        let jane = world.server.create_user("jane.py").await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "userId": null, "userIds": [john.user_id, jane.user_id] }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["group"]["usersCount"], 4);
    }

    /// A key given twice keeps its last value, as `JSON.parse` does for Rocket.Chat.
    #[tokio::test]
    async fn a_repeated_key_keeps_its_last_value() {
        let world = World::new().await;
        let answer = raw(
            &world.server,
            "/api/v1/groups.invite",
            Some(&world.owner),
            r#"{"roomName": "nope", "roomName": "private-abc", "username": "ghost", "username": "john.doe"}"#,
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["invitees"].as_array().unwrap().len(), 1);
        assert_eq!(answer.body["invitees"][0]["requested"], "john.doe");
        assert_eq!(answer.body["invitees"][0]["outcome"], "added");
    }

    #[tokio::test]
    async fn the_room_string_is_tried_as_an_id_and_as_a_name_exactly() {
        let world = World::new().await;
        // roomId holding the name works, and roomName holding the id works.
        for body in [
            json!({ "roomId": "private-abc", "username": "john.doe" }),
            json!({ "roomName": world.room_id, "username": "jane.doe" }),
            json!({ "roomId": "", "roomName": "private-abc", "username": "member" }),
            json!({ "roomId": world.room_id, "roomName": "does-not-exist", "username": "member" }),
        ] {
            let answer = world.invite(&world.owner, body.clone()).await;
            assert_eq!(answer.status, 200, "{body}: {:#}", answer.body);
        }
        // Case-sensitive, no '#' stripping.
        for name in ["Private-ABC", "#private-abc", " private-abc"] {
            let answer = world
                .invite(
                    &world.owner,
                    json!({ "roomName": name, "username": "john.doe" }),
                )
                .await;
            assert_eq!(answer.status, 400, "{name}");
            assert_eq!(answer.body, room_not_found(), "{name}");
        }
    }

    #[tokio::test]
    async fn channels_and_unknown_rooms_are_not_found() {
        let world = World::new().await;
        for body in [
            json!({ "roomName": "general", "username": "john.doe" }),
            json!({ "roomId": "GENERAL", "username": "john.doe" }),
            json!({ "roomId": "nope", "username": "john.doe" }),
        ] {
            let answer = world
                .invite(&world.server.admin().clone(), body.clone())
                .await;
            assert_eq!(answer.status, 400, "{body}");
            assert_eq!(answer.body, room_not_found(), "{body}");
        }
    }

    #[tokio::test]
    async fn every_invalid_fixture_gets_its_documented_error() {
        let world = World::new().await;
        let dir = format!(
            "{}/../../fixtures/groups.invite/invalid",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert!(names.len() >= 12, "{names:?}");
        for name in names {
            let case = fixture(&format!("groups.invite/invalid/{name}"));
            let mut body = case["body"].clone();
            if body["roomId"] == "ByehQjC44FwMeiLbX" {
                body["roomId"] = json!(world.room_id);
            }
            let answer = world.invite(&world.owner, body).await;
            assert_eq!(answer.status, 400, "{name}");
            assert_eq!(answer.body, case["response"], "{name}");
        }
    }

    #[tokio::test]
    async fn rocket_chats_error_order_room_then_users_then_permission() {
        let world = World::new().await;
        // A plain member without users named: the users error comes before the permission error.
        let answer = world
            .invite(&world.member, json!({ "roomId": world.room_id }))
            .await;
        assert_eq!(
            answer.body,
            fixture("groups.invite/error-400-users-params-not-provided.json")
        );
        // ... and an unknown user before it too.
        let answer = world
            .invite(
                &world.member,
                json!({ "roomId": world.room_id, "username": "ghost" }),
            )
            .await;
        assert_eq!(
            answer.body,
            fixture("groups.invite/error-400-empty-invite-list.json")
        );
        // A missing room before the users.
        let answer = world
            .invite(&world.member, json!({ "roomId": "nope" }))
            .await;
        assert_eq!(answer.body, room_not_found());
    }

    #[tokio::test]
    async fn plain_members_are_not_allowed() {
        let world = World::new().await;
        let answer = world
            .invite(
                &world.member,
                json!({ "roomId": world.room_id, "username": "john.doe" }),
            )
            .await;
        answer.assert_fixture(400, "groups.invite/error-400-not-allowed.json");
        assert_eq!(world.info().await["usersCount"], 2);
    }

    #[tokio::test]
    async fn moderators_and_admin_members_may_invite() {
        let world = World::new().await;
        let answer = post(
            &world.server,
            "/api/v1/groups.addModerator",
            &world.owner,
            json!({ "roomId": world.room_id, "userId": world.member.user_id }),
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(
            answer.body,
            fixture("groups.addModerator/response-200.json")
        );
        let answer = world
            .invite(
                &world.member,
                json!({ "roomId": world.room_id, "username": "john.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);

        // An admin who is a member (through an invite) may invite.
        let admin = world.server.admin().clone();
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "username": admin.username }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        let answer = world
            .invite(
                &admin,
                json!({ "roomId": world.room_id, "username": "jane.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["group"]["usersCount"], 5);
    }

    #[tokio::test]
    async fn outsiders_even_admins_learn_nothing_about_a_private_group() {
        let world = World::new().await;
        let admin = world.server.admin().clone();
        for who in [&world.outsider, &admin] {
            for body in [
                json!({ "roomId": world.room_id, "username": "john.doe" }),
                json!({ "roomName": "private-abc", "username": "john.doe" }),
                json!({ "roomId": world.room_id }),
                json!({ "roomId": world.room_id, "username": "ghost" }),
            ] {
                let existing = world.invite(who, body.clone()).await;
                let missing = world
                    .invite(
                        who,
                        json!({ "roomId": "no-such-group", "username": "john.doe" }),
                    )
                    .await;
                assert_eq!(existing.status, 400);
                assert_eq!(existing.body, room_not_found(), "{body}");
                assert_eq!(existing.body, missing.body);
            }
        }
        assert_eq!(world.info().await["usersCount"], 2);
    }

    #[tokio::test]
    async fn read_only_groups_accept_invites() {
        let world = World::new().await;
        let answer = post(
            &world.server,
            "/api/v1/groups.create",
            &world.owner,
            json!({ "name": "read-only", "readOnly": true }),
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["group"]["ro"], true);
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomName": "read-only", "username": "john.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
    }

    #[tokio::test]
    async fn inviting_too_many_users_is_a_clear_400() {
        let mut config = config();
        config.max_invite_users = 3;
        let world = World::with(TestServer::start_with(config).await).await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": ["a", "b", "c", "d"] }),
            )
            .await;
        assert_eq!(answer.status, 400);
        assert_eq!(answer.body["errorType"], "error-too-many-invitees");
        assert_json_snapshot!("too_many_invitees", answer.body);
        // Duplicates count once.
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": ["john.doe", "john.doe", "jane.doe"] }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
    }

    #[tokio::test]
    async fn bulk_invites_of_a_thousand_users_are_one_change() {
        let world = World::new().await;
        let names: Vec<String> = (0..1000).map(|i| format!("bulk{i}")).collect();
        for name in &names[..50] {
            world.server.create_user(name).await;
        }
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": names }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["group"]["usersCount"], 52);
        assert_eq!(answer.body["group"]["msgs"], 50);
        let invitees = answer.body["invitees"].as_array().unwrap();
        assert_eq!(invitees.len(), 1000);
        assert_eq!(invitees[0]["outcome"], "added");
        assert_eq!(invitees[999]["outcome"], "notFound");
    }

    /// 64 inviters race over overlapping lists of 100 users: each user is added once, reported
    /// `added` once, counted once, and gets one `au` message.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_overlapping_invites_count_every_member_once() {
        let world = World::new().await;
        let names: Vec<String> = (0..100).map(|i| format!("user{i:02}")).collect();
        world.server.seed_users(&names, "password").await;
        let added =
            race_overlapping_invites(&[&world.server], &world.owner, &world.room_id, &names)
                .await;
        assert_eq!(added, 100, "each user is reported added exactly once");
        let info = world.info().await;
        assert_eq!(info["usersCount"], 102);
        assert_eq!(info["msgs"], 100);
        let members = world.member_names().await;
        assert_eq!(members.len(), 102);
        assert_eq!(members.iter().collect::<HashSet<_>>().len(), 102);
        let history = world.history().await;
        let added_names: HashSet<_> = history.iter().map(|m| m["msg"].clone()).collect();
        assert_eq!(history.len(), 100);
        assert_eq!(added_names.len(), 100);
    }

    #[tokio::test]
    async fn unauthenticated_calls_get_the_modern_401_before_anything_else() {
        let world = World::new().await;
        let expected = fixture("groups.invite/error-401-modern.json");
        let mut wrong = world.owner.clone();
        wrong.auth_token = "not-the-token".to_owned();
        let mut swapped = world.owner.clone();
        swapped.user_id = world.member.user_id.clone();
        for who in [None, Some(&wrong), Some(&swapped)] {
            for body in [
                json!({}),
                json!({ "roomId": world.room_id, "username": "john.doe" }),
            ] {
                let answer = call(
                    &world.server,
                    Method::POST,
                    "/api/v1/groups.invite",
                    who,
                    Some(body),
                )
                .await;
                assert_eq!(answer.status, 401);
                assert_eq!(answer.body, expected);
            }
        }
        // A malformed body is not read before authentication either.
        let answer = crate::support::raw(&world.server, "/api/v1/groups.invite", None, "{nope").await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body, expected);
        assert_eq!(world.info().await["usersCount"], 2);
        let _ = get;
    }
}

// On SQLite only: these reach into the SQLite file itself.

/// An invite that times out while it waits for the database is answered 503 and not made: the
/// client is never told "unavailable" for a change that happened anyway.
#[tokio::test]
async fn an_invite_that_times_out_waiting_for_the_database_is_not_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let mut config = Config::for_tests();
    config.database_url = format!("sqlite://{}", path.display());
    config.request_timeout_secs = 1;
    let world = World::with(TestServer::start_with(config).await).await;
    let before = world.info().await;

    // Another process holds the write lock for 2.5 s.
    let (locked, is_locked) = tokio::sync::oneshot::channel();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2500));
        conn.execute_batch("ROLLBACK").unwrap();
    });
    is_locked.await.unwrap();
    let answer = world
        .invite(
            &world.owner,
            json!({ "roomId": world.room_id, "username": "john.doe" }),
        )
        .await;
    assert_eq!(answer.status, 503, "{:#}", answer.body);
    assert_eq!(
        answer.body,
        json!({ "success": false, "error": "Service Unavailable" })
    );
    tokio::task::spawn_blocking(move || holder.join().unwrap())
        .await
        .unwrap();

    // A later write goes through the same writer, so the timed-out one has had its turn.
    world.server.create_user("after.the.lock").await;
    let after = world.info().await;
    assert_eq!(after["usersCount"], before["usersCount"]);
    assert_eq!(after["msgs"], before["msgs"]);
    assert_eq!(world.member_names().await, ["member", "testing1"]);
}

/// A trigger makes the second user's system message fail; the first user must not stay added.
#[tokio::test]
async fn a_bulk_invite_that_fails_half_way_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("atomic.db");
    let mut config = Config::for_tests();
    config.database_url = format!("sqlite://{}", path.display());
    let world = World::with(TestServer::start_with(config).await).await;
    world.server.create_user("poison").await;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        conn.execute_batch(
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.msg = 'poison' \
             BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
        )
        .unwrap();
    }
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
    // The server keeps serving, and a clean invite works.
    let answer = world
        .invite(
            &world.owner,
            json!({ "roomId": world.room_id, "username": "john.doe" }),
        )
        .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
}

#[tokio::test]
async fn new_subscriptions_are_open_alerted_and_unread_without_roles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.db");
    let mut config = Config::for_tests();
    config.database_url = format!("sqlite://{}", path.display());
    let world = World::with(TestServer::start_with(config).await).await;
    let answer = world
        .invite(
            &world.owner,
            json!({ "roomId": world.room_id, "username": "john.doe" }),
        )
        .await;
    assert_eq!(answer.status, 200);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let row: (bool, bool, i64, i64, String) = conn
        .query_row(
            "SELECT open, alert, unread, user_mentions, roles FROM subscriptions \
             WHERE rid = ?1 AND username = 'john.doe'",
            [&world.room_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(row, (true, true, 1, 1, "[]".to_owned()));
    let owner_roles: String = conn
        .query_row(
            "SELECT roles FROM subscriptions WHERE rid = ?1 AND username = 'testing1'",
            [&world.room_id],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(owner_roles, r#"["owner"]"#);
}
