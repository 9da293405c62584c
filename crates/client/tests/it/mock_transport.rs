//! The HTTP client underneath: an injected one, and the log of each call.

use std::{
    io::Write,
    sync::{Arc, Mutex},
    time::Duration,
};

use rocketchat_client::{Client, Credentials, Error, RoomSelector, reqwest};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{header, method, path},
};

use crate::support::{TOKEN, USER_ID, builder, fixture, hits, mock_server};

const INVITE: &str = "/api/v1/groups.invite";

fn invite_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture("groups.invite/response-200-modern.json"))
}

/// A reqwest client with a default header the mocks can look for, following no redirects.
fn tagged_http_client() -> reqwest::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-proxy-tag", "group-sync".parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .user_agent("their-agent/1.0")
        .redirect(reqwest::redirect::Policy::none())
}

#[tokio::test]
async fn an_injected_http_client_carries_the_calls_with_our_user_agent() {
    let server = mock_server(INVITE).await;
    Mock::given(method("POST"))
        .and(path(INVITE))
        .and(header("x-proxy-tag", "group-sync"))
        .and(header("user-agent", "group-sync/2.0"))
        .and(header("accept", "application/json"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(invite_ok())
        .expect(1)
        .mount(&server)
        .await;

    let client = builder(&server)
        .http_client(tagged_http_client().build().unwrap())
        .user_agent("group-sync/2.0")
        .build()
        .unwrap();
    client
        .invite_usernames(RoomSelector::name("private-abc"), ["john.doe"])
        .await
        .unwrap();
}

#[tokio::test]
async fn the_timeout_applies_to_an_injected_http_client() {
    let server = mock_server(INVITE).await;
    Mock::given(method("POST"))
        .and(path(INVITE))
        .respond_with(invite_ok().set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;

    let client = builder(&server)
        .http_client(tagged_http_client().build().unwrap())
        .timeout(Duration::from_millis(200))
        .retry_policy(rocketchat_client::RetryPolicy::never())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = client
        .invite_usernames(RoomSelector::name("private-abc"), ["john.doe"])
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// An injected client that follows redirects has sent the call on by the time the answer comes;
/// the client does not take that answer for the one it asked.
#[tokio::test]
async fn a_redirect_an_injected_client_followed_is_an_error() {
    let elsewhere = mock_server(INVITE).await;
    Mock::given(method("POST"))
        .and(path(INVITE))
        .respond_with(invite_ok())
        .expect(1)
        .mount(&elsewhere)
        .await;
    let server = mock_server(INVITE).await;
    let target = format!("{}{INVITE}", elsewhere.uri());
    Mock::given(method("POST"))
        .and(path(INVITE))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", target.as_str()))
        .expect(1)
        .mount(&server)
        .await;

    let following = reqwest::Client::builder().build().unwrap();
    let error = builder(&server)
        .http_client(following)
        .build()
        .unwrap()
        .invite_usernames(RoomSelector::name("private-abc"), ["john.doe"])
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::Redirect { status: 200, location: Some(l) } if *l == target),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "redirected to {target}, which answered 200: the answer was not used; build the \
             HTTP client with redirect::Policy::none() and use that address as the base URL"
        )
    );
    assert!(!error.is_transient());
    assert_eq!(hits(&server, INVITE).await, 1, "not retried");
}

#[test]
fn the_builders_debug_hides_the_injected_clients_headers() {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "proxy-authorization",
        "Basic cHJveHk6czNjcmV0".parse().unwrap(),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let builder = Client::builder()
        .base_url("https://proxy:s3cret@chat.example.com")
        .credentials(Credentials::token(USER_ID, TOKEN))
        .http_client(http);

    let debug = format!("{builder:?}");

    for secret in ["cHJveHk6czNjcmV0", "s3cret", TOKEN] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    assert!(debug.contains("injected_http_client: true"), "{debug}");
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains("cHJveHk6czNjcmV0"));
}

/// Collects what a subscriber writes.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Each call runs in a span naming its endpoint, so that the retry and login events inside
/// it say which call they belong to.
#[tokio::test]
async fn events_of_a_call_carry_its_endpoint() {
    let server = mock_server("POST /api/v1/login, then POST /api/v1/groups.invite").await;
    Mock::given(method("POST"))
        .and(path("/api/v1/login"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("login/response-200-modern.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(INVITE))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(INVITE))
        .respond_with(invite_ok())
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .finish();
    let client = builder(&server)
        .credentials(Credentials::password("testing1", "p4ss"))
        .build()
        .unwrap();

    {
        let _default = tracing::subscriber::set_default(subscriber);
        client
            .invite_usernames(RoomSelector::name("private-abc"), ["john.doe"])
            .await
            .unwrap();
    }

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let ours: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(" rocketchat_client::"))
        .map(|line| {
            // The wait is random; the rest is fixed.
            line.split(" wait_ms=").next().unwrap_or(line)
        })
        .collect();
    let invite = r#"rocketchat{endpoint="groups.invite" method="POST"}"#;
    let login = r#"rocketchat{endpoint="login" method="POST"}"#;
    let target = "rocketchat_client::client";
    assert_eq!(
        ours,
        [
            format!("DEBUG {invite}:{login}: {target}: answered status=200"),
            format!("DEBUG {invite}:{login}: {target}: logged in user_id={USER_ID}"),
            format!("DEBUG {invite}: {target}: answered status=503"),
            format!(" WARN {invite}: {target}: retrying retry=1"),
            format!("DEBUG {invite}: {target}: answered status=200"),
        ],
        "{text}"
    );
}
