//! `POST /api/v1/groups.removeOwner`
//!
//! Takes the room-scoped `owner` role from a member of a private group; the group's only owner
//! keeps it.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/remove-group-owner))

use crate::{Metadata, Method};

/// Method `POST`, path `/api/v1/groups.removeOwner`, authenticated.
pub const METADATA: Metadata = Metadata::new(
    "groups.removeOwner",
    Method::Post,
    "/api/v1/groups.removeOwner",
)
.description("Take the owner role from a member of a private group.");

member_request! {
    /// A `groups.removeOwner` request: the group, and the owner who stops being one.
    schema = "GroupsRemoveOwnerRequest"
}

/// The answer: `{"success": true}`.
pub type Response = crate::Success;
