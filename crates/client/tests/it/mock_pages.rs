//! The paging streams against a mock server: the pages they ask for, and when they stop.

use futures_util::{StreamExt, TryStreamExt};
use rocketchat_client::{Error, Pages, RoomSelector, protocol::ErrorKind};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{header, method, path, query_param},
};

use crate::support::{TOKEN, USER_ID, client, fixture, mock_server};

const MEMBERS: &str = "/api/v1/groups.members";
const LIST: &str = "/api/v1/groups.list";
const LIST_ALL: &str = "/api/v1/groups.listAll";
const ROOM_ID: &str = "ByehQjC44FwMeiLbX";

/// `n` members as `groups.members` lists them: `id001`/`user001`, ...
fn members(n: usize) -> Vec<Value> {
    (1..=n)
        .map(|i| json!({"_id": format!("id{i:03}"), "username": format!("user{i:03}"), "status": "online"}))
        .collect()
}

/// `n` groups as `groups.list` lists them: `gid001`/`group001`, ...
fn rooms(n: usize) -> Vec<Value> {
    (1..=n)
        .map(|i| json!({"_id": format!("gid{i:03}"), "t": "p", "name": format!("group{i:03}")}))
        .collect()
}

/// A list route answering from `items` as Rocket.Chat pages: `offset` and `count` from the
/// query, at most `cap` items a page, the page under `key`, and `total` as `reported_total`
/// (the true count when `None`).
struct Paged {
    key: &'static str,
    items: Vec<Value>,
    cap: usize,
    reported_total: Option<usize>,
}

impl Paged {
    fn new(key: &'static str, items: Vec<Value>) -> Self {
        Self {
            key,
            items,
            cap: 100,
            reported_total: None,
        }
    }

    fn answer(&self, request: &Request) -> ResponseTemplate {
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.parse::<usize>().unwrap())
        };
        let offset = param("offset").unwrap_or(0);
        let count = param("count").unwrap_or(50).min(self.cap);
        let page: Vec<Value> = self
            .items
            .iter()
            .skip(offset)
            .take(count)
            .cloned()
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            self.key: page,
            "count": page.len(),
            "offset": offset,
            "total": self.reported_total.unwrap_or(self.items.len()),
            "success": true,
        }))
    }

    /// Mounts the answers on `route`, for authenticated `GET`s only.
    async fn mount(self, server: &MockServer, route: &str) {
        Mock::given(method("GET"))
            .and(path(route))
            .and(header("X-Auth-Token", TOKEN))
            .and(header("X-User-Id", USER_ID))
            .respond_with(move |request: &Request| self.answer(request))
            .with_priority(2)
            .mount(server)
            .await;
    }
}

/// The query strings of the requests `server` received for `route`, in order.
async fn queries(server: &MockServer, route: &str) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|request| request.url.path() == route)
        .map(|request| request.url.query().unwrap_or_default().to_owned())
        .collect()
}

/// The members' queries for these `(offset, count)` pages of the fixtures' group.
fn member_pages(pages: &[(u64, u64)]) -> Vec<String> {
    pages
        .iter()
        .map(|(offset, count)| format!("roomId={ROOM_ID}&offset={offset}&count={count}"))
        .collect()
}

/// The ids of the items of a stream of members, or of the error that ended it.
async fn ids(mut stream: Pages<rocketchat_protocol::user::User>) -> Vec<Result<String, Error>> {
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(item.map(|user| user.id));
    }
    ids
}

#[tokio::test]
async fn members_come_page_by_page_in_order() {
    let server = mock_server(MEMBERS).await;
    Paged::new("members", members(250))
        .mount(&server, MEMBERS)
        .await;
    let client = client(&server);

    let mut stream = client.groups_members_stream(RoomSelector::id(ROOM_ID));
    assert_eq!(stream.total(), None);
    assert!(
        queries(&server, MEMBERS).await.is_empty(),
        "nothing sent yet"
    );
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(
        (first.id.as_str(), first.username.as_deref()),
        ("id001", Some("user001"))
    );
    assert_eq!(stream.total(), Some(250));
    let rest: Vec<_> = stream.try_collect().await.unwrap();

    let expected: Vec<String> = (2..=250).map(|i| format!("id{i:03}")).collect();
    assert_eq!(
        rest.iter().map(|user| user.id.clone()).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        queries(&server, MEMBERS).await,
        member_pages(&[(0, 100), (100, 100), (200, 100)])
    );
}

