//! A membership after it began, over real HTTP on both stores: removing members, leaving,
//! room roles, deleting a group, and what each writes (`ru`, `ul`, role messages, counters);
//! the lists of groups, `users.info`, and how long a login token lives.

use rocketchat_server::testing::{TestServer, TestUser, UserSpec};
use serde_json::{Value, json};

use crate::common::stores::Store;
use crate::store_tests;
use crate::support::{
    Answer, World, assert_answer_snapshot, execute_sql, get, poison_messages, post, select_count,
    start, start_with,
};

impl World {
    /// `who` calls `groups.<route>` about the group and `body`'s other keys.
    async fn group_call(&self, route: &str, who: &TestUser, mut body: Value) -> Answer {
        body["roomId"] = json!(self.room_id);
        post(&self.server, &format!("/api/v1/groups.{route}"), who, body).await
    }

    /// The newest message of the group.
    async fn newest_message(&self) -> Value {
        self.history().await.first().cloned().expect("a message")
    }

    /// `usersCount` and `msgs` of the group.
    async fn counters(&self) -> (Value, Value) {
        let group = self.info().await;
        (group["usersCount"].clone(), group["msgs"].clone())
    }
}

/// The parts of a system message a test checks: type, text, author and role.
fn system_message(message: &Value) -> Value {
    json!({
        "t": message["t"],
        "msg": message["msg"],
        "u": message["u"],
        "role": message.get("role"),
        "groupable": message["groupable"],
    })
}

fn author(user: &TestUser, name: &str) -> Value {
    json!({ "_id": user.user_id, "username": user.username, "name": name })
}

