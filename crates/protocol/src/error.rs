//! Rocket.Chat's error bodies, with the HTTP status that carried them.
//!
//! Rocket.Chat answers errors in a few shapes, all kept here:
//!
//! * the standard 400 body, `{"success": false, "error": "<reason> [<errorType>]", "errorType": ..,
//!   "details"?: {..}}`: [`ApiError`];
//! * the 401 body, old `{"status", "message"}` or modern four-key form: [`UnauthorizedError`];
//! * bodies with only `success` and `error`, such as the 429, 403, 404 and 500 ones and a few 400
//!   ones: [`PlainError`];
//! * anything else, JSON or not, kept verbatim so a caller can see what the server sent.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::string_enum::string_enum;

/// An error answer: the HTTP status and the body that came with it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Error {
    /// The HTTP status code, such as 400 or 401.
    pub status: u16,
    /// The body, in whichever shape the server used.
    pub body: ErrorBody,
}

impl Error {
    /// An error answer with this status and body.
    pub fn new(status: u16, body: ErrorBody) -> Self {
        Self { status, body }
    }

    /// Reads an error answer from its status and raw body bytes.
    ///
    /// Never fails: a body that is not JSON becomes [`ErrorBody::NotJson`], and JSON of an
    /// unknown shape becomes [`ErrorBody::Json`].
    pub fn from_http(status: u16, body: &[u8]) -> Self {
        Self {
            status,
            body: ErrorBody::from_slice(body),
        }
    }

    /// The `errorType`, if the body carried one.
    pub fn kind(&self) -> Option<&ErrorKind> {
        match &self.body {
            ErrorBody::Api(error) => Some(&error.error_type),
            _ => None,
        }
    }

    /// The human-readable message, whichever shape the body had.
    pub fn message(&self) -> &str {
        self.body.message()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            Some(kind) => write!(f, "{} {kind}: {}", self.status, self.message()),
            None => write!(f, "{}: {}", self.status, self.message()),
        }
    }
}

impl std::error::Error for Error {}

/// The body of an error answer, in each shape Rocket.Chat uses.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", serde(untagged))]
#[non_exhaustive]
pub enum ErrorBody {
    /// The standard body with an `errorType`, used for 400 answers.
    Api(ApiError),
    /// The 401 body, in its old or modern form.
    Unauthorized(UnauthorizedError),
    /// A body with only `success` and `error`, such as the 429 one.
    Plain(PlainError),
    /// JSON of another shape, kept as it was.
    Json(Value),
    /// A body that is not JSON at all, kept as text (lossily, if it was not UTF-8).
    NotJson(String),
}

impl ErrorBody {
    /// Reads a body, choosing the most specific shape that fits.
    pub fn from_slice(bytes: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => Self::from_value(value),
            Err(_) => Self::NotJson(String::from_utf8_lossy(bytes).into_owned()),
        }
    }

    /// Reads a parsed JSON value, choosing the most specific shape that fits.
    pub fn from_value(value: Value) -> Self {
        let has = |key: &str| value.get(key).is_some();
        let shape = if has("errorType") {
            ApiError::deserialize(&value).map(Self::Api).ok()
        } else if has("status") && has("message") {
            UnauthorizedError::deserialize(&value)
                .map(Self::Unauthorized)
                .ok()
        } else if has("error") {
            PlainError::deserialize(&value).map(Self::Plain).ok()
        } else {
            None
        };
        if let Some(body) = shape {
            return body;
        }
        Self::Json(value)
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            Self::Api(error) => &error.error,
            Self::Unauthorized(error) => &error.message,
            Self::Plain(error) => &error.error,
            Self::Json(value) => value
                .get("error")
                .or_else(|| value.get("message"))
                .and_then(Value::as_str)
                .unwrap_or("unrecognised error body"),
            Self::NotJson(text) => text,
        }
    }
}

impl Serialize for ErrorBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Api(error) => error.serialize(serializer),
            Self::Unauthorized(error) => error.serialize(serializer),
            Self::Plain(error) => error.serialize(serializer),
            Self::Json(value) => value.serialize(serializer),
            Self::NotJson(text) => text.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ErrorBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from_value)
    }
}

