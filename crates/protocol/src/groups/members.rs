//! `GET /api/v1/groups.members`
//!
//! Lists the members of a private group, a page at a time.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-group-members))

use serde::{Deserialize, Serialize};

use super::RoomSelector;
use crate::{Endpoint, Metadata, Method, user::User};

/// Method `GET`, path `/api/v1/groups.members`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("groups.members", Method::Get, "/api/v1/groups.members")
        .description("List the members of a private group, a page at a time.");

/// The page size when `count` is not given.
pub const DEFAULT_COUNT: u64 = 50;
/// The largest page a server returns.
pub const MAX_COUNT: u64 = 100;

/// A `groups.members` query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsMembersRequest"))]
#[non_exhaustive]
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

    /// Skips the first `offset` members.
    #[must_use]
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Asks for at most `count` members (the server caps it at [`MAX_COUNT`]; `0` asks for
    /// all of them where the server allows it).
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// One page of members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsMembersResponse"))]
#[non_exhaustive]
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

impl Response {
    /// A successful answer: this page of `members`, after skipping `offset`, of `total`.
    pub fn new(members: Vec<User>, offset: u64, total: u64) -> Self {
        Self {
            count: members.len() as u64,
            members,
            offset,
            total,
            success: true,
        }
    }
}