store_tests! {
    /// An owner removes a member: the member is gone, with one `ru` message from the owner,
    /// `usersCount` one lower and `msgs` one higher.
    #[tokio::test]
    async fn kick_removes_a_member_with_its_message() {
        let world = World::new().await;
        let before = world.counters().await;
        let kicked = world
            .group_call("kick", &world.owner, json!({ "userId": world.member.user_id }))
            .await;
        kicked.assert_fixture(200, "groups.kick/response-200.json");
        assert_eq!(world.member_names().await, ["testing1"]);
        assert_eq!(
            world.counters().await,
            (json!(before.0.as_u64().unwrap() - 1), json!(before.1.as_u64().unwrap() + 1))
        );
        assert_eq!(
            system_message(&world.newest_message().await),
            json!({
                "t": "ru",
                "msg": "member",
                "u": author(&world.owner, "testing1"),
                "role": null,
                "groupable": false,
            })
        );
        // The member no longer sees the group.
        let info = get(
            &world.server,
            &format!("/api/v1/groups.info?roomId={}", world.room_id),
            &world.member,
        )
        .await;
        info.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
    }

    /// Who may remove whom, and the exact refusals.
    #[tokio::test]
    async fn kick_follows_rocket_chats_rules() {
        let world = World::new().await;
        let server = &world.server;
        let admin = server.admin().clone();
        let not_allowed = world
            .group_call("kick", &world.member, json!({ "username": "testing1" }))
            .await;
        not_allowed.assert_fixture(400, "groups.kick/error-400-not-allowed.json");
        // An outsider, even an admin, learns nothing of the group.
        for who in [&world.outsider, &admin] {
            let hidden = world
                .group_call("kick", who, json!({ "userId": world.member.user_id }))
                .await;
            hidden.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
        }
        let not_in_room = world
            .group_call("kick", &world.owner, json!({ "username": "john.doe" }))
            .await;
        not_in_room.assert_fixture(400, "groups.kick/error-400-user-not-in-room.json");
        let no_user = world.group_call("kick", &world.owner, json!({})).await;
        assert_eq!(no_user.status, 400);
        assert_eq!(no_user.body["errorType"], "error-user-param-not-provided");
        let unknown = world
            .group_call("kick", &world.owner, json!({ "username": "nobody" }))
            .await;
        assert_eq!(unknown.body["errorType"], "error-invalid-user");
        let no_room = post(server, "/api/v1/groups.kick", &world.owner, json!({ "username": "member" })).await;
        no_room.assert_fixture(400, "groups.invite/error-400-room-param-not-provided.json");

        // A moderator may remove the owner only while another owner remains.
        server.add_moderator(&world.room_id, &world.member).await;
        let last_owner = world
            .group_call("kick", &world.member, json!({ "user": "TESTING1" }))
            .await;
        last_owner.assert_fixture(400, "groups.kick/error-400-you-are-last-owner.json");
        assert_eq!(world.member_names().await, ["member", "testing1"]);
        let promoted = world
            .group_call("addOwner", &world.owner, json!({ "username": "member" }))
            .await;
        assert_eq!(promoted.status, 200, "{:#}", promoted.body);
        let kicked = world
            .group_call("kick", &world.member, json!({ "user": "TESTING1" }))
            .await;
        kicked.assert_fixture(200, "groups.kick/response-200.json");
        let members = get(
            server,
            &format!("/api/v1/groups.members?roomId={}", world.room_id),
            &world.member,
        )
        .await;
        assert_eq!(members.body["total"], 1, "{:#}", members.body);
    }

    /// A member leaves with a `ul` message of their own; the last owner cannot leave.
    #[tokio::test]
    async fn leave_writes_its_message_and_keeps_an_owner() {
        let world = World::new().await;
        let before = world.counters().await;
        // `null` is an absent key: the name decides.
        let left = post(
            &world.server,
            "/api/v1/groups.leave",
            &world.member,
            json!({ "roomId": null, "roomName": "private-abc" }),
        )
        .await;
        left.assert_fixture(200, "groups.leave/response-200.json");
        assert_eq!(
            system_message(&world.newest_message().await),
            json!({
                "t": "ul",
                "msg": "member",
                "u": author(&world.member, "member"),
                "role": null,
                "groupable": false,
            })
        );
        assert_eq!(
            world.counters().await,
            (json!(before.0.as_u64().unwrap() - 1), json!(before.1.as_u64().unwrap() + 1))
        );
        let again = world.group_call("leave", &world.member, json!({})).await;
        again.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
        let owner = world.group_call("leave", &world.owner, json!({})).await;
        owner.assert_fixture(400, "groups.leave/error-400-you-are-last-owner.json");

        // Guests lack `leave-p`.
        let guest = world.server.create(UserSpec::new("visitor").guest()).await;
        let invited = world.owner_invites("visitor").await;
        assert_eq!(invited.status, 200, "{:#}", invited.body);
        let refused = world.group_call("leave", &guest, json!({})).await;
        assert_eq!(refused.status, 400);
        assert_eq!(
            refused.body,
            json!({
                "success": false,
                "error": "Not allowed [error-not-allowed]",
                "errorType": "error-not-allowed",
                "details": { "method": "leaveRoom" }
            })
        );
    }

    /// Owners hand over ownership with `subscription-role-added` / `-removed` messages; the
    /// last owner keeps the role.
    #[tokio::test]
    async fn owners_are_added_and_removed_with_messages() {
        let world = World::new().await;
        let before = world.counters().await;
        let last = world
            .group_call("removeOwner", &world.owner, json!({ "userId": world.owner.user_id }))
            .await;
        last.assert_fixture(400, "groups.removeOwner/error-400-remove-last-owner.json");
        let added = world
            .group_call("addOwner", &world.owner, json!({ "username": "member" }))
            .await;
        added.assert_fixture(200, "groups.addOwner/response-200.json");
        assert_eq!(
            system_message(&world.newest_message().await),
            json!({
                "t": "subscription-role-added",
                "msg": "member",
                "u": author(&world.owner, "testing1"),
                "role": "owner",
                "groupable": false,
            })
        );
        let again = world
            .group_call("addOwner", &world.owner, json!({ "username": "member" }))
            .await;
        again.assert_fixture(400, "groups.addOwner/error-400-user-already-owner.json");
        // The new owner takes the first one's role away.
        let removed = world
            .group_call("removeOwner", &world.member, json!({ "username": "testing1" }))
            .await;
        removed.assert_fixture(200, "groups.removeOwner/response-200.json");
        assert_eq!(
            system_message(&world.newest_message().await),
            json!({
                "t": "subscription-role-removed",
                "msg": "testing1",
                "u": author(&world.member, "member"),
                "role": "owner",
                "groupable": false,
            })
        );
        let not_owner = world
            .group_call("removeOwner", &world.member, json!({ "username": "testing1" }))
            .await;
        not_owner.assert_fixture(400, "groups.removeOwner/error-400-user-not-owner.json");
        // The former owner may no longer give the role.
        let demoted = world
            .group_call("addOwner", &world.owner, json!({ "username": "testing1" }))
            .await;
        assert_eq!(
            demoted.body,
            json!({
                "success": false,
                "error": "Not allowed [error-not-allowed]",
                "errorType": "error-not-allowed",
                "details": { "method": "addRoomOwner" }
            })
        );
        // Two changes, two messages; nobody joined or left.
        assert_eq!(
            world.counters().await,
            (before.0.clone(), json!(before.1.as_u64().unwrap() + 2))
        );
        let outsider = world
            .group_call("removeOwner", &world.member, json!({ "username": "john.doe" }))
            .await;
        assert_eq!(
            outsider.body,
            json!({
                "success": false,
                "error": "Invalid room [error-invalid-room]",
                "errorType": "error-invalid-room",
                "details": { "method": "removeRoomOwner" }
            })
        );
    }

    /// Moderators are named by `userId`, `username` or `user`, as in Rocket.Chat, and each
    /// change writes its message.
    #[tokio::test]
    async fn moderators_are_added_and_removed_with_messages() {
        let world = World::new().await;
        let before = world.counters().await;
        let not_moderator = world
            .group_call("removeModerator", &world.owner, json!({ "username": "member" }))
            .await;
        not_moderator.assert_fixture(400, "groups.removeModerator/error-400-user-not-moderator.json");
        for key in ["username", "user"] {
            let added = world
                .group_call("addModerator", &world.owner, json!({ key: "Member" }))
                .await;
            added.assert_fixture(200, "groups.addModerator/response-200.json");
            assert_eq!(
                system_message(&world.newest_message().await),
                json!({
                    "t": "subscription-role-added",
                    "msg": "member",
                    "u": author(&world.owner, "testing1"),
                    "role": "moderator",
                    "groupable": false,
                })
            );
            let removed = world
                .group_call("removeModerator", &world.owner, json!({ "userId": world.member.user_id }))
                .await;
            removed.assert_fixture(200, "groups.removeModerator/response-200.json");
            assert_eq!(
                system_message(&world.newest_message().await)["t"],
                "subscription-role-removed"
            );
        }
        assert_eq!(
            world.counters().await,
            (before.0.clone(), json!(before.1.as_u64().unwrap() + 4))
        );
        let by_member = world
            .group_call("removeModerator", &world.member, json!({ "username": "testing1" }))
            .await;
        assert_eq!(by_member.body["details"], json!({ "method": "removeRoomModerator" }));
        assert_eq!(by_member.body["errorType"], "error-not-allowed");
    }

    /// Deleting a group takes its members and messages with it; its name is free again.
    #[tokio::test]
    async fn delete_removes_the_group_for_everyone() {
        let world = World::new().await;
        let invited = world.owner_invites("john.doe").await;
        assert_eq!(invited.status, 200);
        let by_member = world.group_call("delete", &world.member, json!({})).await;
        by_member.assert_fixture(400, "groups.delete/error-400-not-allowed.json");
        let admin = world.server.admin().clone();
        let by_admin_outside = world.group_call("delete", &admin, json!({})).await;
        by_admin_outside.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
        let deleted = world.group_call("delete", &world.owner, json!({})).await;
        deleted.assert_fixture(200, "groups.delete/response-200.json");
        for who in [&world.owner, &world.member] {
            let info = get(
                &world.server,
                &format!("/api/v1/groups.info?roomId={}", world.room_id),
                who,
            )
            .await;
            info.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
        }
        let invite = world.owner_invites("jane.doe").await;
        invite.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
        let listed = get(&world.server, "/api/v1/groups.list", &world.member).await;
        assert_eq!(listed.body["total"], 0, "{:#}", listed.body);
        // The name is free, and the new group starts from nothing.
        let again = world.server.create_group(&world.owner, "private-abc", &[]).await;
        let info = get(
            &world.server,
            &format!("/api/v1/groups.info?roomId={again}"),
            &world.owner,
        )
        .await;
        assert_eq!((info.body["group"]["usersCount"].clone(), info.body["group"]["msgs"].clone()), (json!(1), json!(0)));
        let history = get(
            &world.server,
            &format!("/api/v1/groups.history?roomId={again}"),
            &world.owner,
        )
        .await;
        assert_eq!(history.body["messages"], json!([]));
    }

    /// A removal whose message cannot be written removes nobody: the change is one
    /// transaction.
    #[tokio::test]
    async fn a_removal_whose_message_fails_changes_nothing() {
        let world = World::new().await;
        world.server.create_user("poison").await;
        let invited = world.owner_invites("poison").await;
        assert_eq!(invited.status, 200);
        let before = (world.counters().await, world.member_names().await);
        poison_messages().await;
        let kicked = world
            .group_call("kick", &world.owner, json!({ "username": "poison" }))
            .await;
        kicked.assert_fixture(500, "errors/error-500-internal.json");
        assert_eq!((world.counters().await, world.member_names().await), before);
    }
}

