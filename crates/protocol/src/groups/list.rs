//! `GET /api/v1/groups.list`
//!
//! Lists the private groups the caller is a member of, a page at a time.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-groups))

use serde::{Deserialize, Serialize};

use crate::{Metadata, Method, room::Room};

/// Method `GET`, path `/api/v1/groups.list`, authenticated.
pub const METADATA: Metadata = Metadata::new("groups.list", Method::Get, "/api/v1/groups.list")
    .description("List the private groups the caller is a member of, a page at a time.");

/// The page size when `count` is not given.
pub const DEFAULT_COUNT: u64 = 50;
/// The largest page a server returns.
pub const MAX_COUNT: u64 = 100;

group_list_request! {
    /// A `groups.list` query.
    schema = "GroupsListRequest"
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
