//! The store boundary: what the server asks of its database, whichever database it is.
//!
//! [`Store`] offers data operations only: it reads facts (a room and a caller's membership, the
//! users behind a list of keys, ...) and applies a change that was decided above it, in one
//! transaction. It calls no rule of the [`domain`](crate::domain); the use cases in
//! [`service`](crate::service) do, once, for every store, so that stores cannot drift apart.
//!
//! What a change's rules read must still hold when it commits. Each write that depends on such
//! a fact carries a [`Guard`] the store checks inside its transaction (and, where the database
//! has several writers, locks until the commit); a write whose guard no longer holds changes
//! nothing and says so, and the use case decides again from fresh facts.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use std::collections::HashSet;

use rocketchat_protocol::groups::RoomSelector;
use rocketchat_protocol::groups::invite::LookupMode;
use rocketchat_protocol::room::UserRef;
use serde_json::{Map, Value};

use crate::domain::groups::{GroupField, GroupOrder, Page};
use crate::domain::invite::{Candidate, NewSubscription};
use crate::domain::{Membership, MembershipRow, MessageRecord, RoomRecord, UserRecord};

pub(crate) mod postgres;
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
    /// A unique value (`username`, `email`, a room's `name`) is taken.
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

/// A private group to insert, as the rules decided it.
#[derive(Clone, Debug)]
pub(crate) struct GroupRow {
    /// The new room's id.
    pub(crate) id: String,
    /// The unique name.
    pub(crate) name: String,
    /// The display name.
    pub(crate) fname: String,
    /// The creator, written as the room's `u`.
    pub(crate) owner: UserRef,
    /// Whether the group is read-only.
    pub(crate) read_only: bool,
    /// Custom fields.
    pub(crate) custom_fields: Map<String, Value>,
    /// Extra room fields (`broadcast`, ...).
    pub(crate) extra: Map<String, Value>,
    /// The first members and their room roles.
    pub(crate) members: Vec<MemberRow>,
    /// When it is created.
    pub(crate) now: String,
}

/// One membership of a group being created.
#[derive(Clone, Debug)]
pub(crate) struct MemberRow {
    /// The member's id.
    pub(crate) user_id: String,
    /// The member's username.
    pub(crate) username: String,
    /// Room-scoped roles, such as `owner`.
    pub(crate) roles: Vec<String>,
}

/// A fact a write depends on, checked inside its transaction: the caller still has the
/// membership, and the room roles, that the rules allowed the write on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Guard {
    /// The write depends on nothing that can change (the caller acts by a global role).
    Nothing,
    /// `user_id` is still a member of the room and, when `roles` is given, holds one of them.
    Member {
        /// The caller.
        user_id: String,
        /// The room roles of which one is needed, if any.
        roles: Option<&'static [&'static str]>,
    },
}

/// What the rules of an invite read: the room, the caller's membership, and the users a list
/// of keys names, with whether each is a member already.
#[derive(Clone, Debug, Default)]
pub(crate) struct InviteFacts {
    /// The room whose id or name is the string looked up.
    pub(crate) room: Option<RoomRecord>,
    /// The caller's membership of it.
    pub(crate) membership: Option<Membership>,
    /// The users found for the keys (none when no keys were asked for, or no room was found).
    pub(crate) candidates: Vec<Candidate>,
}

/// An invite's change, as the rules decided it.
#[derive(Clone, Debug)]
pub(crate) struct InviteWrite {
    /// The group.
    pub(crate) room_id: String,
    /// Who invites: the `u` of the system messages.
    pub(crate) inviter: UserRef,
    /// The users to add, each once.
    pub(crate) add: Vec<UserRef>,
    /// The subscription each added user gets.
    pub(crate) subscription: NewSubscription,
    /// The type of the system message written for each added user (`au`).
    pub(crate) message_type: &'static str,
    /// What must still hold at the commit.
    pub(crate) guard: Guard,
}

/// What an invite's write did.
#[derive(Clone, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per invite, moved once; boxing would cost an allocation for nothing"
)]
pub(crate) enum InviteApplied {
    /// The guard no longer held, or the room is gone: nothing changed; decide again.
    Stale,
    /// The users really inserted (another invite may have added some of the planned ones
    /// first), and the group after the change.
    Done {
        /// The ids of the users inserted.
        inserted: HashSet<String>,
        /// The group after the change.
        room: RoomRecord,
    },
}

/// A system message a change writes, one more in the room's `msgs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SystemMessage {
    /// Its type, such as `ru`.
    pub(crate) message_type: &'static str,
    /// Its text: the username of the member it is about.
    pub(crate) msg: String,
    /// Who caused it, `{_id, username, name}`.
    pub(crate) author: UserRef,
    /// The room role it is about, for role changes.
    pub(crate) role: Option<&'static str>,
}