/// The servers a concurrency test runs besides its first, on the test's database: two more on
/// PostgreSQL, where instances share one database; none on SQLite, which one process owns.
async fn more_servers() -> Vec<TestServer> {
    let count = match crate::common::stores::current() {
        Store::Sqlite => 0,
        Store::Postgres => 2,
    };
    let mut servers = Vec::with_capacity(count);
    for _ in 0..count {
        servers.push(start().await);
    }
    servers
}

/// A group owned by both `a` and `b`, with the member `member`.
async fn two_owner_group(server: &TestServer, a: &TestUser, b: &TestUser, name: &str) -> String {
    let room_id = server.create_group(a, name, &[&b.username, "member"]).await;
    let promoted = post(
        server,
        "/api/v1/groups.addOwner",
        a,
        json!({ "roomId": room_id, "userId": b.user_id }),
    )
    .await;
    assert_eq!(promoted.status, 200, "{:#}", promoted.body);
    room_id
}

/// The sole owner of `room_id` is `who`: their leaving is refused as the last owner's.
async fn assert_sole_owner(server: &TestServer, room_id: &str, who: &TestUser) {
    let left = post(
        server,
        "/api/v1/groups.leave",
        who,
        json!({ "roomId": room_id }),
    )
    .await;
    assert_eq!(
        left.body["errorType"], "error-you-are-last-owner",
        "{:#}",
        left.body
    );
}

