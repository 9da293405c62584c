//! `rcinvite sync` against a mock server, for the faults a real server rarely shows on cue: a
//! rate limit in the middle of the removals, a user deleted between the plan and the change,
//! and a removal refused because it would take the last owner.

use std::process::Output;

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli_mock::rcinvite;
use crate::support::{TOKEN, USER_ID, fixture, hits, mock_server};

const KICK: &str = "/api/v1/groups.kick";

fn user(id: &str, username: &str) -> Value {
    json!({ "_id": id, "username": username, "name": username, "status": "offline" })
}

/// A group `team` with the caller (`me`, an owner), `olga` (an owner), and the plain members
/// `alice`, `dave`, `erin` and `fred`.
async fn team() -> MockServer {
    let server = mock_server("the sync's calls").await;
    Mock::given(method("GET"))
        .and(path("/api/v1/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_id": USER_ID, "username": "me", "success": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.members"))
        .and(query_param("roomName", "team"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "members": [
                user("a", "alice"), user("d", "dave"), user("e", "erin"), user("f", "fred"),
                user(USER_ID, "me"), user("o", "olga")
            ],
            "count": 6, "offset": 0, "total": 6, "success": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups.roles"))
        .and(query_param("roomName", "team"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "roles": [
                { "_id": "s1", "rid": "r", "u": { "_id": USER_ID, "username": "me" }, "roles": ["owner"] },
                { "_id": "s2", "rid": "r", "u": { "_id": "o", "username": "olga" }, "roles": ["owner"] }
            ],
            "success": true
        })))
        .mount(&server)
        .await;
    server
}

/// Answers a removal of `user_id` with `answer`.
async fn kick_answers(server: &MockServer, user_id: &str, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(KICK))
        .and(body_partial_json(
            json!({ "roomName": "team", "userId": user_id }),
        ))
        .respond_with(answer)
        .mount(server)
        .await;
}

fn success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "success": true }))
}

/// Runs `rcinvite sync --room-name team --file - --json` and the extra `args`.
async fn sync(server: &MockServer, args: &[&str], list: &str) -> (Output, Value) {
    let url = server.uri();
    let env = [
        ("RC_URL", url.as_str()),
        ("RC_USER_ID", USER_ID),
        ("RC_AUTH_TOKEN", TOKEN),
    ];
    let mut all = vec!["sync", "--room-name", "team", "--file", "-", "--json"];
    all.extend_from_slice(args);
    let output = rcinvite(&all, &env, list).await;
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)));
    (output, report)
}

/// A kick refused as the last owner's is reported and the other removals go on; the run is
/// partial.
#[tokio::test]
async fn a_removal_refused_for_the_last_owner_does_not_stop_the_others() {
    let server = team().await;
    kick_answers(
        &server,
        "o",
        ResponseTemplate::new(400)
            .set_body_json(fixture("groups.kick/error-400-you-are-last-owner.json")),
    )
    .await;
    for id in ["d", "e", "f"] {
        kick_answers(&server, id, success()).await;
    }
    let (output, report) = sync(&server, &["--remove-extra", "--remove-owners"], "alice\n").await;
    assert_eq!(output.status.code(), Some(3), "{report:#}");
    assert_eq!(report["removed"], 3);
    assert_eq!(
        report["failed"],
        json!([{
            "action": "remove",
            "username": "olga",
            "status": 400,
            "errorType": "error-you-are-last-owner",
            "message": "400 error-you-are-last-owner: You are the last owner. Please set new owner before leaving the room. [error-you-are-last-owner]"
        }])
    );
    assert_eq!(hits(&server, KICK).await, 4);
}

/// A user deleted after the plan was made: the invite reports them not found, and their
/// removal (`error-invalid-user`) counts as done, since they are gone.
#[tokio::test]
async fn a_user_deleted_between_plan_and_change_is_reported_not_lost() {
    let server = team().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups.invite"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "group": { "_id": "r", "t": "p", "name": "team" },
            "invitees": [
                { "requested": "bob", "outcome": "added", "user": { "_id": "b", "username": "bob" } },
                { "requested": "carol", "outcome": "notFound" }
            ],
            "success": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    kick_answers(
        &server,
        "d",
        ResponseTemplate::new(400).set_body_json(json!({
            "success": false,
            "error": "The required \"userId\" or \"username\" param provided does not match any users [error-invalid-user]",
            "errorType": "error-invalid-user"
        })),
    )
    .await;
    for id in ["e", "f"] {
        kick_answers(&server, id, success()).await;
    }
    let (output, report) = sync(&server, &["--remove-extra"], "alice\nbob\ncarol\n").await;
    assert_eq!(output.status.code(), Some(3), "{report:#}");
    assert_eq!(
        (
            &report["added"],
            &report["removed"],
            &report["notFound"],
            &report["failed"]
        ),
        (&json!(1), &json!(3), &json!(["carol"]), &json!([]))
    );
}

/// A rate limit that outlasts the retries stops the removals; the rest are counted as not
/// done, the report says when to try again, and nothing after it is sent.
#[tokio::test]
async fn a_rate_limit_mid_sync_stops_the_rest_for_a_rerun() {
    let server = team().await;
    kick_answers(&server, "d", success()).await;
    kick_answers(
        &server,
        "e",
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "120")
            .set_body_json(fixture("groups.invite/error-429.json")),
    )
    .await;
    let (output, report) = sync(&server, &["--remove-extra", "--retries", "0"], "alice\n").await;
    assert_eq!(output.status.code(), Some(3), "{report:#}");
    assert_eq!(
        (&report["removed"], &report["notDone"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(report["failed"][0]["username"], "erin");
    assert_eq!(report["failed"][0]["status"], 429);
    // fred's removal was never sent.
    assert_eq!(hits(&server, KICK).await, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("removing erin failed: 429"), "{stderr}");
}
