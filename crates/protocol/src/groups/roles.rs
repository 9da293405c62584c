//! `GET /api/v1/groups.roles`
//!
//! Lists the members of a private group who hold a room role (`owner`, `moderator`, `leader`).
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/list-group-roles))

use serde::{Deserialize, Serialize};

use super::RoomSelector;
use crate::{Endpoint, Metadata, Method, room::UserRef};

/// Method `GET`, path `/api/v1/groups.roles`, authenticated.
pub const METADATA: Metadata = Metadata::new("groups.roles", Method::Get, "/api/v1/groups.roles")
    .description("List the members of a private group who hold a room role.");

/// A `groups.roles` query: `?roomId=..` or `?roomName=..`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsRolesRequest"))]
#[non_exhaustive]
pub struct Request {
    /// The group.
    #[serde(flatten)]
    pub room: RoomSelector,
}

impl Request {
    /// A query for this group's room roles.
    pub fn new(room: RoomSelector) -> Self {
        Self { room }
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// One member's room roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct RoomRoles {
    /// The membership's (subscription's) id.
    #[serde(rename = "_id")]
    pub id: String,
    /// The group's id.
    pub rid: String,
    /// The member, `{_id, username, name}`.
    pub u: UserRef,
    /// The member's room roles, such as `owner`.
    pub roles: Vec<String>,
}

impl RoomRoles {
    /// The roles `roles` of member `u` in group `rid`, membership `id`.
    pub fn new(
        id: impl Into<String>,
        rid: impl Into<String>,
        u: UserRef,
        roles: Vec<String>,
    ) -> Self {
        Self {
            id: id.into(),
            rid: rid.into(),
            u,
            roles,
        }
    }

    /// Whether the member holds `role`.
    pub fn holds(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held == role)
    }
}

/// The answer to `groups.roles`: the members with a room role, by username.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsRolesResponse"))]
#[non_exhaustive]
pub struct Response {
    /// One entry per member who holds a room role.
    pub roles: Vec<RoomRoles>,
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// A successful answer listing `roles`.
    pub fn new(roles: Vec<RoomRoles>) -> Self {
        Self {
            roles,
            success: true,
        }
    }
}
