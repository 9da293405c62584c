//! `GET /api/v1/groups.info`
//!
//! Reads one private group the caller is a member of.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-group-information))

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::RoomSelector;
use crate::{Endpoint, Metadata, Method, room::Room};

/// Method `GET`, path `/api/v1/groups.info`, authenticated.
pub const METADATA: Metadata = Metadata {
    name: "groups.info",
    description: "Read one private group the caller is a member of.",
    method: Method::Get,
    path: "/api/v1/groups.info",
    authentication: true,
    rate_limited: true,
    idempotent: true,
};

/// A `groups.info` query: `?roomId=..` or `?roomName=..`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsInfoRequest")]
pub struct Request {
    /// The group.
    #[serde(flatten)]
    pub room: RoomSelector,
}

impl Request {
    /// A query for this group.
    pub fn new(room: RoomSelector) -> Self {
        Self { room }
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer to `groups.info`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsInfoResponse")]
pub struct Response {
    /// The group.
    pub group: Room,
    /// Always `true`.
    pub success: bool,
}
