//! Error answers, as the client reports them.

use std::time::Duration;

use rocketchat_client::{
    Client, Credentials, Error, RetryPolicy, RoomSelector,
    protocol::{ErrorBody, ErrorKind},
};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

use crate::support::{builder, client, fixture, hits, mock_server};

const INVITE: &str = "/api/v1/groups.invite";

async fn invite_answers(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(INVITE))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn invite(server: &MockServer) -> Error {
    client(server)
        .invite_usernames(RoomSelector::name("private-abc"), ["john.doe"])
        .await
        .unwrap_err()
}

#[tokio::test]
async fn documented_400_bodies_become_api_errors() {
    for (file, kind) in [
        (
            "error-400-room-param-not-provided.json",
            ErrorKind::RoomParamNotProvided,
        ),
        (
            "error-400-users-params-not-provided.json",
            ErrorKind::UsersParamsNotProvided,
        ),
        ("error-400-not-allowed.json", ErrorKind::NotAllowed),
        ("error-400-room-not-found.json", ErrorKind::RoomNotFound),
        (
            "error-400-empty-invite-list.json",
            ErrorKind::EmptyInviteList,
        ),
    ] {
        let server = mock_server(INVITE).await;
        let body = fixture(&format!("groups.invite/{file}"));
        invite_answers(&server, ResponseTemplate::new(400).set_body_json(&body)).await;

        let error = invite(&server).await;

        let Error::Api {
            status,
            kind: got,
            message,
            details,
        } = &error
        else {
            panic!("{file}: {error:?}")
        };
        assert_eq!(*status, 400, "{file}");
        assert_eq!(*got, kind, "{file}");
        assert_eq!(message, body["error"].as_str().unwrap(), "{file}");
        assert_eq!(
            details.clone().map(serde_json::Value::Object),
            body.get("details").cloned(),
            "{file}"
        );
        assert_eq!(error.error_type(), Some(&kind));
        assert_eq!(error.status(), Some(400));
        assert_eq!(
            hits(&server, INVITE).await,
            1,
            "{file}: a 400 is never retried"
        );
    }
}

#[tokio::test]
async fn unknown_error_type_is_kept() {
    let server = mock_server(INVITE).await;
    invite_answers(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "success": false,
            "error": "Room is locked [error-abac-room-locked]",
            "errorType": "error-abac-room-locked"
        })),
    )
    .await;

    let error = invite(&server).await;

    assert_eq!(
        error.error_type().map(ErrorKind::as_str),
        Some("error-abac-room-locked")
    );
    assert_eq!(
        error.to_string(),
        "400 error-abac-room-locked: Room is locked [error-abac-room-locked]"
    );
}

#[tokio::test]
async fn old_401_body_is_unauthorized() {
    let server = mock_server(INVITE).await;
    invite_answers(
        &server,
        ResponseTemplate::new(401)
            .set_body_json(fixture("groups.invite/error-401-documented.json")),
    )
    .await;

    let error = invite(&server).await;

    let Error::Unauthorized { message } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(message, "You must be logged in to do this.");
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.error_type(), None);
    assert_eq!(
        error.to_string(),
        "401 unauthorized: You must be logged in to do this."
    );
    assert_eq!(hits(&server, INVITE).await, 1);
}

#[tokio::test]
async fn modern_401_body_is_unauthorized() {
    let server = mock_server(INVITE).await;
    invite_answers(
        &server,
        ResponseTemplate::new(401).set_body_json(fixture("groups.invite/error-401-modern.json")),
    )
    .await;

    let error = invite(&server).await;

    assert!(
        matches!(&error, Error::Unauthorized { message } if message == "You must be logged in to do this."),
        "{error:?}"
    );
}

#[tokio::test]
async fn refused_login_is_unauthorized() {
    let server = mock_server("/api/v1/login").await;
    Mock::given(method("POST"))
        .and(path("/api/v1/login"))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture("login/error-401.json")))
        .expect(1)
        .mount(&server)
        .await;

    let error = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::password("testing1", "wrong"))
        .build()
        .unwrap()
        .me()
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::Unauthorized { message } if message == "Incorrect password"),
        "{error:?}"
    );
}

/// A login answer that does not decode may still hold a token: the error does not keep it.
#[tokio::test]
async fn an_undecodable_login_answer_is_not_kept_in_the_error() {
    let server = mock_server("/api/v1/login").await;
    Mock::given(method("POST"))
        .and(path("/api/v1/login"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": { "authToken": "SECRET-TOKEN", "userId": 12 } })),
        )
        .mount(&server)
        .await;

    let error = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::password("testing1", "p4ss"))
        .build()
        .unwrap()
        .me()
        .await
        .unwrap_err();

    let Error::Decode { status, body, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 200);
    assert_eq!(body, "[withheld: a login answer may hold a token]");
    assert!(!format!("{error:?} {error}").contains("SECRET-TOKEN"));
}

