//! Typed wire types for Rocket.Chat's private-group invite API and the endpoints around it.
//!
//! This crate holds the request, response and error types of
//! [`POST /api/v1/groups.invite`](groups::invite) and of the few endpoints a client or a
//! stand-in server needs beside it (login, logout, me, users.create, groups.create/info/members/
//! history/addModerator, server info). It knows nothing of HTTP libraries, databases or async
//! runtimes: serde and schemars are all it needs, so a bot, an admin tool or a server can depend
//! on it alone.
//!
//! Two ideas shape it:
//!
//! * **Building a request in Rust can only produce a valid one.** The room is one
//!   [`RoomSelector`](groups::RoomSelector), the invitees one [`Invitees`](groups::invite::Invitees),
//!   and [`groups::invite::Request::new`] refuses blank names and empty lists with the very error a
//!   Rocket.Chat server would answer.
//! * **A server can still apply Rocket.Chat's exact rules to whatever a client sent.**
//!   [`groups::invite::RawRequest`] accepts every body Rocket.Chat accepts (`null` as absent, both
//!   room keys, `userId` beside `userIds`, ...) and resolves it with Rocket.Chat's precedence rules
//!   into the room to look up and the users to find, or into the documented error.
//!
//! ```
//! use rocketchat_protocol::groups::{RoomSelector, invite};
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
#![warn(missing_docs)]

pub mod endpoint;
pub mod error;
pub mod groups;
pub mod info;
pub mod json;
pub mod login;
pub mod logout;
pub mod me;
pub mod room;
pub mod schema;
pub mod user;
pub mod users;

pub use endpoint::{Endpoint, Metadata, Method};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, PlainError, UnauthorizedError};
