//! Keep-alive: a connection carries the client's next call after every kind of answer.
//!
//! HTTP clients (Python's `requests`, reqwest, browsers) send a call's headers and its body as
//! separate writes and reuse the connection afterwards. An answer given before the body arrived
//! (a 401, a 404, `logout`, which has no use for its body) must still leave the connection
//! usable; otherwise the client's next call finds it closed without an answer. These tests send
//! the body a moment after the headers, so that the answer is always ready first.

use std::time::Duration;

use rocketchat_server::Config;
use rocketchat_server::testing::TestServer;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

/// How long the body lags behind the headers.
const BODY_DELAY: Duration = Duration::from_millis(150);

/// One HTTP/1.1 connection, written and read by hand.
struct Connection {
    stream: BufReader<TcpStream>,
    host: String,
}

/// One answer read off the connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl Connection {
    async fn open(server: &TestServer) -> Self {
        let host = server.url().trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&host).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream: BufReader::new(stream),
            host,
        }
    }

    /// Sends the head, then the body after [`BODY_DELAY`].
    async fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        // A write may fail when the server has closed the connection; `read` then says so.
        let stream = self.stream.get_mut();
        let _ = stream.write_all(head.as_bytes()).await;
        if !body.is_empty() {
            tokio::time::sleep(BODY_DELAY).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
    }

    /// Reads one answer; `None` when the server closed (or reset) the connection instead.
    async fn read(&mut self) -> Option<Answer> {
        let mut status_line = String::new();
        let read = tokio::time::timeout(
            Duration::from_secs(10),
            self.stream.read_line(&mut status_line),
        )
        .await
        .expect("the server answers or closes within 10 s");
        if read.unwrap_or(0) == 0 {
            return None;
        }
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        let mut answer = Answer {
            status,
            headers,
            body: Value::Null,
        };
        let length: usize = answer.header("content-length").unwrap().parse().unwrap();
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.unwrap();
        answer.body = serde_json::from_slice(&body).unwrap();
        Some(answer)
    }

    /// `GET /api/info` on this connection, which must still be open.
    async fn info_still_answers(&mut self, after: &str) {
        self.send("GET", "/api/info", &[], "").await;
        let answer = self
            .read()
            .await
            .unwrap_or_else(|| panic!("the server closed the connection after {after}"));
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["success"], true, "{answer:?}");
    }
}

#[tokio::test]
async fn answers_given_before_the_body_arrives_keep_the_connection_open() {
    let server = TestServer::start().await;
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
    let mut config = Config::for_tests();
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
