//! `GET /api/v1/groups.listAll`
//!
//! Lists every private group of the server, a page at a time; the caller needs
//! `view-room-administration` (admins), or is answered 403.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-list-of-user-groups))
//!
//! The paging, the order and the answer are those of [`groups.list`](super::list).

use crate::{Metadata, Method};

pub use super::list::{DEFAULT_COUNT, MAX_COUNT};

/// Method `GET`, path `/api/v1/groups.listAll`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("groups.listAll", Method::Get, "/api/v1/groups.listAll")
        .description("List every private group, a page at a time; needs view-room-administration.");

group_list_request! {
    /// A `groups.listAll` query: the parameters of a [`groups.list`](super::list::Request) one.
    schema = "GroupsListAllRequest"
}

/// One page of groups, as [`groups.list`](super::list::Response) answers it.
pub type Response = super::list::Response;