/// The standard error body: `{"success": false, "error": .., "errorType": .., "details"?: ..}`.
///
/// `error` is Rocket.Chat's `"<reason> [<errorType>]"`; the constructors below build it so.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ApiError {
    /// Always `false`.
    pub success: bool,
    /// The message, `"<reason> [<errorType>]"`.
    pub error: String,
    /// The machine-readable error code.
    #[serde(rename = "errorType")]
    pub error_type: ErrorKind,
    /// Extra facts, such as `{"method": "addUsersToRoom"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Map<String, Value>>,
}

impl ApiError {
    /// An error of `kind` whose message is `"<reason> [<errorType>]"`, as Rocket.Chat writes it.
    pub fn new(kind: ErrorKind, reason: impl fmt::Display) -> Self {
        Self {
            success: false,
            error: format!("{reason} [{kind}]"),
            error_type: kind,
            details: None,
        }
    }

    /// Adds `details.method`, as Rocket.Chat's method errors carry.
    #[must_use]
    pub fn with_method(mut self, method: &str) -> Self {
        self.details
            .get_or_insert_with(Map::new)
            .insert("method".to_owned(), Value::String(method.to_owned()));
        self
    }

    /// The HTTP status Rocket.Chat sends this body with: always 400.
    pub const STATUS: u16 = 400;

    /// `error-room-param-not-provided`: neither `roomId` nor `roomName` was given.
    pub fn room_param_not_provided() -> Self {
        Self::new(
            ErrorKind::RoomParamNotProvided,
            r#"The parameter "roomId" or "roomName" is required"#,
        )
    }

    /// `error-room-not-found`: no private group matches, or the caller may not know it exists.
    pub fn room_not_found() -> Self {
        Self::new(
            ErrorKind::RoomNotFound,
            r#"The required "roomId" or "roomName" param provided does not match any group"#,
        )
    }

    /// `error-users-params-not-provided`: no user was named.
    pub fn users_params_not_provided() -> Self {
        Self::new(
            ErrorKind::UsersParamsNotProvided,
            r#"Please provide "userId" or "username" or "userIds" or "usernames" as param"#,
        )
    }

    /// `error-user-param-not-provided`: a single-user route was given no `userId` or
    /// `username`.
    pub fn user_param_not_provided() -> Self {
        Self::new(
            ErrorKind::UserParamNotProvided,
            r#"The required "userId" or "username" param was not provided"#,
        )
    }

    /// `error-invalid-user`: the user a single-user route names does not exist.
    pub fn invalid_user() -> Self {
        Self::new(
            ErrorKind::InvalidUser,
            r#"The required "userId" or "username" param provided does not match any users"#,
        )
    }

    /// `error-empty-invite-list`: none of the named users exists.
    pub fn empty_invite_list() -> Self {
        Self::new(
            ErrorKind::EmptyInviteList,
            "Cannot invite if no valid users are provided",
        )
    }

    /// `error-not-allowed` with `details.method`, the permission error of a Rocket.Chat method.
    pub fn not_allowed(method: &str) -> Self {
        Self::new(ErrorKind::NotAllowed, "Not allowed").with_method(method)
    }

    /// `invalid-params`: the body is malformed or a value has the wrong JSON type.
    pub fn invalid_params(reason: impl fmt::Display) -> Self {
        Self::new(ErrorKind::InvalidParams, reason)
    }

    /// `error-invalid-sort`: the `sort` parameter is not a JSON object whose values are `1` or
    /// `-1`. The message quotes the parameter as sent, and `details.helperMethod` names
    /// Rocket.Chat's query parser.
    pub fn invalid_sort(raw: &str) -> Self {
        let mut error = Self::new(
            ErrorKind::InvalidSort,
            format!("Invalid sort parameter provided: \"{raw}\""),
        );
        error.details.get_or_insert_with(Map::new).insert(
            "helperMethod".to_owned(),
            Value::String("parseJsonQuery".to_owned()),
        );
        error
    }

    /// `error-you-are-last-owner` with `details.method`: the group's only owner would leave it
    /// (`leaveRoom`) or be removed from it (`removeUserFromRoom`). The message speaks of leaving
    /// in both cases, as Rocket.Chat's does.
    pub fn you_are_last_owner(method: &str) -> Self {
        Self::new(
            ErrorKind::YouAreLastOwner,
            "You are the last owner. Please set new owner before leaving the room.",
        )
        .with_method(method)
    }

