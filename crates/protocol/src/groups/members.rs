//! `GET /api/v1/groups.members`
//!
//! Lists the members of a private group, a page at a time.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-group-members))

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::RoomSelector;
use crate::{Endpoint, Metadata, Method, user::User};

/// Method `GET`, path `/api/v1/groups.members`, authenticated.
pub const METADATA: Metadata = Metadata {
    name: "groups.members",
    description: "List the members of a private group, a page at a time.",
    method: Method::Get,
    path: "/api/v1/groups.members",
    authentication: true,
    rate_limited: true,
    idempotent: true,
};

/// The page size when `count` is not given.
pub const DEFAULT_COUNT: u64 = 50;
/// The largest page a server returns.
pub const MAX_COUNT: u64 = 100;

/// A `groups.members` query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsMembersRequest")]
pub struct Request {
    /// The group.
    #[serde(flatten)]
    pub room: RoomSelector,
    /// How many members to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// How many members to return: [`DEFAULT_COUNT`] by default, at most [`MAX_COUNT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl Request {
    /// The first page of this group's members.
    pub fn new(room: RoomSelector) -> Self {
        Self {
            room,
            offset: None,
            count: None,
        }
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// One page of members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsMembersResponse")]
pub struct Response {
    /// The members on this page.
    pub members: Vec<User>,
    /// How many members are on this page.
    pub count: u64,
    /// How many members were skipped.
    pub offset: u64,
    /// How many members the group has in all.
    pub total: u64,
    /// Always `true`.
    pub success: bool,
}
