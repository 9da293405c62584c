//! The user object of `me`, `login`, `users.create` and `groups.members`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An e-mail address of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Email {
    /// The address.
    pub address: String,
    /// Whether the address was verified.
    #[serde(default)]
    pub verified: bool,
}

/// A user as Rocket.Chat sends it. Which fields are present depends on the endpoint; fields this
/// type does not name are kept in [`User::other`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Every other field the server sent, kept as it was.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}
