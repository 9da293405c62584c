//! The `rcinvite` program against a mock server: batching, summaries, exit codes, input.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use serde_json::{Value, json};
use wiremock::{
    Mock, MockBuilder, MockServer, Request, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

use crate::support::{TOKEN, USER_ID, fixture, hits, mock_server};

const INVITE: &str = "/api/v1/groups.invite";

/// A mock of `POST /api/v1/groups.invite`, to narrow and answer.
fn invite_mock() -> MockBuilder {
    Mock::given(method("POST")).and(path(INVITE))
}

/// An answer with `status` and a fixture's body.
fn fixture_answer(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(fixture(name))
}

/// A 503 with Rocket.Chat's body.
fn unavailable() -> ResponseTemplate {
    ResponseTemplate::new(503)
        .set_body_json(json!({"success": false, "error": "Service Unavailable"}))
}

/// Runs `rcinvite` with `args`, a clean environment plus `env`, and `stdin` as its input.
pub(crate) async fn rcinvite(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rcinvite"));
    command
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("rcinvite starts");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn token_env(server: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("RC_URL", server.uri()),
        ("RC_USER_ID", USER_ID.to_owned()),
        ("RC_AUTH_TOKEN", TOKEN.to_owned()),
    ]
}

async fn run(server: &MockServer, args: &[&str], stdin: &str) -> Output {
    let env = token_env(server);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    rcinvite(args, &env, stdin).await
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn json_report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}\n{}", stdout(output), stderr(output)))
}

/// Answers an invite as our server would, from the body: names starting with `ghost` do not
/// exist, names starting with `member` are already in the group, everyone else is added.
fn fake_invite(request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    let names: Vec<String> = match (&body["usernames"], &body["username"]) {
        (Value::Array(names), _) => names
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect(),
        (_, Value::String(name)) => vec![name.clone()],
        _ => panic!("no usernames in {body}"),
    };
    let invitees: Vec<Value> = names
        .iter()
        .map(|name| {
            if name.starts_with("ghost") {
                json!({"requested": name, "outcome": "notFound"})
            } else {
                let outcome = if name.starts_with("member") { "alreadyMember" } else { "added" };
                json!({"requested": name, "outcome": outcome, "user": {"_id": format!("id-{name}"), "username": name}})
            }
        })
        .collect();
    if invitees.iter().all(|i| i["outcome"] == "notFound") {
        return fixture_answer(400, "groups.invite/error-400-empty-invite-list.json");
    }
    let mut answer = fixture("groups.invite/response-200-modern.json");
    answer["invitees"] = Value::Array(invitees);
    ResponseTemplate::new(200).set_body_json(answer)
}

async fn mount_fake(server: &MockServer) {
    invite_mock()
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(fake_invite)
        .mount(server)
        .await;
}

#[tokio::test]
async fn long_lists_go_in_batches_and_the_summary_adds_up() {
    let server = mock_server(INVITE).await;
    for body in [
        json!({"roomName": "team", "usernames": ["alice", "bob"]}),
        json!({"roomName": "team", "usernames": ["member1", "ghost1"]}),
        json!({"roomName": "team", "username": "carol"}),
    ] {
        invite_mock()
            .and(body_json(&body))
            .respond_with(fake_invite)
            .expect(1)
            .named(format!("invite {body}"))
            .mount(&server)
            .await;
    }

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--batch-size",
            "2",
            "alice",
            "bob",
            "member1",
            "@ghost1",
            "carol",
            "bob",
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "partial: 5 usernames for group \"team\", 3 of 3 batches accepted\n  \
         added                  3\n  \
         already members        1\n  \
         not found              1\n  \
         duplicates             1\n\
         not found: ghost1\n"
    );
}

#[tokio::test]
async fn json_output_is_one_document() {
    let server = mock_server(INVITE).await;
    mount_fake(&server).await;

    let output = run(
        &server,
        &[
            "--room-id",
            "ByehQjC44FwMeiLbX",
            "--json",
            "alice",
            "member2",
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        json_report(&output),
        json!({
            "outcome": "success",
            "exitCode": 0,
            "room": {"roomId": "ByehQjC44FwMeiLbX"},
            "mode": "usernames",
            "requested": 2,
            "duplicates": 0,
            "batches": {"size": 500, "total": 1, "succeeded": 1, "failed": 0, "skipped": 0},
            "added": 1,
            "alreadyMembers": 1,
            "notFound": 0,
            "unknown": 0,
            "notDone": 0,
            "notFoundUsers": [],
            "errors": []
        })
    );
    assert_eq!(stderr(&output), "");
}

#[tokio::test]
async fn users_come_from_files_and_standard_input() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(
            json!({"roomName": "team", "usernames": ["carol", "dave", "alice", "bob"]}),
        ))
        .respond_with(fake_invite)
        .expect(1)
        .mount(&server)
        .await;
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rcinvite-users.txt");
    std::fs::write(&file, "# the team\nalice\n\n   bob  \n# carol is below\n").unwrap();

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--file",
            file.to_str().unwrap(),
            "-",
            "--json",
        ],
        "carol\n#x\ndave\n",
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json_report(&output)["added"], 4);
}

