//! `POST /api/v1/groups.invite`
//!
//! Invites one user or many users to a private group.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/invite-users-to-group))
//!
//! Three types describe the request:
//!
//! * [`Request`] is what a Rust client builds: exactly one room and exactly one form of invitees,
//!   neither blank. It serialises to one of the four documented bodies.
//! * [`RawRequest`] is what a server reads: every key optional, `null` as absent, unknown keys
//!   ignored, as Rocket.Chat does. [`RawRequest::room`] and [`RawRequest::invitees`] apply
//!   Rocket.Chat's precedence rules and answer its documented errors.
//! * [`InviteeList`] is the outcome of those rules: the users to look up and how.

use std::collections::HashSet;

use serde::{Deserialize, Deserializer, Serialize};

use super::RoomSelector;
use crate::string_enum::string_enum;
use crate::{ApiError, Endpoint, Metadata, Method, room::Room, room::UserRef};

/// Method `POST`, path `/api/v1/groups.invite`, authenticated, rate limited.
pub const METADATA: Metadata =
    Metadata::new("groups.invite", Method::Post, "/api/v1/groups.invite")
        .description("Invite one user or many users to a private group.")
        .idempotent(true);

/// Who to invite: one id, one username, several ids or several usernames.
///
/// Serialised flattened into the request, as `{"userId": ..}`, `{"username": ..}`,
/// `{"userIds": [..]}` or `{"usernames": [..]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Invitees {
    /// One user, by id.
    UserId {
        /// The user's id, such as `nSYqWzZ4GsKTX4dyK`.
        #[serde(rename = "userId")]
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        user_id: String,
    },
    /// One user, by username (matched case-insensitively).
    Username {
        /// The username, such as `john.doe`.
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        username: String,
    },
    /// Several users, by id.
    UserIds {
        /// The user ids.
        #[serde(rename = "userIds")]
        #[cfg_attr(
            feature = "schema",
            schemars(length(min = 1), inner(regex(pattern = r"\S")))
        )]
        user_ids: Vec<String>,
    },
    /// Several users, by username (matched case-insensitively).
    Usernames {
        /// The usernames.
        #[cfg_attr(
            feature = "schema",
            schemars(length(min = 1), inner(regex(pattern = r"\S")))
        )]
        usernames: Vec<String>,
    },
}

impl Invitees {
    /// One user, by id.
    pub fn user_id(user_id: impl Into<String>) -> Self {
        Self::UserId {
            user_id: user_id.into(),
        }
    }

    /// One user, by username.
    pub fn username(username: impl Into<String>) -> Self {
        Self::Username {
            username: username.into(),
        }
    }

    /// Several users, by id.
    pub fn user_ids<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        Self::UserIds {
            user_ids: ids.into_iter().map(Into::into).collect(),
        }
    }

    /// Several users, by username.
    pub fn usernames<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Self::Usernames {
            usernames: names.into_iter().map(Into::into).collect(),
        }
    }

    /// The ids or usernames, in the order given.
    pub fn entries(&self) -> &[String] {
        match self {
            Self::UserId { user_id: one } | Self::Username { username: one } => {
                std::slice::from_ref(one)
            }
            Self::UserIds { user_ids: many } | Self::Usernames { usernames: many } => many,
        }
    }

    /// How a server looks these entries up.
    pub fn mode(&self) -> LookupMode {
        match self {
            Self::UserId { .. } | Self::UserIds { .. } => LookupMode::Ids,
            Self::Username { .. } | Self::Usernames { .. } => LookupMode::Usernames,
        }
    }

    /// The wire name of the key these invitees travel in.
    pub fn key(&self) -> &'static str {
        match self {
            Self::UserId { .. } => "userId",
            Self::Username { .. } => "username",
            Self::UserIds { .. } => "userIds",
            Self::Usernames { .. } => "usernames",
        }
    }

    /// Refuses an empty list with `error-users-params-not-provided` and a blank entry with
    /// `invalid-params`.
    pub fn validate(&self) -> Result<(), ApiError> {
        let entries = self.entries();
        if entries.is_empty() {
            return Err(ApiError::users_params_not_provided());
        }
        if let Some(index) = entries.iter().position(|entry| super::is_blank(entry)) {
            let key = self.key();
            return Err(match self {
                Self::UserId { .. } | Self::Username { .. } => {
                    ApiError::users_params_not_provided()
                }
                _ => ApiError::invalid_params(format!("{key}[{index}] must not be blank")),
            });
        }
        Ok(())
    }
}