    /// `error-too-many-invitees`: one invite names more users than the server allows.
    pub fn too_many_invitees(limit: usize) -> Self {
        Self::new(
            ErrorKind::TooManyInvitees,
            format!("Cannot invite more than {limit} users in one call"),
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)
    }
}

impl std::error::Error for ApiError {}

/// The 401 body: `{"status": "error", "message": ..}`, since 6.x preceded by `success` and `error`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct UnauthorizedError {
    /// `false`; absent in the old two-key form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// The message again, or for a failed login Meteor's numeric error code (such as `403`);
    /// absent in the old two-key form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// Always `"error"`.
    pub status: String,
    /// Why the call was refused.
    pub message: String,
}

impl UnauthorizedError {
    /// The message Rocket.Chat gives when the auth headers are missing or do not match.
    pub const LOGGED_OUT: &'static str = "You must be logged in to do this.";

    /// The modern four-key body for `message`.
    pub fn new(message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            success: Some(false),
            error: Some(Value::String(message.clone())),
            status: "error".to_owned(),
            message,
        }
    }

    /// The answer to a call without valid `X-Auth-Token` and `X-User-Id` headers.
    pub fn logged_out() -> Self {
        Self::new(Self::LOGGED_OUT)
    }

    /// The 401 of a failed login: `error` is the Meteor error's code (such as `403`, or
    /// `"Unauthorized"` for an unknown account) instead of the message.
    pub fn login_failed(code: impl Into<Value>, message: impl Into<String>) -> Self {
        Self {
            success: Some(false),
            error: Some(code.into()),
            status: "error".to_owned(),
            message: message.into(),
        }
    }
}

/// A body with only `success: false` and `error`, as for 429, 403, 404 and 500 answers and the
/// 400 answers of a few route-level checks (such as `users.info`'s).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct PlainError {
    /// Always `false`.
    pub success: bool,
    /// The message.
    pub error: String,
}

impl PlainError {
    /// A body with this message.
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            success: false,
            error: error.into(),
        }
    }

    /// 403 `unauthorized`: Rocket.Chat's `forbidden()` answer (still `unauthorized` until its
    /// breaking changes apply).
    pub fn forbidden() -> Self {
        Self::new("unauthorized")
    }

    /// 403 for a caller without a permission the route requires up front, such as
    /// `view-room-administration` for `groups.listAll`: Rocket.Chat's answer before the route
    /// runs at all (until its breaking changes apply).
    pub fn permission_required() -> Self {
        Self::new(
            "User does not have the permissions required for this action [error-unauthorized]",
        )
    }

    /// 400 `User not found.`: `users.info` found nobody.
    pub fn user_not_found() -> Self {
        Self::new("User not found.")
    }

    /// 400 `Invalid search query.`: the one lookup parameter of `users.info` is empty.
    pub fn invalid_search_query() -> Self {
        Self::new("Invalid search query.")
    }

    /// The 404 body for a route that does not exist.
    pub fn not_found() -> Self {
        Self::new("Resource not found")
    }

    /// The 500 body; the cause is logged, never sent.
    pub fn internal() -> Self {
        Self::new("Internal server error")
    }

    /// The 429 body, telling the caller to wait `seconds` seconds.
    pub fn too_many_requests(seconds: u64) -> Self {
        Self::new(format!(
            "Error, too many requests. Please slow down. You must wait {seconds} seconds before \
             trying this endpoint again. [{}]",
            ErrorKind::TooManyRequests
        ))
    }
}

