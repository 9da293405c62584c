//! Keep-alive: a connection carries the client's next call after every kind of answer.
//!
//! HTTP clients (Python's `requests`, reqwest, browsers) send a call's headers and its body as
//! separate writes and reuse the connection afterwards. An answer given before the body arrived
//! (a 401, a 404, `logout`, which has no use for its body) must still leave the connection
//! usable; otherwise the client's next call finds it closed without an answer. These tests send
//! the body a moment after the headers, so that the answer is always ready first.

use rocketchat_server::testing::TestServer;

use crate::store_tests;
use crate::support::RawConnection as Connection;
use crate::support::{config, start};

store_tests! {
    #[tokio::test]
    async fn answers_given_before_the_body_arrives_keep_the_connection_open() {
        let server = start().await;
        let user = server.create_user("kept.alive").await;
        let auth = [
            ("X-User-Id", user.user_id.as_str()),
            ("X-Auth-Token", user.auth_token.as_str()),
        ];
        let wrong_token = [
            ("X-User-Id", user.user_id.as_str()),
            ("X-Auth-Token", "nope"),
        ];
        let mut connection = Connection::open(&server).await;

        connection
            .send(
                "POST",
                "/api/v1/groups.invite",
                &wrong_token,
                r#"{"roomId":"x"}"#,
            )
            .await;
        let answer = connection.read().await.expect("an answer");
        assert_eq!(answer.status, 401, "{answer:?}");
        assert_eq!(answer.body["error"], "You must be logged in to do this.");
        connection.info_still_answers("a 401").await;

        connection
            .send("POST", "/api/v1/no.such.endpoint", &auth, "{}")
            .await;
        let answer = connection.read().await.expect("an answer");
        assert_eq!(answer.status, 404, "{answer:?}");
        assert_eq!(
            answer.body,
            serde_json::json!({"success": false, "error": "Resource not found"})
        );
        connection.info_still_answers("a 404").await;

        connection.send("POST", "/api/v1/logout", &auth, "{}").await;
        let answer = connection.read().await.expect("an answer");
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["status"], "success");
        connection.info_still_answers("logout").await;
    }

    /// A body over the limit is refused without reading the rest of it, and the answer says that
    /// the connection closes, so that no client sends another call on it.
    #[tokio::test]
    async fn an_oversized_body_is_answered_413_and_the_connection_closes() {
        let mut config = config();
        config.max_request_body_bytes = 64;
        let server = TestServer::start_with(config).await;
        let admin = server.admin().clone();
        let auth = [
            ("X-User-Id", admin.user_id.as_str()),
            ("X-Auth-Token", admin.auth_token.as_str()),
        ];
        let body = format!(r#"{{"roomId":"x","usernames":["{}"]}}"#, "a".repeat(100));
        let mut connection = Connection::open(&server).await;
        connection
            .send("POST", "/api/v1/groups.invite", &auth, &body)
            .await;
        let answer = connection.read().await.expect("an answer");
        assert_eq!(answer.status, 413, "{answer:?}");
        assert_eq!(answer.body["errorType"], "error-payload-too-large");
        assert_eq!(answer.header("connection"), Some("close"), "{answer:?}");
        assert!(connection.read().await.is_none(), "the connection closes");

        // Authentication still answers first, as in Rocket.Chat.
        let wrong_token = [
            ("X-User-Id", admin.user_id.as_str()),
            ("X-Auth-Token", "nope"),
        ];
        let mut connection = Connection::open(&server).await;
        connection
            .send("POST", "/api/v1/groups.invite", &wrong_token, &body)
            .await;
        let answer = connection.read().await.expect("an answer");
        assert_eq!(answer.status, 401, "{answer:?}");
        assert_eq!(answer.header("connection"), Some("close"), "{answer:?}");
        assert!(connection.read().await.is_none(), "the connection closes");
    }
}
