//! The `groups.*` endpoints: private groups, and the room and user selectors they share.
//!
//! Several `POST` routes take nothing but a group, or a group and one user: `groups.kick`,
//! `groups.leave`, `groups.delete` and the room-role routes. A client builds their typed
//! `Request`s from a [`RoomSelector`] and a [`UserSelector`]; a server reads their bodies with
//! Rocket.Chat's leniency as a [`RoomRawRequest`] or a [`MemberRawRequest`].

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// Defines an endpoint module's `Request` for a `POST` whose body names a group and one user,
/// `{"roomId" | "roomName": .., "userId" | "username": ..}`: the struct with its constructor,
/// its [`Endpoint`](crate::Endpoint) impl (tying it to the module's `METADATA` and `Response`),
/// and its conversion into the [`MemberRawRequest`] a server reads.
///
/// Takes the struct's doc comment and its schema name.
macro_rules! member_request {
    ($(#[$doc:meta])* schema = $schema_name:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(::schemars::JsonSchema))]
        #[cfg_attr(feature = "schema", schemars(rename = $schema_name))]
        #[non_exhaustive]
        pub struct Request {
            /// The group.
            #[serde(flatten)]
            pub room: $crate::groups::RoomSelector,
            /// The user, by id or by username.
            #[serde(flatten)]
            pub user: $crate::groups::UserSelector,
        }

        impl Request {
            /// The request about `user` in `room`.
            pub fn new(
                room: $crate::groups::RoomSelector,
                user: $crate::groups::UserSelector,
            ) -> Self {
                Self { room, user }
            }
        }

        impl $crate::Endpoint for Request {
            type Response = Response;
            const METADATA: $crate::Metadata = METADATA;
        }

        impl From<Request> for $crate::groups::MemberRawRequest {
            fn from(request: Request) -> Self {
                Self::new(request.room, request.user)
            }
        }
    };
}

/// Defines an endpoint module's `Request` for a `GET` of a page of groups,
/// `?offset=..&count=..&sort=..` (`groups.list`, `groups.listAll`): the struct with its
/// builder and its [`Endpoint`](crate::Endpoint) impl. The module has `METADATA`, `Response`,
/// `DEFAULT_COUNT` and `MAX_COUNT`.
///
/// Takes the struct's doc comment and its schema name.
macro_rules! group_list_request {
    ($(#[$doc:meta])* schema = $schema_name:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(::schemars::JsonSchema))]
        #[cfg_attr(feature = "schema", schemars(rename = $schema_name))]
        #[non_exhaustive]
        pub struct Request {
            /// How many groups to skip.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub offset: Option<u64>,
            /// How many groups to return: [`DEFAULT_COUNT`] by default, at most [`MAX_COUNT`].
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub count: Option<u64>,
            /// The order, as the text of a JSON object such as `{"name":1}` (the default) or
            /// `{"ts":-1}`; see [`Sort`](crate::query::Sort).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub sort: Option<String>,
        }

        impl Request {
            /// The first page, in the server's default order.
            pub fn new() -> Self {
                Self::default()
            }

            /// Skips the first `offset` groups.
            #[must_use]
            pub fn offset(mut self, offset: u64) -> Self {
                self.offset = Some(offset);
                self
            }

            /// Asks for at most `count` groups (the server caps it at [`MAX_COUNT`]; `0` asks
            /// for all of them where the server allows it).
            #[must_use]
            pub fn count(mut self, count: u64) -> Self {
                self.count = Some(count);
                self
            }

            /// Sorts by `sort`: the text of a JSON object, or a [`Sort`](crate::query::Sort)'s
            /// `to_string()`.
            #[must_use]
            pub fn sort(mut self, sort: impl Into<String>) -> Self {
                self.sort = Some(sort.into());
                self
            }
        }

        impl $crate::Endpoint for Request {
            type Response = Response;
            const METADATA: $crate::Metadata = METADATA;
        }
    };
}

/// Defines an endpoint module's `Request` for a `POST` whose body names only a group,
/// `{"roomId" | "roomName": ..}`, as [`member_request!`] does for a group and a user; a server
/// reads such a body as a [`RoomRawRequest`].
macro_rules! room_request {
    ($(#[$doc:meta])* schema = $schema_name:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(::schemars::JsonSchema))]
        #[cfg_attr(feature = "schema", schemars(rename = $schema_name))]
        #[non_exhaustive]
        pub struct Request {
            /// The group.
            #[serde(flatten)]
            pub room: $crate::groups::RoomSelector,
        }

        impl Request {
            /// The request about `room`.
            pub fn new(room: $crate::groups::RoomSelector) -> Self {
                Self { room }
            }
        }

        impl $crate::Endpoint for Request {
            type Response = Response;
            const METADATA: $crate::Metadata = METADATA;
        }

        impl From<Request> for $crate::groups::RoomRawRequest {
            fn from(request: Request) -> Self {
                Self::new(request.room)
            }
        }
    };
}

pub mod add_moderator;
pub mod add_owner;
pub mod create;
pub mod delete;
pub mod history;
pub mod info;
pub mod invite;
pub mod kick;
pub mod leave;
pub mod list;
pub mod list_all;
pub mod members;
pub mod remove_moderator;
pub mod remove_owner;
pub mod roles;

/// Which group a call is about: by id or by name, never both.
///
/// Serialised flattened into its request, as `{"roomId": ..}` or `{"roomName": ..}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum RoomSelector {
    /// The group's id.
    Id {
        /// The group's id, such as `ByehQjC44FwMeiLbX`.
        #[serde(rename = "roomId")]
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        room_id: String,
    },
    /// The group's unique name.
    Name {
        /// The group's name, such as `private-abc`.
        #[serde(rename = "roomName")]
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        room_name: String,
    },
}

impl RoomSelector {
    /// The group with this id.
    pub fn id(room_id: impl Into<String>) -> Self {
        Self::Id {
            room_id: room_id.into(),
        }
    }

    /// The group with this name.
    pub fn name(room_name: impl Into<String>) -> Self {
        Self::Name {
            room_name: room_name.into(),
        }
    }

    /// The id or name, whichever this is.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id { room_id } => room_id,
            Self::Name { room_name } => room_name,
        }
    }

    /// Refuses a blank id or name with `error-room-param-not-provided`, as Rocket.Chat would.
    pub fn validate(&self) -> Result<(), ApiError> {
        if is_blank(self.as_str()) {
            return Err(ApiError::room_param_not_provided());
        }
        Ok(())
    }
}