string_enum! {
    /// A machine-readable `errorType`.
    ///
    /// Every code a Rocket.Chat server or `rocketchat-server` is known to send has a variant.
    /// A code this version does not know still decodes: compare [`ErrorKind::as_str`] with it,
    /// which keeps working once the code gets a variant of its own in a later version.
    ///
    /// ```
    /// use rocketchat_protocol::ErrorKind;
    ///
    /// let kind = ErrorKind::from("error-abac-room-locked");
    /// assert!(!kind.is_known());
    /// assert_eq!(kind.as_str(), "error-abac-room-locked");
    /// assert_eq!(ErrorKind::from("error-room-not-found"), ErrorKind::RoomNotFound);
    /// ```
    pub enum ErrorKind {
        /// Neither `roomId` nor `roomName` was given.
        RoomParamNotProvided => "error-room-param-not-provided",
        /// No private group matches the given id or name.
        RoomNotFound => "error-room-not-found",
        /// No user was named.
        UsersParamsNotProvided => "error-users-params-not-provided",
        /// None of the named users exists.
        EmptyInviteList => "error-empty-invite-list",
        /// The caller lacks the permission.
        NotAllowed => "error-not-allowed",
        /// The caller may not perform this action (`users.create` without `create-user`).
        ActionNotAllowed => "error-action-not-allowed",
        /// The parameters failed validation on a route that checks them with
        /// `validateParams`, and on every body `rocketchat-server` cannot read.
        ///
        /// Rocket.Chat sends two codes for one idea: this one from its older route style, and
        /// [`ErrorKind::ErrorInvalidParams`] from its typed routes. Both are kept, so that the
        /// exact code sent survives a round trip; [`ErrorKind::is_invalid_params`] matches
        /// either.
        InvalidParams => "invalid-params",
        /// The parameters failed validation on one of Rocket.Chat's typed routes (see
        /// [`ErrorKind::InvalidParams`]).
        ErrorInvalidParams => "error-invalid-params",
        /// The user is unknown or unusable.
        InvalidUser => "error-invalid-user",
        /// No `userId` or `username` was given to a single-user route.
        UserParamNotProvided => "error-user-param-not-provided",
        /// The room is unknown.
        InvalidRoom => "error-invalid-room",
        /// The username is unknown.
        InvalidUsername => "error-invalid-username",
        /// A value does not have the form the field needs, such as a username with a space.
        InputIsNotAValidField => "error-input-is-not-a-valid-field",
        /// The e-mail address is not one.
        InvalidEmail => "error-invalid-email",
        /// The user does not exist.
        UserNotFound => "error-user-not-found",
        /// The room is a direct-message room.
        CantInviteForDirectRoom => "error-cant-invite-for-direct-room",
        /// The group is archived.
        RoomArchived => "error-room-archived",
        /// A room with this name exists.
        DuplicateChannelName => "error-duplicate-channel-name",
        /// The room name does not match the allowed pattern.
        InvalidRoomName => "error-invalid-room-name",
        /// A username or e-mail address is already taken.
        FieldUnavailable => "error-field-unavailable",
        /// The user is not in the room.
        UserNotInRoom => "error-user-not-in-room",
        /// The user already has the role in the room.
        UserAlreadyModerator => "error-user-already-moderator",
        /// The user to take the moderator role from does not have it.
        UserNotModerator => "error-user-not-moderator",
        /// The user to make an owner is one already.
        UserAlreadyOwner => "error-user-already-owner",
        /// The user to take the owner role from does not have it.
        UserNotOwner => "error-user-not-owner",
        /// The owner role cannot be taken from the group's only owner.
        RemoveLastOwner => "error-remove-last-owner",
        /// The group's only owner cannot leave it or be removed from it.
        YouAreLastOwner => "error-you-are-last-owner",
        /// The `sort` parameter is not a JSON object of `1` and `-1` values.
        InvalidSort => "error-invalid-sort",
        /// Too many calls; sent in the message of the 429 body, which has no `errorType` key.
        TooManyRequests => "error-too-many-requests",
        /// One invite names more users than the server allows (ours; Rocket.Chat has no limit).
        TooManyInvitees => "error-too-many-invitees",
        /// The request body is larger than the server accepts (ours).
        PayloadTooLarge => "error-payload-too-large",
    }
    schema_description = "A machine-readable error code such as `error-room-not-found`; codes not listed here are allowed.";
}