/// The same holds for a login sent by hand, through `login` or `send`: any endpoint whose
/// answer carries a secret.
#[tokio::test]
async fn an_undecodable_answer_to_an_explicit_login_is_not_kept_either() {
    let server = mock_server("/api/v1/login").await;
    Mock::given(method("POST"))
        .and(path("/api/v1/login"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": { "authToken": "SECRET-TOKEN", "userId": 12 } })),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let request = rocketchat_client::protocol::login::Request::username("testing1", "p4ss");

    for error in [
        client.login(&request).await.unwrap_err(),
        client.send(&request).await.unwrap_err(),
    ] {
        let Error::Decode { status, body, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(
            (*status, body.as_str()),
            (200, "[withheld: a login answer may hold a token]")
        );
        assert!(!format!("{error:?} {error}").contains("SECRET-TOKEN"));
    }
    assert_eq!(client.session(), None);
}

/// A redirect is not followed: the token would go to the address it names, and a 301 or 302
/// would turn the invite into a GET.
#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let elsewhere = mock_server("nothing: the client must not follow the redirect").await;
    let server = mock_server(INVITE).await;
    let target = format!("{}{INVITE}", elsewhere.uri());
    for status in [301, 302, 307, 308] {
        server.reset().await;
        invite_answers(
            &server,
            ResponseTemplate::new(status).insert_header("Location", target.as_str()),
        )
        .await;

        let error = invite(&server).await;

        assert!(
            matches!(&error, Error::Redirect { status: s, location: Some(l) } if *s == status && *l == target),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "{status} redirect to {target}: the client follows no redirects; use that \
                 address as the base URL"
            )
        );
        assert_eq!(hits(&server, INVITE).await, 1, "not retried");
    }
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn non_json_success_body_is_a_decode_error_that_keeps_the_body() {
    let server = mock_server(INVITE).await;
    let page = "<html><body>Rocket.Chat is starting</body></html>";
    invite_answers(
        &server,
        ResponseTemplate::new(200).set_body_raw(page, "text/html"),
    )
    .await;

    let error = invite(&server).await;

    let Error::Decode { status, body, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!((*status, body.as_str()), (200, page));
    assert!(
        error
            .to_string()
            .starts_with("could not read the 200 answer: "),
        "{error}"
    );
    assert_eq!(hits(&server, INVITE).await, 1);
}

#[tokio::test]
async fn non_json_error_body_is_kept_as_text() {
    let server = mock_server(INVITE).await;
    let page = "<html><h1>502 Bad Gateway</h1></html>";
    invite_answers(
        &server,
        ResponseTemplate::new(502).set_body_raw(page, "text/html"),
    )
    .await;

    let error = builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
        .invite_usernames(RoomSelector::name("private-abc"), ["john.doe"])
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::Http { status: 502, body: ErrorBody::NotJson(text) } if text == page),
        "{error:?}"
    );
    assert_eq!(error.to_string(), format!("502: {page}"));
}

#[tokio::test]
async fn plain_error_statuses_keep_their_body() {
    for (status, file, message) in [
        (403, "errors/error-403-unauthorized.json", "unauthorized"),
        (404, "errors/error-404-not-found.json", "Resource not found"),
    ] {
        let server = mock_server(INVITE).await;
        invite_answers(
            &server,
            ResponseTemplate::new(status).set_body_json(fixture(file)),
        )
        .await;

        let error = invite(&server).await;

        let Error::Http {
            status: got,
            body: ErrorBody::Plain(body),
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!((*got, body.error.as_str()), (status, message));
        assert_eq!(hits(&server, INVITE).await, 1);
    }
}

#[tokio::test]
async fn invalid_invites_are_refused_before_sending() {
    let server = mock_server("nothing").await;
    let client = client(&server);

    let empty = client
        .invite_usernames(RoomSelector::name("private-abc"), Vec::<String>::new())
        .await
        .unwrap_err();
    assert!(matches!(&empty, Error::InvalidRequest(_)), "{empty:?}");
    assert_eq!(empty.error_type(), Some(&ErrorKind::UsersParamsNotProvided));

    let blank_room = client
        .invite_user_ids(RoomSelector::id(" "), ["x"])
        .await
        .unwrap_err();
    assert_eq!(
        blank_room.error_type(),
        Some(&ErrorKind::RoomParamNotProvided)
    );

    let blank_name = client
        .invite_usernames(RoomSelector::name("private-abc"), ["a", ""])
        .await
        .unwrap_err();
    assert_eq!(blank_name.error_type(), Some(&ErrorKind::InvalidParams));
    assert_eq!(blank_name.status(), None);
}

#[test]
fn build_refuses_unusable_settings() {
    let message = |builder: rocketchat_client::ClientBuilder| match builder.build() {
        Err(Error::Config(message)) => message,
        other => panic!("{other:?}"),
    };
    assert_eq!(message(Client::builder()), "no base URL was given");
    assert_eq!(
        message(Client::builder().base_url("chat.example.com")),
        "the base URL \"chat.example.com\" must start with http:// or https://"
    );
    assert_eq!(
        message(Client::builder().base_url(" ")),
        "the base URL is empty"
    );
    assert!(message(Client::builder().base_url("http://exa mple.com")).contains("is invalid"));
    assert!(message(Client::builder().base_url("ftp://chat.example.com")).contains("http://"));
    assert!(message(Client::builder().base_url("https://chat.example.com/?x=1")).contains("query"));
    assert!(
        message(
            Client::builder()
                .base_url("https://x")
                .timeout(Duration::ZERO)
        )
        .contains("timeouts")
    );
    assert_eq!(
        message(
            Client::builder()
                .base_url("https://x")
                .credentials(Credentials::token("u", " "))
        ),
        "the auth token is blank"
    );
    assert_eq!(
        message(
            Client::builder()
                .base_url("https://x")
                .credentials(Credentials::password("bob", ""))
        ),
        "the password is empty"
    );
    let client = Client::builder()
        .base_url("https://chat.example.com/rocket/")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://chat.example.com/rocket");
}
