//! The server's settings: one clap struct, every option a flag and an environment variable.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use clap::{CommandFactory as _, FromArgMatches as _, Parser};

/// Everything the server can be told at start-up.
///
/// Each option is a command-line flag and an environment variable; where Rocket.Chat has a
/// variable for the same thing (`BIND_IP`, `PORT`, `ADMIN_USERNAME`, ...), the name is
/// Rocket.Chat's. The defaults are written once, in the flags' declarations, and
/// [`Config::defaults`] reads them from there. `Debug` hides the admin password.
///
/// The struct is `#[non_exhaustive]` so that a new setting breaks nobody: start from
/// [`Config::defaults`] or [`Config::for_tests`] and change the fields you need.
///
/// ```
/// use rocketchat_server::Config;
///
/// let mut config = Config::for_tests();
/// config.rate_limiter = true;
/// config.max_invite_users = 100;
/// # let _ = config;
/// ```
#[derive(Clone, Parser)]
#[command(name = "rocketchat-server", version, about, long_about = None)]
#[non_exhaustive]
pub struct Config {
    /// The address to listen on.
    #[arg(long, env = "BIND_IP", default_value = "127.0.0.1")]
    pub bind_ip: IpAddr,

    /// The port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,

    /// Where the data lives: `sqlite://FILE` (relative to the working directory),
    /// `sqlite:///ABSOLUTE/FILE`, `sqlite::memory:` for a throwaway store, or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (also `postgresql://`), a PostgreSQL
    /// database that several instances may share (without TLS: use a local or private network).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://rocketchat.db")]
    pub database_url: String,

    /// The most connections this instance keeps open to a PostgreSQL database.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub database_pool_size: u32,

    /// The public URL of the server, used in `avatarUrl` (default: `http://BIND_IP:PORT`).
    #[arg(long, env = "ROOT_URL")]
    pub root_url: Option<String>,

    /// The username of the first admin, created when the store has no users.
    #[arg(long, env = "ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,

    /// The password of the first admin; when unset on an empty store one is generated and
    /// logged once.
    #[arg(long, env = "ADMIN_PASS")]
    pub admin_pass: Option<String>,

    /// The e-mail address of the first admin.
    #[arg(long, env = "ADMIN_EMAIL", default_value = "admin@example.com")]
    pub admin_email: String,

    /// Whether the per-IP, per-route rate limiter is on (admins and bots are exempt).
    #[arg(
        long,
        env = "API_ENABLE_RATE_LIMITER",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub rate_limiter: bool,

    /// How many calls one IP may make to one route in one window.
    #[arg(
        long,
        env = "API_ENABLE_RATE_LIMITER_LIMIT_CALLS_DEFAULT",
        default_value_t = 10
    )]
    pub rate_limit_calls: u32,

    /// The length of the rate-limit window, in milliseconds.
    #[arg(
        long,
        env = "API_ENABLE_RATE_LIMITER_LIMIT_TIME_DEFAULT",
        default_value_t = 60_000
    )]
    pub rate_limit_time_ms: u64,

    /// How many failed logins one username may have in one rate-limit window before further
    /// attempts are refused with 429 (0 turns the limit off).
    #[arg(long, env = "LOGIN_ATTEMPTS_LIMIT", default_value_t = 10)]
    pub login_attempts_limit: u32,

    /// The largest request body accepted, in bytes.
    #[arg(long, env = "MAX_REQUEST_BODY_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_request_body_bytes: usize,

    /// The most users one `groups.invite` call may name.
    #[arg(long, env = "MAX_INVITE_USERS", default_value_t = 10_000)]
    pub max_invite_users: usize,

    /// How long one request may take, in seconds, before it is answered 503. A write still
    /// waiting for the database is then dropped; one the database has already begun (a few
    /// milliseconds' window) completes, all or nothing.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// How long a connection may take, in seconds, to send a request's headers, counted from
    /// when it opens or its previous answer was sent. A client that takes longer, or keeps an
    /// idle keep-alive connection open longer, is disconnected.
    #[arg(long, env = "HEADER_READ_TIMEOUT", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,

    /// The most connections open at once; further clients wait in the listen queue until one
    /// closes.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// How long a graceful shutdown (SIGTERM, Ctrl-C) waits, in seconds, for calls in flight
    /// to finish before it closes the connections still open.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value_t = 5)]
    pub shutdown_timeout_secs: u64,

    /// The bcrypt cost for new password hashes (Rocket.Chat uses 10).
    #[arg(long, env = "BCRYPT_COST", default_value_t = 10)]
    pub bcrypt_cost: u32,

    /// How many days a login token stays valid after the login that handed it out
    /// (Rocket.Chat's `Accounts_LoginExpiration`); `0` means the default, 90, as in
    /// Rocket.Chat. A token is refused from the moment it expires.
    #[arg(long, env = "ACCOUNTS_LOGIN_EXPIRATION", default_value_t = 90)]
    pub login_expiration_days: u32,

    /// Seed a small workspace (an admin, a few users, a private group) and print ready-to-paste
    /// commands that invite someone.
    #[arg(long, env = "DEMO")]
    pub demo: bool,
}