store_tests! {
    /// Two owners leaving, or demoting each other, at the same moment (through different
    /// instances on PostgreSQL) never leave a group without an owner: one change wins, the
    /// other is refused as the rules refuse it for the group as it then is.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_last_owner_rule_holds_under_concurrency() {
        let first = start().await;
        let more = more_servers().await;
        let servers: Vec<&TestServer> = std::iter::once(&first).chain(&more).collect();
        let first = &first;
        let a = first.create_user("owner.a").await;
        let b = first.create_user("owner.b").await;
        first.create_user("member").await;
        for round in 0..8 {
            let room_id = two_owner_group(first, &a, &b, &format!("leaving-{round}")).await;
            let (via_a, via_b) = (
                servers[round % servers.len()],
                servers[(round + 1) % servers.len()],
            );
            let body = json!({ "roomId": room_id });
            let (left_a, left_b) = tokio::join!(
                post(via_a, "/api/v1/groups.leave", &a, body.clone()),
                post(via_b, "/api/v1/groups.leave", &b, body.clone()),
            );
            let (stayed, refused) = match (left_a.status.as_u16(), left_b.status.as_u16()) {
                (200, 400) => (&b, left_b),
                (400, 200) => (&a, left_a),
                other => panic!("round {round}: {other:?}: {:#} {:#}", left_a.body, left_b.body),
            };
            refused.assert_fixture(400, "groups.leave/error-400-you-are-last-owner.json");
            assert_sole_owner(first, &room_id, stayed).await;

            let room_id = two_owner_group(first, &a, &b, &format!("demoting-{round}")).await;
            let (demoted_b, demoted_a) = tokio::join!(
                post(via_a, "/api/v1/groups.removeOwner", &a, json!({ "roomId": room_id, "userId": b.user_id })),
                post(via_b, "/api/v1/groups.removeOwner", &b, json!({ "roomId": room_id, "userId": a.user_id })),
            );
            let (winner, loser) = match (demoted_b.status.as_u16(), demoted_a.status.as_u16()) {
                (200, 400) => (&a, demoted_a),
                (400, 200) => (&b, demoted_b),
                other => panic!("round {round}: {other:?}: {:#} {:#}", demoted_b.body, demoted_a.body),
            };
            // The loser was demoted first, so may no longer take the role away.
            assert_eq!(loser.body["errorType"], "error-not-allowed", "{:#}", loser.body);
            assert_sole_owner(first, &room_id, winner).await;
        }
    }

    /// An invite whose caller is removed or demoted at the same moment either committed
    /// before the change, and its `au` message comes first, or adds nobody and gets the answer
    /// the group as it is now gives.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_invite_and_the_removal_of_its_caller_agree() {
        let world = World::new().await;
        let more = more_servers().await;
        let servers: Vec<&TestServer> = std::iter::once(&world.server).chain(&more).collect();
        let mut committed = 0;
        for round in 0..10 {
            let guest = format!("guest.{round}");
            world.server.create_user(&guest).await;
            let rejoined = world.owner_invites("member").await;
            assert_eq!(rejoined.status, 200, "{:#}", rejoined.body);
            world.server.add_moderator(&world.room_id, &world.member).await;
            let via = servers[round % servers.len()];
            // Odd rounds demote the caller instead of removing them.
            let (route, message_type, refusal) = if round % 2 == 1 {
                ("removeModerator", "subscription-role-removed", "groups.invite/error-400-not-allowed.json")
            } else {
                ("kick", "ru", "groups.invite/error-400-room-not-found.json")
            };
            let (invited, changed) = tokio::join!(
                post(via, "/api/v1/groups.invite", &world.member, json!({ "roomId": world.room_id, "username": guest })),
                world.group_call(route, &world.owner, json!({ "username": "member" })),
            );
            assert_eq!(changed.status, 200, "{:#}", changed.body);
            let history = world.history().await;
            let position = |t: &str, msg: &str| history.iter().position(|m| m["t"] == t && m["msg"] == msg);
            // The newest such message: this round's.
            let change = position(message_type, "member").expect("the change's message");
            let members = world.member_names().await;
            if invited.status == 200 {
                committed += 1;
                assert!(members.contains(&guest), "round {round}");
                let addition = position("au", &guest).expect("the invite's message");
                assert!(addition > change, "round {round}: the invite came first");
            } else {
                invited.assert_fixture(400, refusal);
                assert!(!members.contains(&guest), "round {round}");
                assert_eq!(position("au", &guest), None);
            }
        }
        eprintln!("{committed} of 10 invites committed before their caller's removal or demotion");
    }
}

