//! `POST /api/v1/groups.addModerator`
//!
//! Gives a member of a private group the room-scoped `moderator` role.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/add-group-moderator))

use serde::{Deserialize, Serialize};

use super::{RoomQuery, RoomSelector};
use crate::{ApiError, Endpoint, Metadata, Method};

/// Method `POST`, path `/api/v1/groups.addModerator`, authenticated.
pub const METADATA: Metadata = Metadata::new(
    "groups.addModerator",
    Method::Post,
    "/api/v1/groups.addModerator",
)
.description("Give a member of a private group the moderator role.");

/// A `groups.addModerator` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsAddModeratorRequest"))]
#[non_exhaustive]
pub struct Request {
    /// The group's id.
    #[serde(rename = "roomId")]
    pub room_id: String,
    /// The member's user id.
    #[serde(rename = "userId")]
    pub user_id: String,
}

impl Request {
    /// Makes `user_id` a moderator of `room_id`.
    pub fn new(room_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            room_id: room_id.into(),
            user_id: user_id.into(),
        }
    }
}

/// A `groups.addModerator` body exactly as a client sent it, read with Rocket.Chat's leniency:
/// every key optional, `null` as absent, unknown keys ignored, and the group named by id or by
/// name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RawRequest {
    /// The group's id; when the key is present it alone decides.
    #[serde(rename = "roomId", default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// The group's name, used when `roomId` is absent.
    #[serde(rename = "roomName", default, skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
    /// The member's user id.
    #[serde(rename = "userId", default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl RawRequest {
    /// Parses a request body, refusing malformed JSON, non-objects and wrong types with
    /// `invalid-params`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ApiError> {
        crate::json::from_object_slice(bytes)
    }

    /// The group, by Rocket.Chat's `findPrivateGroupByIdOrName` rules ([`RoomQuery::resolve`]).
    pub fn room(&self) -> Result<RoomSelector, ApiError> {
        RoomQuery::new(self.room_id.clone(), self.room_name.clone()).resolve()
    }

    /// The member's id, trimmed; `error-user-param-not-provided` when it is missing or blank.
    pub fn user_id(&self) -> Result<&str, ApiError> {
        self.user_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .ok_or_else(ApiError::user_param_not_provided)
    }
}

impl From<Request> for RawRequest {
    fn from(request: Request) -> Self {
        Self {
            room_id: Some(request.room_id),
            room_name: None,
            user_id: Some(request.user_id),
        }
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer: `{"success": true}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsAddModeratorResponse"))]
#[non_exhaustive]
pub struct Response {
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// The successful answer, `{"success": true}`.
    pub fn new() -> Self {
        Self { success: true }
    }
}

impl Default for Response {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn raw(body: &str) -> RawRequest {
        RawRequest::from_json(body.as_bytes()).unwrap()
    }

    #[test]
    fn the_room_follows_the_group_rules_and_the_user_is_trimmed() {
        let body = raw(r#"{"roomName": "team", "userId": " u1 "}"#);
        assert_eq!(body.room().unwrap(), RoomSelector::name("team"));
        assert_eq!(body.user_id().unwrap(), "u1");
        let body = raw(r#"{"roomId": "r1", "roomName": "team", "userId": null}"#);
        assert_eq!(body.room().unwrap(), RoomSelector::id("r1"));
        assert_eq!(
            body.user_id().unwrap_err().error_type,
            ErrorKind::UserParamNotProvided
        );
        assert_eq!(
            raw("{}").room().unwrap_err().error_type,
            ErrorKind::RoomParamNotProvided
        );
    }

    #[test]
    fn a_typed_request_reads_back_the_same() {
        let raw = RawRequest::from(Request::new("r1", "u1"));
        assert_eq!(raw.room().unwrap(), RoomSelector::id("r1"));
        assert_eq!(raw.user_id().unwrap(), "u1");
    }
}
