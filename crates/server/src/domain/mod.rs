//! The rules: who may do what, and what each call changes. Pure functions over plain data,
//! free of HTTP and SQL, so they are tested without a socket or a database.
//!
//! The store calls these functions inside its transaction with the facts it has read, and
//! carries out the plan they return; it decides nothing itself.

pub mod groups;
pub mod invite;
pub mod model;
pub mod permissions;

pub use model::{Caller, Membership, MessageRecord, RoomRecord, UserRecord};
pub use permissions::Permission;
