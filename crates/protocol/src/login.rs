//! `POST /api/v1/login`
//!
//! Exchanges a username (or e-mail address) and password for an auth token, or resumes a session
//! with a token from an earlier login.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/login-with-username-and-password))

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method, user::User};

/// Method `POST`, path `/api/v1/login`, open to everyone.
pub const METADATA: Metadata = Metadata::new("login", Method::Post, "/api/v1/login")
    .description("Exchange a username or e-mail address and a password for an auth token.")
    .authentication(false)
    .idempotent(true)
    .secret_in_response(true);

/// A login request: a password for a named account, or a token to resume.
///
/// Rocket.Chat hands a body with a `resume` key to Meteor's resume login, whatever else it
/// holds; any other body is a password login. Reading a body follows the same rule, so that an
/// error names the key at fault (`user: invalid type: ...`) instead of "no variant matched".
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
#[cfg_attr(feature = "schema", schemars(rename = "LoginRequest"))]
pub enum Request {
    /// `{user | username | email, password, code?}`
    Password(PasswordLogin),
    /// `{resume: token}`
    Resume(ResumeLogin),
}

impl Request {
    /// Logs in with a username, as the Python `rocketchat-API` package does.
    pub fn username(username: impl Into<String>, password: impl Into<Password>) -> Self {
        Self::Password(PasswordLogin {
            user: None,
            username: Some(username.into()),
            email: None,
            password: password.into(),
            code: None,
        })
    }

    /// Logs in with an e-mail address.
    pub fn email(email: impl Into<String>, password: impl Into<Password>) -> Self {
        Self::Password(PasswordLogin {
            user: None,
            username: None,
            email: Some(email.into()),
            password: password.into(),
            code: None,
        })
    }

    /// Resumes a session with a token that a login handed out: the answer carries the same
    /// token, the user it belongs to and `me`, or 401 once the token is no longer valid.
    pub fn resume(token: impl Into<String>) -> Self {
        Self::Resume(ResumeLogin {
            resume: token.into(),
        })
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;

        let mut body = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let resume = body.get("resume").is_some_and(|value| !value.is_null());
        if !resume {
            // `null` counts as absent.
            body.remove("resume");
        }
        let body = serde_json::Value::Object(body);
        // The inner error loses its place in the body; put the key path back in front of it.
        let located =
            |error: serde_path_to_error::Error<serde_json::Error>| match error.path().to_string() {
                path if path == "." => D::Error::custom(error.inner()),
                path => D::Error::custom(format!("{path}: {}", error.inner())),
            };
        if resume {
            serde_path_to_error::deserialize(body)
                .map(Self::Resume)
                .map_err(located)
        } else {
            serde_path_to_error::deserialize(body)
                .map(Self::Password)
                .map_err(located)
        }
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// A password login. Exactly one of `user`, `username` or `email` names the account.
///
/// Other keys are refused: Rocket.Chat hands such a body to Meteor unchanged, whose password
/// login then fails its argument check with a 500; we answer `invalid-params`, naming the key.
///
/// `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PasswordLogin {
    /// A username, or an e-mail address when it contains `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// An e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The password, in clear or as its SHA-256 digest.
    pub password: Password,
    /// A two-factor code, when the account has 2FA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl PasswordLogin {
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

impl fmt::Debug for PasswordLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordLogin")
            .field("user", &self.user)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password", &self.password)
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// A resume login: `{"resume": "<token>"}`, with a token from an earlier login.
///
/// `Debug` hides the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ResumeLogin {
    /// The auth token to resume.
    pub resume: String,
}

impl fmt::Debug for ResumeLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumeLogin")
            .field("resume", &"[redacted]")
            .finish()
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Password(login) => login.fmt(f),
            Self::Resume(login) => login.fmt(f),
        }
    }
}

/// The password of a login: in clear, or as the hex SHA-256 digest of it, the form Meteor
/// clients send so the password itself never leaves the machine. Rocket.Chat stores bcrypt over
/// that digest, so a server checks all three forms against the same hash.
///
/// `Debug` hides the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Password {
    /// The password itself (send it over TLS).
    Plain(String),
    /// `{"digest": "<sha-256 hex>", "algorithm": "sha-256"}`, as Meteor's own login sends it.
    Digest {
        /// The hex SHA-256 digest of the password.
        digest: String,
        /// The digest's algorithm; Rocket.Chat knows only `sha-256`.
        algorithm: String,
    },
    /// `{"hashed": "<sha-256 hex>"}`, Rocket.Chat's REST shorthand for the same digest.
    Hashed {
        /// The hex SHA-256 digest of the password.
        hashed: String,
    },
}

impl Password {
    /// The only digest algorithm Rocket.Chat accepts.
    pub const SHA256: &'static str = "sha-256";