/// A valid `groups.invite` request: one group, and one non-empty set of users.
///
/// Deserialising is strict in the same way: a body with both `roomId` and `roomName`, or with two
/// invitee keys, is refused, while `null` still counts as absent. A server that must accept
/// everything Rocket.Chat accepts reads a [`RawRequest`] instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = one_of_choices))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsInviteRequest"))]
pub struct Request {
    #[serde(flatten)]
    room: RoomSelector,
    #[serde(flatten)]
    invitees: Invitees,
}

impl Request {
    /// Builds a request, refusing a blank room or an empty or blank invitee with the error a
    /// Rocket.Chat server would answer.
    pub fn new(room: RoomSelector, invitees: Invitees) -> Result<Self, ApiError> {
        room.validate()?;
        invitees.validate()?;
        Ok(Self { room, invitees })
    }

    /// The group to invite to.
    pub fn room(&self) -> &RoomSelector {
        &self.room
    }

    /// The users to invite.
    pub fn invitees(&self) -> &Invitees {
        &self.invitees
    }

    /// The room and invitees, by value.
    pub fn into_parts(self) -> (RoomSelector, Invitees) {
        (self.room, self.invitees)
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

impl TryFrom<RawRequest> for Request {
    type Error = ApiError;

    fn try_from(raw: RawRequest) -> Result<Self, ApiError> {
        let room = match (raw.room_id, raw.room_name) {
            (Some(room_id), None) => RoomSelector::Id { room_id },
            (None, Some(room_name)) => RoomSelector::Name { room_name },
            (None, None) => return Err(ApiError::room_param_not_provided()),
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_params(
                    "give either roomId or roomName, not both",
                ));
            }
        };
        room.validate()?;
        let mut given = [
            raw.user_id.map(|user_id| Ok(Invitees::UserId { user_id })),
            raw.username
                .map(|username| Ok(Invitees::Username { username })),
            raw.user_ids
                .map(|list| strict_list("userIds", list).map(Invitees::user_ids)),
            raw.usernames
                .map(|list| strict_list("usernames", list).map(Invitees::usernames)),
        ]
        .into_iter()
        .flatten();
        let invitees = match (given.next(), given.next()) {
            (Some(invitees), None) => invitees?,
            (None, _) => return Err(ApiError::users_params_not_provided()),
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_params(
                    "give only one of userId, username, userIds or usernames",
                ));
            }
        };
        Self::new(room, invitees)
    }
}

fn strict_list(key: &str, list: Vec<Option<String>>) -> Result<Vec<String>, ApiError> {
    list.into_iter()
        .enumerate()
        .map(|(index, entry)| {
            entry
                .ok_or_else(|| ApiError::invalid_params(format!("{key}[{index}] must be a string")))
        })
        .collect()
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawRequest::deserialize(deserializer)?;
        Self::try_from(raw).map_err(serde::de::Error::custom)
    }
}

/// Makes the schema say what the flattened choices mean.
///
/// schemars writes each flattened untagged enum as an `anyOf` of branches, each naming only its
/// own key. A body naming two rooms, or two kinds of invitees, would match that. So each branch
/// also allows its siblings' keys only as `null` (which counts as absent), and the choice becomes
/// a `oneOf`: exactly what [`Request`]'s deserialiser accepts.
#[cfg(feature = "schema")]
fn one_of_choices(schema: &mut schemars::Schema) {
    use serde_json::{Value, json};

    fn exclusive(branches: &mut [Value]) {
        let keys: Vec<String> = branches
            .iter()
            .filter_map(|branch| branch.get("properties")?.as_object())
            .flat_map(|properties| properties.keys().cloned())
            .collect();
        for branch in branches {
            let Some(properties) = branch.get_mut("properties").and_then(Value::as_object_mut)
            else {
                continue;
            };
            for key in &keys {
                properties
                    .entry(key.clone())
                    .or_insert_with(|| json!({ "type": "null" }));
            }
        }
    }

    fn walk(value: &mut Value) {
        if let Some(object) = value.as_object_mut() {
            if let Some(mut any_of) = object.remove("anyOf") {
                if let Some(branches) = any_of.as_array_mut() {
                    exclusive(branches);
                }
                object.insert("oneOf".to_owned(), any_of);
            }
            object.values_mut().for_each(walk);
        } else if let Some(array) = value.as_array_mut() {
            array.iter_mut().for_each(walk);
        }
    }

    if let Some(object) = schema.as_object_mut() {
        object.values_mut().for_each(walk);
    }
}

