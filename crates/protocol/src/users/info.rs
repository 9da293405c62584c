//! `GET /api/v1/users.info`
//!
//! Reads one user: the public fields of anyone, and every field of oneself (or of anyone, for a
//! caller with `view-full-other-user-info`).
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-users-info))
//!
//! The query names the user with exactly one of `userId`, `username` and `importId`. A client
//! builds it as a [`Request`]; a server reads whatever a client sent with [`Query::from_pairs`],
//! which answers Rocket.Chat's own errors.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{ApiError, Endpoint, ErrorBody, Metadata, Method, PlainError, user::User};

/// Method `GET`, path `/api/v1/users.info`, authenticated.
pub const METADATA: Metadata = Metadata::new("users.info", Method::Get, "/api/v1/users.info")
    .description("Read one user, by id, username or import id.");

/// How a `users.info` query names the user: one key, one value.
///
/// Serialised flattened into the query, as `userId=..`, `username=..` or `importId=..`. Both
/// `userId` and `username` match a user's id or username exactly (case included); `importId`
/// finds only users the caller may see in full.
///
/// Rocket.Chat 8.4 and 8.5 add `email` and `freeSwitchExtension` lookups, which Rocket.Chat 7.x
/// refuses and this version does not know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum UserLookup {
    /// By user id.
    #[serde(rename = "userId")]
    UserId(String),
    /// By username.
    #[serde(rename = "username")]
    Username(String),
    /// By the id the user had in the system they were imported from.
    #[serde(rename = "importId")]
    ImportId(String),
}

impl UserLookup {
    /// The query keys that name a user, in the order Rocket.Chat tries them.
    pub const KEYS: [&'static str; 3] = ["userId", "username", "importId"];

    /// The other query keys Rocket.Chat's schema allows beside the lookup.
    pub const OPTION_KEYS: [&'static str; 2] = ["includeUserRooms", "fields"];

    /// The query key: `userId`, `username` or `importId`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::UserId(_) => "userId",
            Self::Username(_) => "username",
            Self::ImportId(_) => "importId",
        }
    }

    /// The value looked up.
    pub fn value(&self) -> &str {
        match self {
            Self::UserId(value) | Self::Username(value) | Self::ImportId(value) => value,
        }
    }

    /// The lookup a `users.info` query string names, validated as Rocket.Chat 7.x validates it.
    ///
    /// `pairs` are the query's decoded keys and values, in order. The allowed keys are
    /// `userId`, `username`, `importId`, `includeUserRooms` and `fields`, and exactly one of the
    /// first three must be there, once. Otherwise the query fails Rocket.Chat's schema
    /// ([`InfoQueryError::Invalid`]), whose message lists, for each of the three lookups, why
    /// the query is not that one: `must have required property '<key>'` when the key is
    /// missing, else `must NOT have additional properties` when another key is there, else
    /// `must be string` when a key is repeated (Rocket.Chat's query parser makes a list of it).
    /// An empty value for the one lookup key is [`InfoQueryError::EmptyQuery`].
    ///
    /// ```
    /// use rocketchat_protocol::users::info::{InfoQueryError, Query, UserLookup};
    ///
    /// let lookup = Query::from_pairs([("username", "john.doe"), ("includeUserRooms", "true")]);
    /// assert_eq!(lookup, Ok(UserLookup::Username("john.doe".into())));
    ///
    /// let Err(InfoQueryError::Invalid(error)) = Query::from_pairs([("userId", "a"), ("username", "b")]) else {
    ///     panic!()
    /// };
    /// assert_eq!(
    ///     error.error,
    ///     "must NOT have additional properties\n must NOT have additional properties\n \
    ///      must have required property 'importId'\n must match a schema in anyOf [invalid-params]"
    /// );
    /// ```
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, InfoQueryError> {
        let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        let count = |key: &str| pairs.iter().filter(|(name, _)| *name == key).count();
        let mut reasons = Vec::with_capacity(Self::KEYS.len() + 1);
        for key in Self::KEYS {
            let allowed = |name: &str| name == key || Self::OPTION_KEYS.contains(&name);
            let reason = if count(key) == 0 {
                format!("must have required property '{key}'")
            } else if pairs.iter().any(|(name, _)| !allowed(name)) {
                "must NOT have additional properties".to_owned()
            } else if pairs.iter().any(|(name, _)| count(name) > 1) {
                "must be string".to_owned()
            } else {
                let value = pairs
                    .iter()
                    .find(|(name, _)| *name == key)
                    .map_or("", |(_, value)| *value);
                return Self::from_key(key, value);
            };
            reasons.push(reason);
        }
        reasons.push("must match a schema in anyOf".to_owned());
        Err(InfoQueryError::Invalid(ApiError::invalid_params(
            reasons.join("\n "),
        )))
    }

