//! Bad input: every refusal is a 4xx with an error body, and the server keeps serving.

use insta::assert_json_snapshot;
use rocketchat_server::testing::TestServer;
use serde_json::json;

use crate::store_tests;
use crate::support::{World, fixture, get, post, raw};
use crate::support::{config, start};

store_tests! {
    #[tokio::test]
    async fn malformed_and_mistyped_bodies_are_invalid_params() {
        let world = World::new().await;
        let owner = world.owner.clone();
        let cases: &[(&str, &'static str)] = &[
            ("malformed", r#"{"roomId": "#),
            ("not_json", "roomId=abc&userId=def"),
            ("array", r#"[{"roomId": "x"}]"#),
            ("string", r#""hello""#),
            ("number", "42"),
            ("room_id_number", r#"{"roomId": 123, "userId": "x"}"#),
            ("user_ids_string", r#"{"roomId": "x", "userIds": "abc"}"#),
            ("usernames_numbers", r#"{"roomId": "x", "usernames": [5]}"#),
            ("trailing_garbage", r#"{"roomId": "x"} x"#),
        ];
        for (name, body) in cases {
            let answer = raw(&world.server, "/api/v1/groups.invite", Some(&owner), body).await;
            assert_eq!(answer.status, 400, "{name}");
            assert_eq!(answer.body["success"], false, "{name}");
            assert_eq!(answer.body["errorType"], "invalid-params", "{name}");
            assert_json_snapshot!(format!("invalid_{name}"), answer.body);
        }
        // The server keeps serving.
        let answer = world
            .invite(
                &owner,
                json!({ "roomId": world.room_id, "username": "john.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200);
    }

    #[tokio::test]
    async fn an_empty_body_counts_as_an_empty_object() {
        let world = World::new().await;
        let answer = raw(
            &world.server,
            "/api/v1/groups.invite",
            Some(&world.owner),
            "",
        )
        .await;
        answer.assert_fixture(400, "groups.invite/error-400-room-param-not-provided.json");
    }

    #[tokio::test]
    async fn oversized_bodies_are_413_with_an_error_type() {
        let mut config = config();
        config.max_request_body_bytes = 1024;
        let world = World::with(TestServer::start_with(config).await).await;
        let names: Vec<String> = (0..200).map(|i| format!("someone-{i}")).collect();
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": names }),
            )
            .await;
        assert_eq!(answer.status, 413);
        assert_eq!(answer.body["errorType"], "error-payload-too-large");
        assert_json_snapshot!("payload_too_large", answer.body);
        let answer = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "username": "john.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200);
    }

    #[tokio::test]
    async fn unknown_routes_and_methods_are_404() {
        let server = start().await;
        let admin = server.admin().clone();
        for (method, path) in [
            (reqwest::Method::GET, "/api/v1/nope"),
            (reqwest::Method::GET, "/"),
            (reqwest::Method::GET, "/api/v1/groups.invite"),
            (reqwest::Method::DELETE, "/api/v1/me"),
        ] {
            let answer = crate::support::call(&server, method, path, Some(&admin), None).await;
            assert_eq!(answer.status, 404, "{path}");
            assert_eq!(
                answer.body,
                fixture("errors/error-404-not-found.json"),
                "{path}"
            );
            assert_eq!(answer.headers["content-type"], "application/json");
        }
    }

    /// A body must be labelled JSON. Rocket.Chat reads anything else as text and ignores it, so a
    /// form or an unlabelled JSON body silently counts as `{}` there; here it gets a clear 400.
    #[tokio::test]
    async fn a_body_that_is_not_labelled_json_is_refused_clearly() {
        let world = World::new().await;
        let body = format!(
            r#"{{"roomId": "{}", "username": "john.doe"}}"#,
            world.room_id
        );
        let send = |content_type: Option<&'static str>, body: String| {
            let mut request = reqwest::Client::new()
                .post(format!("{}/api/v1/groups.invite", world.server.url()))
                .header("X-User-Id", &world.owner.user_id)
                .header("X-Auth-Token", &world.owner.auth_token)
                .body(body);
            if let Some(content_type) = content_type {
                request = request.header("Content-Type", content_type);
            }
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap())
            }
        };
        for (content_type, shown) in [
            (
                Some("application/x-www-form-urlencoded"),
                "\"application/x-www-form-urlencoded\"",
            ),
            (
                Some("text/plain;charset=UTF-8"),
                "\"text/plain;charset=UTF-8\"",
            ),
            (None, "without a Content-Type"),
        ] {
            let (status, answer) = send(content_type, body.clone()).await;
            assert_eq!(status, 400, "{content_type:?}");
            assert_eq!(
                answer,
                json!({
                    "success": false,
                    "error": format!(
                        "the request body must be JSON sent with Content-Type: application/json, \
                         not {shown} [invalid-params]"
                    ),
                    "errorType": "invalid-params"
                })
            );
        }
        assert_eq!(world.member_names().await, ["member", "testing1"]);

        // Any JSON type with parameters is fine, and an empty body needs no type at all.
        let (status, answer) = send(Some("Application/JSON; charset=utf-8"), body).await;
        assert_eq!(status, 200, "{answer:#}");
        let (status, answer) = send(None, String::new()).await;
        assert_eq!(status, 400);
        assert_eq!(answer["errorType"], "error-room-param-not-provided");
    }

    /// A client that sends its headers and then stalls is answered 503 once the request timeout has
    /// passed, with Rocket.Chat's `unavailable` body, and the server keeps serving.
    #[tokio::test]
    async fn a_stalled_request_is_answered_503_after_the_request_timeout() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

        let mut config = config();
        config.request_timeout_secs = 1;
        let server = TestServer::start_with(config).await;
        let admin = server.admin().clone();
        let address = server.url().trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /api/v1/groups.invite HTTP/1.1\r\nHost: {address}\r\n\
             X-User-Id: {}\r\nX-Auth-Token: {}\r\nContent-Type: application/json\r\n\
             Content-Length: 100\r\nConnection: close\r\n\r\n{{\"roomId\": ",
            admin.user_id, admin.auth_token
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let mut answer = String::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_string(&mut answer),
        )
        .await
        .expect("the server answers within the timeout and some slack")
        .unwrap();
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(900),
            "{answer}"
        );
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        assert_eq!(body, r#"{"success":false,"error":"Service Unavailable"}"#);

        let next = raw(&server, "/api/v1/groups.invite", Some(&admin), "{}").await;
        assert_eq!(next.status, 400, "{:#}", next.body);
        assert_eq!(next.body["errorType"], "error-room-param-not-provided");
    }

    /// A NUL character (U+0000), which no store can keep: refused in what would be stored,
    /// and matching nothing in what is looked up, on every store alike.
    #[tokio::test]
    async fn a_nul_character_is_refused_in_stored_text_and_matches_nothing_in_names() {
        let world = World::new().await;
        let admin = world.server.admin().clone();
        let created = post(
            &world.server,
            "/api/v1/users.create",
            &admin,
            json!({ "username": "nul", "email": "nul@example.com", "name": "N\u{0}L", "password": "p" }),
        )
        .await;
        assert_eq!(created.status, 400, "{:#}", created.body);
        assert_eq!(
            created.body,
            json!({
                "success": false,
                "error": "name must not contain a NUL character (U+0000) [invalid-params]",
                "errorType": "invalid-params"
            })
        );
        let group = post(
            &world.server,
            "/api/v1/groups.create",
            &world.owner,
            json!({ "name": "nul-group", "customFields": { "note": "a\u{0}b" } }),
        )
        .await;
        assert_eq!(group.status, 400, "{:#}", group.body);
        assert_eq!(
            group.body["error"],
            "customFields must not contain a NUL character (U+0000) [invalid-params]"
        );

        let invited = world
            .invite(
                &world.owner,
                json!({ "roomId": world.room_id, "usernames": ["john.doe", "ja\u{0}ne"] }),
            )
            .await;
        assert_eq!(invited.status, 200, "{:#}", invited.body);
        assert_eq!(invited.body["invitees"][1]["outcome"], "notFound");
        let unknown_room = world
            .invite(
                &world.owner,
                json!({ "roomName": "private\u{0}abc", "username": "jane.doe" }),
            )
            .await;
        unknown_room.assert_fixture(400, "groups.invite/error-400-room-not-found.json");
        let info = get(&world.server, "/api/v1/groups.info?roomName=private%00abc", &world.owner).await;
        assert_eq!(info.status, 400, "{:#}", info.body);
        assert_eq!(info.body["errorType"], "error-room-not-found");
    }
}
