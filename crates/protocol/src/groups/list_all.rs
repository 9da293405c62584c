//! `GET /api/v1/groups.listAll`
//!
//! Lists every private group of the server, a page at a time; the caller needs
//! `view-room-administration` (admins), or is answered 403.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-list-of-user-groups))
//!
//! The paging, the order and the answer are those of [`groups.list`](super::list).

use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method};

pub use super::list::{DEFAULT_COUNT, MAX_COUNT};

/// Method `GET`, path `/api/v1/groups.listAll`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("groups.listAll", Method::Get, "/api/v1/groups.listAll")
        .description("List every private group, a page at a time; needs view-room-administration.");

/// A `groups.listAll` query: the parameters of a [`groups.list`](super::list::Request) one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsListAllRequest"))]
#[non_exhaustive]
pub struct Request {
    /// How many groups to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// How many groups to return: [`DEFAULT_COUNT`] by default, at most [`MAX_COUNT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The order, as the text of a JSON object such as `{"name":1}` (the default) or
    /// `{"ts":-1}`; see [`Sort`](crate::query::Sort).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

impl Request {
    /// The first page, in the server's default order.
    pub fn new() -> Self {
        Self::default()
    }

    /// Skips the first `offset` groups.
    #[must_use]
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Asks for at most `count` groups (the server caps it at [`MAX_COUNT`]; `0` asks for all
    /// of them where the server allows it).
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// Sorts by `sort`: the text of a JSON object, or a [`Sort`](crate::query::Sort)'s
    /// `to_string()`.
    #[must_use]
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// One page of groups, as [`groups.list`](super::list::Response) answers it.
pub type Response = super::list::Response;