#[tokio::test]
async fn usernames_that_differ_only_in_case_are_sent_once() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(
            json!({"roomName": "demo-group", "username": "Dave"}),
        ))
        .respond_with(fake_invite)
        .expect(1)
        .mount(&server)
        .await;

    let output = run(
        &server,
        &["--room-name", "demo-group", "Dave", "dave", "@DAVE"],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "success: 1 username for group \"demo-group\", 1 of 1 batch accepted\n  \
         added                  1\n  \
         already members        0\n  \
         not found              0\n  \
         duplicates             2\n"
    );
}

#[tokio::test]
async fn ids_that_differ_in_case_are_different_users() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(json!({"roomId": "r1", "userIds": ["u1", "U1"]})))
        .respond_with(fixture_answer(
            200,
            "groups.invite/response-200-modern.json",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let output = run(
        &server,
        &["--room-id", "r1", "--ids", "u1", "U1", "u1", "--json"],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json_report(&output);
    assert_eq!(
        (report["requested"].clone(), report["duplicates"].clone()),
        (json!(2), json!(1))
    );
}

#[tokio::test]
async fn a_byte_order_mark_is_not_part_of_the_first_name() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(
            json!({"roomName": "team", "usernames": ["carol", "alice", "bob"]}),
        ))
        .respond_with(fake_invite)
        .expect(1)
        .mount(&server)
        .await;
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rcinvite-bom.txt");
    std::fs::write(&file, "\u{feff}alice\r\nbob\r\n").unwrap();

    let output = run(
        &server,
        &["--room-name", "team", "-", "--file", file.to_str().unwrap()],
        "\u{feff}carol\n",
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "success: 3 usernames for group \"team\", 1 of 1 batch accepted\n  \
         added                  3\n  \
         already members        0\n  \
         not found              0\n"
    );
}

#[tokio::test]
async fn ids_are_sent_as_user_ids() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(json!({"roomId": "r1", "userIds": ["u1", "u2"]})))
        .respond_with(fixture_answer(
            200,
            "groups.invite/response-200-modern.json",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let output = run(&server, &["--room-id", "r1", "--ids", "u1", "u2"], "").await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("success: 2 user ids for group \"r1\""),
        "{}",
        stdout(&output)
    );
}

#[tokio::test]
async fn old_servers_leave_the_counts_unknown() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(fixture_answer(
            200,
            "groups.invite/response-200-documented.json",
        ))
        .expect(2)
        .mount(&server)
        .await;

    let output = run(
        &server,
        &["--room-name", "testing", "--batch-size", "1", "a", "b"],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "success: 2 usernames for group \"testing\", 2 of 2 batches accepted\n  \
         added                  0\n  \
         already members        0\n  \
         not found              0\n  \
         unknown                2\n\
         counts are unknown for 2 users: the server does not report per-user outcomes\n"
    );
}

