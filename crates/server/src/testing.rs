//! A real server for other projects' tests: started on a free loopback port in one call.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use rocketchat_server::testing::TestServer;
//!
//! let server = TestServer::start().await;
//! let alice = server.create_user("alice").await;
//! let room_id = server.create_group(&alice, "alices-group", &[]).await;
//!
//! // Point your own code at the server; here, a raw HTTP call with alice's token.
//! let url = format!("{}/api/v1/groups.invite", server.url());
//! # let _ = (url, room_id);
//! // POST url, headers X-User-Id: alice.user_id, X-Auth-Token: alice.auth_token,
//! // body {"roomId": room_id, "username": "admin"}
//! assert_eq!(format!("{alice:?}").contains(&alice.auth_token), false);
//! # }
//! ```
//!
//! The server runs on the caller's tokio runtime; dropping the [`TestServer`] stops it (use
//! [`TestServer::shutdown`] to wait until it has stopped and the store is closed).

use std::fmt;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::domain::UserRecord;
use crate::store::{LoginIdentity, NewGroup, NewUser};
use crate::{AppState, Config, Error, util};

/// A user id, a login token and the username they belong to.
///
/// `Debug` hides the token.
#[derive(Clone)]
pub struct Credentials {
    /// The id to send as `X-User-Id`.
    pub user_id: String,
    /// The token to send as `X-Auth-Token`.
    pub auth_token: String,
    /// The username.
    pub username: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user_id", &self.user_id)
            .field("auth_token", &"[redacted]")
            .field("username", &self.username)
            .finish()
    }
}

/// A running server on `127.0.0.1` with its own store; dropping it shuts the server down.
pub struct TestServer {
    url: String,
    admin: Credentials,
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

    /// Starts a server with the caller's settings (for example with the rate limiter on).
    ///
    /// The server always listens on `127.0.0.1` (port 0 picks a free one).
    ///
    /// # Panics
    ///
    /// When the server cannot start.
    pub async fn start_with(config: Config) -> TestServer {
        match Self::try_start(config).await {
            Ok(server) => server,
            Err(error) => panic!("the test server could not start: {error}"),
        }
    }

    async fn try_start(mut config: Config) -> Result<TestServer, Error> {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let address = listener.local_addr()?;
        config.bind_ip = address.ip();
        config.port = address.port();
        let url = format!("http://{address}");
        if config.root_url.is_none() {
            config.root_url = Some(url.clone());
        }
        let store = crate::open_store(&config.database_url)?;
        let state = AppState::new(config, store);
        crate::bootstrap(&state).await?;
        let admin_name = state.config().admin_username.clone();
        let admin = state
            .store()
            .login_user(LoginIdentity::Username(admin_name.clone()))
            .await?
            .map(|(user, _)| user)
            .ok_or_else(|| {
                crate::StoreError::Internal(format!("no admin user called {admin_name}"))
            })?;
        let admin = issue_token(&state, &admin).await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::serve(listener, state.clone(), async move {
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
    pub fn admin(&self) -> &Credentials {
        &self.admin
    }

    /// The server's state, to reach its store directly.
    pub fn state(&self) -> &AppState {
        self.state.as_ref().expect("the server is running")
    }

    /// Creates a user with the role `user`, password `<username>-password` and e-mail
    /// `<username>@example.com`, and returns a logged-in token for them.
    ///
    /// # Panics
    ///
    /// When the username is taken.
    pub async fn create_user(&self, username: &str) -> Credentials {
        let password = format!("{username}-password");
        let user = seed_user(self.state(), username, &password, &["user"])
            .await
            .unwrap_or_else(|error| panic!("could not create user {username}: {error}"));
        issue_token(self.state(), &user)
            .await
            .unwrap_or_else(|error| panic!("could not log {username} in: {error}"))
    }

    /// Creates a private group owned by `owner` with these members (by username; unknown ones
    /// are skipped), and returns its id.
    ///
    /// # Panics
    ///
    /// When the name is invalid or taken, or `owner` is unknown.
    pub async fn create_group(&self, owner: &Credentials, name: &str, members: &[&str]) -> String {
        let owner = self
            .state()
            .store()
            .login_user(LoginIdentity::Username(owner.username.clone()))
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("unknown owner {}", owner.username))
            .0;
        self.state()
            .store()
            .create_group(NewGroup {
                caller: owner.caller(),
                name: name.to_owned(),
                members: members.iter().map(|member| (*member).to_owned()).collect(),
                read_only: false,
                custom_fields: Default::default(),
                extra: Default::default(),
                exclude_self: false,
            })
            .await
            .unwrap_or_else(|error| panic!("could not create group {name}: {error}"))
            .id
    }

    /// Stops the server, waits for in-flight calls to finish and closes the store.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(state) = self.state.take() {
            // The store closes (committing and joining its writer) with the last state.
            tokio::task::spawn_blocking(move || drop(state)).await.ok();
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

/// Creates a user with a password.
pub(crate) async fn seed_user(
    state: &AppState,
    username: &str,
    password: &str,
    roles: &[&str],
) -> Result<UserRecord, Error> {
    let cost = state.config().bcrypt_cost;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || util::hash_password(&password, cost))
        .await
        .map_err(|e| crate::StoreError::Internal(e.to_string()))?
        .map_err(|e| crate::StoreError::Internal(e.to_string()))?;
    Ok(state
        .store()
        .create_user(NewUser {
            id: None,
            username: username.to_owned(),
            name: username.to_owned(),
            email: Some(format!("{username}@example.com")),
            email_verified: false,
            password_hash: Some(hash),
            roles: roles.iter().map(|role| (*role).to_owned()).collect(),
            user_type: "user".to_owned(),
            active: true,
        })
        .await?)
}

/// Gives a user a new login token, as a login would.
pub(crate) async fn issue_token(state: &AppState, user: &UserRecord) -> Result<Credentials, Error> {
    let token = util::new_token();
    state
        .store()
        .add_login_token(user.id.clone(), util::hash_token(&token))
        .await?;
    Ok(Credentials {
        user_id: user.id.clone(),
        auth_token: token,
        username: user.username.clone(),
    })
}
