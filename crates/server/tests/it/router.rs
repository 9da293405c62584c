//! In-process tests of the router, without a socket.

use crate::store_tests;
use crate::support::start;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rocketchat_server::testing::TestServer;
use rocketchat_server::{Config, Error, Server};
use tower::ServiceExt as _;

async fn send(
    server: &TestServer,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let response = server.router().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, serde_json::from_slice(&bytes).unwrap())
}

store_tests! {
    #[tokio::test]
    async fn every_answer_carries_the_no_cache_json_headers() {
        let server = start().await;
        for request in [
            Request::get("/api/info").body(Body::empty()).unwrap(),
            Request::get("/api/v1/me").body(Body::empty()).unwrap(),
            Request::get("/nowhere").body(Body::empty()).unwrap(),
            Request::post("/api/v1/login")
                .header("content-type", "application/json")
                .body(Body::from("{"))
                .unwrap(),
        ] {
            let (_, headers, _) = send(&server, request).await;
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(headers["cache-control"], "no-store");
            assert_eq!(headers["pragma"], "no-cache");
        }
    }

    #[tokio::test]
    async fn login_then_invite_in_process() {
        let server = start().await;
        let (status, _, body) = send(
            &server,
            Request::post("/api/v1/login")
                .header("content-type", "application/json")
                .body(Body::from(
                    r#"{"username":"admin","password":"admin-password"}"#,
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body:#}");
        let user_id = body["data"]["userId"].as_str().unwrap().to_owned();
        let token = body["data"]["authToken"].as_str().unwrap().to_owned();
        let authed = |request: axum::http::request::Builder| {
            request
                .header("x-user-id", &user_id)
                .header("x-auth-token", &token)
                .header("content-type", "application/json")
        };
        let (status, _, body) = send(
            &server,
            authed(Request::post("/api/v1/groups.create"))
                .body(Body::from(r#"{"name":"in-process"}"#))
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body:#}");
        let (status, _, body) = send(
            &server,
            authed(Request::post("/api/v1/groups.invite"))
                .body(Body::from(
                    r#"{"roomName":"in-process","userId":"rocket.cat"}"#,
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(body["group"]["msgs"], 1);
        assert_eq!(body["invitees"][0]["user"]["username"], "rocket.cat");
    }
}

// On SQLite only: these reach into the SQLite file itself.

#[tokio::test]
async fn an_unknown_database_url_is_refused_clearly_without_its_password() {
    let mut config = Config::for_tests();
    config.database_url = "mysql://root:s3cret@localhost/rocketchat".to_owned();
    let error = Server::bind(config).await.unwrap_err();
    assert!(
        matches!(&error, Error::UnsupportedDatabase { url, .. } if url == "mysql://root:***@localhost/rocketchat"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "unsupported database URL \"mysql://root:***@localhost/rocketchat\": expected \
         sqlite://FILE, sqlite:///ABSOLUTE/FILE, sqlite::memory:, postgres://USER@HOST/DATABASE \
         or postgresql://..."
    );
}