/// A `groups.invite` body exactly as a client sent it, with Rocket.Chat's leniency.
///
/// Every key is optional and `null` counts as absent. Unknown keys are ignored. Values of the
/// wrong JSON type are refused by [`RawRequest::from_json`] with `invalid-params` (Rocket.Chat
/// leaks a JavaScript `TypeError` there).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsInviteRawRequest"))]
#[non_exhaustive]
pub struct RawRequest {
    /// The group's id; a non-empty value wins over `roomName`.
    #[serde(rename = "roomId", default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// The group's name; used when `roomId` is absent or empty.
    #[serde(rename = "roomName", default, skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
    /// One user id.
    #[serde(rename = "userId", default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// One username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// One username, under Rocket.Chat's legacy key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Several user ids; `null` entries are dropped.
    #[serde(rename = "userIds", default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<Option<String>>>,
    /// Several usernames; `null` entries are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usernames: Option<Vec<Option<String>>>,
}

impl RawRequest {
    /// Parses a request body, refusing malformed JSON, non-objects and wrong types with
    /// `invalid-params`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ApiError> {
        crate::json::from_object_slice(bytes)
    }

    /// The single string Rocket.Chat looks up as a room id or name: `roomId || roomName`.
    ///
    /// A non-empty `roomId` wins and `roomName` is then ignored, even when `roomId` is only
    /// whitespace, which then fails. Fails with `error-room-param-not-provided` when the chosen
    /// value is blank.
    pub fn room(&self) -> Result<&str, ApiError> {
        let id_or_name = truthy(&self.room_id)
            .or(self.room_name.as_deref())
            .unwrap_or_default();
        if super::is_blank(id_or_name) {
            return Err(ApiError::room_param_not_provided());
        }
        Ok(id_or_name)
    }

    /// The users to look up, by Rocket.Chat's `getUserListFromParams` rules.
    ///
    /// The first non-empty of `userId`, `username`, `user` is appended to the first present list
    /// of `userIds`, `usernames` (an empty list counts as present); empty entries are dropped and
    /// duplicates removed, keeping the first. Every entry is an id when `userIds` is present or
    /// `userId` is non-empty, otherwise a username. Fails with `error-users-params-not-provided`
    /// when nothing is left.
    pub fn invitees(&self) -> Result<InviteeList, ApiError> {
        let sole = truthy(&self.user_id)
            .or(truthy(&self.username))
            .or(truthy(&self.user));
        let list = self.user_ids.as_ref().or(self.usernames.as_ref());
        let mut seen = HashSet::new();
        let entries: Vec<String> = list
            .into_iter()
            .flatten()
            .filter_map(Option::as_deref)
            .chain(sole)
            .filter(|entry| !entry.is_empty() && seen.insert(*entry))
            .map(str::to_owned)
            .collect();
        if entries.is_empty() {
            return Err(ApiError::users_params_not_provided());
        }
        let mode = if self.user_ids.is_some() || truthy(&self.user_id).is_some() {
            LookupMode::Ids
        } else {
            LookupMode::Usernames
        };
        Ok(InviteeList { mode, entries })
    }
}

impl From<Request> for RawRequest {
    fn from(request: Request) -> Self {
        let mut raw = Self::default();
        match request.room {
            RoomSelector::Id { room_id } => raw.room_id = Some(room_id),
            RoomSelector::Name { room_name } => raw.room_name = Some(room_name),
        }
        let some_all = |list: Vec<String>| Some(list.into_iter().map(Some).collect());
        match request.invitees {
            Invitees::UserId { user_id } => raw.user_id = Some(user_id),
            Invitees::Username { username } => raw.username = Some(username),
            Invitees::UserIds { user_ids } => raw.user_ids = some_all(user_ids),
            Invitees::Usernames { usernames } => raw.usernames = some_all(usernames),
        }
        raw
    }
}

/// JavaScript truthiness for an optional string: present and non-empty.
fn truthy(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|value| !value.is_empty())
}

