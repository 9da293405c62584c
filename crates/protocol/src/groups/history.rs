//! `GET /api/v1/groups.history`
//!
//! Reads a private group's messages, newest first, system messages such as `au` included.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-group-history))

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Endpoint, Metadata, Method, room::UserRef};

/// Method `GET`, path `/api/v1/groups.history`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("groups.history", Method::Get, "/api/v1/groups.history")
        .description("Read a private group's messages, newest first.");

/// A `groups.history` query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsHistoryRequest"))]
#[non_exhaustive]
pub struct Request {
    /// The group's id.
    #[serde(rename = "roomId")]
    pub room_id: String,
    /// How many messages to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// How many messages to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl Request {
    /// The latest messages of this group.
    pub fn new(room_id: impl Into<String>) -> Self {
        Self {
            room_id: room_id.into(),
            count: None,
            offset: None,
        }
    }

    /// Asks for at most `count` messages (`0`: all of them).
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// Skips the `offset` newest messages.
    #[must_use]
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// A page of messages, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsHistoryResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The messages.
    pub messages: Vec<Message>,
    /// Always `true`.
    pub success: bool,
}

/// A message as Rocket.Chat sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Message {
    /// The message id.
    #[serde(rename = "_id")]
    pub id: String,
    /// The room id.
    pub rid: String,
    /// The text; for a system message about a member (`au`, `ru`, `ul`, a role change), the
    /// member's username.
    pub msg: String,
    /// When the message was sent, ISO-8601.
    pub ts: String,
    /// The author; for a system message, who acted: the inviter (`au`), the remover (`ru`), the
    /// member who left (`ul`), the one who changed a role.
    pub u: UserRef,
    /// The system-message type, such as `au` (user added), `ru` (user removed), `ul` (user
    /// left) or `subscription-role-added`; absent for ordinary messages.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// Whether the message may be grouped with its neighbours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupable: Option<bool>,
    /// When the message last changed, ISO-8601.
    #[serde(
        rename = "_updatedAt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<String>,
    /// For a `subscription-role-added` or `subscription-role-removed` system message, the room
    /// role given or taken, such as `moderator` or `owner`; the message's `msg` is then the
    /// member's username and `u` the one who changed the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Every other field the server sent, kept as it was.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Response {
    /// A successful answer with these messages, newest first.
    pub fn new(messages: Vec<Message>) -> Self {
        Self {
            messages,
            success: true,
        }
    }
}

impl Message {
    /// A message with these fields and no others.
    pub fn new(
        id: impl Into<String>,
        rid: impl Into<String>,
        msg: impl Into<String>,
        ts: impl Into<String>,
        u: UserRef,
    ) -> Self {
        Self {
            id: id.into(),
            rid: rid.into(),
            msg: msg.into(),
            ts: ts.into(),
            u,
            message_type: None,
            groupable: None,
            updated_at: None,
            role: None,
            other: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_role_change_message_keeps_its_role() {
        let sent = json!({
            "_id": "yXPYqB5JxzYqgqm4Z",
            "rid": "ByehQjC44FwMeiLbX",
            "msg": "john.doe",
            "ts": "2026-01-05T10:00:00.000Z",
            "u": { "_id": "aobEdbYhXfu5hkeqG", "username": "testing1", "name": "Testing One" },
            "t": "subscription-role-added",
            "role": "owner",
            "groupable": false,
            "_updatedAt": "2026-01-05T10:00:00.000Z"
        });
        let message: Message = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(message.role.as_deref(), Some("owner"));
        assert!(message.other.is_empty());
        assert_eq!(serde_json::to_value(&message).unwrap(), sent);
        let plain = Message::new("m", "r", "hi", "2026-01-05T10:00:00.000Z", message.u);
        assert!(serde_json::to_value(plain).unwrap().get("role").is_none());
    }
}
