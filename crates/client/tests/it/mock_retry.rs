//! Retries against a mock server: 429, 5xx, timeouts and refused connections.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rocketchat_client::{Error, RetryPolicy, RoomSelector, protocol::ErrorBody};
use rocketchat_protocol::groups::create;
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path},
};

use crate::support::{builder, client, fixture, hits, mock_server};

const INVITE: &str = "/api/v1/groups.invite";
const CREATE: &str = "/api/v1/groups.create";

fn invite_ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(fixture("groups.invite/response-200-with-outcomes.json"))
}

fn create_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture("groups.create/response-200.json"))
}

fn too_many() -> ResponseTemplate {
    ResponseTemplate::new(429).set_body_json(fixture("groups.invite/error-429.json"))
}

/// A 429 whose message names no wait, unlike Rocket.Chat's.
fn too_many_silently() -> ResponseTemplate {
    ResponseTemplate::new(429)
        .set_body_json(serde_json::json!({ "success": false, "error": "Too many requests" }))
}

fn epoch_ms_in(wait: Duration) -> String {
    (SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + wait)
        .as_millis()
        .to_string()
}

/// Mounts `first` for the first `times` calls to `route`, then `then` for the rest.
async fn answer(
    server: &wiremock::MockServer,
    route: &str,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
) {
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn rate_limited_call_waits_until_x_ratelimit_reset_then_succeeds() {
    let server = mock_server(INVITE).await;
    // Measured from before the reset time is fixed, so load on the machine cannot shorten it.
    let started = Instant::now();
    let limited = too_many_silently()
        .insert_header("X-RateLimit-Limit", "10")
        .insert_header("X-RateLimit-Remaining", "0")
        .insert_header(
            "X-RateLimit-Reset",
            epoch_ms_in(Duration::from_millis(400)).as_str(),
        );
    answer(&server, INVITE, limited, 1, invite_ok()).await;

    let response = client(&server)
        .invite_usernames(
            RoomSelector::name("private-abc"),
            ["John.Doe", "testing1", "no.such.user"],
        )
        .await
        .unwrap();

    assert!(
        started.elapsed() >= Duration::from_millis(390),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.summary().unwrap().added, 1);
    assert_eq!(hits(&server, INVITE).await, 2);
}

/// Answers one invite with `first`, then 200; the time the client took to succeed.
async fn time_to_succeed_after(first: ResponseTemplate) -> Duration {
    let server = mock_server(INVITE).await;
    answer(&server, INVITE, first, 1, invite_ok()).await;

    let started = Instant::now();
    client(&server)
        .invite_usernames(RoomSelector::name("private-abc"), ["John.Doe"])
        .await
        .unwrap();
    assert_eq!(hits(&server, INVITE).await, 2);
    started.elapsed()
}

#[tokio::test]
async fn rate_limited_call_honours_retry_after_seconds() {
    let waited = time_to_succeed_after(too_many().insert_header("Retry-After", "1")).await;
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
}

#[tokio::test]
async fn rate_limited_call_honours_retry_after_as_an_http_date() {
    // Two seconds ahead, in whole seconds: the client waits between one and two, not the
    // 42 seconds that the fixture's message gives.
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let waited = time_to_succeed_after(too_many().insert_header("Retry-After", at.as_str())).await;
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(10),
        "{at}: {waited:?}"
    );
}

#[tokio::test]
async fn rate_limit_is_retried_even_for_calls_that_are_not_repeatable() {
    let server = mock_server(CREATE).await;
    answer(
        &server,
        CREATE,
        too_many().insert_header("Retry-After", "0"),
        1,
        create_ok(),
    )
    .await;

    let response = client(&server)
        .groups_create(&create::Request::new("testing"))
        .await
        .unwrap();

    assert_eq!(response.group.name.as_deref(), Some("testing"));
    assert_eq!(hits(&server, CREATE).await, 2);
}

