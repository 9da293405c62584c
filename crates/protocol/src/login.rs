//! `POST /api/v1/login`
//!
//! Exchanges a username (or e-mail address) and password for an auth token.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/login-with-username-and-password))

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method, user::User};

/// Method `POST`, path `/api/v1/login`, open to everyone.
pub const METADATA: Metadata = Metadata {
    name: "login",
    description: "Exchange a username or e-mail address and a password for an auth token.",
    method: Method::Post,
    path: "/api/v1/login",
    authentication: false,
    rate_limited: true,
    idempotent: true,
};

/// A login request. Exactly one of `user`, `username` or `email` names the account.
///
/// `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "LoginRequest")]
pub struct Request {
    /// A username, or an e-mail address when it contains `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// An e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The password, in clear (send it over TLS).
    pub password: String,
    /// A two-factor code, when the account has 2FA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Request {
    /// Logs in with a username, as the Python `rocketchat-API` package does.
    pub fn username(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: None,
            username: Some(username.into()),
            email: None,
            password: password.into(),
            code: None,
        }
    }

    /// Logs in with an e-mail address.
    pub fn email(email: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: None,
            username: None,
            email: Some(email.into()),
            password: password.into(),
            code: None,
        }
    }

    /// The account named, and whether it is an e-mail address: `user` counts as one when it
    /// contains `@`.
    pub fn identity(&self) -> Option<Identity<'_>> {
        if let Some(user) = self.user.as_deref() {
            return Some(if user.contains('@') {
                Identity::Email(user)
            } else {
                Identity::Username(user)
            });
        }
        self.username
            .as_deref()
            .map(Identity::Username)
            .or_else(|| self.email.as_deref().map(Identity::Email))
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("user", &self.user)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The account a login names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity<'a> {
    /// By username, matched case-insensitively.
    Username(&'a str),
    /// By e-mail address, matched case-insensitively.
    Email(&'a str),
}

/// The answer to a successful login.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "LoginResponse")]
pub struct Response {
    /// Always `"success"`.
    pub status: String,
    /// The token and who it belongs to.
    pub data: LoginData,
    /// `true` on 6.x and later; absent on older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
}

/// The credentials a login hands out. `Debug` hides the token.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LoginData {
    /// The token to send as `X-Auth-Token`.
    #[serde(rename = "authToken")]
    pub auth_token: String,
    /// The id to send as `X-User-Id`.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The logged-in user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub me: Option<User>,
}

impl fmt::Debug for LoginData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginData")
            .field("auth_token", &"[redacted]")
            .field("user_id", &self.user_id)
            .field("me", &self.me)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_with_at_sign_is_an_email() {
        let mut request = Request::username("x", "p");
        request.username = None;
        request.user = Some("a@b.c".into());
        assert_eq!(request.identity(), Some(Identity::Email("a@b.c")));
        request.user = Some("bob".into());
        assert_eq!(request.identity(), Some(Identity::Username("bob")));
    }

    #[test]
    fn debug_hides_secrets() {
        let request = Request::username("bob", "hunter2");
        assert!(!format!("{request:?}").contains("hunter2"));
        let data = LoginData {
            auth_token: "s3cret".into(),
            user_id: "u".into(),
            me: None,
        };
        assert!(!format!("{data:?}").contains("s3cret"));
    }
}
