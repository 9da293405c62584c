//! Shared helpers: an HTTP client bound to a test server, and insta settings.

use reqwest::{Method, StatusCode};
use rocketchat_server::testing::{Credentials, TestServer};
use serde_json::Value;

/// What a call answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

/// Sends a call with optional credentials and JSON body.
pub(crate) async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    who: Option<&Credentials>,
    body: Option<Value>,
) -> Answer {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("{}{path}", server.url()));
    if let Some(who) = who {
        request = request
            .header("X-User-Id", &who.user_id)
            .header("X-Auth-Token", &who.auth_token);
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
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

pub(crate) async fn post(server: &TestServer, path: &str, who: &Credentials, body: Value) -> Answer {
    call(server, Method::POST, path, Some(who), Some(body)).await
}

pub(crate) async fn get(server: &TestServer, path: &str, who: &Credentials) -> Answer {
    call(server, Method::GET, path, Some(who), None).await
}
