//! `POST /api/v1/groups.leave`
//!
//! Takes the caller out of a private group. The group's only owner cannot leave it.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/leave-group))

use crate::{Metadata, Method};

/// Method `POST`, path `/api/v1/groups.leave`, authenticated.
pub const METADATA: Metadata = Metadata::new("groups.leave", Method::Post, "/api/v1/groups.leave")
    .description("Leave a private group.");

room_request! {
    /// A `groups.leave` request: the group to leave.
    schema = "GroupsLeaveRequest"
}

/// The answer: `{"success": true}`.
pub type Response = crate::Success;