impl Config {
    /// The settings with every default, as if no flag or variable were given.
    ///
    /// Unlike parsing, this never reads the environment.
    pub fn defaults() -> Self {
        let command = Self::command().mut_args(|arg| arg.env(None));
        let matches = command
            .try_get_matches_from(["rocketchat-server"])
            .expect("every setting has a default or is optional");
        Self::from_arg_matches(&matches).expect("the defaults parse")
    }

    /// Settings for tests: a free loopback port, a throwaway store, the rate limiter off, a
    /// known admin (`admin` / `admin-password`) and a cheap bcrypt cost.
    pub fn for_tests() -> Self {
        let mut config = Self::defaults();
        config.port = 0;
        config.database_url = "sqlite::memory:".to_owned();
        config.admin_pass = Some("admin-password".to_owned());
        config.rate_limiter = false;
        config.bcrypt_cost = 4;
        config
    }

    /// How long a login token stays valid.
    pub fn login_expiration(&self) -> Duration {
        let days = match self.login_expiration_days {
            0 => 90,
            days => days,
        };
        Duration::from_secs(u64::from(days) * 24 * 60 * 60)
    }

    /// The request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// The time a connection has to send a request's headers, and the longest idle keep-alive.
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    /// The longest a graceful shutdown waits for calls in flight.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout_secs)
    }

    /// The rate-limit window.
    pub fn rate_limit_window(&self) -> Duration {
        Duration::from_millis(self.rate_limit_time_ms)
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::defaults()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind_ip", &self.bind_ip)
            .field("port", &self.port)
            .field("database_url", &redacted_url(&self.database_url))
            .field("database_pool_size", &self.database_pool_size)
            .field("root_url", &self.root_url)
            .field("admin_username", &self.admin_username)
            .field(
                "admin_pass",
                &self.admin_pass.as_ref().map(|_| "[redacted]"),
            )
            .field("admin_email", &self.admin_email)
            .field("rate_limiter", &self.rate_limiter)
            .field("rate_limit_calls", &self.rate_limit_calls)
            .field("rate_limit_time_ms", &self.rate_limit_time_ms)
            .field("login_attempts_limit", &self.login_attempts_limit)
            .field("max_request_body_bytes", &self.max_request_body_bytes)
            .field("max_invite_users", &self.max_invite_users)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("header_read_timeout_secs", &self.header_read_timeout_secs)
            .field("max_connections", &self.max_connections)
            .field("shutdown_timeout_secs", &self.shutdown_timeout_secs)
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("demo", &self.demo)
            .finish()
    }
}

/// A database URL as it may be shown: without the password of its user part, if any.
pub(crate) fn redacted_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((user, host)) if user.contains(':') => {
                let name = user.split(':').next().unwrap_or_default();
                format!("{scheme}://{name}:***@{host}")
            }
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_rocket_chats() {
        let config = Config::defaults();
        assert_eq!(config.bind_ip.to_string(), "127.0.0.1");
        assert_eq!(config.port, 3000);
        assert!(config.rate_limiter);
        assert_eq!(config.rate_limit_calls, 10);
        assert_eq!(config.rate_limit_time_ms, 60_000);
        assert_eq!(config.max_invite_users, 10_000);
        assert_eq!(config.header_read_timeout_secs, 20);
        assert_eq!(config.max_connections, 1000);
        assert_eq!(config.shutdown_timeout_secs, 5);
    }

    #[test]
    fn defaults_are_the_command_line_defaults() {
        let set = |name: &str| std::env::var_os(name).is_some();
        let environment = Config::command()
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .any(|name| set(&name.to_string_lossy()));
        if !environment {
            let parsed = Config::try_parse_from(["rocketchat-server"]).unwrap();
            assert_eq!(format!("{parsed:?}"), format!("{:?}", Config::defaults()));
        }
    }

    #[test]
    fn flags_parse() {
        let config = Config::parse_from([
            "rocketchat-server",
            "--port",
            "4000",
            "--rate-limiter",
            "false",
            "--admin-pass",
            "hunter2",
        ]);
        assert_eq!(config.port, 4000);
        assert!(!config.rate_limiter);
        assert!(!format!("{config:?}").contains("hunter2"));
        let config = Config::parse_from([
            "rocketchat-server",
            "--database-url",
            "postgres://rc:s3cret@db.internal/rocketchat",
        ]);
        let shown = format!("{config:?}");
        assert!(
            shown.contains("postgres://rc:***@db.internal/rocketchat"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn command_is_well_formed() {
        use clap::CommandFactory as _;
        Config::command().debug_assert();
    }
}