#[tokio::test]
async fn a_batch_of_unknown_users_counts_as_not_found() {
    let server = mock_server(INVITE).await;
    mount_fake(&server).await;

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--batch-size",
            "2",
            "--json",
            "alice",
            "bob",
            "ghost1",
            "ghost2",
        ],
        "",
    )
    .await;

    let report = json_report(&output);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        (report["added"].clone(), report["notFound"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(report["notFoundUsers"], json!(["ghost1", "ghost2"]));
    assert_eq!(report["batches"]["succeeded"], 2);
}

#[tokio::test]
async fn a_failed_batch_is_reported_and_the_rest_go_on() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(
            json!({"roomName": "team", "usernames": ["c", "d"]}),
        ))
        .respond_with(unavailable())
        .expect(1)
        .mount(&server)
        .await;
    mount_fake(&server).await;

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--batch-size",
            "2",
            "--retries",
            "0",
            "--json",
            "a",
            "b",
            "c",
            "d",
            "e",
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(3));
    let report = json_report(&output);
    assert_eq!(
        report["batches"],
        json!({"size": 2, "total": 3, "succeeded": 2, "failed": 1, "skipped": 0})
    );
    assert_eq!(
        (report["added"].clone(), report["notDone"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(
        report["errors"],
        json!([{"batch": 2, "users": [3, 4], "status": 503, "errorType": null, "message": "503: Service Unavailable", "retryAfter": null}])
    );
    assert_eq!(
        stderr(&output),
        "rcinvite: batch 2 of 3 (users 3-4) failed: 503: Service Unavailable\n"
    );
}

#[tokio::test]
async fn three_batches_failing_in_a_row_stop_the_run() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(unavailable())
        .expect(3)
        .mount(&server)
        .await;

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--batch-size",
            "1",
            "--retries",
            "0",
            "a",
            "b",
            "c",
            "d",
            "e",
            "f",
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "rcinvite: batch 1 of 6 (users 1-1) failed: 503: Service Unavailable\n\
         rcinvite: batch 2 of 6 (users 2-2) failed: 503: Service Unavailable\n\
         rcinvite: batch 3 of 6 (users 3-3) failed: 503: Service Unavailable\n"
    );
    assert_eq!(
        stdout(&output),
        "failure: 6 usernames for group \"team\", 0 of 6 batches accepted\n  \
         added                  0\n  \
         already members        0\n  \
         not found              0\n  \
         not done               6\n\
         3 later batches were not sent after 3 batches in a row failed, the last with: 503: \
         Service Unavailable\n"
    );
    assert_eq!(hits(&server, INVITE).await, 3);
}

#[tokio::test]
async fn a_batch_that_goes_through_restarts_the_count_of_failures() {
    let server = mock_server(INVITE).await;
    // Users named `down...` meet a server error; the others are added.
    invite_mock()
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            if body["username"].as_str().unwrap().starts_with("down") {
                ResponseTemplate::new(502).set_body_string("Bad Gateway")
            } else {
                fake_invite(request)
            }
        })
        .expect(7)
        .mount(&server)
        .await;

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--batch-size",
            "1",
            "--retries",
            "0",
            "--json",
            "down1",
            "down2",
            "a",
            "down3",
            "down4",
            "b",
            "down5",
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let report = json_report(&output);
    assert_eq!(
        report["batches"],
        json!({"size": 1, "total": 7, "succeeded": 2, "failed": 5, "skipped": 0})
    );
    assert_eq!(
        (report["added"].clone(), report["notDone"].clone()),
        (json!(2), json!(5))
    );
}

/// `alice` is added; every other user meets a rate limit that asks for two minutes, longer
/// than the client's retry policy waits.
async fn mount_rate_limit_after_alice(server: &MockServer, expected_calls: u64) {
    const TOO_MANY: &str = "Error, too many requests. Please slow down. You must wait 120 \
                            seconds before trying this endpoint again. [error-too-many-requests]";
    invite_mock()
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            if body["username"] == "alice" {
                fake_invite(request)
            } else {
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", "120")
                    .set_body_json(json!({"success": false, "error": TOO_MANY}))
            }
        })
        .expect(expected_calls)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_rate_limit_stops_the_run_and_says_when_to_try_again() {
    let server = mock_server(INVITE).await;
    mount_rate_limit_after_alice(&server, 2).await;

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--batch-size",
            "1",
            "alice",
            "bob",
            "carol",
            "dave",
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "rcinvite: batch 2 of 4 (users 2-2) failed: 429 rate limited: Error, too many requests. \
         Please slow down. You must wait 120 seconds before trying this endpoint again. \
         [error-too-many-requests]; try again in 120 s\n"
    );
    assert_eq!(
        stdout(&output),
        "partial: 4 usernames for group \"team\", 1 of 4 batches accepted\n  \
         added                  1\n  \
         already members        0\n  \
         not found              0\n  \
         not done               3\n\
         2 later batches were not sent after: 429 rate limited: Error, too many requests. \
         Please slow down. You must wait 120 seconds before trying this endpoint again. \
         [error-too-many-requests]; try again in 120 s\n"
    );
}

