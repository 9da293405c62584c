//! `POST /api/v1/groups.kick`
//!
//! Removes a member from a private group; the caller needs `remove-user` in the group. The
//! group's only owner cannot be removed.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/remove-user-from-group))

use crate::{Metadata, Method};

/// Method `POST`, path `/api/v1/groups.kick`, authenticated.
pub const METADATA: Metadata = Metadata::new("groups.kick", Method::Post, "/api/v1/groups.kick")
    .description("Remove a member from a private group.");

member_request! {
    /// A `groups.kick` request: the group, and the member to remove from it.
    schema = "GroupsKickRequest"
}

/// The answer: `{"success": true}`.
pub type Response = crate::Success;
