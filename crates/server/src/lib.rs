//! A fast, faithful stand-in for Rocket.Chat's private-group invite API.
//!
//! It serves `POST /api/v1/groups.invite` and the endpoints around it (`/api/info`, `login`,
//! `logout`, `me`, `users.create`, `groups.create`, `groups.info`, `groups.members`,
//! `groups.history`, `groups.addModerator`) with Rocket.Chat's bodies, status codes and
//! `errorType`s, on an embedded SQLite store or on a PostgreSQL database that several instances
//! share ([`Config::database_url`]). The wire types come from [`rocketchat_protocol`].
//!
//! # Running it
//!
//! The `rocketchat-server` binary reads a [`Config`] from flags and environment variables
//! (`rocketchat-server --help`) and calls [`run`]. To run it inside your own program, build a
//! [`Config`], [`Server::bind`] it (or give it your own listener with [`Server::on`]) and
//! [`Server::serve`] it until a future of yours completes:
//!
//! ```no_run
//! # async fn run() -> Result<(), rocketchat_server::Error> {
//! use rocketchat_server::{Config, Server};
//!
//! let mut config = Config::defaults();
//! config.database_url = "sqlite:///var/lib/rocketchat/rocketchat.db".to_owned();
//! let server = Server::bind(config).await?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! # drop(stop);
//! server.serve(async { let _ = stopped.await; }).await?;
//! # Ok(()) }
//! ```
//!
//! # Embedding it in tests
//!
//! With the `testing` feature, [`testing::TestServer`] starts a real server on a free loopback
//! port with a throwaway SQLite file, and seeds users (admins, bots, deactivated users),
//! groups and moderators:
//!
//! ```toml
//! [dev-dependencies]
//! rocketchat-server = { version = "0.1", features = ["testing"] }
//! ```
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
//!
//! # What is public
//!
//! [`Config`], [`Server`], [`run`] and [`Error`], and with the `testing` feature the
//! [`testing`] module. The HTTP layer, the rules and the store are private, so that they can
//! change without breaking anyone; `ARCHITECTURE.md` in the repository maps them.
//!
//! # Features
//!
//! * `testing` (off by default): [`testing::TestServer`] and its seeding helpers.
#![warn(missing_docs)]

mod config;
mod demo;
mod domain;
mod error;
mod http;
mod seed;
mod serve;
mod server;
mod service;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod util;

pub use config::Config;
pub use error::Error;
pub use server::{Server, run};