#[tokio::test]
async fn wait_longer_than_allowed_is_returned_at_once() {
    let server = mock_server(INVITE).await;
    let reset = epoch_ms_in(Duration::from_secs(120));
    answer(
        &server,
        INVITE,
        too_many_silently().insert_header("X-RateLimit-Reset", reset.as_str()),
        1,
        invite_ok(),
    )
    .await;

    let error = client(&server)
        .invite_usernames(RoomSelector::name("private-abc"), ["John.Doe"])
        .await
        .unwrap_err();

    let Error::RateLimited {
        retry_after,
        message,
    } = &error
    else {
        panic!("{error:?}")
    };
    let wait = retry_after.unwrap();
    assert!(
        wait > Duration::from_secs(118) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
    assert_eq!(message, "Too many requests");
    assert_eq!(error.status(), Some(429));
    assert_eq!(
        error.error_type().map(|k| k.as_str()),
        Some("error-too-many-requests")
    );
    assert_eq!(hits(&server, INVITE).await, 1);
}

/// The message's relative wait is taken over `X-RateLimit-Reset`, a time on the server's clock
/// (here far off, as with a client clock that is behind).
#[tokio::test]
async fn the_messages_wait_beats_a_reset_time() {
    let limited = ResponseTemplate::new(429)
        .set_body_json(serde_json::json!({
            "success": false,
            "error": "Error, too many requests. Please slow down. You must wait 1 seconds before \
                      trying this endpoint again. [error-too-many-requests]"
        }))
        .insert_header(
            "X-RateLimit-Reset",
            epoch_ms_in(Duration::from_secs(120)).as_str(),
        );
    let waited = time_to_succeed_after(limited).await;
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
}

/// Rocket.Chat sends `X-RateLimit-Reset` on every answer of a limited route; on a 5xx it is no
/// wait, and the usual backoff applies.
#[tokio::test]
async fn a_server_errors_rate_limit_reset_is_not_a_wait() {
    let unavailable = ResponseTemplate::new(503)
        .set_body_json(serde_json::json!({"success": false, "error": "Service Unavailable"}))
        .insert_header(
            "X-RateLimit-Reset",
            epoch_ms_in(Duration::from_secs(40)).as_str(),
        );
    let waited = time_to_succeed_after(unavailable).await;
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[tokio::test]
async fn rate_limit_without_headers_falls_back_to_the_message() {
    let server = mock_server(INVITE).await;
    answer(&server, INVITE, too_many(), 1, invite_ok()).await;

    // The fixture's message says 42 seconds; allow at most 1 s, so the client gives up.
    let error = builder(&server)
        .retry_policy(RetryPolicy::default().max_retry_after(Duration::from_secs(1)))
        .build()
        .unwrap()
        .invite_usernames(RoomSelector::name("private-abc"), ["John.Doe"])
        .await
        .unwrap_err();

    assert_eq!(error.retry_after(), Some(Duration::from_secs(42)));
    assert_eq!(hits(&server, INVITE).await, 1);
}

#[tokio::test]
async fn server_error_then_success_is_retried() {
    let server = mock_server(INVITE).await;
    let unavailable = ResponseTemplate::new(503)
        .set_body_json(serde_json::json!({"success": false, "error": "Service Unavailable"}));
    answer(&server, INVITE, unavailable, 1, invite_ok()).await;

    let response = client(&server)
        .invite_user_ids(RoomSelector::id("ByehQjC44FwMeiLbX"), ["nSYqWzZ4GsKTX4dyK"])
        .await
        .unwrap();

    assert!(response.success);
    assert_eq!(hits(&server, INVITE).await, 2);
}

#[tokio::test]
async fn unavailable_server_is_retried_after_its_retry_after() {
    let unavailable = ResponseTemplate::new(503)
        .insert_header("Retry-After", "1")
        .set_body_json(serde_json::json!({"success": false, "error": "Service Unavailable"}));
    let waited = time_to_succeed_after(unavailable).await;
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = mock_server(INVITE).await;
    let internal =
        ResponseTemplate::new(500).set_body_json(fixture("errors/error-500-internal.json"));
    answer(&server, INVITE, internal.clone(), 100, internal).await;

    let error = client(&server)
        .invite_usernames(RoomSelector::name("private-abc"), ["John.Doe"])
        .await
        .unwrap_err();

    let Error::Http {
        status: 500,
        body: ErrorBody::Plain(body),
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(body.error, "Internal server error");
    assert_eq!(error.to_string(), "500: Internal server error");
    // The first attempt and the two retries of `fast_retries`.
    assert_eq!(hits(&server, INVITE).await, 3);
}

#[tokio::test]
async fn server_error_on_a_create_is_not_repeated() {
    let server = mock_server(CREATE).await;
    let internal =
        ResponseTemplate::new(500).set_body_json(fixture("errors/error-500-internal.json"));
    answer(&server, CREATE, internal, 1, create_ok()).await;

    let error = client(&server)
        .groups_create(&create::Request::new("testing"))
        .await
        .unwrap_err();

    assert!(
        matches!(error, Error::Http { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(hits(&server, CREATE).await, 1);
}

#[tokio::test]
async fn client_errors_are_not_repeated() {
    let server = mock_server(INVITE).await;
    let not_found = ResponseTemplate::new(400)
        .set_body_json(fixture("groups.invite/error-400-room-not-found.json"));
    answer(&server, INVITE, not_found, 1, invite_ok()).await;

    let error = client(&server)
        .invite_usernames(RoomSelector::name("nope"), ["John.Doe"])
        .await
        .unwrap_err();

    assert_eq!(
        error.error_type().map(|k| k.as_str()),
        Some("error-room-not-found")
    );
    assert_eq!(hits(&server, INVITE).await, 1);
}

#[tokio::test]
async fn slow_answer_past_the_timeout_is_a_timeout() {
    let server = mock_server(INVITE).await;
    let slow = invite_ok().set_delay(Duration::from_secs(3));
    answer(&server, INVITE, slow.clone(), 100, slow).await;

    let started = Instant::now();
    let error = builder(&server)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
        .invite_usernames(RoomSelector::name("private-abc"), ["John.Doe"])
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(!error.is_connect());
    assert!(error.to_string().starts_with("timed out: "), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn slow_read_is_retried_and_the_next_attempt_answers() {
    let server = mock_server("/api/v1/me").await;
    Mock::given(method("GET"))
        .and(path("/api/v1/me"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("me/response-200.json"))
                .set_delay(Duration::from_secs(5)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("me/response-200.json")))
        .with_priority(2)
        .mount(&server)
        .await;

    let me = builder(&server)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap()
        .me()
        .await
        .unwrap();

    assert!(me.success);
    assert_eq!(hits(&server, "/api/v1/me").await, 2);
}

#[tokio::test]
async fn refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);

    let client = rocketchat_client::Client::builder()
        .base_url(format!("http://{address}"))
        .retry_policy(crate::support::fast_retries())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.info().await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.is_connect());
    assert!(error.is_transient());
    assert_eq!(error.status(), None);
    // Two retries, waiting at least 5 ms and 10 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(15),
        "{:?}",
        started.elapsed()
    );
}