/// Which user a call is about: by id or by username, never both.
///
/// Serialised flattened into its request, as `{"userId": ..}` or `{"username": ..}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum UserSelector {
    /// The user's id, matched exactly.
    Id {
        /// The user's id, such as `nSYqWzZ4GsKTX4dyK`.
        #[serde(rename = "userId")]
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        user_id: String,
    },
    /// The user's username, matched ignoring case.
    Username {
        /// The username, such as `john.doe`.
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        username: String,
    },
}

impl UserSelector {
    /// The user with this id.
    pub fn id(user_id: impl Into<String>) -> Self {
        Self::Id {
            user_id: user_id.into(),
        }
    }

    /// The user with this username.
    pub fn username(username: impl Into<String>) -> Self {
        Self::Username {
            username: username.into(),
        }
    }

    /// The id or username, whichever this is.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id { user_id } => user_id,
            Self::Username { username } => username,
        }
    }

    /// Refuses a blank id or username with `error-user-param-not-provided`, as Rocket.Chat would.
    pub fn validate(&self) -> Result<(), ApiError> {
        if is_blank(self.as_str()) {
            return Err(ApiError::user_param_not_provided());
        }
        Ok(())
    }
}

/// A body that names a group and one user, exactly as a client sent it, read with Rocket.Chat's
/// leniency: every key optional, `null` as absent, unknown keys ignored.
///
/// This is what a server reads for `groups.kick`, `groups.addModerator`,
/// `groups.removeModerator`, `groups.addOwner` and `groups.removeOwner`. [`MemberRawRequest::room`]
/// and [`MemberRawRequest::user`] apply Rocket.Chat's rules and answer its errors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemberRawRequest {
    /// The group's id; when the key is present it alone decides.
    #[serde(rename = "roomId", default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// The group's name, used when `roomId` is absent.
    #[serde(rename = "roomName", default, skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
    /// The user's id; wins over the other two keys when it is not blank.
    #[serde(rename = "userId", default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's username, used when `userId` is missing or blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A username under Rocket.Chat's legacy key, used when both others are missing or blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl MemberRawRequest {
    /// The body a client sends for `user` in `room`.
    pub fn new(room: RoomSelector, user: UserSelector) -> Self {
        let RoomQuery { room_id, room_name } = room.into();
        let (user_id, username) = match user {
            UserSelector::Id { user_id } => (Some(user_id), None),
            UserSelector::Username { username } => (None, Some(username)),
        };
        Self {
            room_id,
            room_name,
            user_id,
            username,
            user: None,
        }
    }

    /// Parses a request body, refusing malformed JSON, non-objects and wrong types with
    /// `invalid-params`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ApiError> {
        crate::json::from_object_slice(bytes)
    }

    /// The group, by Rocket.Chat's `findPrivateGroupByIdOrName` rules ([`RoomQuery::resolve`]).
    pub fn room(&self) -> Result<RoomSelector, ApiError> {
        RoomQuery::new(self.room_id.clone(), self.room_name.clone()).resolve()
    }

    /// The user, by Rocket.Chat's `getUserFromParams` rules: `userId` if it is not blank, else
    /// `username`, else `user` (a username too), each trimmed as JavaScript trims.
    ///
    /// Fails with `error-user-param-not-provided` when all three are missing or blank.
    /// Rocket.Chat checks the trimmed value but looks up the value as sent, so that a padded id
    /// matches nobody there; here the trimmed value is the one to look up.
    pub fn user(&self) -> Result<UserSelector, ApiError> {
        if let Some(user_id) = non_blank(&self.user_id) {
            return Ok(UserSelector::id(user_id));
        }
        non_blank(&self.username)
            .or_else(|| non_blank(&self.user))
            .map(UserSelector::username)
            .ok_or_else(ApiError::user_param_not_provided)
    }

    /// The `userId` alone, trimmed; `error-user-param-not-provided` when it is missing or blank.
    ///
    /// For routes that take only an id; [`MemberRawRequest::user`] also reads `username` and
    /// `user`, as Rocket.Chat does.
    pub fn user_id(&self) -> Result<&str, ApiError> {
        non_blank(&self.user_id).ok_or_else(ApiError::user_param_not_provided)
    }
}

