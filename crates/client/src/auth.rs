//! Credentials, and the secret strings inside them.

use std::fmt;

/// A string that must not leak: a password or an auth token.
///
/// Its `Debug` prints `[redacted]` and it has no `Display`; [`Secret::expose`] is the one way to
/// read it, so every place that does is easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Who the client acts as.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// An auth token and the id of its user, from an earlier login or a personal access token;
    /// sent as `X-Auth-Token` and `X-User-Id`.
    Token {
        /// The user's id, such as `aobEdbYhXfu5hkeqG`.
        user_id: String,
        /// The auth token.
        auth_token: Secret,
    },
    /// A username (or e-mail address) and password, exchanged for a token through
    /// `POST /api/v1/login` before the first call that needs one, and again if the server later
    /// answers 401.
    Password {
        /// The username, or an e-mail address.
        user: String,
        /// The password.
        password: Secret,
    },
}

impl Credentials {
    /// An existing auth token and its user's id.
    pub fn token(user_id: impl Into<String>, auth_token: impl Into<Secret>) -> Self {
        Self::Token {
            user_id: user_id.into(),
            auth_token: auth_token.into(),
        }
    }

    /// A username (or e-mail address) and password to log in with.
    pub fn password(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Password {
            user: user.into(),
            password: password.into(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let blank = |value: &str| value.trim().is_empty();
        match self {
            Self::Token {
                user_id,
                auth_token,
            } => {
                if blank(user_id) {
                    return Err("the user id is blank".to_owned());
                }
                if blank(auth_token.expose()) {
                    return Err("the auth token is blank".to_owned());
                }
            }
            Self::Password { user, password } => {
                if blank(user) {
                    return Err("the username is blank".to_owned());
                }
                if password.expose().is_empty() {
                    return Err("the password is empty".to_owned());
                }
            }
        }
        Ok(())
    }
}

/// A logged-in identity: the pair sent as `X-User-Id` and `X-Auth-Token`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The user's id.
    pub user_id: String,
    /// The auth token.
    pub auth_token: Secret,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let shown = format!(
            "{:?} {:?} {:?}",
            Credentials::token("u1", "t0ken-s3cret"),
            Credentials::password("bob", "hunter2"),
            Session {
                user_id: "u1".into(),
                auth_token: "t0ken-s3cret".into()
            }
        );
        assert!(
            !shown.contains("s3cret") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(shown.contains("u1") && shown.contains("bob"), "{shown}");
    }

    #[test]
    fn blank_credentials_are_refused() {
        assert!(Credentials::token(" ", "t").validate().is_err());
        assert!(Credentials::token("u", "").validate().is_err());
        assert!(Credentials::password("", "p").validate().is_err());
        assert!(Credentials::password("bob", "").validate().is_err());
        assert!(Credentials::password("bob", " ").validate().is_ok());
    }
}
