//! `POST /api/v1/groups.delete`
//!
//! Deletes a private group with its messages and memberships; the caller needs `delete-p` in
//! the group.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/delete-group))

use crate::{Metadata, Method};

/// Method `POST`, path `/api/v1/groups.delete`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("groups.delete", Method::Post, "/api/v1/groups.delete")
        .description("Delete a private group, its messages and its memberships.");

room_request! {
    /// A `groups.delete` request: the group to delete.
    schema = "GroupsDeleteRequest"
}

/// The answer: `{"success": true}`.
pub type Response = crate::Success;
