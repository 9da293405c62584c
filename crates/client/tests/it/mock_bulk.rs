//! Bulk invites against a mock server: batches, counts, and when the rest are not sent.

use std::ops::Range;

use rocketchat_client::{
    Error, Invitees, RetryPolicy, RoomSelector,
    bulk::{BatchOutcome, BulkInvite, Report},
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockBuilder, Request, ResponseTemplate,
    matchers::{body_json, method, path},
};

use crate::support::{builder, client, fixture, hits, mock_server};

const INVITE: &str = "/api/v1/groups.invite";

fn invite_mock() -> MockBuilder {
    Mock::given(method("POST")).and(path(INVITE))
}

/// Answers an invite as our server would, from the body: entries starting with `ghost` do not
/// exist, `member...` are in the group already, `gone...` meet an outcome from a newer server,
/// everyone else is added. A call naming only ghosts gets Rocket.Chat's empty-invite-list.
fn fake_invite(request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    let entries: Vec<String> = ["usernames", "userIds", "username", "userId"]
        .iter()
        .find_map(|key| match &body[*key] {
            Value::Array(list) => Some(
                list.iter()
                    .map(|entry| entry.as_str().unwrap().to_owned())
                    .collect(),
            ),
            Value::String(one) => Some(vec![one.clone()]),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no users in {body}"));
    if entries.iter().all(|entry| entry.starts_with("ghost")) {
        return ResponseTemplate::new(400)
            .set_body_json(fixture("groups.invite/error-400-empty-invite-list.json"));
    }
    let invitees: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let outcome = match entry {
                ghost if ghost.starts_with("ghost") => {
                    return json!({"requested": entry, "outcome": "notFound"});
                }
                member if member.starts_with("member") => "alreadyMember",
                gone if gone.starts_with("gone") => "deactivated",
                _ => "added",
            };
            json!({"requested": entry, "outcome": outcome, "user": {"_id": format!("id-{entry}"), "username": entry}})
        })
        .collect();
    let mut answer = fixture("groups.invite/response-200-modern.json");
    answer["invitees"] = Value::Array(invitees);
    ResponseTemplate::new(200).set_body_json(answer)
}

/// Sends every batch; answers each batch's number, users and outcome (`accepted`,
/// `noneFound` or the error's text), and the report.
async fn run(mut bulk: BulkInvite) -> (Vec<(usize, Range<usize>, String)>, Report) {
    let mut batches = Vec::new();
    while let Some(batch) = bulk.next_batch().await {
        let outcome = match &batch.outcome {
            BatchOutcome::Accepted(_) => "accepted".to_owned(),
            BatchOutcome::NoneFound => "noneFound".to_owned(),
            BatchOutcome::Failed(error) => error.to_string(),
        };
        batches.push((batch.number, batch.users, outcome));
    }
    assert!(bulk.next_batch().await.is_none(), "no batch after the end");
    (batches, bulk.finish())
}

/// The report's fields, to compare in one assertion.
fn fields(report: &Report) -> Value {
    json!({
        "requested": report.requested,
        "batchSize": report.batch_size,
        "batches": [report.batches, report.succeeded, report.failed, report.skipped],
        "added": report.outcomes.added,
        "alreadyMembers": report.outcomes.already_members,
        "notFound": report.outcomes.not_found,
        "other": report.outcomes.other,
        "unreported": report.unreported,
        "notDone": report.not_done,
        "notFoundEntries": report.not_found_entries,
        "stopped": report.stopped.map(|stop| format!("{stop:?}")),
    })
}

fn usernames(names: &[&str]) -> Invitees {
    Invitees::usernames(names.iter().copied())
}

#[tokio::test]
async fn batches_go_in_order_and_a_batch_of_one_travels_alone() {
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
    let bulk = client(&server)
        .bulk_invite(
            RoomSelector::name("team"),
            usernames(&["alice", "bob", "member1", "ghost1", "carol"]),
        )
        .batch_size(2);
    assert_eq!(bulk.report().batches, 3);

    let (batches, report) = run(bulk).await;

    assert_eq!(
        batches,
        [
            (1, 0..2, "accepted".to_owned()),
            (2, 2..4, "accepted".to_owned()),
            (3, 4..5, "accepted".to_owned()),
        ]
    );
    assert_eq!(
        fields(&report),
        json!({
            "requested": 5, "batchSize": 2, "batches": [3, 3, 0, 0],
            "added": 3, "alreadyMembers": 1, "notFound": 1, "other": 0,
            "unreported": 0, "notDone": 0, "notFoundEntries": ["ghost1"], "stopped": null
        })
    );
}

