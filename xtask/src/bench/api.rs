//! The bench's calls to the server through the workspace's own client, `rocketchat-client`:
//! waiting for the server, logging in, counting a group's members and the timed bulk invites.

use std::time::{Duration, Instant};

use rocketchat_client::protocol::groups::{self, invite};
use rocketchat_client::{Client, Credentials, RetryPolicy, RoomSelector, Session, reqwest};

use super::server::Server;

/// How long the server may take to answer after it starts.
const STARTUP: Duration = Duration::from_secs(60);
/// The longest a connection of the bench's client stays idle in its pool.
const IDLE: Duration = Duration::from_secs(5);

/// A client for the server at `base` acting as the admin. It never retries, so that a retry
/// cannot hide a slow or failed answer.
///
/// It drops a connection that has been idle for [`IDLE`]: the server closes one idle for
/// longer than its header timeout (20 s), and the bench's runtime, which runs only while the
/// bench awaits a call, would not see that close before taking the connection from the pool
/// for the next call, after a long wrk run.
pub(super) fn client(base: &str, password: &str) -> Result<Client, String> {
    let http = reqwest::Client::builder()
        .pool_idle_timeout(IDLE)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("building the HTTP client: {e}"))?;
    Client::builder()
        .http_client(http)
        .base_url(base)
        .credentials(Credentials::password("admin", password))
        .retry_policy(RetryPolicy::never())
        .build()
        .map_err(|e| format!("building the client: {e}"))
}

/// Waits until the server answers `GET /api/info`, failing if it exits or takes too long.
pub(super) async fn wait_until_ready(client: &Client, server: &mut Server) -> Result<(), String> {
    let deadline = Instant::now() + STARTUP;
    loop {
        if client.info().await.is_ok() {
            return Ok(());
        }
        server.check_running()?;
        if Instant::now() > deadline {
            return Err(format!(
                "the server did not answer; see {}",
                server.log().display()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Logs the admin in (the client does so for its first authenticated call) and answers the
/// session, whose user id and token wrk's scripts send.
pub(super) async fn log_in(client: &Client) -> Result<Session, String> {
    client
        .me()
        .await
        .map_err(|e| format!("logging in failed: {e}"))?;
    client
        .session()
        .ok_or_else(|| "logging in left the client without a session".to_owned())
}

/// The number of members of the group `room`.
pub(super) async fn users_count(client: &Client, room: &str) -> Result<u64, String> {
    let request = groups::info::Request::new(RoomSelector::id(room));
    let response = client
        .groups_info(&request)
        .await
        .map_err(|e| format!("groups.info: {e}"))?;
    response
        .group
        .users_count
        .ok_or_else(|| "groups.info answered no usersCount".to_owned())
}

/// Invites the users `<prefix>0` to `<prefix><size - 1>` into `room`, which holds only the
/// admin, in one call; answers how long the call took, end to end (encoding the request,
/// the exchange, decoding the answer). Fails unless every user was added.
pub(super) async fn bulk_invite(
    client: &Client,
    room: &str,
    prefix: &str,
    size: usize,
) -> Result<Duration, String> {
    let usernames = (0..size).map(|i| format!("{prefix}{i}"));
    let request = invite::Request::new(
        RoomSelector::id(room),
        invite::Invitees::usernames(usernames),
    )
    .map_err(|e| format!("a {size}-user bulk invite: {e}"))?;
    let started = Instant::now();
    let response = client.groups_invite(&request).await;
    let took = started.elapsed();
    let response = response.map_err(|e| format!("a {size}-user bulk invite: {e}"))?;
    let count = response.group.users_count.unwrap_or_default();
    if count != size as u64 + 1 {
        return Err(format!(
            "a {size}-user bulk invite left the group with usersCount {count}"
        ));
    }
    Ok(took)
}
