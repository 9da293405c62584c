//! A real server for other projects' tests, started on a free loopback port in one call, and
//! helpers to fill it: users of every kind, groups and moderators. Needs the `testing` feature.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use rocketchat_server::testing::{TestServer, UserSpec};
//!
//! let server = TestServer::start().await;
//! let alice = server.create_user("alice").await;
//! let boss = server.create(UserSpec::new("boss").admin()).await;
//! let gone = server.create(UserSpec::new("gone").deactivated()).await;
//! let room_id = server.create_group(&alice, "alices-group", &["boss", "gone"]).await;
//! server.add_moderator(&room_id, &boss).await;
//!
//! // Point your own code at the server; here, a raw HTTP call with alice's token.
//! let url = format!("{}/api/v1/groups.invite", server.url());
//! # let _ = (url, gone);
//! // POST url, headers X-User-Id: alice.user_id, X-Auth-Token: alice.auth_token,
//! // body {"roomId": room_id, "username": "admin"}
//! assert_eq!(format!("{alice:?}").contains(&alice.auth_token), false);
//! # }
//! ```
//!
//! The server runs on the caller's tokio runtime. Dropping the [`TestServer`] stops it;
//! [`TestServer::shutdown`] also waits until it has stopped and the store is closed. The
//! helpers panic with a message saying what went wrong, as test helpers do.

use std::fmt;

use rocketchat_protocol::groups::{RoomSelector, UserSelector};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::domain::membership::RoleChange;
use crate::http::AppState;
use crate::seed::{self, Account};
use crate::service::{self, MemberCall, NewGroup};
use crate::store::LoginIdentity;
use crate::util::error_chain;
use crate::{Config, Error, Server};

/// How many users one write of [`TestServer::seed_users`] creates.
const SEED_CHUNK: usize = 50_000;

/// A user of the test server, logged in: the id and token to send as `X-User-Id` and
/// `X-Auth-Token`, and the username. `Debug` hides the token.
#[derive(Clone)]
#[non_exhaustive]
pub struct TestUser {
    /// The id to send as `X-User-Id`.
    pub user_id: String,
    /// The token to send as `X-Auth-Token`.
    pub auth_token: String,
    /// The username.
    pub username: String,
}

impl TestUser {
    /// Credentials from elsewhere, such as a login answer.
    pub fn new(
        user_id: impl Into<String>,
        auth_token: impl Into<String>,
        username: impl Into<String>,
    ) -> Self {
        Self {
            user_id: user_id.into(),
            auth_token: auth_token.into(),
            username: username.into(),
        }
    }
}

impl fmt::Debug for TestUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestUser")
            .field("user_id", &self.user_id)
            .field("auth_token", &"[redacted]")
            .field("username", &self.username)
            .finish()
    }
}

/// A user to create with [`TestServer::create`]: a plain user unless told otherwise.
///
/// Every user gets the password `<username>-password` (unless [`UserSpec::password`] says
/// otherwise) and, but for bots, the e-mail address `<username>@example.com`.
#[derive(Clone, Debug)]
#[must_use]
pub struct UserSpec {
    account: Account,
}

impl UserSpec {
    /// A plain, active user with the global role `user`.
    pub fn new(username: &str) -> Self {
        Self {
            account: Account::user(username, &format!("{username}-password")),
        }
    }

    /// Adds the global role `admin`: exempt from the rate limit, allowed to create users, and
    /// allowed to invite into any group it is a member of.
    pub fn admin(self) -> Self {
        self.role("admin")
    }

    /// Makes the user a bot, as Rocket.Chat's own `rocket.cat`: the role `bot` instead of
    /// `user`, the type `bot`, no e-mail address.
    pub fn bot(mut self) -> Self {
        self.account.roles = vec!["bot".to_owned()];
        self.account.user_type = "bot";
        self.account.email = None;
        self
    }

    /// Makes the user a guest: the role `guest` instead of `user`, as Rocket.Chat's guests
    /// have. Guests may not leave private groups (`leave-p`) nor create them.
    pub fn guest(mut self) -> Self {
        self.account.roles = vec!["guest".to_owned()];
        self
    }

    /// Makes the account inactive, as an admin deactivating it would: it cannot log in, its
    /// token is refused with 401, and `groups.members` leaves it out. It can still be invited.
    pub fn deactivated(mut self) -> Self {
        self.account.active = false;
        self
    }