impl From<(RoomSelector, UserSelector)> for MemberRawRequest {
    fn from((room, user): (RoomSelector, UserSelector)) -> Self {
        Self::new(room, user)
    }
}

/// A body that names only a group, exactly as a client sent it, read with Rocket.Chat's
/// leniency: every key optional, `null` as absent, unknown keys ignored.
///
/// This is what a server reads for `groups.leave` and `groups.delete`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomRawRequest {
    /// The group's id; when the key is present it alone decides.
    #[serde(rename = "roomId", default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// The group's name, used when `roomId` is absent.
    #[serde(rename = "roomName", default, skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
}

impl RoomRawRequest {
    /// The body a client sends for `room`.
    pub fn new(room: RoomSelector) -> Self {
        let RoomQuery { room_id, room_name } = room.into();
        Self { room_id, room_name }
    }

    /// Parses a request body, refusing malformed JSON, non-objects and wrong types with
    /// `invalid-params`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ApiError> {
        crate::json::from_object_slice(bytes)
    }

    /// The group, by Rocket.Chat's `findPrivateGroupByIdOrName` rules ([`RoomQuery::resolve`]).
    pub fn room(&self) -> Result<RoomSelector, ApiError> {
        RoomQuery::new(self.room_id.clone(), self.room_name.clone()).resolve()
    }
}

impl From<RoomSelector> for RoomRawRequest {
    fn from(room: RoomSelector) -> Self {
        Self::new(room)
    }
}

/// The room parameters of a `GET groups.*` query string, as a client sent them.
///
/// Rocket.Chat's `findPrivateGroupByIdOrName` rules apply: when the `roomId` key is present it
/// alone decides (an empty `roomId` matches nothing, even beside a valid `roomName`); otherwise
/// `roomName` does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct RoomQuery {
    /// The `roomId` parameter, if the key was present.
    #[serde(rename = "roomId", default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// The `roomName` parameter, if the key was present.
    #[serde(rename = "roomName", default, skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
}

impl RoomQuery {
    /// The parameters as given: `None` for a key that was absent.
    pub fn new(room_id: Option<String>, room_name: Option<String>) -> Self {
        Self { room_id, room_name }
    }