store_tests! {
    /// An invite racing the deletion of its group either commits before it (and goes with
    /// the group) or finds the group gone; nothing of the group is left behind.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_invite_and_the_deletion_of_its_group_agree() {
        let world = World::new().await;
        let more = more_servers().await;
        let servers: Vec<&TestServer> = std::iter::once(&world.server).chain(&more).collect();
        let john = world.server.log_in("john.doe").await;
        for round in 0..8 {
            let name = format!("doomed-{round}");
            let room_id = world
                .server
                .create_group(&world.owner, &name, &["member"])
                .await;
            world.server.add_moderator(&room_id, &world.member).await;
            let via = servers[round % servers.len()];
            let (invited, deleted) = tokio::join!(
                post(via, "/api/v1/groups.invite", &world.member, json!({ "roomId": room_id, "username": "john.doe" })),
                post(&world.server, "/api/v1/groups.delete", &world.owner, json!({ "roomId": room_id })),
            );
            assert_eq!(deleted.status, 200, "{:#}", deleted.body);
            if invited.status != 200 {
                invited.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
            }
            let listed = get(&world.server, "/api/v1/groups.list", &john).await;
            assert_eq!(listed.body["total"], 0, "round {round}: {:#}", listed.body);
        }
        for table in ["subscriptions", "messages"] {
            let orphans = select_count(&format!(
                "SELECT count(*) FROM {table} WHERE rid NOT IN (SELECT id FROM rooms)"
            ))
            .await;
            assert_eq!(orphans, 0, "{table} of deleted groups");
        }
    }
}