/// How the entries of an [`InviteeList`] are matched against users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LookupMode {
    /// Each entry is a user id, matched exactly.
    Ids,
    /// Each entry is a username, matched exactly but case-insensitively.
    Usernames,
}

impl LookupMode {
    /// What two entries must share to name the same user: an id itself, a username's
    /// [`username_key`](crate::user::username_key).
    pub fn key(self, entry: &str) -> String {
        match self {
            Self::Ids => entry.to_owned(),
            Self::Usernames => crate::user::username_key(entry),
        }
    }
}

/// The users a request names, after Rocket.Chat's merge, filter and deduplication.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InviteeList {
    /// Whether the entries are ids or usernames.
    pub mode: LookupMode,
    /// The distinct, non-empty entries, in the order given.
    pub entries: Vec<String>,
}

impl InviteeList {
    /// A list of entries to look up in `mode`, taken as given.
    pub fn new(mode: LookupMode, entries: Vec<String>) -> Self {
        Self { mode, entries }
    }
}

/// The answer to a successful invite.
///
/// `group` and `success` are exactly Rocket.Chat's; `invitees` is ours and says what happened to
/// each requested user. Clients that do not know it ignore it, and it is absent from other
/// servers' answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GroupsInviteResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The group after the invite.
    pub group: Room,
    /// Always `true`.
    pub success: bool,
    /// What happened to each requested user, in the order requested (duplicates removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitees: Option<Vec<InviteeOutcome>>,
}

impl Response {
    /// A successful answer with the group after the invite and no per-user outcomes.
    pub fn new(group: Room) -> Self {
        Self {
            group,
            success: true,
            invitees: None,
        }
    }

    /// Adds what happened to each requested user.
    #[must_use]
    pub fn with_invitees(mut self, invitees: Vec<InviteeOutcome>) -> Self {
        self.invitees = Some(invitees);
        self
    }

    /// How many requested users were added, were members already, were not found, or met an
    /// outcome this version does not know.
    ///
    /// `None` when the server did not say: servers other than `rocketchat-server` send no
    /// per-user outcomes.
    pub fn summary(&self) -> Option<Summary> {
        let invitees = self.invitees.as_ref()?;
        let mut summary = Summary::default();
        for invitee in invitees {
            summary.count(&invitee.outcome);
        }
        Some(summary)
    }
}

/// What happened to one requested user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct InviteeOutcome {
    /// The id or username as the request gave it.
    pub requested: String,
    /// What happened.
    pub outcome: Outcome,
    /// The user it matched; absent when none did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserRef>,
}

impl InviteeOutcome {
    /// The outcome for the entry `requested`, which matched `user` (if any).
    pub fn new(requested: impl Into<String>, outcome: Outcome, user: Option<UserRef>) -> Self {
        Self {
            requested: requested.into(),
            outcome,
            user,
        }
    }
}

string_enum! {
    /// What an invite did for one requested user.
    ///
    /// A newer server may report an outcome this version has no variant for; it still decodes,
    /// and [`Outcome::as_str`] gives its name.
    pub enum Outcome {
        /// The user was added to the group by this call.
        Added => "added",
        /// The user was already a member; nothing changed.
        AlreadyMember => "alreadyMember",
        /// No user matches the id or username.
        NotFound => "notFound",
    }
    schema_description = "What an invite did for one requested user: `added`, `alreadyMember` or `notFound`; a newer server may send other values.";
}

/// Counts of [`Outcome`]s in one answer, or in several.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Users added.
    pub added: usize,
    /// Users who were members already.
    #[serde(rename = "alreadyMembers")]
    pub already_members: usize,
    /// Requested users that do not exist.
    #[serde(rename = "notFound")]
    pub not_found: usize,
    /// Users with an outcome this version does not know.
    pub other: usize,
}

