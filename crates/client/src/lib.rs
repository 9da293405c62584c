//! An async client for Rocket.Chat's REST API around
//! [`POST /api/v1/groups.invite`](rocketchat_protocol::groups::invite), and the calls that look
//! after a private group: its members, their room roles, the lists of groups, and its deletion.
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
//! # Before you start
//!
//! * **A tokio runtime.** Calls are futures that must run on a [tokio](https://tokio.rs)
//!   runtime with its I/O and time drivers on: reqwest connects through tokio, and the client
//!   sleeps with `tokio::time` between retries. Any runtime does, multi-threaded or current
//!   thread: `#[tokio::main]` (tokio's features `macros` and `rt-multi-thread`),
//!   `#[tokio::main(flavor = "current_thread")]` (`macros` and `rt`), or a runtime from
//!   `tokio::runtime::Builder` with `enable_all()`.
//! * **Rate limits can make a call slow.** Rocket.Chat limits most routes per client address
//!   (10 calls a minute by default; admins and bots are exempt). The default [`RetryPolicy`]
//!   answers a 429 by waiting as long as the server asks, up to 60 seconds
//!   ([`max_retry_after`](RetryPolicy::max_retry_after)) per retry, and retries up to 3 times,
//!   so one rate-limited call may take minutes. Each retry is logged at WARN, in the call's
//!   span (see [Logging](#logging)). To fail sooner, cap the wait with
//!   `RetryPolicy::default().max_retry_after(Duration::from_secs(5))`, or turn retries off with
//!   [`RetryPolicy::never`]; either way a 429 not waited out ends the call with
//!   [`Error::RateLimited`], which says how long the server asked to wait.
//! * **Features.** `rustls` (default) brings HTTPS through reqwest's rustls stack (the aws-lc-rs
//!   provider) and the platform's certificate verifier; without it the client speaks plain
//!   HTTP only, unless you [bring your own HTTP client](ClientBuilder::http_client). `cli` (off by
//!   default) builds the `rcinvite` command-line program
//!   (`cargo install rocketchat-client --features cli`); a library needs nothing of it.
//!
//! # What is where
//!
//! The wire format lives in [`rocketchat_protocol`] (re-exported as [`protocol`]): every method
//! takes that crate's `Request` and returns its `Response`, and [`Client::send`] works for any
//! [`Endpoint`](protocol::Endpoint). The types every invite needs are re-exported here:
//! [`RoomSelector`], [`Invitees`] and [`LookupMode`] for the request; [`InviteResponse`] (the
//! protocol's `groups::invite::Response`, renamed because every endpoint has a `Response`),
//! [`InviteeOutcome`], [`Outcome`] and [`Summary`] for the answer; and [`ErrorKind`], the
//! `errorType` of [`Error::Api`].
//!
//! Beside the invite, the client removes members ([`Client::groups_kick`],
//! [`Client::groups_leave`]), gives and takes room roles ([`Client::groups_add_moderator`],
//! [`Client::groups_remove_moderator`], [`Client::groups_add_owner`],
//! [`Client::groups_remove_owner`]) with a [`UserSelector`] for the member, deletes groups
//! ([`Client::groups_delete`]), lists them ([`Client::groups_list`],
//! [`Client::groups_list_all`]) and looks users up ([`Client::users_info`]). Whole lists come
//! as [`Pages`] (see [Paging](#paging)).
//!
//! This crate owns the transport: the base URL, credentials (an existing token, or a password
//! it exchanges through `login` when first needed and again after a 401), timeouts, the user
//! agent and retries. [`Client::bulk_invite`] sends a long list in batches (see [`bulk`]).
//!
//! # Paging
//!
//! The list calls answer one page at a time. [`Client::groups_members_stream`],
//! [`Client::groups_list_stream`] and [`Client::groups_list_all_stream`] read a whole list,
//! page after page, as [`Pages`]: a [`Stream`](futures_core::Stream) of `Result<T, Error>`
//! that ends after the last item or the first error. Read it with the `StreamExt` or
//! `TryStreamExt` of [`futures-util`](https://docs.rs/futures-util) (or `futures`). Offset
//! paging may skip or repeat an entry when the list changes meanwhile; [`Pages`] says when.
//!
//! ```no_run
//! # async fn run(client: rocketchat_client::Client) -> Result<(), rocketchat_client::Error> {
//! use futures_util::TryStreamExt;
//! use rocketchat_client::RoomSelector;
//!
//! let mut members = client.groups_members_stream(RoomSelector::name("private-abc"));
//! while let Some(member) = members.try_next().await? {
//!     println!("{} ({})", member.username.unwrap_or_default(), member.id);
//! }
//! let groups: Vec<_> = client.groups_list_stream().try_collect().await?;
//! println!("a member of {} groups", groups.len());
//! # Ok(()) }
//! ```
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
//! `groups.create`, the room-role calls, `groups.kick`, `groups.leave`, `groups.delete`,
//! `logout`) are retried only when the server cannot have acted on them; the [`retry`] module
//! explains which calls are which. Each page of a stream is one call, with these retries.
//!
//! # Logging
//!
//! The client logs through [`tracing`](https://docs.rs/tracing), under the target
//! `rocketchat_client`. Each call runs in an INFO span named `rocketchat` with the fields
//! `endpoint` (such as `groups.invite`) and `method`; a login the call needs first runs in a
//! span of its own inside it. Within it come the events: `retrying` at WARN (with `retry`,
//! `wait_ms` and `error`), and `answered` (with `status`), `401; logging in again` and
//! `logged in` at DEBUG. A subscriber that shows only WARN also drops the INFO span, and with
//! it the endpoint: let spans of `rocketchat_client` through at INFO to keep it.
//!
//! # Security
//!
//! Secrets (passwords, tokens) are held in [`Secret`], whose `Debug` output is `[redacted]`, and
//! the token header is marked sensitive, so neither shows up in logs; neither does the body of
//! a login answer that did not decode. Redirects are not followed ([`Error::Redirect`] names
//! where one points), so the token never goes to an address the caller did not give; an
//! [injected HTTP client](ClientBuilder::http_client) should be built the same way.
#![warn(missing_docs)]

mod auth;
pub mod bulk;
mod client;
mod error;
mod pages;
pub mod retry;

pub use auth::{Credentials, Secret, Session};
pub use bulk::BulkInvite;
pub use client::{Client, ClientBuilder, DEFAULT_USER_AGENT};
pub use error::Error;
pub use pages::Pages;
/// The HTTP library underneath, whose errors [`Error::Transport`] and [`Error::Timeout`] hold,
/// and whose [`Client`](reqwest::Client) [`ClientBuilder::http_client`] takes.
pub use reqwest;
pub use retry::RetryPolicy;
pub use rocketchat_protocol as protocol;
pub use rocketchat_protocol::ErrorKind;
/// The answer to `groups.invite`: the protocol's `groups::invite::Response`, named for what it
/// answers at the crate root, where other endpoints' `Response`s would be ambiguous.
pub use rocketchat_protocol::groups::invite::Response as InviteResponse;
pub use rocketchat_protocol::groups::invite::{
    InviteeOutcome, Invitees, LookupMode, Outcome, Summary,
};
pub use rocketchat_protocol::groups::{RoomSelector, UserSelector};