#[tokio::test]
async fn ids_go_as_user_ids_in_batches_of_500_by_default() {
    let server = mock_server(INVITE).await;
    let ids: Vec<String> = (1..=501).map(|n| format!("u{n}")).collect();
    for body in [
        json!({"roomId": "r1", "userIds": ids[..500]}),
        json!({"roomId": "r1", "userId": "u501"}),
    ] {
        invite_mock()
            .and(body_json(&body))
            .respond_with(fake_invite)
            .expect(1)
            .mount(&server)
            .await;
    }

    let bulk = client(&server).bulk_invite(RoomSelector::id("r1"), Invitees::user_ids(ids));
    let (batches, report) = run(bulk).await;

    assert_eq!(
        batches,
        [
            (1, 0..500, "accepted".to_owned()),
            (2, 500..501, "accepted".to_owned())
        ]
    );
    assert_eq!((report.batch_size, report.outcomes.added), (500, 501));
}

#[tokio::test]
async fn a_lasting_error_stops_the_rest() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(json!({"roomName": "team", "username": "alice"})))
        .respond_with(fake_invite)
        .expect(1)
        .mount(&server)
        .await;
    invite_mock()
        .and(body_json(json!({"roomName": "team", "username": "bob"})))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(fixture("groups.invite/error-401-modern.json")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let bulk = client(&server)
        .bulk_invite(
            RoomSelector::name("team"),
            usernames(&["alice", "bob", "carol", "dave"]),
        )
        .batch_size(1);
    let (batches, report) = run(bulk).await;

    assert_eq!(
        batches,
        [
            (1, 0..1, "accepted".to_owned()),
            (
                2,
                1..2,
                "401 unauthorized: You must be logged in to do this.".to_owned()
            ),
        ]
    );
    assert_eq!(
        fields(&report),
        json!({
            "requested": 4, "batchSize": 1, "batches": [4, 1, 1, 2],
            "added": 1, "alreadyMembers": 0, "notFound": 0, "other": 0,
            "unreported": 0, "notDone": 3, "notFoundEntries": [],
            "stopped": "LastingFailure { batch: 2 }"
        })
    );
    assert_eq!(hits(&server, INVITE).await, 2);
}

#[tokio::test]
async fn a_rate_limit_that_outlasts_the_retries_stops_the_rest() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "120")
                .set_body_json(fixture("groups.invite/error-429.json")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let bulk = client(&server)
        .bulk_invite(RoomSelector::name("team"), usernames(&["a", "b", "c"]))
        .batch_size(1);
    let mut bulk = bulk;
    let first = bulk.next_batch().await.unwrap();
    let BatchOutcome::Failed(error) = &first.outcome else {
        panic!("{first:?}")
    };
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait), .. } if wait.as_secs() == 120),
        "{error:?}"
    );
    assert!(bulk.next_batch().await.is_none());
    let report = bulk.finish();

    assert_eq!(
        (
            report.skipped,
            report.not_done,
            report.stopped.map(|s| format!("{s:?}"))
        ),
        (2, 3, Some("LastingFailure { batch: 1 }".to_owned()))
    );
}

#[tokio::test]
async fn three_transient_failures_in_a_row_stop_the_rest() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"success": false, "error": "Service Unavailable"})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();

    let bulk = client
        .bulk_invite(
            RoomSelector::name("team"),
            usernames(&["a", "b", "c", "d", "e", "f"]),
        )
        .batch_size(1);
    let (batches, report) = run(bulk).await;

    assert_eq!(
        batches
            .iter()
            .map(|(number, _, outcome)| (*number, outcome.as_str()))
            .collect::<Vec<_>>(),
        [
            (1, "503: Service Unavailable"),
            (2, "503: Service Unavailable"),
            (3, "503: Service Unavailable"),
        ]
    );
    assert_eq!(
        fields(&report),
        json!({
            "requested": 6, "batchSize": 1, "batches": [6, 0, 3, 3],
            "added": 0, "alreadyMembers": 0, "notFound": 0, "other": 0,
            "unreported": 0, "notDone": 6, "notFoundEntries": [],
            "stopped": "FailuresInARow { failures: 3, batch: 3 }"
        })
    );
}

