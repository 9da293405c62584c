//! The rules: who may do what, and what each call changes. Pure functions over plain data,
//! free of HTTP and SQL, so they are tested without a socket or a database.
//!
//! The store calls these functions inside its transaction with the facts it has read, and
//! carries out the plan they return; it decides nothing itself.

pub(crate) mod groups;
pub(crate) mod invite;
pub(crate) mod model;
pub(crate) mod permissions;
pub(crate) mod text;

pub(crate) use model::{Caller, Membership, MessageRecord, RoomRecord, UserRecord};
pub(crate) use permissions::Permission;
