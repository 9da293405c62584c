//! `POST /api/v1/groups.addOwner`
//!
//! Gives a member of a private group the room-scoped `owner` role.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/add-group-owner))

use crate::{Metadata, Method};

/// Method `POST`, path `/api/v1/groups.addOwner`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("groups.addOwner", Method::Post, "/api/v1/groups.addOwner")
        .description("Give a member of a private group the owner role.");

member_request! {
    /// A `groups.addOwner` request: the group, and the member who becomes an owner.
    schema = "GroupsAddOwnerRequest"
}

/// The answer: `{"success": true}`.
pub type Response = crate::Success;
