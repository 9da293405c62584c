//! The room object Rocket.Chat sends as `group`, and the short user reference inside it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A short reference to a user: `{"_id", "username", "name"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserRef {
    /// The user's id.
    #[serde(rename = "_id")]
    pub id: String,
    /// The user's username.
    pub username: String,
    /// The user's display name, where the server sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A room as Rocket.Chat sends it: the `group` of `groups.invite`, `groups.info` and
/// `groups.create`.
///
/// Reads both the modern shape (`usersCount`, `fname`, `ro`, `customFields`, no member list) and
/// the older documented one (`usernames`, no `usersCount`). Fields this type does not name are
/// kept in [`Room::other`], so a newer server's additions are neither refused nor lost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Room {
    /// The room id, 17 characters on Rocket.Chat.
    #[serde(rename = "_id")]
    pub id: String,
    /// The room type: `p` for a private group, `c` for a channel, `d` for a direct room.
    #[serde(rename = "t")]
    pub room_type: String,
    /// The room's unique name; direct rooms have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The display name (modern servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fname: Option<String>,
    /// The number of messages, system messages included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msgs: Option<u64>,
    /// The number of members (modern servers).
    #[serde(
        rename = "usersCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub users_count: Option<u64>,
    /// The member usernames (old servers only; modern ones send `usersCount` instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usernames: Option<Vec<String>>,
    /// The room's creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub u: Option<UserRef>,
    /// When the room was created, ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<String>,
    /// Whether the room is read-only (modern servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ro: Option<bool>,
    /// Whether the room is archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// Whether new users join the room by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// The room's custom fields (modern servers).
    #[serde(
        rename = "customFields",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_fields: Option<Map<String, Value>>,
    /// The room's topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The room's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the last message was sent, ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lm: Option<String>,
    /// When the room last changed, ISO-8601.
    #[serde(
        rename = "_updatedAt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<String>,
    /// Every other field the server sent, kept as it was.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}