impl Summary {
    /// Counts one more outcome.
    pub fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::AlreadyMember => self.already_members += 1,
            Outcome::NotFound => self.not_found += 1,
            _ => self.other += 1,
        }
    }

    /// Adds another summary's counts to this one.
    pub fn add(&mut self, other: &Summary) {
        self.added += other.added;
        self.already_members += other.already_members;
        self.not_found += other.not_found;
        self.other += other.other;
    }

    /// How many outcomes were counted in all.
    pub fn total(&self) -> usize {
        self.added + self.already_members + self.not_found + self.other
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ErrorKind;

    fn raw(body: serde_json::Value) -> RawRequest {
        RawRequest::from_json(body.to_string().as_bytes()).unwrap()
    }

    fn kind<T: std::fmt::Debug>(result: Result<T, ApiError>) -> ErrorKind {
        result.unwrap_err().error_type
    }

    #[test]
    fn serialize_invite_by_usernames() {
        let request = Request::new(
            RoomSelector::name("private-abc"),
            Invitees::usernames(["john.doe", "jane.doe"]),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({ "roomName": "private-abc", "usernames": ["john.doe", "jane.doe"] })
        );
    }

    #[test]
    fn new_refuses_blank_room_and_empty_invitees() {
        let users = Invitees::user_id("u");
        assert_eq!(
            kind(Request::new(RoomSelector::id(" "), users.clone())),
            ErrorKind::RoomParamNotProvided
        );
        let none: [&str; 0] = [];
        assert_eq!(
            kind(Request::new(
                RoomSelector::id("r"),
                Invitees::usernames(none)
            )),
            ErrorKind::UsersParamsNotProvided
        );
        assert_eq!(
            kind(Request::new(
                RoomSelector::id("r"),
                Invitees::user_ids(["a", ""])
            )),
            ErrorKind::InvalidParams
        );
        assert_eq!(
            kind(Request::new(RoomSelector::id("r"), Invitees::username(""))),
            ErrorKind::UsersParamsNotProvided
        );
    }

    #[test]
    fn deserialize_strictly_treats_null_as_absent() {
        let request: Request =
            serde_json::from_value(json!({ "roomId": "r", "userId": null, "userIds": ["a", "b"] }))
                .unwrap();
        assert_eq!(request.invitees(), &Invitees::user_ids(["a", "b"]));
    }

    #[test]
    fn deserialize_strictly_refuses_two_rooms_or_two_invitee_keys() {
        let two_rooms = json!({ "roomId": "r", "roomName": "n", "userId": "u" });
        assert!(serde_json::from_value::<Request>(two_rooms).is_err());
        let two_users = json!({ "roomId": "r", "userId": "u", "usernames": ["x"] });
        assert!(serde_json::from_value::<Request>(two_users).is_err());
    }

    #[test]
    fn room_id_wins_over_room_name() {
        assert_eq!(
            raw(json!({ "roomId": "id", "roomName": "name" }))
                .room()
                .unwrap(),
            "id"
        );
        assert_eq!(
            raw(json!({ "roomId": "", "roomName": "name" }))
                .room()
                .unwrap(),
            "name"
        );
        assert_eq!(
            raw(json!({ "roomId": null, "roomName": "name" }))
                .room()
                .unwrap(),
            "name"
        );
    }

    #[test]
    fn whitespace_room_id_wins_then_fails() {
        let body = raw(json!({ "roomId": "   ", "roomName": "private-abc" }));
        assert_eq!(kind(body.room()), ErrorKind::RoomParamNotProvided);
    }

    #[test]
    fn blank_is_what_javascript_trims() {
        let body = raw(json!({ "roomId": "\u{feff}" }));
        assert_eq!(kind(body.room()), ErrorKind::RoomParamNotProvided);
        // U+0085 is no space to JavaScript: the value is looked up, and not found.
        assert_eq!(raw(json!({ "roomId": "\u{85}" })).room().unwrap(), "\u{85}");
    }

    #[test]
    fn room_value_is_not_trimmed() {
        assert_eq!(raw(json!({ "roomName": " abc " })).room().unwrap(), " abc ");
    }

    #[test]
    fn sole_user_is_appended_to_the_list() {
        let list = raw(json!({ "userIds": ["a", "b"], "userId": "c" }))
            .invitees()
            .unwrap();
        assert_eq!(
            list,
            InviteeList {
                mode: LookupMode::Ids,
                entries: vec!["a".into(), "b".into(), "c".into()]
            }
        );
    }

    #[test]
    fn username_beside_user_ids_is_looked_up_as_an_id() {
        let list = raw(json!({ "userIds": ["a"], "username": "bob" }))
            .invitees()
            .unwrap();
        assert_eq!(list.mode, LookupMode::Ids);
        assert_eq!(list.entries, ["a", "bob"]);
    }

    #[test]
    fn empty_user_ids_still_selects_id_mode_and_shadows_usernames() {
        let list = raw(json!({ "userIds": [], "usernames": ["x"], "username": "bob" }))
            .invitees()
            .unwrap();
        assert_eq!(
            list,
            InviteeList {
                mode: LookupMode::Ids,
                entries: vec!["bob".into()]
            }
        );
    }

    #[test]
    fn empty_user_id_does_not_select_id_mode() {
        let list = raw(json!({ "userId": "", "usernames": ["x"] }))
            .invitees()
            .unwrap();
        assert_eq!(list.mode, LookupMode::Usernames);
    }

    #[test]
    fn first_truthy_sole_user_wins() {
        let list = raw(json!({ "userId": "", "username": "bob", "user": "carol" }))
            .invitees()
            .unwrap();
        assert_eq!(list.entries, ["bob"]);
        let list = raw(json!({ "user": "carol" })).invitees().unwrap();
        assert_eq!(
            list,
            InviteeList {
                mode: LookupMode::Usernames,
                entries: vec!["carol".into()]
            }
        );
    }

    #[test]
    fn duplicates_and_empty_entries_are_removed_exactly() {
        let list = raw(json!({ "usernames": ["a", "", null, "b", "a", "A"], "username": "b" }))
            .invitees()
            .unwrap();
        assert_eq!(list.entries, ["a", "b", "A"]);
    }

    #[test]
    fn nothing_left_is_users_params_not_provided() {
        for body in [
            json!({}),
            json!({ "userIds": [] }),
            json!({ "usernames": ["", null] }),
            json!({ "userId": null, "username": "" }),
        ] {
            assert_eq!(
                kind(raw(body).invitees()),
                ErrorKind::UsersParamsNotProvided
            );
        }
    }

    #[test]
    fn wrong_types_are_invalid_params() {
        for body in [
            &br#"{"roomId": 123}"#[..],
            br#"{"userIds": "abc"}"#,
            br#"{"usernames": [5]}"#,
        ] {
            assert_eq!(kind(RawRequest::from_json(body)), ErrorKind::InvalidParams);
        }
    }

    #[test]
    fn raw_from_request_resolves_to_the_same_users() {
        let request = Request::new(RoomSelector::id("r"), Invitees::user_ids(["a", "b"])).unwrap();
        let raw = RawRequest::from(request);
        assert_eq!(raw.room().unwrap(), "r");
        assert_eq!(raw.invitees().unwrap().entries, ["a", "b"]);
    }

    #[test]
    fn summary_counts_outcomes() {
        let response: Response = serde_json::from_value(json!({
            "group": { "_id": "r", "t": "p" },
            "success": true,
            "invitees": [
                { "requested": "a", "outcome": "added", "user": { "_id": "1", "username": "a" } },
                { "requested": "b", "outcome": "alreadyMember", "user": { "_id": "2", "username": "b" } },
                { "requested": "c", "outcome": "notFound" },
                { "requested": "d", "outcome": "notFound" }
            ]
        }))
        .unwrap();
        assert_eq!(
            response.summary(),
            Some(Summary {
                added: 1,
                already_members: 1,
                not_found: 2,
                other: 0
            })
        );
    }

    #[test]
    fn an_outcome_from_a_newer_server_still_decodes() {
        let response: Response = serde_json::from_value(json!({
            "group": { "_id": "r", "t": "p" },
            "success": true,
            "invitees": [
                { "requested": "a", "outcome": "added", "user": { "_id": "1", "username": "a" } },
                { "requested": "b", "outcome": "deactivated", "user": { "_id": "2", "username": "b" } }
            ]
        }))
        .unwrap();
        let invitees = response.invitees.as_ref().unwrap();
        assert_eq!(invitees[1].outcome.as_str(), "deactivated");
        assert!(!invitees[1].outcome.is_known());
        assert_eq!(
            serde_json::to_value(&response).unwrap()["invitees"][1]["outcome"],
            "deactivated"
        );
        let summary = response.summary().unwrap();
        assert_eq!((summary.added, summary.other, summary.total()), (1, 1, 2));
    }

    #[test]
    fn an_answer_without_outcomes_has_no_summary() {
        let response: Response =
            serde_json::from_value(json!({ "group": { "_id": "r", "t": "p" }, "success": true }))
                .unwrap();
        assert_eq!(response.summary(), None);
    }
}
