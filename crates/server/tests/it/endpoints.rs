//! The endpoints around the invite: info, login, logout, me, users.create, groups.*.

use insta::assert_json_snapshot;
use reqwest::Method;
use rocketchat_server::testing::TestServer;
use serde_json::json;

use crate::store_tests;
use crate::support::{World, assert_answer_snapshot, call, fixture, get, post};
use crate::support::{config, start};

/// `sha256("bob-password")` in hex.
const BOB_PASSWORD_SHA256: &str =
    "df53c27a66157885ba143e34f25d6380e12168b0f7da4f0c46efa54cd9a083b7";

store_tests! {
    #[tokio::test]
    async fn info_needs_no_login() {
        let server = start().await;
        let answer = call(&server, Method::GET, "/api/info", None, None).await;
        answer.assert_fixture(200, "info/response-200-modern.json");
    }

    #[tokio::test]
    async fn login_by_username_user_or_email_then_me_then_logout() {
        let server = start().await;
        server.create_user("bob").await;
        for body in [
            json!({ "username": "bob", "password": "bob-password" }),
            json!({ "username": "BOB", "password": "bob-password" }),
            json!({ "user": "bob", "password": "bob-password" }),
            json!({ "user": "bob@example.com", "password": "bob-password" }),
            json!({ "email": "Bob@Example.com", "password": "bob-password" }),
            // The SHA-256 digest of the password, as Meteor clients send it, in both forms.
            json!({ "username": "bob", "password": { "digest": BOB_PASSWORD_SHA256, "algorithm": "sha-256" } }),
            json!({ "username": "bob", "password": { "hashed": BOB_PASSWORD_SHA256.to_uppercase() } }),
        ] {
            let answer = call(
                &server,
                Method::POST,
                "/api/v1/login",
                None,
                Some(body.clone()),
            )
            .await;
            assert_eq!(answer.status, 200, "{body}: {:#}", answer.body);
            assert_eq!(answer.body["status"], "success");
            assert_eq!(answer.body["success"], true);
            assert_eq!(answer.body["data"]["authToken"].as_str().unwrap().len(), 43);
        }
        let answer = call(
            &server,
            Method::POST,
            "/api/v1/login",
            None,
            Some(json!({ "username": "bob", "password": "bob-password" })),
        )
        .await;
        assert_answer_snapshot!("login", answer.body);
        let bob = rocketchat_server::testing::TestUser::new(
            answer.body["data"]["userId"].as_str().unwrap().to_owned(),
            answer.body["data"]["authToken"]
                .as_str()
                .unwrap()
                .to_owned(),
            "bob".to_owned(),
        );
        let me = get(&server, "/api/v1/me", &bob).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.body["username"], "bob");
        assert_answer_snapshot!("me", me.body);

        // The TypeScript client logs out with an empty body and a JSON content type.
        let answer = crate::support::raw(&server, "/api/v1/logout", Some(&bob), "").await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body, fixture("logout/response-200.json"));
        let me = get(&server, "/api/v1/me", &bob).await;
        me.assert_fixture(401, "groups.invite/error-401-modern.json");
    }

    #[tokio::test]
    async fn failed_logins_get_rocket_chats_401_bodies() {
        let server = start().await;
        server.create_user("bob").await;
        let wrong = call(
            &server,
            Method::POST,
            "/api/v1/login",
            None,
            Some(json!({ "username": "bob", "password": "nope" })),
        )
        .await;
        wrong.assert_fixture(401, "login/error-401.json");
        let unknown = call(
            &server,
            Method::POST,
            "/api/v1/login",
            None,
            Some(json!({ "username": "nobody", "password": "nope" })),
        )
        .await;
        unknown.assert_fixture(401, "login/error-401-user-not-found.json");
    }

    /// `{resume: token}` answers with the same token and its user, as Meteor's resume login does;
    /// a logged-out token gets Meteor's 401.
    #[tokio::test]
    async fn a_resume_login_answers_with_the_same_token_until_logout() {
        let server = start().await;
        let bob = server.create_user("bob").await;
        let login = |body: serde_json::Value| {
            let server = &server;
            async move { call(server, Method::POST, "/api/v1/login", None, Some(body)).await }
        };

        // A `resume` key wins over a password in the same body, as in Rocket.Chat.
        for body in [
            json!({ "resume": bob.auth_token }),
            json!({ "user": "bob", "password": "wrong", "resume": bob.auth_token }),
        ] {
            let answer = login(body.clone()).await;
            assert_eq!(answer.status, 200, "{body}: {:#}", answer.body);
            assert_eq!(answer.body["status"], "success");
            assert_eq!(answer.body["data"]["authToken"], bob.auth_token.as_str());
            assert_eq!(answer.body["data"]["userId"], bob.user_id.as_str());
            assert_eq!(answer.body["data"]["me"]["username"], "bob");
        }
        // No new token was made: bob still has the one he logged in with, and it still works.
        let me = get(&server, "/api/v1/me", &bob).await;
        assert_eq!(me.status, 200);

        let answer = login(json!({ "resume": "not-a-token-anybody-was-given" })).await;
        answer.assert_fixture(401, "login/error-401-logged-out.json");
        let answer = login(json!({ "resume": "" })).await;
        assert_eq!(answer.status, 401);
        assert_eq!(
            answer.body,
            json!({
                "success": false,
                "error": 400,
                "status": "error",
                "message": "Unrecognized options for login request"
            })
        );
        let answer = login(json!({ "resume": 5 })).await;
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.body,
            json!({
                "success": false,
                "error": "resume: invalid type: integer `5`, expected a string [invalid-params]",
                "errorType": "invalid-params"
            })
        );

        let logout = post(&server, "/api/v1/logout", &bob, json!({})).await;
        assert_eq!(logout.status, 200);
        let answer = login(json!({ "resume": bob.auth_token })).await;
        answer.assert_fixture(401, "login/error-401-logged-out.json");
    }

    /// A password login with a key Rocket.Chat's password login does not take (where it ends in a
    /// 500) is refused clearly, whether or not the password is right.
    #[tokio::test]
    async fn a_password_login_with_an_unknown_key_is_invalid_params() {
        let server = start().await;
        server.create_user("bob").await;
        let body = json!({ "username": "bob", "password": "bob-password", "ldap": true });
        let answer = call(&server, Method::POST, "/api/v1/login", None, Some(body)).await;
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.body,
            json!({
                "success": false,
                "error": "ldap: unknown field `ldap`, expected one of `user`, `username`, `email`, \
                          `password`, `code` [invalid-params]",
                "errorType": "invalid-params"
            })
        );
    }

    /// A digest of another algorithm is refused before the account is looked up, so the answer is
    /// the same whether or not the account exists.
    #[tokio::test]
    async fn an_unsupported_password_digest_is_invalid_params_for_any_account() {
        let server = start().await;
        server.create_user("bob").await;
        for username in ["bob", "nobody"] {
            let body =
                json!({ "username": username, "password": { "digest": "abc", "algorithm": "md5" } });
            let answer = call(&server, Method::POST, "/api/v1/login", None, Some(body)).await;
            assert_eq!(answer.status, 400, "{username}");
            assert_eq!(
                answer.body,
                json!({
                    "success": false,
                    "error": "password.algorithm: unsupported password algorithm \"md5\", expected \"sha-256\" [invalid-params]",
                    "errorType": "invalid-params"
                })
            );
        }
    }

    #[tokio::test]
    async fn repeated_failed_logins_are_throttled() {
        let mut config = config();
        config.login_attempts_limit = 3;
        let server = TestServer::start_with(config).await;
        server.create_user("bob").await;
        let attempt = |password: &'static str| {
            call(
                &server,
                Method::POST,
                "/api/v1/login",
                None,
                Some(json!({ "username": "bob", "password": password })),
            )
        };
        for _ in 0..3 {
            assert_eq!(attempt("nope").await.status, 401);
        }
        let limited = attempt("bob-password").await;
        assert_eq!(limited.status, 429);
        assert!(
            limited.body["error"]
                .as_str()
                .unwrap()
                .ends_with("[error-too-many-requests]")
        );
        assert!(limited.body.get("errorType").is_none());
    }

    #[tokio::test]
    async fn admins_create_users_and_duplicates_are_refused() {
        let server = start().await;
        let admin = server.admin().clone();
        let request = fixture("users.create/request.json");
        let answer = post(&server, "/api/v1/users.create", &admin, request.clone()).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["user"]["username"], request["username"]);
        assert_answer_snapshot!("users_create", answer.body);
        let again = post(&server, "/api/v1/users.create", &admin, request.clone()).await;
        assert_eq!(again.status, 400);
        assert_eq!(again.body["errorType"], "error-field-unavailable");
        assert_json_snapshot!("users_create_duplicate", again.body);
        let mut other = request.clone();
        other["username"] = json!("someone.else");
        let email_taken = post(&server, "/api/v1/users.create", &admin, other).await;
        assert_eq!(email_taken.body["errorType"], "error-field-unavailable");

        // Schema failures: a missing field, an unknown key.
        let missing = post(
            &server,
            "/api/v1/users.create",
            &admin,
            json!({ "username": "x" }),
        )
        .await;
        assert_eq!(missing.status, 400);
        assert_eq!(missing.body["errorType"], "invalid-params");
        let mut extra = request.clone();
        extra["username"] = json!("extra");
        extra["surprise"] = json!(1);
        let extra = post(&server, "/api/v1/users.create", &admin, extra).await;
        assert_eq!(extra.body["errorType"], "invalid-params");

        // Only admins.
        let bob = server.create_user("bob").await;
        let mut by_bob = request.clone();
        by_bob["username"] = json!("by.bob");
        by_bob["email"] = json!("by.bob@example.com");
        let refused = post(&server, "/api/v1/users.create", &bob, by_bob).await;
        assert_eq!(refused.status, 400);
        assert_json_snapshot!("users_create_not_admin", refused.body);
    }

    #[tokio::test]
    async fn groups_create_makes_the_creator_owner_and_skips_unknown_members() {
        let server = start().await;
        let bob = server.create_user("bob").await;
        server.create_user("carol").await;
        let answer = post(
            &server,
            "/api/v1/groups.create",
            &bob,
            json!({ "name": "team.x_1-y", "members": ["carol", "ghost", "bob"] }),
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        let group = &answer.body["group"];
        assert_eq!(group["msgs"], 0);
        assert_eq!(group["usersCount"], 2);
        assert_eq!(group["u"]["username"], "bob");
        assert_answer_snapshot!("groups_create", answer.body);

        let duplicate = post(
            &server,
            "/api/v1/groups.create",
            &bob,
            json!({ "name": "team.x_1-y" }),
        )
        .await;
        assert_eq!(duplicate.status, 400);
        assert_eq!(duplicate.body["errorType"], "error-duplicate-channel-name");
        let general = post(
            &server,
            "/api/v1/groups.create",
            &bob,
            json!({ "name": "general" }),
        )
        .await;
        assert_eq!(
            general.body,
            fixture("groups.create/error-400-duplicate-name.json")
        );
        let invalid = post(
            &server,
            "/api/v1/groups.create",
            &bob,
            json!({ "name": "no spaces" }),
        )
        .await;
        assert_eq!(invalid.status, 400);
        assert_json_snapshot!("groups_create_invalid_name", invalid.body);
        let nameless = post(
            &server,
            "/api/v1/groups.create",
            &bob,
            json!({ "members": [] }),
        )
        .await;
        nameless.assert_fixture(400, "groups.create/error-400-name-required.json");
    }

    /// `extraData` is spread into the room as in Rocket.Chat, where the room's own fields win over
    /// it (but for the display name): every key is sent once, with the room's value.
    #[tokio::test]
    async fn extra_data_cannot_override_the_rooms_own_fields() {
        let server = start().await;
        let bob = server.create_user("bob").await;
        let carol = server.create_user("carol").await;
        let extra = json!({
            "_id": "zzz", "t": "c", "msgs": "x", "usersCount": -1, "ro": false,
            "fname": "Fancy Team", "broadcast": true, "teamMain": false
        });
        let created = post(
            &server,
            "/api/v1/groups.create",
            &bob,
            json!({ "name": "fancy", "extraData": extra }),
        )
        .await;
        assert_eq!(created.status, 200, "{:#}", created.body);
        let room_id = created.body["group"]["_id"].as_str().unwrap().to_owned();
        assert_eq!(room_id.len(), 17);

        let text = reqwest::Client::new()
            .post(format!("{}/api/v1/groups.invite", server.url()))
            .header("X-User-Id", &bob.user_id)
            .header("X-Auth-Token", &bob.auth_token)
            .json(&json!({ "roomId": room_id, "userId": carol.user_id }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // A key sent twice is an error for serde-derived readers, our client's among them.
        serde_json::from_str::<rocketchat_protocol::groups::invite::Response>(&text)
            .unwrap_or_else(|error| panic!("{error}: {text}"));
        let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
        let group = &answer["group"];
        assert_eq!(group["_id"], room_id.as_str());
        assert_eq!(group["t"], "p");
        assert_eq!(group["msgs"], 1);
        assert_eq!(group["usersCount"], 2);
        assert_eq!(group["fname"], "Fancy Team");
        assert_eq!(group["name"], "fancy");
        // `broadcast: true` makes the group read-only, whatever `ro` extraData gave.
        assert_eq!(group["ro"], true);
        assert_eq!(group["broadcast"], true);
        assert_eq!(group["teamMain"], false);
    }

    /// In a broadcast group only owners, moderators and admins see the member list; other members
    /// get Rocket.Chat's 403.
    #[tokio::test]
    async fn broadcast_member_lists_need_view_broadcast_member_list() {
        let server = start().await;
        let owner = server.create_user("owner").await;
        let member = server.create_user("member").await;
        let moderator = server.create_user("moderator").await;
        let created = post(
            &server,
            "/api/v1/groups.create",
            &owner,
            json!({
                "name": "announcements",
                "members": ["member", "moderator", "admin"],
                "extraData": { "broadcast": true }
            }),
        )
        .await;
        assert_eq!(created.status, 200, "{:#}", created.body);
        assert_eq!(created.body["group"]["ro"], true);
        let room_id = created.body["group"]["_id"].as_str().unwrap().to_owned();
        let promoted = post(
            &server,
            "/api/v1/groups.addModerator",
            &owner,
            json!({ "roomId": room_id, "userId": moderator.user_id }),
        )
        .await;
        assert_eq!(promoted.status, 200, "{:#}", promoted.body);

        let path = format!("/api/v1/groups.members?roomId={room_id}");
        let refused = get(&server, &path, &member).await;
        refused.assert_fixture(403, "errors/error-403-unauthorized.json");
        for who in [&owner, &moderator, server.admin()] {
            let listed = get(&server, &path, who).await;
            assert_eq!(listed.status, 200, "{}: {:#}", who.username, listed.body);
            assert_eq!(listed.body["total"], 4);
        }
        // The group itself stays readable to every member.
        let info = get(
            &server,
            &format!("/api/v1/groups.info?roomId={room_id}"),
            &member,
        )
        .await;
        assert_eq!(info.status, 200);
    }

    #[tokio::test]
    async fn groups_info_members_and_history_are_for_members_only() {
        let world = World::new().await;
        for path in [
            format!("/api/v1/groups.info?roomId={}", world.room_id),
            "/api/v1/groups.info?roomName=private-abc".to_owned(),
            format!("/api/v1/groups.members?roomId={}", world.room_id),
            format!("/api/v1/groups.history?roomId={}", world.room_id),
            "/api/v1/groups.info?roomName=general".to_owned(),
            "/api/v1/groups.info?roomId=nope".to_owned(),
            "/api/v1/groups.info?roomId=&roomName=private-abc".to_owned(),
        ] {
            let answer = get(&world.server, &path, &world.outsider).await;
            assert_eq!(answer.status, 400, "{path}");
            assert_eq!(
                answer.body,
                fixture("groups.invite/error-400-room-not-found.json"),
                "{path}"
            );
        }
        let answer = get(&world.server, "/api/v1/groups.info", &world.owner).await;
        assert_eq!(
            answer.body,
            fixture("groups.invite/error-400-room-param-not-provided.json")
        );
        let info = get(
            &world.server,
            &format!("/api/v1/groups.info?roomId={}", world.room_id),
            &world.member,
        )
        .await;
        assert_eq!(info.status, 200);
        assert_answer_snapshot!("groups_info", info.body);
    }

    #[tokio::test]
    async fn groups_members_pages_sorted_by_username() {
        let world = World::new().await;
        let names: Vec<String> = (0..120).map(|i| format!("m{i:03}")).collect();
        for name in &names {
            world.server.create_user(name).await;
        }
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": names }),
            )
            .await;
        assert_eq!(answer.status, 200);
        let page = |query: &str| {
            let path = format!("/api/v1/groups.members?roomId={}{query}", world.room_id);
            let owner = world.owner.clone();
            let server = &world.server;
            async move { get(server, &path, &owner).await.body }
        };
        let first = page("").await;
        assert_eq!(first["count"], 50);
        assert_eq!(first["offset"], 0);
        assert_eq!(first["total"], 122);
        assert_eq!(first["members"][0]["username"], "m000");
        let capped = page("&offset=0&count=500").await;
        assert_eq!(capped["count"], 100);
        let all = page("&count=0").await;
        assert_eq!(all["count"], 122);
        assert_eq!(all["members"][121]["username"], "testing1");
        let last = page("&offset=120&count=10").await;
        assert_eq!(last["count"], 2);
        assert_eq!(last["offset"], 120);
        let small = page("&count=2").await;
        assert_answer_snapshot!("groups_members", small);
    }

    #[tokio::test]
    async fn add_moderator_needs_an_owner_and_a_member() {
        let world = World::new().await;
        let body = json!({ "roomId": world.room_id, "userId": world.member.user_id });
        let by_member = post(
            &world.server,
            "/api/v1/groups.addModerator",
            &world.member,
            body.clone(),
        )
        .await;
        assert_eq!(by_member.status, 400);
        assert_json_snapshot!("add_moderator_not_allowed", by_member.body);
        let outsider_target = post(
            &world.server,
            "/api/v1/groups.addModerator",
            &world.owner,
            json!({ "roomId": world.room_id, "userId": world.outsider.user_id }),
        )
        .await;
        assert_eq!(outsider_target.body["errorType"], "error-user-not-in-room");
        let ok = post(
            &world.server,
            "/api/v1/groups.addModerator",
            &world.owner,
            body.clone(),
        )
        .await;
        assert_eq!(ok.body, json!({ "success": true }));
        let again = post(
            &world.server,
            "/api/v1/groups.addModerator",
            &world.owner,
            body,
        )
        .await;
        assert_eq!(again.body["errorType"], "error-user-already-moderator");
        let outsider = post(
            &world.server,
            "/api/v1/groups.addModerator",
            &world.outsider,
            json!({ "roomId": world.room_id, "userId": world.outsider.user_id }),
        )
        .await;
        assert_eq!(
            outsider.body,
            fixture("groups.invite/error-400-room-not-found.json")
        );
    }

    #[tokio::test]
    async fn data_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config();
        config.database_url = format!("sqlite://{}", dir.path().join("durable.db").display());
        let world = World::with(TestServer::start_with(config.clone()).await).await;
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "username": "john.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200);
        let room_id = world.room_id.clone();
        world.server.shutdown().await;

        let server = TestServer::start_with(config).await;
        let admin = server.admin().clone();
        let login = call(
            &server,
            Method::POST,
            "/api/v1/login",
            None,
            Some(json!({ "username": "testing1", "password": "testing1-password" })),
        )
        .await;
        assert_eq!(login.status, 200, "{:#}", login.body);
        let owner = rocketchat_server::testing::TestUser::new(
            login.body["data"]["userId"].as_str().unwrap().to_owned(),
            login.body["data"]["authToken"].as_str().unwrap().to_owned(),
            "testing1".to_owned(),
        );
        let info = get(
            &server,
            &format!("/api/v1/groups.info?roomId={room_id}"),
            &owner,
        )
        .await;
        assert_eq!(info.status, 200);
        assert_eq!(info.body["group"]["usersCount"], 3);
        assert_eq!(info.body["group"]["msgs"], 1);
        assert_eq!(admin.username, "admin");
    }
}

// On SQLite only: these reach into the SQLite file itself.

#[tokio::test]
async fn tokens_are_stored_only_as_base64_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.db");
    let mut config = rocketchat_server::Config::for_tests();
    config.database_url = format!("sqlite://{}", path.display());
    let server = TestServer::start_with(config).await;
    let bob = server.create_user("bob").await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    let stored: Vec<String> = conn
        .prepare("SELECT hashed_token FROM login_tokens WHERE user_id = ?1")
        .unwrap()
        .query_map([&bob.user_id], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    use base64::Engine as _;
    use sha2::Digest as _;
    let expected = base64::engine::general_purpose::STANDARD
        .encode(sha2::Sha256::digest(bob.auth_token.as_bytes()));
    assert_eq!(stored, [expected]);
    let hash: String = conn
        .query_row(
            "SELECT password_hash FROM users WHERE id = ?1",
            [&bob.user_id],
            |row| row.get(0),
        )
        .unwrap();
    let digest: String = sha2::Sha256::digest(b"bob-password")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(bcrypt::verify(digest, &hash).unwrap());
}
