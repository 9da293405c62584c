//! Shared helpers: an HTTP client bound to a test server, and insta settings.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use rocketchat_server::testing::{TestServer, TestUser};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

pub(crate) use crate::common::stores::config;

/// A server on the running test's database (see [`config`]).
pub(crate) async fn start() -> TestServer {
    TestServer::start_with(config()).await
}

/// A server on the running test's database, with settings changed by `change`.
pub(crate) async fn start_with(change: impl FnOnce(&mut rocketchat_server::Config)) -> TestServer {
    let mut config = config();
    change(&mut config);
    TestServer::start_with(config).await
}

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

/// 64 inviters at once, each `owner` inviting into `room_id` a list of 10 of `names` that
/// overlaps its neighbours', through the servers in turn: how many users all the answers
/// reported `added`. Every answer must be a 200.
pub(crate) async fn race_overlapping_invites(
    servers: &[&TestServer],
    owner: &TestUser,
    room_id: &str,
    names: &[String],
) -> usize {
    let mut tasks = Vec::new();
    for task in 0..64 {
        let batch: Vec<String> = (0..10)
            .map(|i| names[(task * 7 + i) % names.len()].clone())
            .collect();
        let url = format!(
            "{}/api/v1/groups.invite",
            servers[task % servers.len()].url()
        );
        let (owner, room_id) = (owner.clone(), room_id.to_owned());
        tasks.push(tokio::spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .header("X-User-Id", owner.user_id)
                .header("X-Auth-Token", owner.auth_token)
                .json(&json!({ "roomId": room_id, "usernames": batch }))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert_eq!(status, 200, "{body:#}");
            body["invitees"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["outcome"] == "added")
                .count()
        }));
    }
    let mut added = 0;
    for task in tasks {
        added += task.await.unwrap();
    }
    added
}

/// Invites one user a call into `room_id` through `url`, recording who the server said it
/// added; stops at the first call that gets no answer (the instance is gone). Whether every
/// call was answered.
pub(crate) async fn invite_one_by_one(
    url: String,
    owner: TestUser,
    room_id: String,
    names: Vec<String>,
    acknowledged: Arc<Mutex<HashSet<String>>>,
) -> bool {
    let http = reqwest::Client::new();
    for name in names {
        let sent = http
            .post(format!("{url}/api/v1/groups.invite"))
            .header("X-User-Id", &owner.user_id)
            .header("X-Auth-Token", &owner.auth_token)
            .json(&json!({ "roomId": room_id, "username": name }))
            .send()
            .await;
        let Ok(response) = sent else { return false };
        let Ok(body) = response.json::<Value>().await else {
            return false;
        };
        if body["invitees"][0]["outcome"] == "added" {
            acknowledged.lock().unwrap().insert(name);
        }
    }
    true
}

/// Waits until `count` invites are acknowledged (at most 60 s).
pub(crate) async fn until_acknowledged(acknowledged: &Mutex<HashSet<String>>, count: usize) {
    tokio::time::timeout(Duration::from_secs(60), async {
        while acknowledged.lock().unwrap().len() < count {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{count} invites are answered within 60 s"));
}

pub(crate) async fn get(server: &TestServer, path: &str, who: &TestUser) -> Answer {
    call(server, Method::GET, path, Some(who), None).await
}

/// insta settings with the redactions every snapshot of an answer needs: values that change
/// from run to run become placeholders naming their kind (`[id]`, `[date]`, `[token]`,
/// `[url]`). The fixed ids every workspace has (`rocket.cat`, `GENERAL`) stay.
pub(crate) fn redactions() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for key in ["_id", "userId", "rid", "roomId"] {
        settings.add_redaction(
            &format!(".**.{key}"),
            insta::dynamic_redaction(|value, _| match value.as_str() {
                Some("rocket.cat" | "GENERAL") | None => value,
                Some(_) => "[id]".into(),
            }),
        );
    }
    for key in ["ts", "_updatedAt", "lm", "createdAt"] {
        settings.add_redaction(&format!(".**.{key}"), "[date]");
    }
    // A requested entry is an id when the invite was by ids.
    settings.add_redaction(
        ".**.requested",
        insta::dynamic_redaction(|value, _| match value.as_str() {
            Some(text) if looks_like_id(text) => "[id]".into(),
            _ => value,
        }),
    );
    settings.add_redaction(".**.authToken", "[token]");
    settings.add_redaction(".**.avatarUrl", "[url]");
    settings
}

/// `insta::assert_json_snapshot!` with [`redactions`].
macro_rules! assert_answer_snapshot {
    ($name:expr, $value:expr $(,)?) => {
        $crate::support::redactions().bind(|| insta::assert_json_snapshot!($name, $value))
    };
}
pub(crate) use assert_answer_snapshot;

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
        Self::with(start().await).await
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

    /// The owner invites one user, by username, into the group.
    pub(crate) async fn owner_invites(&self, username: &str) -> Answer {
        self.invite(
            &self.owner,
            json!({ "roomId": self.room_id, "username": username }),
        )
        .await
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

/// How long the body lags behind the headers.
const BODY_DELAY: Duration = Duration::from_millis(150);

/// One HTTP/1.1 connection over real TCP, written and read by hand: for what a client library
/// would hide (a body sent late, half a request, a connection left idle).
pub(crate) struct RawConnection {
    stream: BufReader<TcpStream>,
    host: String,
}

/// One answer read off the connection.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl RawAnswer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl RawConnection {
    pub(crate) async fn open(server: &TestServer) -> Self {
        let host = server.url().trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&host).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream: BufReader::new(stream),
            host,
        }
    }

    /// Sends the head, then the body after [`BODY_DELAY`].
    pub(crate) async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        // A write may fail when the server has closed the connection; `read` then says so.
        let stream = self.stream.get_mut();
        let _ = stream.write_all(head.as_bytes()).await;
        if !body.is_empty() {
            tokio::time::sleep(BODY_DELAY).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
    }

    /// Reads one answer; `None` when the server closed (or reset) the connection instead.
    pub(crate) async fn read(&mut self) -> Option<RawAnswer> {
        let mut status_line = String::new();
        let read = tokio::time::timeout(
            Duration::from_secs(10),
            self.stream.read_line(&mut status_line),
        )
        .await
        .expect("the server answers or closes within 10 s");
        if read.unwrap_or(0) == 0 {
            return None;
        }
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        let mut answer = RawAnswer {
            status,
            headers,
            body: Value::Null,
        };
        let length: usize = answer.header("content-length").unwrap().parse().unwrap();
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.unwrap();
        answer.body = serde_json::from_slice(&body).unwrap();
        Some(answer)
    }

    /// `GET /api/info` on this connection, which must still be open.
    pub(crate) async fn info_still_answers(&mut self, after: &str) {
        self.send("GET", "/api/info", &[], "").await;
        let answer = self
            .read()
            .await
            .unwrap_or_else(|| panic!("the server closed the connection after {after}"));
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["success"], true, "{answer:?}");
    }

    /// Writes raw bytes, such as half a request.
    pub(crate) async fn write(&mut self, bytes: &[u8]) {
        let _ = self.stream.get_mut().write_all(bytes).await;
    }

    /// Waits up to `limit` for the server to close the connection, reading (and dropping)
    /// whatever it sends; whether it closed.
    pub(crate) async fn closed_within(&mut self, limit: Duration) -> bool {
        let mut sink = Vec::new();
        tokio::time::timeout(limit, self.stream.read_to_end(&mut sink))
            .await
            .is_ok()
    }
}