    /// Resolves the parameters into what to look up.
    ///
    /// Fails with `error-room-param-not-provided` when neither key is present, or when both are
    /// present and empty.
    pub fn resolve(&self) -> Result<RoomSelector, ApiError> {
        match (&self.room_id, &self.room_name) {
            (None, None) => Err(ApiError::room_param_not_provided()),
            (Some(id), Some(name)) if id.is_empty() && name.is_empty() => {
                Err(ApiError::room_param_not_provided())
            }
            (Some(id), _) => Ok(RoomSelector::id(id.clone())),
            (None, Some(name)) => Ok(RoomSelector::name(name.clone())),
        }
    }
}

impl From<RoomSelector> for RoomQuery {
    fn from(selector: RoomSelector) -> Self {
        match selector {
            RoomSelector::Id { room_id } => Self {
                room_id: Some(room_id),
                room_name: None,
            },
            RoomSelector::Name { room_name } => Self {
                room_id: None,
                room_name: Some(room_name),
            },
        }
    }
}

/// Whether `text` is empty once trimmed as JavaScript's `String.prototype.trim` trims, which is
/// what Rocket.Chat's `?.trim()` checks do: Unicode spaces and line ends, and U+FEFF, but not
/// U+0085 (which Rust's `trim` removes).
pub(crate) fn is_blank(text: &str) -> bool {
    js_trim(text).is_empty()
}

