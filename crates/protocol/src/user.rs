//! The user object of `me`, `login`, `users.create`, `users.info` and `groups.members`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How Rocket.Chat compares usernames: exactly, but ignoring case (it looks them up with a
/// case-insensitive regular expression anchored at both ends). Two usernames name the same
/// account when their keys are equal.
///
/// ```
/// use rocketchat_protocol::user::username_key;
///
/// assert_eq!(username_key("John.Doe"), username_key("john.doe"));
/// assert_ne!(username_key("john.doe"), username_key("john_doe"));
/// ```
pub fn username_key(username: &str) -> String {
    username.to_lowercase()
}

/// An e-mail address of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Email {
    /// The address.
    pub address: String,
    /// Whether the address was verified.
    #[serde(default)]
    pub verified: bool,
}

impl Email {
    /// An address, and whether it was verified.
    pub fn new(address: impl Into<String>, verified: bool) -> Self {
        Self {
            address: address.into(),
            verified,
        }
    }
}

/// A user as Rocket.Chat sends it. Which fields are present depends on the endpoint; fields this
/// type does not name are kept in [`User::other`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct User {
    /// The user id, 17 characters on Rocket.Chat (`rocket.cat` for the bundled bot).
    #[serde(rename = "_id")]
    pub id: String,
    /// The username; users created through some integrations have none yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's e-mail addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<Email>>,
    /// Presence: `online`, `away`, `busy` or `offline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Whether the account is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Global roles such as `user`, `admin`, `bot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// The account type: `user`, `bot`, `app`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// When the user last changed, ISO-8601.
    #[serde(
        rename = "_updatedAt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<String>,
    /// In a `users.info` answer: whether the caller sees every field of this user (their own
    /// account, or the `view-full-other-user-info` permission) or only the public ones.
    #[serde(
        rename = "canViewAllInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub can_view_all_info: Option<bool>,
    /// Every other field the server sent, kept as it was.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl User {
    /// A user with this id and no other field.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            username: None,
            name: None,
            emails: None,
            status: None,
            active: None,
            roles: None,
            user_type: None,
            updated_at: None,
            can_view_all_info: None,
            other: BTreeMap::new(),
        }
    }
}
