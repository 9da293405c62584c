//! A fast, faithful stand-in for Rocket.Chat's private-group invite API.
//!
//! It serves `POST /api/v1/groups.invite` and the endpoints around it (`/api/info`, `login`,
//! `logout`, `me`, `users.create`, `groups.create`, `groups.info`, `groups.members`,
//! `groups.history`, `groups.addModerator`) with Rocket.Chat's bodies, status codes and
//! `errorType`s, on an embedded SQLite store. The wire types come from
//! [`rocketchat_protocol`].
//!
//! The crate has three layers, each feeding the next a typed value:
//!
//! * [`http`]: routes, authentication, rate limiting, body limits, timeouts;
//! * [`domain`]: who may do what and what each call changes, as pure functions;
//! * [`store`]: the [`store::Store`] boundary and its SQLite implementation, which runs
//!   the domain rules inside one transaction per call.
//!
//! # Running it
//!
//! The `rocketchat-server` binary reads a [`Config`] from flags and environment variables;
//! [`run`] is all its `main` does.
//!
//! # Embedding it in tests
//!
//! [`testing::TestServer`] starts a real server on a free loopback port with a throwaway
//! SQLite file:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use rocketchat_server::testing::TestServer;
//!
//! let server = TestServer::start().await;
//! let bob = server.create_user("bob").await;
//! let room_id = server.create_group(server.admin(), "team", &["bob"]).await;
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! assert_eq!(bob.username, "bob");
//! assert_eq!(room_id.len(), 17);
//! # }
//! ```
#![warn(missing_docs)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub mod config;
pub mod demo;
pub mod domain;
pub mod http;
pub mod store;
pub mod testing;
mod util;

pub use config::Config;
pub use http::AppState;

use crate::store::sqlite::SqliteStore;
use crate::store::{NewUser, Store, StoreError};

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL names a store this build cannot open.
    #[error("unsupported database URL {0:?}: {1}")]
    UnsupportedDatabase(String, &'static str),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Binding or serving failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Opens the store a database URL names.
///
/// `sqlite:` URLs open (and create, and migrate) a SQLite database; `postgres://` is refused
/// for now with a clear error.
pub fn open_store(database_url: &str) -> Result<Arc<dyn Store>, Error> {
    if database_url.starts_with("sqlite:") {
        return Ok(Arc::new(SqliteStore::open_url(database_url)?));
    }
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        return Err(Error::UnsupportedDatabase(
            database_url.to_owned(),
            "PostgreSQL is not yet supported; use sqlite://FILE or sqlite::memory:",
        ));
    }
    Err(Error::UnsupportedDatabase(
        database_url.to_owned(),
        "expected sqlite://FILE, sqlite::memory: or postgres://...",
    ))
}

/// Creates the first admin when the store has no users yet, from `ADMIN_USERNAME`,
/// `ADMIN_PASS` and `ADMIN_EMAIL`.
///
/// Returns the password when one had to be generated (no `ADMIN_PASS`), so that it can be
/// shown once.
pub async fn bootstrap(state: &AppState) -> Result<Option<String>, Error> {
    if state.store().human_user_count().await? > 0 {
        return Ok(None);
    }
    let config = state.config();
    let (password, generated) = match &config.admin_pass {
        Some(password) => (password.clone(), None),
        None => {
            let password = util::new_token();
            (password.clone(), Some(password))
        }
    };
    let cost = config.bcrypt_cost;
    let hash = tokio::task::spawn_blocking(move || util::hash_password(&password, cost))
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    state
        .store()
        .create_user(NewUser {
            id: None,
            username: config.admin_username.clone(),
            name: "Administrator".to_owned(),
            email: Some(config.admin_email.clone()),
            email_verified: true,
            password_hash: Some(hash),
            roles: vec!["user".to_owned(), "admin".to_owned()],
            user_type: "user".to_owned(),
            active: true,
        })
        .await?;
    tracing::info!(username = %config.admin_username, "created the first admin");
    Ok(generated)
}

/// The whole application as an axum [`Router`](axum::Router): every route and its middleware.
pub fn app(state: AppState) -> axum::Router {
    http::router(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight calls.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}

/// Binds the configured address, opens the store, creates the first admin if needed, and
/// serves until SIGINT or SIGTERM.
pub async fn run(mut config: Config) -> Result<(), Error> {
    let listener = TcpListener::bind((config.bind_ip, config.port)).await?;
    let address = listener.local_addr()?;
    config.port = address.port();
    let store = open_store(&config.database_url)?;
    let state = AppState::new(config, store);
    if let Some(password) = bootstrap(&state).await? {
        tracing::warn!(
            username = %state.config().admin_username,
            password = %password,
            "no ADMIN_PASS was set: generated a password for the first admin (shown only once)"
        );
    }
    if state.config().demo {
        let demo = demo::seed(&state).await?;
        println!("{}", demo.instructions(&format!("http://{address}")));
    }
    tracing::info!(%address, "listening");
    serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