    fn from_key(key: &str, value: &str) -> Result<Self, InfoQueryError> {
        if value.is_empty() {
            return Err(InfoQueryError::EmptyQuery(
                PlainError::invalid_search_query(),
            ));
        }
        let value = value.to_owned();
        Ok(match key {
            "userId" => Self::UserId(value),
            "username" => Self::Username(value),
            _ => Self::ImportId(value),
        })
    }
}

/// A `users.info` query string as a server reads it: its one [`UserLookup`], through
/// [`Query::from_pairs`].
pub type Query = UserLookup;

/// Why a `users.info` query names no user. Both are answered with status 400
/// ([`InfoQueryError::STATUS`]).
#[derive(Clone, Debug, PartialEq)]
pub enum InfoQueryError {
    /// The keys do not fit Rocket.Chat's schema: none of the three lookup keys, two of them, an
    /// unknown key or a repeated one. The body is `invalid-params` with ajv's messages.
    Invalid(ApiError),
    /// The one lookup key is empty, as in `?userId=`:
    /// `{"success": false, "error": "Invalid search query."}`, without `errorType`.
    EmptyQuery(PlainError),
}

impl InfoQueryError {
    /// The HTTP status of either answer.
    pub const STATUS: u16 = 400;

    /// The body to answer with.
    pub fn into_body(self) -> ErrorBody {
        match self {
            Self::Invalid(error) => ErrorBody::Api(error),
            Self::EmptyQuery(error) => ErrorBody::Plain(error),
        }
    }
}

impl From<InfoQueryError> for crate::Error {
    fn from(error: InfoQueryError) -> Self {
        Self::new(InfoQueryError::STATUS, error.into_body())
    }
}

impl fmt::Display for InfoQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(error) => f.write_str(&error.error),
            Self::EmptyQuery(error) => f.write_str(&error.error),
        }
    }
}

impl std::error::Error for InfoQueryError {}

/// Whether a `users.info` query asks for the user's rooms: `includeUserRooms=true`, exactly.
///
/// Rocket.Chat then adds `rooms` to the user when the caller is that user or has
/// `view-other-user-channels`, and says nothing otherwise.
pub fn include_user_rooms<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    pairs
        .into_iter()
        .any(|(key, value)| key == "includeUserRooms" && value == "true")
}

/// A `users.info` query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "UsersInfoRequest"))]
#[non_exhaustive]
pub struct Request {
    /// The user.
    #[serde(flatten)]
    pub lookup: UserLookup,
    /// Whether to add the user's rooms to the answer (sent as `includeUserRooms=true`).
    #[serde(
        rename = "includeUserRooms",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub include_user_rooms: Option<bool>,
}

impl Request {
    /// A query for the user `lookup` names.
    pub fn new(lookup: UserLookup) -> Self {
        Self {
            lookup,
            include_user_rooms: None,
        }
    }

