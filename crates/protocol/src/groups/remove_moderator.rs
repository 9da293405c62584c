//! `POST /api/v1/groups.removeModerator`
//!
//! Takes the room-scoped `moderator` role from a member of a private group.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/remove-group-moderator))

use crate::{Metadata, Method};

/// Method `POST`, path `/api/v1/groups.removeModerator`, authenticated.
pub const METADATA: Metadata = Metadata::new(
    "groups.removeModerator",
    Method::Post,
    "/api/v1/groups.removeModerator",
)
.description("Take the moderator role from a member of a private group.");

member_request! {
    /// A `groups.removeModerator` request: the group, and the member who stops being a moderator.
    schema = "GroupsRemoveModeratorRequest"
}

/// The answer: `{"success": true}`.
pub type Response = crate::Success;
