//! `POST /api/v1/groups.addModerator`
//!
//! Gives a member of a private group the room-scoped `moderator` role.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/add-group-moderator))

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method};

/// Method `POST`, path `/api/v1/groups.addModerator`, authenticated.
pub const METADATA: Metadata = Metadata {
    name: "groups.addModerator",
    description: "Give a member of a private group the moderator role.",
    method: Method::Post,
    path: "/api/v1/groups.addModerator",
    authentication: true,
    rate_limited: true,
    idempotent: false,
};

/// A `groups.addModerator` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsAddModeratorRequest")]
pub struct Request {
    /// The group's id.
    #[serde(rename = "roomId")]
    pub room_id: String,
    /// The member's user id.
    #[serde(rename = "userId")]
    pub user_id: String,
}

impl Request {
    /// Makes `user_id` a moderator of `room_id`.
    pub fn new(room_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            room_id: room_id.into(),
            user_id: user_id.into(),
        }
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer: `{"success": true}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsAddModeratorResponse")]
pub struct Response {
    /// Always `true`.
    pub success: bool,
}