#[tokio::test]
async fn a_transient_failure_fails_only_its_batch() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .and(body_json(json!({"roomName": "team", "username": "b"})))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .expect(1)
        .mount(&server)
        .await;
    invite_mock()
        .respond_with(fake_invite)
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();

    let bulk = client
        .bulk_invite(RoomSelector::name("team"), usernames(&["a", "b", "c"]))
        .batch_size(1);
    let (batches, report) = run(bulk).await;

    assert_eq!(batches[1], (2, 1..2, "502: Bad Gateway".to_owned()));
    assert_eq!(
        fields(&report),
        json!({
            "requested": 3, "batchSize": 1, "batches": [3, 2, 1, 0],
            "added": 2, "alreadyMembers": 0, "notFound": 0, "other": 0,
            "unreported": 0, "notDone": 1, "notFoundEntries": [], "stopped": null
        })
    );
}

#[tokio::test]
async fn a_batch_of_unknown_users_counts_as_not_found() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(fake_invite)
        .expect(2)
        .mount(&server)
        .await;

    let bulk = client(&server)
        .bulk_invite(
            RoomSelector::name("team"),
            usernames(&["alice", "bob", "ghost1", "ghost2"]),
        )
        .batch_size(2);
    let (batches, report) = run(bulk).await;

    assert_eq!(batches[1], (2, 2..4, "noneFound".to_owned()));
    assert_eq!(
        fields(&report),
        json!({
            "requested": 4, "batchSize": 2, "batches": [2, 2, 0, 0],
            "added": 2, "alreadyMembers": 0, "notFound": 2, "other": 0,
            "unreported": 0, "notDone": 0, "notFoundEntries": ["ghost1", "ghost2"],
            "stopped": null
        })
    );
}

#[tokio::test]
async fn an_unknown_outcome_counts_as_other() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(fake_invite)
        .expect(1)
        .mount(&server)
        .await;

    let bulk = client(&server).bulk_invite(
        RoomSelector::name("team"),
        usernames(&["alice", "gone1", "ghost1"]),
    );
    let (_, report) = run(bulk).await;

    assert_eq!(
        fields(&report),
        json!({
            "requested": 3, "batchSize": 500, "batches": [1, 1, 0, 0],
            "added": 1, "alreadyMembers": 0, "notFound": 1, "other": 1,
            "unreported": 0, "notDone": 0, "notFoundEntries": ["ghost1"], "stopped": null
        })
    );
}

#[tokio::test]
async fn a_server_without_outcomes_counts_as_unreported() {
    let server = mock_server(INVITE).await;
    invite_mock()
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("groups.invite/response-200-documented.json")),
        )
        .expect(2)
        .mount(&server)
        .await;

    let bulk = client(&server)
        .bulk_invite(RoomSelector::name("team"), usernames(&["a", "b", "c"]))
        .batch_size(2);
    let (batches, report) = run(bulk).await;

    assert_eq!(batches.len(), 2);
    assert_eq!(
        fields(&report),
        json!({
            "requested": 3, "batchSize": 2, "batches": [2, 2, 0, 0],
            "added": 0, "alreadyMembers": 0, "notFound": 0, "other": 0,
            "unreported": 3, "notDone": 0, "notFoundEntries": [], "stopped": null
        })
    );
}

#[tokio::test]
async fn an_empty_list_sends_nothing() {
    let server = mock_server("nothing: the list is empty").await;
    let none: [&str; 0] = [];

    let bulk = client(&server).bulk_invite(RoomSelector::name("team"), Invitees::usernames(none));
    let (batches, report) = run(bulk).await;

    assert!(batches.is_empty());
    assert_eq!(
        fields(&report),
        json!({
            "requested": 0, "batchSize": 500, "batches": [0, 0, 0, 0],
            "added": 0, "alreadyMembers": 0, "notFound": 0, "other": 0,
            "unreported": 0, "notDone": 0, "notFoundEntries": [], "stopped": null
        })
    );
}

#[tokio::test]
async fn a_blank_group_name_stops_at_the_first_batch_without_sending() {
    let server = mock_server("nothing: the group name is blank").await;

    let bulk = client(&server)
        .bulk_invite(RoomSelector::name(" "), usernames(&["a", "b"]))
        .batch_size(1);
    let (batches, report) = run(bulk).await;

    assert_eq!(
        batches,
        [(
            1,
            0..1,
            "invalid request: The parameter \"roomId\" or \"roomName\" is required \
             [error-room-param-not-provided]"
                .to_owned()
        )]
    );
    assert_eq!(
        (report.skipped, report.not_done, report.stopped.is_some()),
        (1, 2, true)
    );
}
