//! Shared helpers: an HTTP client bound to a test server, and insta settings.

use reqwest::{Method, StatusCode};
use rocketchat_server::testing::{TestServer, TestUser};
use serde_json::Value;

/// What a call answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    /// Asserts the exact status, and a body equal to the fixture at `path`.
    #[track_caller]
    pub(crate) fn assert_fixture(&self, status: u16, path: &str) {
        assert_eq!(self.status, status, "{:#}", self.body);
        assert_eq!(self.body, fixture(path));
    }
}

/// Sends a call with optional credentials and JSON body.
pub(crate) async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    who: Option<&TestUser>,
    body: Option<Value>,
) -> Answer {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", server.url()));
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    send(request, who).await
}

/// Adds the credentials, sends, and reads the answer; a body that is not JSON is kept as a string.
async fn send(mut request: reqwest::RequestBuilder, who: Option<&TestUser>) -> Answer {
    if let Some(who) = who {
        request = request
            .header("X-User-Id", &who.user_id)
            .header("X-Auth-Token", &who.auth_token);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Answer {
        status,
        headers,
        body,
    }
}

pub(crate) async fn post(server: &TestServer, path: &str, who: &TestUser, body: Value) -> Answer {
    call(server, Method::POST, path, Some(who), Some(body)).await
}

pub(crate) async fn get(server: &TestServer, path: &str, who: &TestUser) -> Answer {
    call(server, Method::GET, path, Some(who), None).await
}

/// Replaces values that change from run to run with placeholders naming their kind.
pub(crate) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let redacted = match key.as_str() {
                        "_id" | "userId" | "rid" | "roomId" if value.is_string() => {
                            if value == "rocket.cat" || value == "GENERAL" {
                                value.clone()
                            } else {
                                Value::String("[id]".to_owned())
                            }
                        }
                        "ts" | "_updatedAt" | "lm" | "createdAt" if value.is_string() => {
                            Value::String("[date]".to_owned())
                        }
                        "requested" if value.as_str().is_some_and(looks_like_id) => {
                            Value::String("[id]".to_owned())
                        }
                        "authToken" => Value::String("[token]".to_owned()),
                        "avatarUrl" => Value::String("[url]".to_owned()),
                        _ => redact(value),
                    };
                    (key.clone(), redacted)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// Whether a string is a Rocket.Chat id: 17 characters of Meteor's alphabet.
fn looks_like_id(text: &str) -> bool {
    const ALPHABET: &str = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";
    text.len() == 17 && text.chars().all(|c| ALPHABET.contains(c))
}

/// Reads a fixture from the workspace's `fixtures/` folder.
pub(crate) fn fixture(path: &str) -> Value {
    let path = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A server with an owner, a member, a few outsiders and one private group.
pub(crate) struct World {
    pub(crate) server: TestServer,
    pub(crate) owner: TestUser,
    pub(crate) member: TestUser,
    pub(crate) outsider: TestUser,
    pub(crate) room_id: String,
}

impl World {
    /// The owner `testing1` created the group `private-abc` with the member `member`;
    /// `john.doe`, `jane.doe` and `outsider` exist but are not in it.
    pub(crate) async fn new() -> Self {
        Self::with(TestServer::start().await).await
    }

    pub(crate) async fn with(server: TestServer) -> Self {
        let owner = server.create_user("testing1").await;
        let member = server.create_user("member").await;
        let outsider = server.create_user("outsider").await;
        server.create_user("john.doe").await;
        server.create_user("jane.doe").await;
        let room_id = server
            .create_group(&owner, "private-abc", &["member"])
            .await;
        Self {
            server,
            owner,
            member,
            outsider,
            room_id,
        }
    }

    pub(crate) async fn invite(&self, who: &TestUser, body: Value) -> Answer {
        post(&self.server, "/api/v1/groups.invite", who, body).await
    }

    pub(crate) async fn info(&self) -> Value {
        let answer = get(
            &self.server,
            &format!("/api/v1/groups.info?roomId={}", self.room_id),
            &self.owner,
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        answer.body["group"].clone()
    }

    pub(crate) async fn history(&self) -> Vec<Value> {
        let answer = get(
            &self.server,
            &format!("/api/v1/groups.history?roomId={}&count=0", self.room_id),
            &self.owner,
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        answer.body["messages"].as_array().unwrap().clone()
    }

    pub(crate) async fn member_names(&self) -> Vec<String> {
        let answer = get(
            &self.server,
            &format!("/api/v1/groups.members?roomId={}&count=0", self.room_id),
            &self.owner,
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        answer.body["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["username"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Sends raw bytes as a JSON body.
pub(crate) async fn raw(
    server: &TestServer,
    path: &str,
    who: Option<&TestUser>,
    body: &'static str,
) -> Answer {
    let request = reqwest::Client::new()
        .post(format!("{}{path}", server.url()))
        .header("Content-Type", "application/json")
        .body(body);
    send(request, who).await
}