    /// Asks for the user's rooms too, which the server sends to the user themself and to
    /// callers with `view-other-user-channels`.
    #[must_use]
    pub fn include_user_rooms(mut self, include: bool) -> Self {
        self.include_user_rooms = Some(include);
        self
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer to `users.info`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "UsersInfoResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The user, with [`User::can_view_all_info`] saying whether every field is there.
    pub user: User,
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// A successful answer about `user`.
    pub fn new(user: User) -> Self {
        Self {
            user,
            success: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn invalid(pairs: &[(&str, &str)]) -> String {
        match Query::from_pairs(pairs.iter().copied()) {
            Err(InfoQueryError::Invalid(error)) => {
                assert_eq!(error.error_type, ErrorKind::InvalidParams);
                assert_eq!(error.details, None);
                error.error
            }
            other => panic!("{pairs:?}: {other:?}"),
        }
    }

    #[test]
    fn one_lookup_key_names_the_user() {
        assert_eq!(
            Query::from_pairs([("userId", "nSYqWzZ4GsKTX4dyK")]),
            Ok(UserLookup::UserId("nSYqWzZ4GsKTX4dyK".into()))
        );
        assert_eq!(
            Query::from_pairs([
                ("fields", "{}"),
                ("username", " Bob "),
                ("includeUserRooms", "x")
            ]),
            Ok(UserLookup::Username(" Bob ".into()))
        );
        assert_eq!(
            Query::from_pairs([("importId", "42")]),
            Ok(UserLookup::ImportId("42".into()))
        );
    }

    #[test]
    fn no_lookup_key_is_the_documented_error() {
        let documented = "must have required property 'userId'\n must have required property \
                          'username'\n must have required property 'importId'\n must match a \
                          schema in anyOf [invalid-params]";
        assert_eq!(invalid(&[]), documented);
        assert_eq!(invalid(&[("includeUserRooms", "true")]), documented);
        assert_eq!(invalid(&[("email", "a@b.c")]), documented);
    }

    #[test]
    fn two_lookup_keys_fail_every_branch() {
        assert_eq!(
            invalid(&[("username", "bob"), ("importId", "42")]),
            "must have required property 'userId'\n must NOT have additional properties\n \
             must NOT have additional properties\n must match a schema in anyOf [invalid-params]"
        );
    }

    #[test]
    fn an_unknown_key_beside_a_lookup_is_an_additional_property() {
        assert_eq!(
            invalid(&[("userId", "u1"), ("email", "a@b.c")]),
            "must NOT have additional properties\n must have required property 'username'\n \
             must have required property 'importId'\n must match a schema in anyOf \
             [invalid-params]"
        );
    }

    #[test]
    fn a_repeated_key_is_not_a_string() {
        assert_eq!(
            invalid(&[("userId", "u1"), ("userId", "u2")]),
            "must be string\n must have required property 'username'\n must have required \
             property 'importId'\n must match a schema in anyOf [invalid-params]"
        );
        assert_eq!(
            invalid(&[("importId", "1"), ("fields", "a"), ("fields", "b")]),
            "must have required property 'userId'\n must have required property 'username'\n \
             must be string\n must match a schema in anyOf [invalid-params]"
        );
    }

    #[test]
    fn an_empty_lookup_is_an_invalid_search_query() {
        for key in UserLookup::KEYS {
            assert_eq!(
                Query::from_pairs([(key, ""), ("includeUserRooms", "true")]),
                Err(InfoQueryError::EmptyQuery(
                    PlainError::invalid_search_query()
                ))
            );
        }
        let error = crate::Error::from(Query::from_pairs([("userId", "")]).unwrap_err());
        assert_eq!(error.status, 400);
        assert_eq!(
            serde_json::to_string(&error.body).unwrap(),
            r#"{"success":false,"error":"Invalid search query."}"#
        );
    }

    #[test]
    fn a_request_is_one_key_and_its_options() {
        let request = Request::new(UserLookup::Username("john.doe".into()));
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"username":"john.doe"}"#
        );
        let request = Request::new(UserLookup::ImportId("42".into())).include_user_rooms(true);
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"importId":"42","includeUserRooms":true}"#
        );
        let back: Request = serde_json::from_str(r#"{"userId":"u1"}"#).unwrap();
        assert_eq!(back.lookup, UserLookup::UserId("u1".into()));
        assert_eq!(back.lookup.key(), "userId");
        assert_eq!(back.lookup.value(), "u1");
    }

    #[test]
    fn include_user_rooms_means_the_text_true() {
        assert!(include_user_rooms([
            ("userId", "u"),
            ("includeUserRooms", "true")
        ]));
        assert!(!include_user_rooms([("includeUserRooms", "1")]));
        assert!(!include_user_rooms([("includeUserRooms", "True")]));
    }
}