store_tests! {
    /// A login token is refused the moment its `Accounts_LoginExpiration` days have passed,
    /// also by an instance that remembered it; a longer setting keeps it valid.
    #[tokio::test]
    async fn login_tokens_expire_on_time() {
        let server = start().await;
        let bob = server.create_user("bob").await;
        // Handed out 90 days ago, less three seconds: valid for three more seconds.
        let issued = time::OffsetDateTime::now_utc() - time::Duration::days(90)
            + time::Duration::seconds(3);
        backdate_tokens(&bob, issued).await;
        let me = get(&server, "/api/v1/me", &bob).await;
        assert_eq!(me.status, 200, "{:#}", me.body);
        tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
        let me = get(&server, "/api/v1/me", &bob).await;
        me.assert_fixture(401, "groups.invite/error-401-modern.json");
        let resume = crate::support::call(
            &server,
            reqwest::Method::POST,
            "/api/v1/login",
            None,
            Some(json!({ "resume": bob.auth_token })),
        )
        .await;
        resume.assert_fixture(401, "login/error-401-expired.json");

        let longer = start_with(|config| config.login_expiration_days = 365).await;
        let me = get(&longer, "/api/v1/me", &bob).await;
        assert_eq!(me.status, 200, "{:#}", me.body);
        // A password login hands out a fresh token, and forgets the user's expired ones.
        let login = crate::support::call(
            &server,
            reqwest::Method::POST,
            "/api/v1/login",
            None,
            Some(json!({ "username": "bob", "password": "bob-password" })),
        )
        .await;
        assert_eq!(login.status, 200, "{:#}", login.body);
        let fresh = TestUser::new(
            bob.user_id.clone(),
            login.body["data"]["authToken"].as_str().unwrap().to_owned(),
            "bob".to_owned(),
        );
        assert_eq!(get(&server, "/api/v1/me", &fresh).await.status, 200);
        let kept = select_count(&format!(
            "SELECT count(*) FROM login_tokens WHERE user_id = '{}'",
            bob.user_id
        ))
        .await;
        assert_eq!(kept, 1, "only the fresh token is left");
    }
}

/// Makes `user`'s tokens look handed out at `issued`.
async fn backdate_tokens(user: &TestUser, issued: time::OffsetDateTime) {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    let issued = issued.format(format).unwrap();
    execute_sql(&format!(
        "UPDATE login_tokens SET created_at = '{issued}' WHERE user_id = '{}'",
        user.user_id
    ))
    .await;
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The names of the groups of a `groups.list` answer, in order.
fn group_names(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    answer.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| group["name"].as_str().unwrap().to_owned())
        .collect()
}