/// What a change does to a membership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MemberChange {
    /// The member leaves the group (`usersCount` goes down by one).
    Remove,
    /// The member's room roles become these.
    SetRoles(Vec<String>),
}

/// A change of one membership, as the rules decided it.
#[derive(Clone, Debug)]
pub(crate) struct MemberWrite {
    /// The group.
    pub(crate) room_id: String,
    /// The member.
    pub(crate) user_id: String,
    /// The member's room roles as the rules saw them; the write changes nothing if the member
    /// has gone or their roles changed since.
    pub(crate) expected: Vec<String>,
    /// What happens to the membership.
    pub(crate) change: MemberChange,
    /// Whether the change ends an ownership, so that another member must hold `owner` when
    /// it commits.
    pub(crate) keep_an_owner: bool,
    /// The system message written with the change.
    pub(crate) message: SystemMessage,
    /// What must still hold at the commit.
    pub(crate) guard: Guard,
}

/// What a membership change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MemberApplied {
    /// Written, with its message and counters.
    Done,
    /// The guard no longer held, the member or their roles changed, or the room is gone:
    /// nothing changed; decide again.
    Stale,
    /// Nothing changed: no other member holds `owner`, and the change needed one to.
    LastOwner,
}

/// A group to delete, with its memberships and messages.
#[derive(Clone, Debug)]
pub(crate) struct GroupDeletion {
    /// The group.
    pub(crate) room_id: String,
    /// What must still hold at the commit.
    pub(crate) guard: Guard,
}

/// A login token's holder, and when the token was handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenHolder {
    /// The user, who is active.
    pub(crate) user: UserRecord,
    /// When the token was handed out (`2026-01-31T12:00:00.000Z`).
    pub(crate) issued_at: String,
}

/// What another instance did to sessions, for this instance's caches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SessionEvent {
    /// A token was logged out.
    LoggedOut {
        /// Its user.
        user_id: String,
        /// `base64(sha256(token))`.
        hashed_token: String,
    },
    /// Every logout is heard from now on: sessions may be cached.
    Listening,
    /// Events may have been missed, until [`SessionEvent::Listening`]: forget every cached
    /// session, and cache none meanwhile.
    Lost,
}

/// The `ORDER BY` keys of a list of rooms aliased `r`, ties broken by id. Every column comes
/// from a fixed list, never from the request; text compares byte by byte (`collation`: the
/// database's name for that), as Rocket.Chat's database sorts.
pub(crate) fn order_by(order: &[GroupOrder], collation: &str) -> String {
    let mut keys: Vec<String> = order
        .iter()
        .map(|key| {
            let (column, text) = match key.field {
                GroupField::Id => ("r.id", true),
                GroupField::Name => ("r.name", true),
                GroupField::DisplayName => ("r.fname", true),
                GroupField::Created => ("r.ts", true),
                GroupField::Updated => ("r.updated_at", true),
                GroupField::UsersCount => ("r.users_count", false),
                GroupField::Messages => ("r.msgs", false),
                GroupField::LastMessage => ("r.lm", true),
            };
            let collate = if text {
                format!(" COLLATE {collation}")
            } else {
                String::new()
            };
            // A room without the field sorts before every other, as in Rocket.Chat's database.
            let direction = if key.descending {
                "DESC NULLS LAST"
            } else {
                "ASC NULLS FIRST"
            };
            format!("{column}{collate} {direction}")
        })
        .collect();
    keys.push(format!("r.id COLLATE {collation} ASC"));
    keys.join(", ")
}

/// `user` with the display name a row may hold.
pub(crate) fn named(mut user: UserRef, name: Option<String>) -> UserRef {
    user.name = name;
    user
}

