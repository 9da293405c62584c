//! Shared helpers: fixtures, a mock server with a loud catch-all, a client pointed at it.

use std::{path::PathBuf, time::Duration};

use rocketchat_client::{Client, ClientBuilder, Credentials, RetryPolicy};
use serde_json::Value;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};

/// The user id and token every mock expects.
pub(crate) const USER_ID: &str = "aobEdbYhXfu5hkeqG";
pub(crate) const TOKEN: &str = "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq";

/// A file under the workspace's `fixtures/`, parsed.
pub(crate) fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A mock server whose only mock so far is a catch-all that fails the test, naming the route
/// the test meant to mock, when any request reaches it.
pub(crate) async fn mock_server(expected_route: &str) -> MockServer {
    let server = MockServer::start().await;
    let expected = expected_route.to_owned();
    Mock::given(any())
        .respond_with(move |request: &Request| {
            ResponseTemplate::new(418).set_body_string(format!(
                "no mock matched {} {}; the test mocks only {expected}",
                request.method,
                request.url.path()
            ))
        })
        .with_priority(u8::MAX)
        .named(format!(
            "catch-all: a request did not match the mock for {expected_route}"
        ))
        .expect(0)
        .mount(&server)
        .await;
    server
}

/// Retries with short waits, so tests stay fast.
pub(crate) fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(2)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(20))
}

/// A builder aimed at `server` with the token credentials the mocks expect.
pub(crate) fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::token(USER_ID, TOKEN))
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
}

/// A client aimed at `server` with the token credentials the mocks expect.
pub(crate) fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

/// How many requests the server received for `path`.
pub(crate) async fn hits(server: &MockServer, path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|request| request.url.path() == path)
        .count()
}