#[tokio::test]
async fn json_gives_the_wait_of_a_rate_limit_in_seconds() {
    let server = mock_server(INVITE).await;
    mount_rate_limit_after_alice(&server, 2).await;

    let output = run(
        &server,
        &[
            "--room-name",
            "team",
            "--batch-size",
            "1",
            "--json",
            "alice",
            "bob",
            "carol",
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let report = json_report(&output);
    assert_eq!(
        report["batches"],
        json!({"size": 1, "total": 3, "succeeded": 1, "failed": 1, "skipped": 1})
    );
    assert_eq!(report["notDone"], 2);
    assert_eq!(
        report["errors"],
        json!([{
            "batch": 2,
            "users": [2, 2],
            "status": 429,
            "errorType": "error-too-many-requests",
            "message": "429 rate limited: Error, too many requests. Please slow down. You must \
                        wait 120 seconds before trying this endpoint again. \
                        [error-too-many-requests]; try again in 120 s",
            "retryAfter": 120
        }])
    );
}

#[tokio::test]
async fn verbose_logs_have_no_colour_codes_off_a_terminal() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(unavailable())
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_fake(&server).await;

    let output = run(&server, &["--room-name", "team", "-v", "alice"], "").await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(!log.contains('\u{1b}'), "{log:?}");
    // One line, `2025-01-01T00:00:00.000000Z  WARN retrying endpoint=... error=...`; the time,
    // and the fields between, are the library's.
    let (time, line) = log.split_once(' ').unwrap_or_default();
    assert!(time.ends_with('Z'), "{log:?}");
    assert!(line.trim_start().starts_with("WARN retrying "), "{log:?}");
    assert!(
        line.ends_with(" error=503: Service Unavailable\n"),
        "{log:?}"
    );
    assert_eq!(log.lines().count(), 1, "{log:?}");
}

#[tokio::test]
async fn verbose_logs_name_the_call_after_the_message() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(unavailable())
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_fake(&server).await;

    let output = run(&server, &["--room-name", "team", "-v", "alice"], "").await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    let (_time, line) = log.split_once(' ').unwrap_or_default();
    // The wait is random: `wait_ms=` and its digits are taken out.
    let (before, after) = line.split_once(" wait_ms=").unwrap_or_default();
    let after = after.trim_start_matches(|c: char| c.is_ascii_digit());
    assert_eq!(
        format!("{before}{after}"),
        " WARN retrying endpoint=\"groups.invite\" method=\"POST\" retry=1 error=503: Service \
         Unavailable\n",
        "{log:?}"
    );
}

/// A newer server may report an outcome this version does not know: those users are neither
/// added nor not found, and rcinvite says why their counts are unknown.
#[tokio::test]
async fn an_outcome_rcinvite_does_not_know_leaves_those_counts_unknown() {
    let server = mock_server(INVITE).await;
    let mut answer = fixture("groups.invite/response-200-modern.json");
    answer["invitees"] = json!([
        {"requested": "alice", "outcome": "added", "user": {"_id": "id-alice", "username": "alice"}},
        {"requested": "gone", "outcome": "deactivated", "user": {"_id": "id-gone", "username": "gone"}}
    ]);
    invite_mock()
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(2)
        .mount(&server)
        .await;

    let output = run(&server, &["--room-name", "team", "alice", "gone"], "").await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "success: 2 usernames for group \"team\", 1 of 1 batch accepted\n  \
         added                  1\n  \
         already members        0\n  \
         not found              0\n  \
         unknown                1\n\
         counts are unknown for 1 users: the server reported outcomes this version of rcinvite \
         does not know\n"
    );
    let output = run(
        &server,
        &["--room-name", "team", "--json", "alice", "gone"],
        "",
    )
    .await;
    let report = json_report(&output);
    assert_eq!(
        (report["added"].clone(), report["unknown"].clone()),
        (json!(1), json!(1))
    );
}

#[tokio::test]
async fn unauthorized_stops_the_run_with_failure() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(fixture_answer(401, "groups.invite/error-401-modern.json"))
        .expect(1)
        .mount(&server)
        .await;

    let output = run(
        &server,
        &["--room-name", "team", "--batch-size", "1", "a", "b", "c"],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "rcinvite: batch 1 of 3 (users 1-1) failed: 401 unauthorized: You must be logged in to do this.\n"
    );
    assert_eq!(
        stdout(&output),
        "failure: 3 usernames for group \"team\", 0 of 3 batches accepted\n  \
         added                  0\n  \
         already members        0\n  \
         not found              0\n  \
         not done               3\n\
         2 later batches were not sent after: 401 unauthorized: You must be logged in to do this.\n"
    );
}