/// `text` trimmed as JavaScript's `String.prototype.trim` trims (see [`is_blank`]).
pub(crate) fn js_trim(text: &str) -> &str {
    text.trim_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

/// The value trimmed as JavaScript trims, if it is present and not blank.
fn non_blank(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(js_trim)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn query(room_id: Option<&str>, room_name: Option<&str>) -> RoomQuery {
        RoomQuery {
            room_id: room_id.map(Into::into),
            room_name: room_name.map(Into::into),
        }
    }

    #[test]
    fn present_room_id_key_decides_even_when_empty() {
        assert_eq!(
            query(Some(""), Some("general")).resolve().unwrap(),
            RoomSelector::id("")
        );
        assert_eq!(
            query(Some("abc"), Some("x")).resolve().unwrap(),
            RoomSelector::id("abc")
        );
        assert_eq!(
            query(None, Some("x")).resolve().unwrap(),
            RoomSelector::name("x")
        );
    }

    #[test]
    fn no_room_key_is_refused() {
        for q in [query(None, None), query(Some(""), Some(""))] {
            assert_eq!(
                q.resolve().unwrap_err().error_type,
                ErrorKind::RoomParamNotProvided
            );
        }
    }

    #[test]
    fn blank_selector_is_invalid() {
        assert!(RoomSelector::name("  ").validate().is_err());
        assert!(RoomSelector::id("abc").validate().is_ok());
    }

    fn member(body: &str) -> MemberRawRequest {
        MemberRawRequest::from_json(body.as_bytes()).unwrap()
    }

    #[test]
    fn the_user_is_user_id_then_username_then_user() {
        let all = member(r#"{"userId": "u1", "username": "bob", "user": "ann"}"#);
        assert_eq!(all.user().unwrap(), UserSelector::id("u1"));
        let no_id = member(r#"{"userId": " ", "username": "bob", "user": "ann"}"#);
        assert_eq!(no_id.user().unwrap(), UserSelector::username("bob"));
        let legacy = member(r#"{"userId": null, "username": "", "user": "ann"}"#);
        assert_eq!(legacy.user().unwrap(), UserSelector::username("ann"));
    }

    #[test]
    fn the_user_is_trimmed_as_javascript_trims() {
        let body = member(r#"{"userId": "\u00a0u1\t"}"#);
        assert_eq!(body.user().unwrap(), UserSelector::id("u1"));
        assert_eq!(body.user_id().unwrap(), "u1");
        let body = member(r#"{"username": " bob\ufeff"}"#);
        assert_eq!(body.user().unwrap(), UserSelector::username("bob"));
        let body = member(r#"{"user": "\u0085"}"#);
        assert_eq!(body.user().unwrap(), UserSelector::username("\u{85}"));
    }

    #[test]
    fn no_user_is_refused() {
        for body in [
            "{}",
            r#"{"userId": null, "username": null, "user": null}"#,
            r#"{"userId": "", "username": " ", "user": "\n"}"#,
            r#"{"userIds": ["u1"], "usernames": ["bob"]}"#,
        ] {
            let error = member(body).user().unwrap_err();
            assert_eq!(error, ApiError::user_param_not_provided(), "{body}");
        }
        // `user_id` reads the id alone.
        let error = member(r#"{"username": "bob"}"#).user_id().unwrap_err();
        assert_eq!(error.error_type, ErrorKind::UserParamNotProvided);
    }

    #[test]
    fn member_bodies_choose_the_room_as_queries_do() {
        let body = member(r#"{"roomId": "", "roomName": "team", "username": "bob"}"#);
        assert_eq!(body.room().unwrap(), RoomSelector::id(""));
        let body = member(r#"{"roomId": null, "roomName": "team", "username": "bob"}"#);
        assert_eq!(body.room().unwrap(), RoomSelector::name("team"));
        assert_eq!(
            member(r#"{"username": "bob"}"#).room().unwrap_err(),
            ApiError::room_param_not_provided()
        );
    }

    #[test]
    fn a_typed_member_request_reads_back_the_same() {
        for (room, user) in [
            (RoomSelector::id("r1"), UserSelector::id("u1")),
            (RoomSelector::name("team"), UserSelector::username("bob")),
        ] {
            let raw = MemberRawRequest::from((room.clone(), user.clone()));
            assert_eq!(raw.room().unwrap(), room);
            assert_eq!(raw.user().unwrap(), user);
        }
    }

    #[test]
    fn room_bodies_are_lenient_and_follow_the_query_rules() {
        let read = |body: &str| RoomRawRequest::from_json(body.as_bytes()).unwrap();
        let body = read(r#"{"roomName": "team", "unknown": [1], "userId": 5}"#);
        assert_eq!(body.room().unwrap(), RoomSelector::name("team"));
        assert_eq!(
            read(r#"{"roomId": "r1", "roomName": "team"}"#)
                .room()
                .unwrap(),
            RoomSelector::id("r1")
        );
        for body in [
            "{}",
            r#"{"roomId": null}"#,
            r#"{"roomId": "", "roomName": ""}"#,
        ] {
            assert_eq!(
                read(body).room().unwrap_err(),
                ApiError::room_param_not_provided()
            );
        }
        let wrong_type = RoomRawRequest::from_json(br#"{"roomId": 5}"#).unwrap_err();
        assert_eq!(wrong_type.error_type, ErrorKind::InvalidParams);
        let raw = RoomRawRequest::from(RoomSelector::name("team"));
        assert_eq!(raw.room().unwrap(), RoomSelector::name("team"));
    }

    #[test]
    fn member_and_room_requests_send_their_selectors() {
        let room = || RoomSelector::name("team");
        let user = || UserSelector::username("bob");
        let member_bodies = [
            serde_json::to_value(kick::Request::new(room(), user())),
            serde_json::to_value(remove_moderator::Request::new(room(), user())),
            serde_json::to_value(add_owner::Request::new(room(), user())),
            serde_json::to_value(remove_owner::Request::new(room(), user())),
        ];
        for body in member_bodies {
            assert_eq!(
                body.unwrap(),
                serde_json::json!({ "roomName": "team", "username": "bob" })
            );
        }
        for body in [
            serde_json::to_value(leave::Request::new(room())),
            serde_json::to_value(delete::Request::new(room())),
        ] {
            assert_eq!(body.unwrap(), serde_json::json!({ "roomName": "team" }));
        }
        let raw = MemberRawRequest::from(kick::Request::new(room(), user()));
        assert_eq!((raw.room().unwrap(), raw.user().unwrap()), (room(), user()));
        let raw = RoomRawRequest::from(delete::Request::new(room()));
        assert_eq!(raw.room().unwrap(), room());
        let read: remove_owner::Request =
            serde_json::from_str(r#"{"roomId": "r1", "userId": "u1"}"#).unwrap();
        assert_eq!(
            read,
            remove_owner::Request::new(RoomSelector::id("r1"), UserSelector::id("u1"))
        );
    }

    #[test]
    fn user_selectors_serialise_under_their_keys() {
        assert_eq!(
            serde_json::to_string(&UserSelector::id("u1")).unwrap(),
            r#"{"userId":"u1"}"#
        );
        assert_eq!(
            serde_json::to_string(&UserSelector::username("bob")).unwrap(),
            r#"{"username":"bob"}"#
        );
        assert!(UserSelector::username(" ").validate().is_err());
        assert_eq!(UserSelector::id("u1").as_str(), "u1");
    }

    #[test]
    fn blank_means_what_javascript_trims() {
        for blank in ["", " ", "\t\n\r", "\u{a0}\u{2028}\u{3000}", "\u{feff}"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["a", " a ", "\u{85}", "\u{200b}"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }
}
