//! The room object Rocket.Chat sends as `group`, and the short user reference inside it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A short reference to a user: `{"_id", "username", "name"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
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
    ///
    /// A key that names one of the fields above ([`Room::FIELDS`]) is left out when the room is
    /// written, so that every key appears once and the field's own value is the one sent.
    #[serde(flatten, serialize_with = "serialize_other")]
    pub other: BTreeMap<String, Value>,
}

impl UserRef {
    /// `{_id, username}`, without a display name.
    pub fn new(id: impl Into<String>, username: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            username: username.into(),
            name: None,
        }
    }

    /// Adds the display name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl Room {
    /// A room with this id and type (`p` for a private group) and no other field.
    pub fn new(id: impl Into<String>, room_type: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            room_type: room_type.into(),
            name: None,
            fname: None,
            msgs: None,
            users_count: None,
            usernames: None,
            u: None,
            ts: None,
            ro: None,
            archived: None,
            default: None,
            custom_fields: None,
            topic: None,
            description: None,
            lm: None,
            updated_at: None,
            other: BTreeMap::new(),
        }
    }

    /// The JSON keys of the fields this type names; [`Room::other`] holds the rest.
    pub const FIELDS: [&'static str; 17] = [
        "_id",
        "t",
        "name",
        "fname",
        "msgs",
        "usersCount",
        "usernames",
        "u",
        "ts",
        "ro",
        "archived",
        "default",
        "customFields",
        "topic",
        "description",
        "lm",
        "_updatedAt",
    ];
}

fn serialize_other<S: serde::Serializer>(
    other: &BTreeMap<String, Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(
        other
            .iter()
            .filter(|(key, _)| !Room::FIELDS.contains(&key.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn full_room() -> Room {
        Room {
            id: "r".into(),
            room_type: "p".into(),
            name: Some("team".into()),
            fname: Some("Team".into()),
            msgs: Some(1),
            users_count: Some(2),
            usernames: Some(vec!["bob".into()]),
            u: Some(UserRef {
                id: "u".into(),
                username: "owner".into(),
                name: None,
            }),
            ts: Some("2026-01-01T00:00:00.000Z".into()),
            ro: Some(false),
            archived: Some(false),
            default: Some(false),
            custom_fields: Some(Map::new()),
            topic: Some("topic".into()),
            description: Some("description".into()),
            lm: Some("2026-01-01T00:00:00.000Z".into()),
            updated_at: Some("2026-01-01T00:00:00.000Z".into()),
            other: BTreeMap::new(),
        }
    }

    #[test]
    fn fields_lists_every_named_key() {
        let value = serde_json::to_value(full_room()).unwrap();
        let mut written: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut named = Room::FIELDS.to_vec();
        written.sort_unstable();
        named.sort_unstable();
        assert_eq!(written, named);
    }

    #[test]
    fn other_never_repeats_a_named_key() {
        let mut room = full_room();
        room.other.insert("_id".into(), json!("zzz"));
        room.other.insert("t".into(), json!("c"));
        room.other.insert("broadcast".into(), json!(true));
        let text = serde_json::to_string(&room).unwrap();
        assert!(!text.contains("zzz"), "{text}");
        assert_eq!(text.matches("\"t\":").count(), 1, "{text}");
        let back: Room = serde_json::from_str(&text).unwrap();
        assert_eq!(back.id, "r");
        assert_eq!(back.room_type, "p");
        assert_eq!(back.other.get("broadcast"), Some(&json!(true)));
    }
}
