//! `POST /api/v1/groups.addModerator`
//!
//! Gives a member of a private group the room-scoped `moderator` role.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/add-group-moderator))

use serde::{Deserialize, Serialize};

use super::{MemberRawRequest, RoomSelector, UserSelector};
use crate::{Endpoint, Metadata, Method};

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
    /// The group.
    #[serde(flatten)]
    pub room: RoomSelector,
    /// The member, by id or by username.
    #[serde(flatten)]
    pub user: UserSelector,
}

impl Request {
    /// Makes `user_id` a moderator of the group with id `room_id`.
    pub fn new(room_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self::with_user(RoomSelector::id(room_id), UserSelector::id(user_id))
    }

    /// Makes `user` a moderator of `room`, each named by id or by name.
    pub fn with_user(room: RoomSelector, user: UserSelector) -> Self {
        Self { room, user }
    }
}

/// A `groups.addModerator` body exactly as a client sent it, read with Rocket.Chat's leniency:
/// every key optional, `null` as absent, unknown keys ignored, the group named by id or by name
/// and the member by `userId`, `username` or `user`.
pub type RawRequest = MemberRawRequest;

impl From<Request> for MemberRawRequest {
    fn from(request: Request) -> Self {
        Self::new(request.room, request.user)
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer: `{"success": true}`.
pub type Response = crate::Success;

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
    fn the_member_may_be_named_by_username() {
        let body = raw(r#"{"roomId": "r1", "username": "bob"}"#);
        assert_eq!(body.user().unwrap(), UserSelector::username("bob"));
        let request = Request::with_user(RoomSelector::name("team"), UserSelector::username("bob"));
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"roomName":"team","username":"bob"}"#
        );
    }

    #[test]
    fn a_typed_request_reads_back_the_same() {
        let request = Request::new("r1", "u1");
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"roomId":"r1","userId":"u1"}"#
        );
        let raw = RawRequest::from(request);
        assert_eq!(raw.room().unwrap(), RoomSelector::id("r1"));
        assert_eq!(raw.user_id().unwrap(), "u1");
        assert_eq!(raw.user().unwrap(), UserSelector::id("u1"));
    }
}
