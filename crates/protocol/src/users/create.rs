//! `POST /api/v1/users.create`
//!
//! Creates a user; needs the `create-user` permission (admins).
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/create-user))

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Endpoint, Metadata, Method, user::User};

/// Method `POST`, path `/api/v1/users.create`, authenticated.
pub const METADATA: Metadata = Metadata::new("users.create", Method::Post, "/api/v1/users.create")
    .description("Create a user; needs the create-user permission.");

/// A `users.create` request. Unknown keys are refused, as Rocket.Chat's schema refuses them.
///
/// `Debug` hides the password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", schemars(rename = "UsersCreateRequest"))]
#[non_exhaustive]
pub struct Request {
    /// The e-mail address.
    pub email: String,
    /// The display name.
    pub name: String,
    /// The password.
    pub password: String,
    /// The username.
    pub username: String,
    /// Whether the account is active (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Global roles (default `["user"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Whether the user joins default channels.
    #[serde(
        rename = "joinDefaultChannels",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub join_default_channels: Option<bool>,
    /// Whether the user must change the password at next login.
    #[serde(
        rename = "requirePasswordChange",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub require_password_change: Option<bool>,
    /// Whether to send a welcome e-mail.
    #[serde(
        rename = "sendWelcomeEmail",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub send_welcome_email: Option<bool>,
    /// Whether the e-mail address counts as verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Custom fields.
    #[serde(
        rename = "customFields",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_fields: Option<Map<String, Value>>,
}

impl Request {
    /// A user with these required fields and defaults for the rest.
    pub fn new(
        username: impl Into<String>,
        email: impl Into<String>,
        name: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            email: email.into(),
            name: name.into(),
            password: password.into(),
            username: username.into(),
            active: None,
            roles: None,
            join_default_channels: None,
            require_password_change: None,
            send_welcome_email: None,
            verified: None,
            custom_fields: None,
        }
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password", &"[redacted]")
            .field("active", &self.active)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer to `users.create`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "UsersCreateResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The new user.
    pub user: User,
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// A successful answer with the new user.
    pub fn new(user: User) -> Self {
        Self {
            user,
            success: true,
        }
    }
}