    /// Adds a global role, such as `admin` or `bot`.
    pub fn role(mut self, role: &str) -> Self {
        if !self.account.roles.iter().any(|held| held == role) {
            self.account.roles.push(role.to_owned());
        }
        self
    }

    /// Sets the password (the default is `<username>-password`).
    pub fn password(mut self, password: &str) -> Self {
        self.account.password = password.to_owned();
        self
    }

    /// Sets the display name (the default is the username).
    pub fn name(mut self, name: &str) -> Self {
        self.account.name = name.to_owned();
        self
    }
}

/// A running server on `127.0.0.1` with its own store; dropping it shuts the server down.
pub struct TestServer {
    url: String,
    admin: TestUser,
    state: Option<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), Error>>>,
}

impl fmt::Debug for TestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer")
            .field("url", &self.url)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Starts a server with [`Config::for_tests`]: a free port on `127.0.0.1`, a SQLite file in
    /// a temporary directory, the rate limiter off, and the admin `admin` / `admin-password`.
    ///
    /// # Panics
    ///
    /// When the server cannot start.
    pub async fn start() -> TestServer {
        Self::start_with(Config::for_tests()).await
    }

    /// Starts a server with the caller's settings (for example with the rate limiter on, or on
    /// a SQLite file of the test's own). It always listens on `127.0.0.1`, on `config.port`
    /// (0 picks a free one).
    ///
    /// # Panics
    ///
    /// When the server cannot start.
    pub async fn start_with(config: Config) -> TestServer {
        match Self::try_start(config).await {
            Ok(server) => server,
            Err(error) => panic!("the test server could not start: {}", error_chain(&error)),
        }
    }

    async fn try_start(mut config: Config) -> Result<TestServer, Error> {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        if config.root_url.is_none() {
            config.root_url = Some(url.clone());
        }
        let server = Server::on(listener, config).await?;
        let state = server.state().clone();
        let admin_name = state.config().admin_username.clone();
        let admin = log_in(&state, &admin_name).await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(async move {
            let _ = stopped.await;
        }));
        Ok(TestServer {
            url,
            admin,
            state: Some(state),
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The base URL, such as `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The admin's credentials (username `admin` unless the config says otherwise).
    pub fn admin(&self) -> &TestUser {
        &self.admin
    }

    /// The settings the server runs with.
    pub fn config(&self) -> &Config {
        self.state().config()
    }

    /// The whole application as an axum [`Router`](axum::Router) over the same store, for
    /// calls in process, without a socket (with `tower::ServiceExt::oneshot`). It has every
    /// route and layer the server has, but for the connection limits, and the requests it
    /// gets have no client address.
    pub fn router(&self) -> axum::Router {
        crate::http::router(self.state().clone())
    }

    fn state(&self) -> &AppState {
        self.state.as_ref().expect("the server is running")
    }

    /// Creates a plain user, with the role `user`, the password `<username>-password` and the
    /// e-mail address `<username>@example.com`, and logs them in.
    ///
    /// # Panics
    ///
    /// When the username is taken.
    pub async fn create_user(&self, username: &str) -> TestUser {
        self.create(UserSpec::new(username)).await
    }

    /// Creates the user `spec` describes (an admin, a bot, a deactivated user, ...) and gives
    /// them a login token.
    ///
    /// # Panics
    ///
    /// When the username or e-mail address is taken.
    pub async fn create(&self, spec: UserSpec) -> TestUser {
        let username = spec.account.username.clone();
        let created = async {
            let user_id = spec.account.create(self.state()).await?;
            let auth_token = seed::issue_token(self.state(), &user_id).await?;
            Ok::<_, Error>(TestUser {
                user_id,
                auth_token,
                username: username.clone(),
            })
        };
        created.await.unwrap_or_else(|error| {
            panic!("could not create user {username}: {}", error_chain(&error))
        })
    }

    /// Creates many plain users at once, all with the same password, and returns their ids in
    /// order; none is logged in (use [`TestServer::log_in`]). Fast: one password hash for all,
    /// and tens of thousands of users per write.
    ///
    /// # Panics
    ///
    /// When a username or e-mail address is taken.
    pub async fn seed_users<I, S>(&self, usernames: I, password: &str) -> Vec<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let state = self.state();
        let template = Account::user("", password)
            .hashed(state.config().bcrypt_cost)
            .await
            .unwrap_or_else(|error| panic!("could not hash the password: {}", error_chain(&error)));
        let mut ids = Vec::new();
        let mut batch = Vec::with_capacity(SEED_CHUNK);
        let mut usernames = usernames.into_iter().peekable();
        while usernames.peek().is_some() {
            batch.extend(usernames.by_ref().take(SEED_CHUNK).map(|name| {
                let name = name.as_ref();
                let mut user = template.clone();
                user.username = name.to_owned();
                user.name = name.to_owned();
                user.email = Some(format!("{name}@example.com"));
                user
            }));
            let created = state.store().create_users(std::mem::take(&mut batch)).await;
            ids.extend(created.unwrap_or_else(|error| {
                panic!("could not seed users: {}", error_chain(&Error::from(error)))
            }));
        }
        ids
    }

    /// Gives an existing user a new login token, as a login would.
    ///
    /// # Panics
    ///
    /// When no user has this username.
    pub async fn log_in(&self, username: &str) -> TestUser {
        log_in(self.state(), username)
            .await
            .unwrap_or_else(|error| panic!("could not log {username} in: {}", error_chain(&error)))
    }

    /// Creates a private group owned by `owner`, with these members by username, and returns
    /// its id. The owner gets the room role `owner`, as in Rocket.Chat.
    ///
    /// # Panics
    ///
    /// When the name is invalid or taken, `owner` is unknown, or a member does not exist
    /// (Rocket.Chat would skip an unknown member silently; a test fixture wants to know).
    pub async fn create_group(&self, owner: &TestUser, name: &str, members: &[&str]) -> String {
        let created = async {
            let owner = self.user(&owner.username).await?;
            let room = service::create_group(
                self.state().store(),
                NewGroup {
                    caller: owner.caller(),
                    name: name.to_owned(),
                    members: members.iter().map(|member| (*member).to_owned()).collect(),
                    require_members: true,
                    read_only: false,
                    custom_fields: Default::default(),
                    extra: Default::default(),
                    exclude_self: false,
                },
            )
            .await
            .map_err(service_error)?;
            Ok::<_, Error>(room.id)
        };
        created.await.unwrap_or_else(|error| {
            panic!("could not create group {name}: {}", error_chain(&error))
        })
    }

    /// Gives a member of a group the room role `moderator`, as its owner would with
    /// `groups.addModerator`.
    ///
    /// # Panics
    ///
    /// When the group or user is unknown, the user is not a member or is a moderator already,
    /// or the group's owner is no longer a member of it.
    pub async fn add_moderator(&self, room_id: &str, user: &TestUser) {
        let added = async {
            let store = self.state().store();
            let (room, _) = store
                .room_for(RoomSelector::id(room_id), user.user_id.clone())
                .await?;
            let room = room.ok_or_else(|| crate::store::StoreError::broken("no such group"))?;
            let owner = self.user(&room.owner.username).await?;
            let call = MemberCall {
                caller: owner.caller(),
                room: RoomSelector::id(room_id),
                user: Ok(UserSelector::Id {
                    user_id: user.user_id.clone(),
                }),
            };
            service::change_role(store, RoleChange::AddModerator, call)
                .await
                .map_err(service_error)?;
            Ok::<_, Error>(())
        };
        added.await.unwrap_or_else(|error| {
            panic!(
                "could not make {} a moderator of {room_id}: {}",
                user.username,
                error_chain(&error)
            )
        });
    }

    async fn user(&self, username: &str) -> Result<crate::domain::UserRecord, Error> {
        find_user(self.state(), username).await
    }

    /// Stops the server, waits for calls in flight to finish and closes the store.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(state) = self.state.take() {
            state.close().await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A use case's failure as the crate's error, for a panic message: the refusal keeps its
/// text.
fn service_error(error: service::Error) -> Error {
    match error {
        service::Error::Store(error) => error.into(),
        refused => Error::Internal(Box::new(refused)),
    }
}

async fn find_user(state: &AppState, username: &str) -> Result<crate::domain::UserRecord, Error> {
    let found = state
        .store()
        .login_user(LoginIdentity::Username(username.to_owned()))
        .await?;
    found
        .map(|(user, _)| user)
        .ok_or_else(|| crate::store::StoreError::broken(format!("no user is called {username}")))
        .map_err(Error::from)
}

async fn log_in(state: &AppState, username: &str) -> Result<TestUser, Error> {
    let user = find_user(state, username).await?;
    let auth_token = seed::issue_token(state, &user.id).await?;
    Ok(TestUser {
        user_id: user.id,
        auth_token,
        username: user.username,
    })
}