impl ErrorKind {
    /// Whether this is either of Rocket.Chat's two codes for parameters that failed validation,
    /// `invalid-params` or `error-invalid-params`.
    pub fn is_invalid_params(&self) -> bool {
        matches!(self, Self::InvalidParams | Self::ErrorInvalidParams)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn api_error_message_carries_the_code_in_brackets() {
        let error = ApiError::not_allowed("addUsersToRoom");
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "success": false,
                "error": "Not allowed [error-not-allowed]",
                "errorType": "error-not-allowed",
                "details": { "method": "addUsersToRoom" }
            })
        );
    }

    #[test]
    fn invalid_sort_quotes_the_parameter_and_names_the_helper() {
        assert_eq!(
            serde_json::to_value(ApiError::invalid_sort(r#"{"name":2}"#)).unwrap(),
            json!({
                "success": false,
                "error": "Invalid sort parameter provided: \"{\"name\":2}\" [error-invalid-sort]",
                "errorType": "error-invalid-sort",
                "details": { "helperMethod": "parseJsonQuery" }
            })
        );
    }

    #[test]
    fn last_owner_error_speaks_of_leaving_whatever_the_method() {
        let error = ApiError::you_are_last_owner("removeUserFromRoom");
        assert_eq!(
            error.error,
            "You are the last owner. Please set new owner before leaving the room. \
             [error-you-are-last-owner]"
        );
        assert_eq!(error.details.unwrap()["method"], "removeUserFromRoom");
    }

    #[test]
    fn plain_bodies_have_no_error_type() {
        for (error, text) in [
            (
                PlainError::permission_required(),
                "User does not have the permissions required for this action [error-unauthorized]",
            ),
            (PlainError::user_not_found(), "User not found."),
            (PlainError::invalid_search_query(), "Invalid search query."),
        ] {
            assert_eq!(
                serde_json::to_value(&error).unwrap(),
                json!({ "success": false, "error": text })
            );
        }
    }

    #[test]
    fn unknown_error_type_is_kept_verbatim() {
        let body = ErrorBody::from_slice(
            br#"{"success":false,"error":"x [error-abac-room-locked]","errorType":"error-abac-room-locked"}"#,
        );
        let ErrorBody::Api(error) = &body else {
            panic!("{body:?}")
        };
        assert_eq!(error.error_type.as_str(), "error-abac-room-locked");
        assert!(!error.error_type.is_known());
        assert_eq!(
            error.error_type,
            ErrorKind::from("error-abac-room-locked".to_owned())
        );
        assert_eq!(
            serde_json::to_value(&body).unwrap()["errorType"],
            "error-abac-room-locked"
        );
    }

    #[test]
    fn every_known_code_reads_back_as_its_own_variant() {
        for code in ErrorKind::KNOWN {
            let kind = ErrorKind::from(*code);
            assert!(kind.is_known(), "{code}");
            assert_eq!(kind.as_str(), *code);
            assert_eq!(serde_json::to_value(&kind).unwrap(), json!(code));
        }
        assert!(ErrorKind::ErrorInvalidParams.is_invalid_params());
        assert!(ErrorKind::InvalidParams.is_invalid_params());
        assert!(!ErrorKind::NotAllowed.is_invalid_params());
    }

    #[test]
    fn old_and_modern_401_bodies_are_both_unauthorized() {
        for bytes in [
            &br#"{"status":"error","message":"You must be logged in to do this."}"#[..],
            br#"{"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}"#,
        ] {
            let error = Error::from_http(401, bytes);
            assert!(matches!(error.body, ErrorBody::Unauthorized(_)), "{error:?}");
            assert_eq!(error.message(), UnauthorizedError::LOGGED_OUT);
        }
    }

    #[test]
    fn too_many_requests_body_has_no_error_type() {
        let body =
            ErrorBody::from_value(serde_json::to_value(PlainError::too_many_requests(42)).unwrap());
        assert!(matches!(body, ErrorBody::Plain(_)));
        assert!(body.message().ends_with("[error-too-many-requests]"));
    }

    #[test]
    fn non_json_body_is_kept() {
        let error = Error::from_http(502, b"<html>Bad Gateway</html>");
        assert_eq!(
            error.body,
            ErrorBody::NotJson("<html>Bad Gateway</html>".into())
        );
        assert_eq!(error.to_string(), "502: <html>Bad Gateway</html>");
    }

    #[test]
    fn display_shows_status_code_and_message() {
        let error = Error {
            status: 400,
            body: ErrorBody::Api(ApiError::room_not_found()),
        };
        assert_eq!(
            error.to_string(),
            "400 error-room-not-found: The required \"roomId\" or \"roomName\" param provided does not match any group [error-room-not-found]"
        );
    }
}
