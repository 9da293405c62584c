//! `POST /api/v1/groups.create`
//!
//! Creates a private group; the caller becomes its owner.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/create-group))

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{ApiError, Endpoint, Metadata, Method, PlainError, room::Room};

/// Method `POST`, path `/api/v1/groups.create`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("groups.create", Method::Post, "/api/v1/groups.create")
        .description("Create a private group; the caller becomes its owner.");

/// A `groups.create` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsCreateRequest"))]
#[non_exhaustive]
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

/// A `groups.create` body exactly as a client sent it: every key optional and `null` as absent,
/// so that a missing `name` gets Rocket.Chat's own answer rather than a decoding error.
/// Values of the wrong JSON type are refused by [`RawRequest::from_json`] with
/// `invalid-params`; unknown keys are ignored, as Rocket.Chat ignores them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RawRequest {
    /// The group's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Usernames to add as members.
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

impl RawRequest {
    /// Parses a request body, refusing malformed JSON, non-objects and wrong types with
    /// `invalid-params`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ApiError> {
        crate::json::from_object_slice(bytes)
    }
}

impl TryFrom<RawRequest> for Request {
    type Error = PlainError;

    /// Refuses a missing or empty `name` as Rocket.Chat's route does: 400 with
    /// `Body param "name" is required` and no `errorType`.
    fn try_from(raw: RawRequest) -> Result<Self, PlainError> {
        let Some(name) = raw.name.filter(|name| !name.is_empty()) else {
            return Err(PlainError::new(r#"Body param "name" is required"#));
        };
        Ok(Self {
            name,
            members: raw.members,
            read_only: raw.read_only,
            custom_fields: raw.custom_fields,
            extra_data: raw.extra_data,
            exclude_self: raw.exclude_self,
        })
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer to `groups.create`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsCreateResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The new group.
    pub group: Room,
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// A successful answer with the new group.
    pub fn new(group: Room) -> Self {
        Self {
            group,
            success: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_name_is_refused_as_rocket_chat_does() {
        for body in [&br#"{}"#[..], br#"{"name": ""}"#, br#"{"name": null}"#] {
            let raw = RawRequest::from_json(body).unwrap();
            assert_eq!(
                Request::try_from(raw).unwrap_err(),
                PlainError::new(r#"Body param "name" is required"#)
            );
        }
        let raw = RawRequest::from_json(br#"{"name": "team", "members": ["a"], "x": 1}"#).unwrap();
        assert_eq!(
            Request::try_from(raw).unwrap(),
            Request::new("team").members(["a"])
        );
    }

    #[test]
    fn wrong_types_are_invalid_params() {
        let error = RawRequest::from_json(br#"{"name": "team", "members": "a"}"#).unwrap_err();
        assert_eq!(
            error.error,
            "members: invalid type: string \"a\", expected a sequence [invalid-params]"
        );
    }
}
