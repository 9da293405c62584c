//! The rules: who may do what, and what each call changes. Pure functions over plain data,
//! free of HTTP and SQL, so they are tested without a socket or a database.
//!
//! The use cases in [`service`](crate::service) call these functions with the facts the store
//! read, and hand the store the change they decided; the store decides nothing itself.

pub(crate) mod groups;
pub(crate) mod invite;
pub(crate) mod membership;
pub(crate) mod model;
pub(crate) mod permissions;
pub(crate) mod text;
pub(crate) mod tokens;

pub(crate) use model::{Caller, Membership, MembershipRow, MessageRecord, RoomRecord, UserRecord};
pub(crate) use permissions::Permission;