/// What the server needs from its database: data operations, no rules.
pub(crate) trait Store: Send + Sync + 'static {
    /// How many human users (type `user`) exist.
    fn human_user_count(&self) -> StoreFuture<'_, u64>;

    /// Creates a user; fails with [`StoreError::Conflict`] when the username or e-mail is
    /// taken, ignoring case.
    fn create_user(&self, user: NewUser) -> StoreFuture<'_, UserRecord>;

    /// Creates many users in one write and returns their ids in order: `create_user` for
    /// seeding large numbers. No record is read back, and a taken username or e-mail fails
    /// the whole call and creates nobody.
    #[cfg(feature = "testing")]
    fn create_users(&self, users: Vec<NewUser>) -> StoreFuture<'_, Vec<String>>;

    /// A user by id.
    fn user(&self, user_id: String) -> StoreFuture<'_, Option<UserRecord>>;

    /// The users whose usernames are `usernames`, ignoring case: `(id, username)` pairs.
    fn users_named(&self, usernames: Vec<String>) -> StoreFuture<'_, Vec<(String, String)>>;

    /// Finds an account and its password hash for a login.
    fn login_user(
        &self,
        identity: LoginIdentity,
    ) -> StoreFuture<'_, Option<(UserRecord, Option<String>)>>;

    /// Remembers a login token, given as `base64(sha256(token))`.
    fn add_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()>;

    /// Forgets a login token.
    fn remove_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()>;

    /// Forgets `user_id`'s login tokens handed out before `before` (an ISO date, compared as
    /// written): tokens that have expired. Other instances need not hear of it, since they
    /// refuse those tokens already.
    fn remove_tokens_issued_before(&self, user_id: String, before: String) -> StoreFuture<'_, ()>;

    /// The active user whose id and hashed token match, if any, whether or not the token is
    /// still valid: its age is the caller's to judge.
    fn authenticate(
        &self,
        user_id: String,
        hashed_token: String,
    ) -> StoreFuture<'_, Option<TokenHolder>>;

    /// The active user holding a login token, given as `base64(sha256(token))`, if any: the
    /// look-up of a resume login, which names no user.
    fn token_holder(&self, hashed_token: String) -> StoreFuture<'_, Option<TokenHolder>>;

    /// A room by id or by name, and `user_id`'s membership of it.
    fn room_for(
        &self,
        room: RoomSelector,
        user_id: String,
    ) -> StoreFuture<'_, (Option<RoomRecord>, Option<Membership>)>;

    /// The facts of an invite: the room whose id or name is `id_or_name` (Rocket.Chat's
    /// `findOneByIdOrName`: the one string matched as an id, else as a name), `caller_id`'s
    /// membership of it, and, when `lookup` is given, the users its keys name
    /// ([`LookupMode::key`]).
    fn invite_facts(
        &self,
        id_or_name: String,
        caller_id: String,
        lookup: Option<(LookupMode, Vec<String>)>,
    ) -> StoreFuture<'_, InviteFacts>;

    /// `user_id`'s membership of a room, if any.
    fn membership(&self, room_id: String, user_id: String) -> StoreFuture<'_, Option<Membership>>;

    /// A page of a room's active members, sorted by username, and how many there are in all.
    fn members(&self, room_id: String, page: Page) -> StoreFuture<'_, (Vec<UserRecord>, u64)>;

    /// The members of a room who hold a room role, by username: the membership's id, the
    /// member (with their display name) and their roles.
    fn room_roles(&self, room_id: String) -> StoreFuture<'_, Vec<(String, UserRef, Vec<String>)>>;

    /// A page of a room's messages, newest first.
    fn history(&self, room_id: String, page: Page) -> StoreFuture<'_, Vec<MessageRecord>>;

    /// The memberships of `user_id`, by room type and then room name (byte order).
    fn memberships_of(&self, user_id: String) -> StoreFuture<'_, Vec<MembershipRow>>;

    /// A page of private groups in `order` (ties by id), and how many there are in all: the
    /// groups `member` is a member of, or every private group when `member` is `None`.
    fn groups(
        &self,
        member: Option<String>,
        order: Vec<GroupOrder>,
        page: Page,
    ) -> StoreFuture<'_, (Vec<RoomRecord>, u64)>;

    /// Inserts a group and its first members; fails with [`StoreError::Conflict`] on `name`
    /// when a room has that name.
    fn insert_group(&self, group: GroupRow) -> StoreFuture<'_, RoomRecord>;

    /// Adds users to a group, with their subscriptions, one system message each and the
    /// counters, all in one transaction, unless the guard no longer holds.
    fn apply_invite(&self, write: InviteWrite) -> StoreFuture<'_, InviteApplied>;

    /// Removes a member or sets their room roles, with the system message and the counters,
    /// in one transaction: unless the guard no longer holds, the member's roles changed since
    /// the rules read them, or the change needs another owner and there is none.
    ///
    /// Changes to one group's memberships take effect one after the other (the room is locked
    /// first where the database has several writers), so that two owners leaving at once
    /// cannot both count the other as the one who remains.
    fn change_member(&self, write: MemberWrite) -> StoreFuture<'_, MemberApplied>;

    /// Deletes a group with its memberships and messages, in one transaction, unless the
    /// guard no longer holds or the group is gone; whether it did.
    fn delete_group(&self, deletion: GroupDeletion) -> StoreFuture<'_, bool>;

    /// What other instances sharing the database do to sessions, as it happens; `None` for a
    /// store no other instance can share.
    fn session_events(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<SessionEvent>> {
        None
    }
}
