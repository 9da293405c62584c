//! The store boundary: what the server asks of its database, whichever database it is.
//!
//! [`Store`] is implemented for SQLite by [`sqlite::SqliteStore`]; a PostgreSQL implementation
//! will fill the same trait. Calls that change data take a command carrying the caller and the
//! request, run the [`domain`](crate::domain) rules inside one transaction with the facts they
//! read, and carry out the plan those rules return: the store executes, it does not decide.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use rocketchat_protocol::ApiError;
use rocketchat_protocol::groups::RoomSelector;
use rocketchat_protocol::groups::invite::{InviteeList, InviteeOutcome};
use serde_json::{Map, Value};

use crate::domain::groups::Page;
use crate::domain::{Caller, Membership, MessageRecord, RoomRecord, UserRecord};

pub(crate) mod sqlite;

/// A boxed future, so that [`Store`] can be used as a trait object.
pub(crate) type StoreFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The cause of a failure that is the server's, not the caller's; kept with its whole chain so
/// that the log says why.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
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
    /// The database was written by a newer server, whose schema this one does not know.
    #[error(
        "the database has schema version {found}, newer than version {supported}, the newest \
         this server knows; run a newer server on it"
    )]
    TooNew {
        /// The database's schema version.
        found: usize,
        /// The newest schema version this server writes.
        supported: usize,
    },
    /// The database, or the store around it, failed; the cause is logged, never sent.
    #[error("{context}")]
    Failed {
        /// What went wrong, in the store's words.
        context: Cow<'static, str>,
        /// The underlying error, when there is one.
        #[source]
        source: Option<BoxError>,
    },
}

impl StoreError {
    /// A failure caused by `source`.
    pub(crate) fn failed(
        context: impl Into<Cow<'static, str>>,
        source: impl Into<BoxError>,
    ) -> Self {
        Self::Failed {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// A failure with no underlying error, such as a stopped writer thread.
    pub(crate) fn broken(context: impl Into<Cow<'static, str>>) -> Self {
        Self::Failed {
            context: context.into(),
            source: None,
        }
    }
}

impl From<ApiError> for StoreError {
    fn from(error: ApiError) -> Self {
        Self::Rejected(error)
    }
}

/// A user to create.
#[derive(Clone, Debug)]
pub(crate) struct NewUser {
    /// A fixed id (such as `rocket.cat`); a new one is made when `None`.
    pub(crate) id: Option<String>,
    /// The username; unique ignoring case.
    pub(crate) username: String,
    /// The display name.
    pub(crate) name: String,
    /// The e-mail address; unique ignoring case.
    pub(crate) email: Option<String>,
    /// Whether the address counts as verified.
    pub(crate) email_verified: bool,
    /// The bcrypt hash (over the SHA-256 hex digest); `None` for users who cannot log in.
    pub(crate) password_hash: Option<String>,
    /// Global roles.
    pub(crate) roles: Vec<String>,
    /// `user`, `bot` or `app`.
    pub(crate) user_type: String,
    /// Whether the account is active.
    pub(crate) active: bool,
}

/// Which account a login names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LoginIdentity {
    /// By username, ignoring case.
    Username(String),
    /// By e-mail address, ignoring case.
    Email(String),
}

/// A private group to create.
#[derive(Clone, Debug)]
pub(crate) struct NewGroup {
    /// Who creates it; they become its owner.
    pub(crate) caller: Caller,
    /// The unique name.
    pub(crate) name: String,
    /// Usernames to add; unknown ones are skipped, as Rocket.Chat skips them, unless
    /// `require_members` says otherwise.
    pub(crate) members: Vec<String>,
    /// Whether an unknown member refuses the whole group (`error-invalid-username`, naming
    /// them), as the test helpers want.
    pub(crate) require_members: bool,
    /// Whether the group is read-only.
    pub(crate) read_only: bool,
    /// Custom fields.
    pub(crate) custom_fields: Map<String, Value>,
    /// Extra room fields (`broadcast`, ...).
    pub(crate) extra: Map<String, Value>,
    /// Whether the creator stays out.
    pub(crate) exclude_self: bool,
}

/// A `groups.invite` call, after the HTTP layer read its body.
#[derive(Clone, Debug)]
pub(crate) struct Invite {
    /// Who invites.
    pub(crate) caller: Caller,
    /// The one string looked up as the room's id or name (`roomId || roomName`).
    pub(crate) room: String,
    /// The users named, or the error naming them produced (answered only after the room
    /// lookup, in Rocket.Chat's order).
    pub(crate) invitees: Result<InviteeList, ApiError>,
}

/// What an invite did.
#[derive(Clone, Debug)]
pub(crate) struct Invited {
    /// The group after the invite.
    pub(crate) room: RoomRecord,
    /// One outcome per requested entry.
    pub(crate) outcomes: Vec<InviteeOutcome>,
}

/// A `groups.addModerator` call.
#[derive(Clone, Debug)]
pub(crate) struct AddModerator {
    /// Who asks.
    pub(crate) caller: Caller,
    /// The group, by id or name.
    pub(crate) room: RoomSelector,
    /// The member to promote.
    pub(crate) user_id: String,
}

/// What the server needs from its database.
pub(crate) trait Store: Send + Sync + 'static {
    /// How many human users (type `user`) exist.
    fn human_user_count(&self) -> StoreFuture<'_, u64>;

    /// Creates a user; fails with [`StoreError::Conflict`] when the username or e-mail is taken.
    fn create_user(&self, user: NewUser) -> StoreFuture<'_, UserRecord>;

    /// Creates many users in one write and returns their ids in order: `create_user` for
    /// seeding large numbers. No record is read back, and a taken username or e-mail fails
    /// the whole call and creates nobody.
    #[cfg(feature = "testing")]
    fn create_users(&self, users: Vec<NewUser>) -> StoreFuture<'_, Vec<String>>;

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
