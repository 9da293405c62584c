//! The store boundary: what the server asks of its database, whichever database it is.
//!
//! [`Store`] is implemented for SQLite by [`sqlite::SqliteStore`]; a PostgreSQL implementation
//! will fill the same trait. Calls that change data take a command carrying the caller and the
//! request, run the [`domain`](crate::domain) rules inside one transaction with the facts they
//! read, and carry out the plan those rules return: the store executes, it does not decide.

use std::future::Future;
use std::pin::Pin;

use rocketchat_protocol::ApiError;
use rocketchat_protocol::groups::RoomSelector;
use rocketchat_protocol::groups::invite::{InviteeList, InviteeOutcome};
use serde_json::{Map, Value};

use crate::domain::groups::Page;
use crate::domain::{Caller, Membership, MessageRecord, RoomRecord, UserRecord};

pub mod sqlite;

/// A boxed future, so that [`Store`] can be used as a trait object.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The rules refused the call; the error is the answer to send.
    #[error("{0}")]
    Rejected(ApiError),
    /// A unique value (`username` or `email`) is taken.
    #[error("{field} {value} is already in use")]
    Conflict {
        /// Which field.
        field: &'static str,
        /// The value that is taken.
        value: String,
    },
    /// The database failed; the cause is logged, never sent.
    #[error("store failure: {0}")]
    Internal(String),
}

impl From<ApiError> for StoreError {
    fn from(error: ApiError) -> Self {
        Self::Rejected(error)
    }
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// A fixed id (such as `rocket.cat`); a new one is made when `None`.
    pub id: Option<String>,
    /// The username; unique ignoring case.
    pub username: String,
    /// The display name.
    pub name: String,
    /// The e-mail address; unique ignoring case.
    pub email: Option<String>,
    /// Whether the address counts as verified.
    pub email_verified: bool,
    /// The bcrypt hash (over the SHA-256 hex digest); `None` for users who cannot log in.
    pub password_hash: Option<String>,
    /// Global roles.
    pub roles: Vec<String>,
    /// `user`, `bot` or `app`.
    pub user_type: String,
    /// Whether the account is active.
    pub active: bool,
}

/// Which account a login names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginIdentity {
    /// By username, ignoring case.
    Username(String),
    /// By e-mail address, ignoring case.
    Email(String),
}

/// A private group to create.
#[derive(Clone, Debug)]
pub struct NewGroup {
    /// Who creates it; they become its owner.
    pub caller: Caller,
    /// The unique name.
    pub name: String,
    /// Usernames to add; unknown ones are skipped.
    pub members: Vec<String>,
    /// Whether the group is read-only.
    pub read_only: bool,
    /// Custom fields.
    pub custom_fields: Map<String, Value>,
    /// Extra room fields (`broadcast`, ...).
    pub extra: Map<String, Value>,
    /// Whether the creator stays out.
    pub exclude_self: bool,
}

/// A `groups.invite` call, after the HTTP layer read its body.
#[derive(Clone, Debug)]
pub struct Invite {
    /// Who invites.
    pub caller: Caller,
    /// The one string looked up as the room's id or name (`roomId || roomName`).
    pub room: String,
    /// The users named, or the error naming them produced (answered only after the room
    /// lookup, in Rocket.Chat's order).
    pub invitees: Result<InviteeList, ApiError>,
}

/// What an invite did.
#[derive(Clone, Debug)]
pub struct Invited {
    /// The group after the invite.
    pub room: RoomRecord,
    /// One outcome per requested entry.
    pub outcomes: Vec<InviteeOutcome>,
}

/// A `groups.addModerator` call.
#[derive(Clone, Debug)]
pub struct AddModerator {
    /// Who asks.
    pub caller: Caller,
    /// The group, by id or name.
    pub room: RoomSelector,
    /// The member to promote.
    pub user_id: String,
}

/// What the server needs from its database.
pub trait Store: Send + Sync + 'static {
    /// How many human users (type `user`) exist.
    fn human_user_count(&self) -> StoreFuture<'_, u64>;

    /// Creates a user; fails with [`StoreError::Conflict`] when the username or e-mail is taken.
    fn create_user(&self, user: NewUser) -> StoreFuture<'_, UserRecord>;

    /// Finds an account and its password hash for a login.
    fn login_user(
        &self,
        identity: LoginIdentity,
    ) -> StoreFuture<'_, Option<(UserRecord, Option<String>)>>;

    /// Remembers a login token, given as `base64(sha256(token))`.
    fn add_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()>;

    /// Forgets a login token.
    fn remove_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()>;

    /// The user whose id and hashed token match, if any.
    fn authenticate(
        &self,
        user_id: String,
        hashed_token: String,
    ) -> StoreFuture<'_, Option<UserRecord>>;

    /// The active user holding a login token, given as `base64(sha256(token))`, if any: the
    /// look-up of a resume login, which names no user.
    fn token_holder(&self, hashed_token: String) -> StoreFuture<'_, Option<UserRecord>>;

    /// Creates a private group, refusing a taken name.
    fn create_group(&self, group: NewGroup) -> StoreFuture<'_, RoomRecord>;

    /// A room by id or by name, and `user_id`'s membership of it.
    fn room_for(
        &self,
        room: RoomSelector,
        user_id: String,
    ) -> StoreFuture<'_, (Option<RoomRecord>, Option<Membership>)>;

    /// A page of a room's active members, sorted by username, and how many there are in all.
    fn members(&self, room_id: String, page: Page) -> StoreFuture<'_, (Vec<UserRecord>, u64)>;

    /// A page of a room's messages, newest first.
    fn history(&self, room_id: String, page: Page) -> StoreFuture<'_, Vec<MessageRecord>>;

    /// Gives a member the room-scoped `moderator` role.
    fn add_moderator(&self, command: AddModerator) -> StoreFuture<'_, ()>;

    /// Invites users into a private group, all or nothing.
    fn invite(&self, command: Invite) -> StoreFuture<'_, Invited>;
}
