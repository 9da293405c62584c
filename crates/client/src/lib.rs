//! An async client for Rocket.Chat's REST API around
//! [`POST /api/v1/groups.invite`](rocketchat_protocol::groups::invite), and the `rcinvite`
//! command-line program built on it.
//!
//! ```no_run
//! use rocketchat_client::{Client, Credentials, RoomSelector};
//!
//! # async fn run() -> Result<(), rocketchat_client::Error> {
//! let client = Client::builder()
//!     .base_url("https://chat.example.com")
//!     .credentials(Credentials::password("admin", "s3cret")) // or Credentials::token(user_id, token)
//!     .build()?;
//!
//! let response = client
//!     .invite_usernames(RoomSelector::name("private-abc"), ["john.doe", "jane.doe"])
//!     .await?;
//! // `None` when the server does not report per-user outcomes (only ours does).
//! if let Some(summary) = response.summary() {
//!     println!(
//!         "{} added, {} already members, {} not found",
//!         summary.added, summary.already_members, summary.not_found
//!     );
//! }
//! # Ok(()) }
//! ```
//!
//! The wire format lives in [`rocketchat_protocol`] (re-exported as [`protocol`]): every method
//! takes that crate's `Request` and returns its `Response`, and [`Client::send`] works for any
//! [`Endpoint`](protocol::Endpoint). This crate owns the transport: the base URL, credentials
//! (an existing token, or a password it exchanges through `login` when first needed and again
//! after a 401), timeouts, the user agent and retries.
//!
//! # Errors
//!
//! Every call returns [`Error`], one enum that separates transport failures and timeouts from
//! the server's answers: Rocket.Chat's 400 body with its `errorType`
//! ([`Error::Api`], see [`Error::error_type`]), 401 ([`Error::Unauthorized`]), 429
//! ([`Error::RateLimited`], with when to try again), other statuses ([`Error::Http`]), and a
//! success body that could not be read ([`Error::Decode`], which keeps the body).
//!
//! # Retries
//!
//! Network faults, timeouts, 5xx and 429 answers are retried with bounded exponential backoff
//! and jitter ([`RetryPolicy`]), honouring `Retry-After` (seconds or an HTTP date) and, on a
//! 429, Rocket.Chat's "You must wait N seconds" and `X-RateLimit-Reset` (epoch milliseconds).
//! Other 4xx answers are never retried. Calls that are not safe to repeat (`users.create`,
//! `groups.create`, `groups.addModerator`, `logout`) are retried only when the server cannot
//! have acted on them; the [`retry`] module explains which calls are which.
//!
//! Secrets (passwords, tokens) are held in [`Secret`], whose `Debug` output is `[redacted]`, and
//! the token header is marked sensitive, so neither shows up in logs. Redirects are not
//! followed ([`Error::Redirect`] names where one points), so the token never goes to an address
//! the caller did not give.
//!
//! # Features
//!
//! * `rustls` (default): HTTPS through reqwest's rustls stack (the aws-lc-rs provider) and the platform's
//!   certificate store. Without it the client speaks plain HTTP only.
//! * `cli` (default): the `rcinvite` program (`rcinvite --help`). Libraries that only need the
//!   client can turn it off with `default-features = false, features = ["rustls"]`.
#![warn(missing_docs)]

mod auth;
mod client;
mod error;
pub mod retry;

pub use auth::{Credentials, Secret, Session};
pub use client::{Client, ClientBuilder, DEFAULT_USER_AGENT};
pub use error::Error;
/// The HTTP library underneath, whose errors [`Error::Transport`] and [`Error::Timeout`] hold.
pub use reqwest;
pub use retry::RetryPolicy;
pub use rocketchat_protocol as protocol;
pub use rocketchat_protocol::groups::RoomSelector;