    /// The lower-case hex SHA-256 digest of the password: the one the client sent, or
    /// `sha256_hex` applied to the password in clear. This crate computes no hashes itself.
    ///
    /// Fails with `invalid-params` for a digest of another algorithm.
    pub fn sha256_hex(
        &self,
        sha256_hex: impl FnOnce(&str) -> String,
    ) -> Result<String, crate::ApiError> {
        match self {
            Self::Plain(clear) => Ok(sha256_hex(clear)),
            Self::Hashed { hashed: digest } => Ok(digest.to_ascii_lowercase()),
            Self::Digest { digest, algorithm } if algorithm == Self::SHA256 => {
                Ok(digest.to_ascii_lowercase())
            }
            Self::Digest { algorithm, .. } => Err(crate::ApiError::invalid_params(format!(
                "password.algorithm: unsupported password algorithm {algorithm:?}, expected \"sha-256\""
            ))),
        }
    }
}

impl From<String> for Password {
    fn from(password: String) -> Self {
        Self::Plain(password)
    }
}

impl From<&str> for Password {
    fn from(password: &str) -> Self {
        Self::Plain(password.to_owned())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plain(_) => "Plain([redacted])",
            Self::Digest { .. } => "Digest([redacted])",
            Self::Hashed { .. } => "Hashed([redacted])",
        })
    }
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "LoginResponse"))]
#[non_exhaustive]
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
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
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

impl Response {
    /// A successful login, as modern servers answer it (`success: true`).
    pub fn new(data: LoginData) -> Self {
        Self {
            status: "success".to_owned(),
            data,
            success: Some(true),
        }
    }
}

impl LoginData {
    /// The token to send as `X-Auth-Token` and the id to send as `X-User-Id`.
    pub fn new(auth_token: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            auth_token: auth_token.into(),
            user_id: user_id.into(),
            me: None,
        }
    }

    /// Adds the logged-in user.
    #[must_use]
    pub fn with_me(mut self, me: User) -> Self {
        self.me = Some(me);
        self
    }
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
        let Request::Password(mut request) = Request::username("x", "p") else {
            unreachable!()
        };
        request.username = None;
        request.user = Some("a@b.c".into());
        assert_eq!(request.identity(), Some(Identity::Email("a@b.c")));
        request.user = Some("bob".into());
        assert_eq!(request.identity(), Some(Identity::Username("bob")));
    }

    #[test]
    fn a_resume_key_makes_a_resume_login_whatever_else_the_body_holds() {
        let read = |body: &str| serde_json::from_str::<Request>(body);
        assert_eq!(read(r#"{"resume":"tok"}"#).unwrap(), Request::resume("tok"));
        assert_eq!(
            read(r#"{"user":"bob","password":"p","resume":"tok"}"#).unwrap(),
            Request::resume("tok")
        );
        // `null` counts as absent, as everywhere in this crate.
        assert_eq!(
            read(r#"{"username":"bob","password":"p","resume":null}"#).unwrap(),
            Request::username("bob", "p")
        );
        let error = read(r#"{"resume":5}"#).unwrap_err().to_string();
        assert!(
            error.starts_with("resume: invalid type: integer `5`, expected a string"),
            "{error}"
        );
        let error = read(r#"{"user":5,"password":"p"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("user: invalid type: integer `5`"),
            "{error}"
        );
        let error = read(r#"{"user":"bob"}"#).unwrap_err().to_string();
        assert!(error.starts_with("missing field `password`"), "{error}");
        let error = read(r#"{"user":"bob","password":"p","ldap":true}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("ldap: unknown field `ldap`, expected one of"),
            "{error}"
        );
        // A resume login looks at nothing else, as Meteor's resume handler.
        assert_eq!(
            read(r#"{"resume":"tok","ldap":true}"#).unwrap(),
            Request::resume("tok")
        );
    }

    #[test]
    fn password_reads_in_clear_as_a_digest_and_hashed() {
        let read = |body: &str| match serde_json::from_str::<Request>(body).unwrap() {
            Request::Password(login) => login.password,
            Request::Resume(_) => panic!("not a password login"),
        };
        let fake_sha256 = |clear: &str| format!("sha256({clear})");
        let clear = read(r#"{"username":"a","password":"p"}"#);
        assert_eq!(clear, Password::from("p"));
        assert_eq!(clear.sha256_hex(fake_sha256).unwrap(), "sha256(p)");
        let digest = read(r#"{"username":"a","password":{"digest":"ABC","algorithm":"sha-256"}}"#);
        assert_eq!(digest.sha256_hex(fake_sha256).unwrap(), "abc");
        let hashed = read(r#"{"username":"a","password":{"hashed":"abc"}}"#);
        assert_eq!(hashed.sha256_hex(fake_sha256).unwrap(), "abc");
        let md5 = read(r#"{"username":"a","password":{"digest":"abc","algorithm":"md5"}}"#);
        let error = md5.sha256_hex(fake_sha256).unwrap_err();
        assert_eq!(error.error_type, crate::ErrorKind::InvalidParams);
    }

    #[test]
    fn debug_hides_secrets() {
        let request = Request::username("bob", "hunter2");
        assert!(!format!("{request:?}").contains("hunter2"));
        let resume = Request::resume("t0ken");
        assert!(!format!("{resume:?}").contains("t0ken"));
        let hashed = Password::Hashed {
            hashed: "deadbeef".into(),
        };
        assert!(!format!("{hashed:?}").contains("deadbeef"));
        let data = LoginData {
            auth_token: "s3cret".into(),
            user_id: "u".into(),
            me: None,
        };
        assert!(!format!("{data:?}").contains("s3cret"));
    }
}
