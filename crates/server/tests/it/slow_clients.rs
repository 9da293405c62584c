//! Slow and hostile clients, over real TCP: a connection that sends its headers too slowly or
//! sits idle is closed, the number of open connections is bounded, a graceful shutdown ends
//! within its deadline whatever the clients do, and normal calls go on meanwhile.

use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::http::Request;
use serde_json::json;
use tower::ServiceExt as _;

use crate::store_tests;
use crate::support::start_with;
use crate::support::{LogCapture, RawConnection, World, get};

/// Slack for the scheduler on a busy machine, on top of a configured timeout.
const SLACK: Duration = Duration::from_secs(3);

/// A body that never comes.
struct Stalled;

impl HttpBody for Stalled {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Pending
    }
}

store_tests! {
    #[tokio::test]
    async fn a_client_too_slow_to_send_its_headers_is_disconnected() {
        let server = start_with(|config| config.header_read_timeout_secs = 1).await;
        let partial_requests: [&[u8]; 3] = [
            b"",
            b"POST /api/v1/groups.in",
            b"GET /api/info HTTP/1.1\r\nHost: localhost\r\nAccept: appl",
        ];
        for partial in partial_requests {
            let mut connection = RawConnection::open(&server).await;
            connection.write(partial).await;
            let started = Instant::now();
            let closed = connection
                .closed_within(Duration::from_secs(1) + SLACK)
                .await;
            assert!(closed, "still open after {partial:?}");
            assert!(
                started.elapsed() >= Duration::from_millis(900),
                "closed after {:?}, before the timeout",
                started.elapsed()
            );
        }
        // The server goes on serving.
        RawConnection::open(&server)
            .await
            .info_still_answers("slow clients")
            .await;
    }

    #[tokio::test]
    async fn an_idle_keep_alive_connection_is_closed() {
        let server = start_with(|config| config.header_read_timeout_secs = 1).await;
        let mut connection = RawConnection::open(&server).await;
        connection.info_still_answers("opening").await;
        // Well within the timeout the connection still carries calls.
        tokio::time::sleep(Duration::from_millis(300)).await;
        connection.info_still_answers("a short pause").await;
        let idle = Instant::now();
        assert!(
            connection
                .closed_within(Duration::from_secs(1) + SLACK)
                .await
        );
        assert!(idle.elapsed() >= Duration::from_millis(900), "{idle:?}");
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_wait_until_one_closes() {
        let server = start_with(|config| config.max_connections = 2).await;
        let mut first = RawConnection::open(&server).await;
        first.info_still_answers("opening").await;
        let _second = RawConnection::open(&server).await;
        // The kernel completes the third handshake, but the server does not take the connection.
        let mut third = RawConnection::open(&server).await;
        third.send("GET", "/api/info", &[], "").await;
        let waiting = tokio::time::timeout(Duration::from_millis(500), third.read()).await;
        assert!(waiting.is_err(), "answered beyond the limit: {waiting:?}");

        drop(first);
        let answer = tokio::time::timeout(SLACK, third.read())
            .await
            .expect("answered once a connection closed")
            .expect("an answer");
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["success"], true);
    }

    /// While many clients hold connections open without finishing a request, other clients are
    /// answered as usual.
    #[tokio::test]
    async fn normal_calls_are_answered_while_200_slow_connections_are_open() {
        let world = World::new().await;
        let owner = &world.owner;
        let auth = format!(
            "X-User-Id: {}\r\nX-Auth-Token: {}\r\n",
            owner.user_id, owner.auth_token
        );
        let half_body = format!(
            "POST /api/v1/groups.invite HTTP/1.1\r\nHost: localhost\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"roomId\": "
        );
        let mut slow = Vec::new();
        for index in 0..200 {
            let mut connection = RawConnection::open(&world.server).await;
            match index % 3 {
                0 => {}
                1 => connection.write(b"GET /api/in").await,
                _ => connection.write(half_body.as_bytes()).await,
            }
            slow.push(connection);
        }
        let answer = world
            .invite(
                owner,
                json!({ "roomId": world.room_id, "username": "john.doe" }),
            )
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["invitees"][0]["outcome"], "added");
        let info = get(&world.server, "/api/v1/me", owner).await;
        assert_eq!(info.status, 200, "{:#}", info.body);
        assert_eq!(slow.len(), 200);
    }

    /// Shutdown closes what the clients leave open once its deadline has passed, instead of
    /// waiting for the header read timeout (20 s) or the request timeout (30 s).
    #[tokio::test]
    async fn a_graceful_shutdown_ends_at_its_deadline_whatever_the_clients_do() {
        let server = start_with(|config| config.shutdown_timeout_secs = 1).await;
        let admin = server.admin().clone();
        let mut half_line = RawConnection::open(&server).await;
        half_line.write(b"GET /api/in").await;
        let mut half_body = RawConnection::open(&server).await;
        half_body
            .write(
                format!(
                    "POST /api/v1/groups.invite HTTP/1.1\r\nHost: localhost\r\nX-User-Id: {}\r\n\
                     X-Auth-Token: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n\
                     {{\"roomId\": ",
                    admin.user_id, admin.auth_token
                )
                .as_bytes(),
            )
            .await;
        let mut idle = RawConnection::open(&server).await;
        idle.info_still_answers("opening").await;
        // Let the server take in what was sent.
        tokio::time::sleep(Duration::from_millis(200)).await;

        let started = Instant::now();
        server.shutdown().await;
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(1) + SLACK,
            "shutdown took {took:?}"
        );
        for (name, connection) in [
            ("half a request line", &mut half_line),
            ("half a body", &mut half_body),
            ("an idle keep-alive", &mut idle),
        ] {
            assert!(
                connection.closed_within(SLACK).await,
                "{name} still open after shutdown"
            );
        }
    }

    /// A call in flight when the shutdown starts is answered, if it finishes before the deadline.
    #[tokio::test]
    async fn a_call_in_flight_finishes_during_a_graceful_shutdown() {
        let world = World::with(
            start_with(|config| config.shutdown_timeout_secs = 10).await,
        )
        .await;
        let owner = world.owner.clone();
        let body = json!({ "roomId": world.room_id, "username": "john.doe" }).to_string();
        let (head, tail) = body.split_at(10);
        let mut connection = RawConnection::open(&world.server).await;
        connection
            .write(
                format!(
                    "POST /api/v1/groups.invite HTTP/1.1\r\nHost: localhost\r\nX-User-Id: {}\r\n\
                     X-Auth-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n\
                     {head}",
                    owner.user_id,
                    owner.auth_token,
                    body.len()
                )
                .as_bytes(),
            )
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        let shutdown = tokio::spawn(world.server.shutdown());
        tokio::time::sleep(Duration::from_millis(300)).await;
        connection.write(tail.as_bytes()).await;
        let answer = connection.read().await.expect("an answer");
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["invitees"][0]["outcome"], "added");
        shutdown.await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "shutdown waited for its deadline: {:?}",
            started.elapsed()
        );
    }

    /// A client too slow to send its body is answered 503 at the request timeout, as before, and
    /// the log says it was the client, at INFO, not as a server error.
    #[tokio::test]
    async fn a_timeout_the_client_caused_is_not_logged_as_an_error() {
        let server = start_with(|config| config.request_timeout_secs = 1).await;
        let admin = server.admin().clone();
        let logs = LogCapture::start();
        let request = Request::post("/api/v1/groups.invite")
            .header("content-type", "application/json")
            .header("x-user-id", &admin.user_id)
            .header("x-auth-token", &admin.auth_token)
            .body(Body::new(Stalled))
            .unwrap();
        let response = server.router().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 503);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            json!({ "success": false, "error": "Service Unavailable" })
        );
        let logged = logs.text();
        assert!(
            logged.contains(" INFO ")
                && logged.contains("the client did not send its whole body within the request timeout"),
            "{logged}"
        );
        assert!(!logged.contains("ERROR"), "{logged}");
    }
}
