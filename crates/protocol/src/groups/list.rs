//! `GET /api/v1/groups.list`
//!
//! Lists the private groups the caller is a member of, a page at a time.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-groups))

use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method, room::Room};

/// Method `GET`, path `/api/v1/groups.list`, authenticated.
pub const METADATA: Metadata = Metadata::new("groups.list", Method::Get, "/api/v1/groups.list")
    .description("List the private groups the caller is a member of, a page at a time.");

/// The page size when `count` is not given.
pub const DEFAULT_COUNT: u64 = 50;
/// The largest page a server returns.
pub const MAX_COUNT: u64 = 100;

/// A `groups.list` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsListRequest"))]
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

/// One page of groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsListResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The groups on this page.
    pub groups: Vec<Room>,
    /// How many groups were skipped.
    pub offset: u64,
    /// How many groups are on this page.
    pub count: u64,
    /// How many groups there are in all.
    pub total: u64,
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// A successful answer: this page of `groups`, after skipping `offset`, of `total`.
    pub fn new(groups: Vec<Room>, offset: u64, total: u64) -> Self {
        Self {
            count: groups.len() as u64,
            groups,
            offset,
            total,
            success: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Sort, SortDirection};

    #[test]
    fn the_answer_keeps_rocket_chat_key_order() {
        let answer = Response::new(vec![Room::new("r1", "p")], 3, 4);
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            r#"{"groups":[{"_id":"r1","t":"p"}],"offset":3,"count":1,"total":4,"success":true}"#
        );
    }

    #[test]
    fn a_query_carries_the_sort_as_json_text() {
        let sort = Sort::new().then("ts", SortDirection::Descending);
        let request = Request::new().offset(10).count(5).sort(sort.to_string());
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({ "offset": 10, "count": 5, "sort": "{\"ts\":-1}" })
        );
        assert_eq!(serde_json::to_string(&Request::new()).unwrap(), "{}");
    }
}