#[tokio::test]
async fn password_from_the_environment_is_exchanged_through_login() {
    let server = mock_server("POST /api/v1/login, then POST /api/v1/groups.invite").await;
    Mock::given(method("POST"))
        .and(path("/api/v1/login"))
        .and(body_json(
            json!({"username": "testing1", "password": "p4ss word"}),
        ))
        .respond_with(fixture_answer(200, "login/response-200-modern.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_fake(&server).await;
    let uri = server.uri();
    let env = [
        ("RC_URL", uri.as_str()),
        ("RC_USERNAME", "testing1"),
        ("RC_PASSWORD", "p4ss word"),
    ];

    let output = rcinvite(&["--room-name", "team", "alice"], &env, "").await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(hits(&server, INVITE).await, 1);
}

#[tokio::test]
async fn usage_errors_exit_with_2() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case<'_>; 5] = [
        (
            &[
                "--url",
                "http://x",
                "--user-id",
                "u",
                "--auth-token",
                "t",
                "a",
            ],
            &[],
            "--room-name",
        ),
        (
            &["--url", "http://x", "--room-name", "g", "a"],
            &[],
            "no credentials",
        ),
        (
            &[
                "--url",
                "http://x",
                "--room-name",
                "g",
                "--user-id",
                "u",
                "a",
            ],
            &[],
            "--user-id needs --auth-token",
        ),
        (
            &[
                "--url",
                "http://x",
                "--room-name",
                "g",
                "--username",
                "bob",
                "a",
            ],
            &[],
            "no password",
        ),
        (
            &["--room-name", "g", "a"],
            &[("RC_USER_ID", "u"), ("RC_AUTH_TOKEN", "t")],
            "--url",
        ),
    ];
    for (args, env, expected) in cases {
        let output = rcinvite(args, env, "").await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = rcinvite(
        &[
            "--url",
            "http://x",
            "--room-name",
            "g",
            "--user-id",
            "u",
            "--auth-token",
            "t",
        ],
        &[],
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no users given"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn a_bad_url_or_a_blank_credential_is_a_usage_error() {
    let token = [("RC_USER_ID", "u"), ("RC_AUTH_TOKEN", "t")];
    let url = [("RC_URL", "http://x")];
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case<'_>; 6] = [
        (
            &["--url", "example.com"],
            &token,
            "error: invalid value 'example.com' for '--url <URL>': the base URL \"example.com\" \
             must start with http:// or https://; give an address such as https://chat.example.com\n",
        ),
        (
            &[],
            &[("RC_URL", ""), token[0], token[1]],
            "error: invalid value '' for '--url <URL>': the base URL is empty; give an address \
             such as https://chat.example.com\n",
        ),
        (
            &["--url", "http://chat.example.com/?x=1"],
            &token,
            "error: invalid value 'http://chat.example.com/?x=1' for '--url <URL>': the base URL \
             \"http://chat.example.com/?x=1\" must not have a query or fragment; give an address \
             such as https://chat.example.com\n",
        ),
        (
            &["--user-id", "u", "--auth-token", " "],
            &url,
            "error: --auth-token (or RC_AUTH_TOKEN) is blank\n",
        ),
        (
            &["--username", "bob"],
            &[url[0], ("RC_PASSWORD", "")],
            "error: the password is empty\n",
        ),
        (
            &[],
            &[url[0], ("RC_USERNAME", ""), ("RC_PASSWORD", "pw")],
            "error: --username (or RC_USERNAME) is blank\n",
        ),
    ];
    for (flags, env, expected) in cases {
        let args = [flags, &["--room-name", "g", "alice"]].concat();
        let output = rcinvite(&args, env, "").await;
        assert_eq!(output.status.code(), Some(2), "{args:?} {env:?}");
        let first_line = stderr(&output)
            .split_inclusive('\n')
            .next()
            .map(str::to_owned);
        assert_eq!(first_line.as_deref(), Some(expected), "{args:?} {env:?}");
        assert_eq!(stdout(&output), "");
    }
}

#[tokio::test]
async fn an_empty_list_is_a_failure() {
    let output = rcinvite(
        &[
            "--url",
            "http://127.0.0.1:9",
            "--room-name",
            "g",
            "--user-id",
            "u",
            "--auth-token",
            "t",
            "-",
        ],
        &[],
        "# nobody\n\n",
    )
    .await;

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "rcinvite: no users to invite: the list is empty\n"
    );
}

#[tokio::test]
async fn help_explains_exit_codes_and_examples() {
    let output = rcinvite(&["--help"], &[], "").await;

    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    for needle in [
        "Exit status:",
        "  0  success: every batch was accepted and no user was reported not found (servers that\n     \
         report per-user outcomes, like rocketchat-rs, have made every user a member; with\n     \
         others the counts are unknown)\n",
        "  2  usage error: bad or missing flags or environment variables (such as a --url that is not\n     \
         an http:// or https:// address, or a blank credential)\n",
        "3  partial",
        "Examples:",
        "RC_AUTH_TOKEN",
        "--batch-size",
        "--room-id",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}