store_tests! {
    /// `groups.list`: the caller's private groups, by name unless sorted, a page at a time,
    /// with how many there are in all.
    #[tokio::test]
    async fn groups_list_pages_and_sorts_the_callers_groups() {
        let world = World::new().await;
        let server = &world.server;
        server.create_group(&world.owner, "charlie", &["john.doe"]).await;
        server.create_group(&world.owner, "alpha", &["john.doe", "jane.doe"]).await;
        server.create_group(&world.owner, "Bravo", &["john.doe"]).await;
        let list = |who: &TestUser, query: String| {
            let (server, who) = (server, who.clone());
            async move { get(server, &format!("/api/v1/groups.list{query}"), &who).await }
        };
        let all = list(&world.owner, String::new()).await;
        // Byte order: capitals first, as Rocket.Chat's database sorts.
        assert_eq!(group_names(&all), ["Bravo", "alpha", "charlie", "private-abc"]);
        assert_eq!(
            (&all.body["offset"], &all.body["count"], &all.body["total"]),
            (&json!(0), &json!(4), &json!(4))
        );
        let page = list(
            &world.owner,
            format!("?sort={}&count=2&offset=1", encoded(r#"{"name":-1}"#)),
        )
        .await;
        assert_eq!(group_names(&page), ["charlie", "alpha"]);
        assert_eq!(
            (&page.body["offset"], &page.body["count"], &page.body["total"]),
            (&json!(1), &json!(2), &json!(4))
        );
        let by_size = list(
            &world.owner,
            format!("?sort={}", encoded(r#"{"usersCount":-1,"color":1,"name":1}"#)),
        )
        .await;
        assert_eq!(group_names(&by_size), ["alpha", "Bravo", "charlie", "private-abc"]);
        let john = server.log_in("john.doe").await;
        let small = list(&john, "?count=1".to_owned()).await;
        assert_eq!(group_names(&small), ["Bravo"]);
        assert_eq!(small.body["total"], 3);
        assert_answer_snapshot!("groups_list", small.body);
        let outsider = list(&world.outsider, String::new()).await;
        assert_eq!(
            outsider.body,
            json!({ "groups": [], "offset": 0, "count": 0, "total": 0, "success": true })
        );
        let bad = list(&world.owner, format!("?sort={}", encoded(r#"{"name":"asc"}"#))).await;
        bad.assert_fixture(400, "groups.list/error-400-invalid-sort.json");
        let bad = list(&world.owner, "?offset=AAA".to_owned()).await;
        assert_eq!(
            (bad.status.as_u16(), bad.body),
            (
                400,
                json!({
                    "success": false,
                    "error": "offset must be a non-negative integer, not \"AAA\" [invalid-params]",
                    "errorType": "invalid-params"
                })
            )
        );
    }

    /// `groups.listAll` lists every private group, for admins only.
    #[tokio::test]
    async fn groups_list_all_is_for_admins() {
        let world = World::new().await;
        world.server.create_group(&world.member, "members-own", &[]).await;
        let refused = get(&world.server, "/api/v1/groups.listAll", &world.owner).await;
        refused.assert_fixture(403, "groups.listAll/error-403.json");
        let admin = world.server.admin().clone();
        let all = get(&world.server, "/api/v1/groups.listAll", &admin).await;
        assert_eq!(group_names(&all), ["members-own", "private-abc"]);
        assert_eq!(all.body["total"], 2);
        let mine = get(&world.server, "/api/v1/groups.list", &admin).await;
        assert_eq!(mine.body["total"], 0);
    }

    /// `users.info`: anyone may look a user up; e-mail addresses, roles and dates only for the
    /// user themself and admins; never a token.
    #[tokio::test]
    async fn users_info_shows_more_to_the_user_themself_and_admins() {
        let world = World::new().await;
        let server = &world.server;
        let info = |who: &TestUser, query: &str| {
            let (server, who, query) = (server, who.clone(), query.to_owned());
            async move { get(server, &format!("/api/v1/users.info?{query}"), &who).await }
        };
        let other = info(&world.member, "username=testing1").await;
        assert_eq!(other.status, 200, "{:#}", other.body);
        assert_answer_snapshot!("users_info_other", other.body);
        assert_eq!(other.body["user"]["canViewAllInfo"], false);
        assert_eq!(other.body["user"].get("emails"), None);
        let by_id = info(&world.member, &format!("userId={}", world.owner.user_id)).await;
        assert_eq!(by_id.body, other.body);
        // `userId` also matches a username, as Rocket.Chat's look-up does; it is not "self".
        let own = info(&world.owner, "userId=testing1").await;
        assert_eq!(own.body, other.body);

        let themself = info(&world.owner, &format!("userId={}", world.owner.user_id)).await;
        assert_answer_snapshot!("users_info_self", themself.body);
        assert_eq!(themself.body["user"]["canViewAllInfo"], true);
        assert_eq!(themself.body["user"]["emails"][0]["address"], "testing1@example.com");
        assert_eq!(themself.body["user"].get("services"), None);
        let admin = server.admin().clone();
        let by_admin = info(&admin, "username=testing1").await;
        assert_eq!(by_admin.body, themself.body);

        // `includeUserRooms` lists the user's rooms to themself and to admins only.
        let query = format!("userId={}&includeUserRooms=true", world.owner.user_id);
        let rooms = |answer: &Answer| {
            let rooms = answer.body["user"].get("rooms").cloned();
            rooms.map(|rooms| {
                rooms
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|room| {
                        assert_eq!(room["_id"].as_str().unwrap().len(), 17, "{room}");
                        json!([room["rid"], room["name"], room["t"], room["unread"], room.get("roles")])
                    })
                    .collect::<Vec<_>>()
            })
        };
        let expected = Some(vec![json!([world.room_id, "private-abc", "p", 0, ["owner"]])]);
        assert_eq!(rooms(&info(&world.owner, &query).await), expected);
        assert_eq!(rooms(&info(&admin, &query).await), expected);
        assert_eq!(rooms(&info(&world.member, &query).await), None);
        let member_rooms = info(&world.member, &format!("userId={}&includeUserRooms=true", world.member.user_id)).await;
        assert_eq!(
            rooms(&member_rooms),
            Some(vec![json!([world.room_id, "private-abc", "p", 0, null])])
        );

        let yes = info(&world.owner, "username=testing1&includeUserRooms=yes").await;
        assert_eq!(
            (yes.status.as_u16(), yes.body),
            (
                400,
                json!({
                    "success": false,
                    "error": "includeUserRooms must be true or false, not \"yes\" [invalid-params]",
                    "errorType": "invalid-params"
                })
            )
        );

        // The username must match exactly.
        let case = info(&world.member, "username=Testing1").await;
        case.assert_fixture(400, "users.info/error-400-user-not-found.json");
        let imported = info(&world.member, "importId=abc").await;
        imported.assert_fixture(400, "users.info/error-400-user-not-found.json");
        let empty = info(&world.member, "userId=").await;
        empty.assert_fixture(400, "users.info/error-400-invalid-search-query.json");
        let none = info(&world.member, "includeUserRooms=true").await;
        none.assert_fixture(400, "users.info/error-400-invalid-params.json");
        let two = info(&world.member, "userId=a&username=b").await;
        assert_eq!(
            two.body,
            json!({
                "success": false,
                "error": "must NOT have additional properties\n must NOT have additional properties\n must have required property 'importId'\n must match a schema in anyOf [invalid-params]",
                "errorType": "invalid-params"
            })
        );
    }
}

store_tests! {
    /// `groups.roles`: the members with a room role, by username, with their display names.
    #[tokio::test]
    async fn groups_roles_lists_owners_and_moderators() {
        let world = World::new().await;
        world.server.add_moderator(&world.room_id, &world.member).await;
        let path = format!("/api/v1/groups.roles?roomId={}", world.room_id);
        let roles = get(&world.server, &path, &world.member).await;
        assert_eq!(roles.status, 200, "{:#}", roles.body);
        let entries = roles.body["roles"].as_array().unwrap();
        let seen: Vec<_> = entries
            .iter()
            .map(|entry| (entry["u"].clone(), entry["roles"].clone(), entry["rid"].clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (author(&world.member, "member"), json!(["moderator"]), json!(world.room_id)),
                (author(&world.owner, "testing1"), json!(["owner"]), json!(world.room_id)),
            ]
        );
        assert!(entries.iter().all(|entry| entry["_id"].as_str().unwrap().len() == 17));
        let hidden = get(&world.server, &path, &world.outsider).await;
        hidden.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
    }
}
