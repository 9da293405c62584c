//! The REST rate limiter: 10 calls per 60 s per IP and route by default, admins exempt,
//! after authentication.

use rocketchat_server::Config;
use rocketchat_server::testing::TestServer;
use serde_json::json;

use crate::store_tests;
use crate::support::{call, fixture, get, post};

/// The test's server settings, with the limiter on and 3 calls a window.
fn limited_config() -> Config {
    let mut config = crate::support::config();
    config.rate_limiter = true;
    config.rate_limit_calls = 3;
    config
}

store_tests! {
    #[tokio::test]
    async fn the_fourth_call_gets_429_with_headers() {
        let server = TestServer::start_with(limited_config()).await;
        let bob = server.create_user("bob").await;
        for remaining in ["2", "1", "0"] {
            let answer = get(&server, "/api/v1/me", &bob).await;
            assert_eq!(answer.status, 200);
            assert_eq!(answer.headers["x-ratelimit-limit"], "3");
            assert_eq!(answer.headers["x-ratelimit-remaining"], remaining);
            let reset: u64 = answer.headers["x-ratelimit-reset"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(reset > 1_700_000_000_000, "epoch milliseconds: {reset}");
        }
        let answer = get(&server, "/api/v1/me", &bob).await;
        assert_eq!(answer.status, 429);
        assert_eq!(answer.headers["x-ratelimit-remaining"], "0");
        let mut expected = fixture("groups.invite/error-429.json");
        expected["error"] = json!(
            "Error, too many requests. Please slow down. You must wait 60 seconds before trying this \
             endpoint again. [error-too-many-requests]"
        );
        assert_eq!(answer.body, expected);
        // Another route has its own count.
        let info = get(&server, "/api/v1/groups.info?roomName=x", &bob).await;
        assert_eq!(info.status, 400);
    }

    #[tokio::test]
    async fn unauthenticated_calls_get_401_and_are_not_counted() {
        let server = TestServer::start_with(limited_config()).await;
        for _ in 0..5 {
            let answer = call(&server, reqwest::Method::GET, "/api/v1/me", None, None).await;
            answer.assert_fixture(401, "groups.invite/error-401-modern.json");
        }
        let bob = server.create_user("bob").await;
        assert_eq!(get(&server, "/api/v1/me", &bob).await.status, 200);
    }

    #[tokio::test]
    async fn admins_are_exempt() {
        let server = TestServer::start_with(limited_config()).await;
        let admin = server.admin().clone();
        for _ in 0..6 {
            let answer = get(&server, "/api/v1/me", &admin).await;
            assert_eq!(answer.status, 200);
            assert!(answer.headers.get("x-ratelimit-limit").is_none());
        }
        let room = server.create_group(&admin, "g", &[]).await;
        server.create_user("bob").await;
        for _ in 0..5 {
            let answer = post(
                &server,
                "/api/v1/groups.invite",
                &admin,
                json!({ "roomId": room, "username": "bob" }),
            )
            .await;
            assert_eq!(answer.status, 200);
        }
    }

    #[tokio::test]
    async fn info_is_not_limited() {
        let server = TestServer::start_with(limited_config()).await;
        for _ in 0..6 {
            let answer = call(&server, reqwest::Method::GET, "/api/info", None, None).await;
            assert_eq!(answer.status, 200);
        }
    }
}
