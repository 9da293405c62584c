//! Typed wire types for Rocket.Chat's private-group invite API and the endpoints around it.
//!
//! This crate holds the request, response and error types of
//! [`POST /api/v1/groups.invite`](groups::invite) and of the endpoints a client or a stand-in
//! server needs beside it: login, logout, me, users.create/info, groups.create/info/list/listAll/
//! members/history, the room-role routes (add/removeModerator, add/removeOwner),
//! groups.kick/leave/delete, and server info. It knows nothing of HTTP libraries, databases or async
//! runtimes: serde is all it needs, so a bot, an admin tool or a server can depend on it alone.
//!
//! ```
//! use rocketchat_protocol::{RoomSelector, groups::invite};
//!
//! let request = invite::Request::new(
//!     RoomSelector::name("private-abc"),
//!     invite::Invitees::usernames(["john.doe", "jane.doe"]),
//! )?;
//! assert_eq!(
//!     serde_json::to_value(&request)?,
//!     serde_json::json!({ "roomName": "private-abc", "usernames": ["john.doe", "jane.doe"] }),
//! );
//!
//! // What a server does with a body as a client sent it.
//! let raw = invite::RawRequest::from_json(br#"{"roomId": "", "roomName": "private-abc", "userId": null, "usernames": ["John.Doe"]}"#)?;
//! assert_eq!(raw.room()?, "private-abc");
//! let users = raw.invitees()?;
//! assert_eq!(users.mode, invite::LookupMode::Usernames);
//! assert_eq!(users.entries, ["John.Doe"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where to start
//!
//! * Each endpoint is a module named after its route, holding `Request`, `Response` and a
//!   `METADATA` constant (method, path, authentication, rate limiting):
//!   [`groups::invite`], [`groups::create`], [`login`], [`me`], ...; [`endpoint::ALL`] lists
//!   them. Request types implement [`Endpoint`], which ties a request to its response.
//! * Errors: [`Error`] is a status with a body in any of Rocket.Chat's shapes ([`ErrorBody`]);
//!   the standard 400 body is an [`ApiError`] with an [`ErrorKind`].
//! * The room and user objects shared by several answers are in [`room`] and [`user`]; the
//!   `sort` parameter of the list routes is [`query::Sort`].
//!
//! Two ideas shape the invite types:
//!
//! * **Building a request in Rust can only produce a valid one.** The room is one
//!   [`RoomSelector`], the invitees one [`Invitees`](groups::invite::Invitees), and
//!   [`groups::invite::Request::new`] refuses blank names and empty lists with the very error a
//!   Rocket.Chat server would answer.
//! * **A server can still apply Rocket.Chat's exact rules to whatever a client sent.**
//!   [`groups::invite::RawRequest`] accepts every body Rocket.Chat accepts (`null` as absent, both
//!   room keys, `userId` beside `userIds`, ...) and resolves it with Rocket.Chat's precedence rules
//!   into the room to look up and the users to find, or into the documented error.
//!
//! # Newer servers
//!
//! A server may send more than this version knows, and that must never turn a call that worked
//! into a decoding error:
//!
//! * Codes a server may add to ([`ErrorKind`], the per-user invite
//!   [`Outcome`](groups::invite::Outcome)) decode into a hidden catch-all variant; compare
//!   `as_str()` to recognise a code this version has no variant for.
//! * Objects ([`room::Room`], [`user::User`], messages) keep the fields they do not name.
//! * Answers, objects and the requests that may gain optional fields are `#[non_exhaustive]`
//!   and built with constructors (`Response::new(..)`), as are [`Metadata`] and the error
//!   types, so that a field added later breaks no code.
//!
//! The enums a server reads from a client and must handle in full stay exhaustive on purpose:
//! [`RoomSelector`], [`UserSelector`](groups::UserSelector),
//! [`Invitees`](groups::invite::Invitees), [`LookupMode`](groups::invite::LookupMode),
//! [`UserLookup`](users::info::UserLookup), [`SortDirection`](query::SortDirection),
//! [`login::Request`], [`login::Password`], and [`Method`], which every client and server must
//! know how to send or route. A new choice there
//! must fail to compile in code that would otherwise ignore it.
//!
//! # Features
//!
//! * `schema` (off by default): derives `schemars::JsonSchema` for every wire type and adds
//!   the `schema` module listing them, from which this workspace writes its JSON Schema files
//!   and OpenAPI document. Clients and servers do not need it.
#![warn(missing_docs)]

pub mod endpoint;
pub mod error;
pub mod groups;
pub mod info;
pub mod json;
pub mod login;
pub mod logout;
pub mod me;
pub mod query;
pub mod room;
#[cfg(feature = "schema")]
pub mod schema;
mod string_enum;
mod success;
pub mod user;
pub mod users;

pub use endpoint::{Endpoint, Metadata, Method};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, PlainError, UnauthorizedError};
pub use groups::RoomSelector;
pub use success::Success;