#[tokio::test]
async fn an_empty_page_ends_the_stream_whatever_total_says() {
    let server = mock_server(MEMBERS).await;
    Paged {
        reported_total: Some(1_000),
        ..Paged::new("members", members(150))
    }
    .mount(&server, MEMBERS)
    .await;

    let got = ids(client(&server).groups_members_stream(RoomSelector::id(ROOM_ID))).await;

    assert_eq!(got.len(), 150);
    assert!(got.iter().all(Result::is_ok));
    // The second page held 50: the third starts after them, and comes back empty.
    assert_eq!(
        queries(&server, MEMBERS).await,
        member_pages(&[(0, 100), (100, 100), (150, 100)])
    );
}

#[tokio::test]
async fn the_stream_ends_once_total_items_came_without_asking_for_more() {
    let server = mock_server(MEMBERS).await;
    Paged {
        reported_total: Some(200),
        ..Paged::new("members", members(300))
    }
    .mount(&server, MEMBERS)
    .await;

    let got = ids(client(&server).groups_members_stream(RoomSelector::id(ROOM_ID))).await;

    assert_eq!(
        got.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        (1..=200).map(|i| format!("id{i:03}")).collect::<Vec<_>>()
    );
    assert_eq!(
        queries(&server, MEMBERS).await,
        member_pages(&[(0, 100), (100, 100)])
    );
}

#[tokio::test]
async fn a_server_sending_smaller_pages_is_read_to_the_end() {
    let server = mock_server(MEMBERS).await;
    Paged {
        cap: 30,
        ..Paged::new("members", members(70))
    }
    .mount(&server, MEMBERS)
    .await;

    let got = ids(client(&server).groups_members_stream(RoomSelector::name("private-abc"))).await;

    assert_eq!(got.len(), 70);
    assert_eq!(got[69].as_ref().unwrap(), "id070");
    assert_eq!(
        queries(&server, MEMBERS).await,
        [
            "roomName=private-abc&offset=0&count=100",
            "roomName=private-abc&offset=30&count=100",
            "roomName=private-abc&offset=60&count=100",
        ]
    );
}

#[tokio::test]
async fn an_error_in_the_middle_is_the_last_item() {
    let server = mock_server(MEMBERS).await;
    Paged::new("members", members(250))
        .mount(&server, MEMBERS)
        .await;
    let gone = fixture("groups.addOwner/error-400-room-not-found.json");
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .and(query_param("offset", "100"))
        .respond_with(ResponseTemplate::new(400).set_body_json(&gone))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;

    let mut stream = client(&server).groups_members_stream(RoomSelector::id(ROOM_ID));
    let mut ok = 0;
    let error = loop {
        match stream.next().await.expect("the stream ends with the error") {
            Ok(_) => ok += 1,
            Err(error) => break error,
        }
    };

    assert_eq!(ok, 100);
    assert!(
        matches!(&error, Error::Api { status: 400, kind: ErrorKind::RoomNotFound, message, .. }
            if message == gone["error"].as_str().unwrap()),
        "{error:?}"
    );
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none(), "it stays ended");
    assert_eq!(
        queries(&server, MEMBERS).await,
        member_pages(&[(0, 100), (100, 100)])
    );
}

#[tokio::test]
async fn group_lists_page_the_same_way_and_take_a_page_size() {
    let server = mock_server("GET groups.list and groups.listAll").await;
    Paged::new("groups", rooms(205)).mount(&server, LIST).await;
    Paged::new("groups", rooms(205))
        .mount(&server, LIST_ALL)
        .await;
    let client = client(&server);

    let mine: Vec<_> = client.groups_list_stream().try_collect().await.unwrap();
    let all: Vec<_> = client
        .groups_list_all_stream()
        .page_size(80)
        .try_collect()
        .await
        .unwrap();

    let names = |rooms: &[rocketchat_protocol::room::Room]| -> Vec<String> {
        rooms
            .iter()
            .map(|room| room.name.clone().unwrap())
            .collect()
    };
    let expected: Vec<String> = (1..=205).map(|i| format!("group{i:03}")).collect();
    assert_eq!(names(&mine), expected);
    assert_eq!(names(&all), expected);
    assert_eq!(
        queries(&server, LIST).await,
        [
            "offset=0&count=100",
            "offset=100&count=100",
            "offset=200&count=100"
        ]
    );
    assert_eq!(
        queries(&server, LIST_ALL).await,
        [
            "offset=0&count=80",
            "offset=80&count=80",
            "offset=160&count=80"
        ]
    );
}

#[tokio::test]
async fn an_empty_list_is_one_call() {
    let server = mock_server(LIST).await;
    Paged::new("groups", Vec::new()).mount(&server, LIST).await;

    let groups: Vec<_> = client(&server)
        .groups_list_stream()
        .try_collect()
        .await
        .unwrap();

    assert!(groups.is_empty());
    assert_eq!(queries(&server, LIST).await, ["offset=0&count=100"]);
}
