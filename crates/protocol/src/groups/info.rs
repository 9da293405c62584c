//! `GET /api/v1/groups.info`
//!
//! Reads one private group the caller is a member of.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-group-information))

use serde::{Deserialize, Serialize};

use super::RoomSelector;
use crate::{Endpoint, Metadata, Method, room::Room};

/// Method `GET`, path `/api/v1/groups.info`, authenticated.
pub const METADATA: Metadata = Metadata::new("groups.info", Method::Get, "/api/v1/groups.info")
    .description("Read one private group the caller is a member of.");

/// A `groups.info` query: `?roomId=..` or `?roomName=..`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsInfoRequest"))]
#[non_exhaustive]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsInfoResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The group.
    pub group: Room,
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// A successful answer about `group`.
    pub fn new(group: Room) -> Self {
        Self {
            group,
            success: true,
        }
    }
}
