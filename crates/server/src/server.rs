//! Starting and stopping: the store a URL names, the first admin, the listener, the signals.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::http::AppState;
use crate::seed::Account;
use crate::serve::{self, Limits};
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{Store, StoreError};
use crate::{Config, Error, util};

/// A server bound to its address, its store open and migrated and its first admin created:
/// ready to [`serve`](Server::serve).
///
/// ```no_run
/// # async fn run() -> Result<(), rocketchat_server::Error> {
/// use rocketchat_server::{Config, Server};
///
/// let mut config = Config::defaults();
/// config.port = 0; // any free port
/// let server = Server::bind(config).await?;
/// println!("listening on {}", server.local_addr());
/// server.serve_until_signal().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    state: AppState,
    generated_password: Option<String>,
}

impl Server {
    /// Listens on `config.bind_ip` and `config.port` (0 picks a free port), then opens the
    /// store (see [`Server::on`]).
    pub async fn bind(config: Config) -> Result<Self, Error> {
        let address = SocketAddr::new(config.bind_ip, config.port);
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| Error::Bind { address, source })?;
        Self::on(listener, config).await
    }

    /// Serves on a listener the caller made. Opens (creating and migrating) the store that
    /// `config.database_url` names, and creates the first admin when the store has no users.
    /// `config.bind_ip` and `config.port` are taken from the listener.
    pub async fn on(listener: TcpListener, mut config: Config) -> Result<Self, Error> {
        let address = listener.local_addr()?;
        config.bind_ip = address.ip();
        config.port = address.port();
        let store = open_store(&config).await?;
        let state = AppState::new(config, store);
        let generated_password = bootstrap(&state).await?;
        Ok(Self {
            listener,
            state,
            generated_password,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.state.local_addr()
    }

    /// The settings it runs with (`bind_ip` and `port` as bound).
    pub fn config(&self) -> &Config {
        self.state.config()
    }

    /// The first admin's password, when the store was empty and no `ADMIN_PASS` was set, so
    /// that one had to be made up: show it once.
    pub fn generated_admin_password(&self) -> Option<&str> {
        self.generated_password.as_deref()
    }

    /// Serves until `shutdown` completes, then shuts down gracefully: no new connections, calls
    /// in flight finish within [`Config::shutdown_timeout_secs`], and the store is closed.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), Error> {
        let limits = Limits::of(self.state.config());
        let router = crate::http::router(self.state.clone());
        serve::serve(self.listener, router, limits, shutdown).await;
        self.state.close().await;
        Ok(())
    }

    /// Serves until SIGINT (Ctrl-C) or, on Unix, SIGTERM.
    pub async fn serve_until_signal(self) -> Result<(), Error> {
        self.serve(shutdown_signal()).await
    }

    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }
}

/// Binds the configured address, opens the store, creates the first admin if needed, seeds the
/// demo workspace with `--demo`, and serves until SIGINT or SIGTERM. All the
/// `rocketchat-server` binary does.
pub async fn run(config: Config) -> Result<(), Error> {
    let server = Server::bind(config).await?;
    if let Some(password) = server.generated_admin_password() {
        tracing::warn!(
            username = %server.config().admin_username,
            password = %password,
            "no ADMIN_PASS was set: generated a password for the first admin (shown only once)"
        );
    }
    if server.config().demo {
        let demo = crate::demo::seed(server.state()).await?;
        println!(
            "{}",
            demo.instructions(&format!("http://{}", server.local_addr()))
        );
    }
    tracing::info!(address = %server.local_addr(), "listening");
    server.serve_until_signal().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Opens the store a database URL names, creating and migrating its schema: `sqlite:` URLs a
/// SQLite file, `postgres://` and `postgresql://` URLs a PostgreSQL database that other
/// instances may share.
async fn open_store(config: &Config) -> Result<Arc<dyn Store>, Error> {
    let database_url = config.database_url.as_str();
    if database_url.starts_with("sqlite:") {
        return Ok(Arc::new(SqliteStore::open_url(database_url)?));
    }
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        let pool_size = usize::try_from(config.database_pool_size).unwrap_or(usize::MAX);
        return Ok(Arc::new(PgStore::open(database_url, pool_size).await?));
    }
    Err(Error::UnsupportedDatabase {
        url: crate::config::redacted_url(database_url),
        reason: "expected sqlite://FILE, sqlite:///ABSOLUTE/FILE, sqlite::memory:, \
                 postgres://USER@HOST/DATABASE or postgresql://...",
    })
}

/// Creates the first admin when the store has no users yet, from `ADMIN_USERNAME`,
/// `ADMIN_PASS` and `ADMIN_EMAIL`.
///
/// Returns the password when one had to be generated (no `ADMIN_PASS`), so that it can be
/// shown once. Instances starting together on one empty database may all try: one creates the
/// admin, and the others, finding the name taken, leave it (and show no password).
async fn bootstrap(state: &AppState) -> Result<Option<String>, Error> {
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
    let created = Account {
        name: "Administrator".to_owned(),
        email: Some(config.admin_email.clone()),
        email_verified: true,
        roles: vec!["user".to_owned(), "admin".to_owned()],
        ..Account::user(&config.admin_username, &password)
    }
    .create_unless_taken(state)
    .await?;
    if created.is_none() {
        return Ok(None);
    }
    tracing::info!(username = %config.admin_username, "created the first admin");
    Ok(generated)
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
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

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::TooNew { found, supported } => Self::DatabaseTooNew { found, supported },
            other => Self::Store(Box::new(other)),
        }
    }
}