/// Log lines written while a [`LogCapture`] is alive, on this thread (use a current-thread
/// runtime so that the server's tasks run on it too).
pub(crate) struct LogCapture {
    lines: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl LogCapture {
    /// Captures every event at `INFO` and above, without colours.
    pub(crate) fn start() -> Self {
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&lines);
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || LogWriter(std::sync::Arc::clone(&sink)))
            .finish();
        Self {
            lines,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    /// What was logged so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.lines.lock().unwrap()).into_owned()
    }
}

struct LogWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The `rocketchat-server` binary on `database`, with its address once it listens.
pub(crate) async fn start_binary(database: &str) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_rocketchat-server"))
        .env_clear()
        .env("DATABASE_URL", database)
        .env("PORT", "0")
        .env("ADMIN_PASS", "admin-password")
        .env("API_ENABLE_RATE_LIMITER", "false")
        .env("RUST_LOG", "warn,rocketchat_server=info")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let address = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some((_, address)) = line.split_once("listening address=") {
                return address.trim().to_owned();
            }
        }
        panic!("the server stopped before it listened");
    })
    .await
    .expect("the server listens within 30 s");
    // Keep reading its log, so that it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, format!("http://{address}"))
}

/// A connection of the test's own to the running test's database, from outside the server:
/// for what no call can set up (a token handed out long ago, a failing trigger) or show. Only
/// inside [`store_tests!`](crate::store_tests), whose databases outlive one server.
enum Database {
    Sqlite(rusqlite::Connection),
    Postgres(tokio_postgres::Client),
}

impl Database {
    async fn connect() -> Self {
        let url = config().database_url;
        if let Some(path) = url.strip_prefix("sqlite://") {
            let conn = rusqlite::Connection::open(path).expect("the test's SQLite file opens");
            conn.busy_timeout(Duration::from_secs(5)).unwrap();
            return Self::Sqlite(conn);
        }
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("the test database accepts connections");
        tokio::spawn(connection);
        Self::Postgres(client)
    }
}

/// Runs SQL statements on the running test's database (see [`Database`]).
pub(crate) async fn execute_sql(sql: &str) {
    let done = match Database::connect().await {
        Database::Sqlite(conn) => conn.execute_batch(sql).map_err(|error| error.to_string()),
        Database::Postgres(client) => client
            .batch_execute(sql)
            .await
            .map_err(|error| error.to_string()),
    };
    done.unwrap_or_else(|error| panic!("{sql}: {error}"));
}

/// The one number `sql` selects from the running test's database (see [`Database`]).
pub(crate) async fn select_count(sql: &str) -> i64 {
    let count = match Database::connect().await {
        Database::Sqlite(conn) => conn
            .query_row(sql, [], |row| row.get(0))
            .map_err(|error| error.to_string()),
        Database::Postgres(client) => client
            .query_one(sql, &[])
            .await
            .map(|row| row.get(0))
            .map_err(|error| error.to_string()),
    };
    count.unwrap_or_else(|error| panic!("{sql}: {error}"))
}

/// Makes every system message whose text is `poison` fail to be written, as a database error
/// would, on either store.
pub(crate) async fn poison_messages() {
    let sql = match crate::common::stores::current() {
        crate::common::stores::Store::Sqlite => {
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.msg = 'poison' \
             BEGIN SELECT RAISE(ABORT, 'poisoned'); END;"
        }
        crate::common::stores::Store::Postgres => {
            "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.msg = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER poison BEFORE INSERT ON messages \
             FOR EACH ROW EXECUTE FUNCTION poison();"
        }
    };
    execute_sql(sql).await;
}
