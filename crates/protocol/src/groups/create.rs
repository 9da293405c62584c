//! `POST /api/v1/groups.create`
//!
//! Creates a private group; the caller becomes its owner.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/create-group))

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Endpoint, Metadata, Method, room::Room};

/// Method `POST`, path `/api/v1/groups.create`, authenticated.
pub const METADATA: Metadata = Metadata {
    name: "groups.create",
    description: "Create a private group; the caller becomes its owner.",
    method: Method::Post,
    path: "/api/v1/groups.create",
    authentication: true,
    rate_limited: true,
    idempotent: false,
};

/// A `groups.create` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsCreateRequest")]
pub struct Request {
    /// The group's unique name; Rocket.Chat's default pattern is `[0-9a-zA-Z-_.]+`.
    pub name: String,
    /// Usernames to add as members; unknown ones are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    /// Whether only some roles may post.
    #[serde(rename = "readOnly", default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// The group's custom fields.
    #[serde(
        rename = "customFields",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_fields: Option<Map<String, Value>>,
    /// Extra room fields such as `broadcast`.
    #[serde(rename = "extraData", default, skip_serializing_if = "Option::is_none")]
    pub extra_data: Option<Map<String, Value>>,
    /// Whether the caller stays out of the group.
    #[serde(
        rename = "excludeSelf",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub exclude_self: Option<bool>,
}

impl Request {
    /// A group with this name and no other members.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            members: None,
            read_only: None,
            custom_fields: None,
            extra_data: None,
            exclude_self: None,
        }
    }

    /// Adds these usernames as members.
    #[must_use]
    pub fn members<I: IntoIterator<Item = S>, S: Into<String>>(mut self, members: I) -> Self {
        self.members = Some(members.into_iter().map(Into::into).collect());
        self
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer to `groups.create`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "GroupsCreateResponse")]
pub struct Response {
    /// The new group.
    pub group: Room,
    /// Always `true`.
    pub success: bool,
}
