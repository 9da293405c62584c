//! The rules of the other `groups.*` calls: creating a group, reading it, naming moderators.

use rocketchat_protocol::{ApiError, ErrorKind};
use serde_json::{Map, Value};

use super::{Caller, Membership, Permission, RoomRecord};

/// Rocket.Chat's default `UTF8_Channel_Names_Validation` pattern, `[0-9a-zA-Z-_.]+`.
pub(crate) fn valid_room_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Checks that `caller` may create a private group called `name`.
pub(crate) fn check_create(caller: &Caller, name: &str) -> Result<(), ApiError> {
    if !Permission::CreateP.granted_globally(&caller.roles) {
        return Err(ApiError::not_allowed("createPrivateGroup"));
    }
    if !valid_room_name(name) {
        return Err(ApiError::new(
            ErrorKind::InvalidRoomName,
            format!("{name} is not a valid room name."),
        ));
    }
    Ok(())
}

/// The answer when the name is taken.
pub(crate) fn duplicate_name(name: &str) -> ApiError {
    ApiError::new(
        ErrorKind::DuplicateChannelName,
        format!("A channel with name '{name}' exists"),
    )
}

/// The room-scoped roles of a group's creator.
pub(crate) fn creator_roles() -> Vec<String> {
    vec!["owner".to_owned()]
}

/// The first members of a new group, and the requested usernames that matched nobody.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FirstMembers {
    /// `(user id, username, room roles)`: the creator first (unless they stay out), then the
    /// requested users found, each once.
    pub(crate) members: Vec<(String, String, Vec<String>)>,
    /// Requested usernames no user has, in request order.
    pub(crate) missing: Vec<String>,
}

/// Who joins a group at its creation: the creator, as its owner, unless `exclude_self`, and
/// each requested username that a user has exactly (Rocket.Chat skips the others silently).
/// `found` holds the users whose usernames match the requested ones ignoring case.
pub(crate) fn first_members(
    caller: &Caller,
    exclude_self: bool,
    requested: &[String],
    found: Vec<(String, String)>,
) -> FirstMembers {
    let wanted: std::collections::HashSet<&str> = requested.iter().map(String::as_str).collect();
    let mut seen = std::collections::HashSet::new();
    let mut matched = std::collections::HashSet::new();
    let mut members = Vec::new();
    if !exclude_self {
        seen.insert(caller.id.clone());
        members.push((caller.id.clone(), caller.username.clone(), creator_roles()));
    }
    for (id, username) in found {
        if wanted.contains(username.as_str()) {
            matched.insert(username.clone());
            if seen.insert(id.clone()) {
                members.push((id, username, Vec::new()));
            }
        }
    }
    let missing = requested
        .iter()
        .filter(|name| !matched.contains(name.as_str()))
        .cloned()
        .collect();
    FirstMembers { members, missing }
}

/// The refusal of a group whose members must all exist when some do not.
pub(crate) fn unknown_members(missing: &[String]) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidUsername,
        format!("No user is called {}", missing.join(", ")),
    )
}

/// The display name: Rocket.Chat spreads `extraData` over `{fname: name, _updatedAt}` and then
/// sets the room's other fields itself, so that of its own fields only a display name given
/// there is kept.
pub(crate) fn display_name(name: &str, extra: &Map<String, Value>) -> String {
    extra
        .get("fname")
        .and_then(Value::as_str)
        .unwrap_or(name)
        .to_owned()
}

/// Whether a new group is read-only: asked for, or a broadcast group, which always is.
pub(crate) fn is_read_only(read_only: bool, extra: &Map<String, Value>) -> bool {
    read_only || extra.get("broadcast") == Some(&Value::Bool(true))
}

/// `groups.info`, `groups.members`, `groups.history`: the room must be a private group the
/// caller is a member of; otherwise `error-room-not-found`, as for a group that does not exist.
/// Returns the room and the membership it checked.
pub(crate) fn check_readable(
    room: Option<RoomRecord>,
    membership: Option<Membership>,
) -> Result<(RoomRecord, Membership), ApiError> {
    match (room, membership) {
        (Some(room), Some(membership)) if room.is_private_group() => Ok((room, membership)),
        _ => Err(ApiError::room_not_found()),
    }
}

/// `groups.members`, after [`check_readable`]: the members of a broadcast group are listed only
/// for holders of `view-broadcast-member-list` (Rocket.Chat answers the others 403).
pub(crate) fn may_list_members(
    room: &RoomRecord,
    global_roles: &[String],
    membership: &Membership,
) -> bool {
    !room.is_broadcast()
        || Permission::ViewBroadcastMemberList.granted(global_roles, &membership.roles)
}

/// What private groups can be listed by: the room fields Rocket.Chat sorts `groups.list` on
/// that this server keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupField {
    /// `_id`.
    Id,
    /// `name`.
    Name,
    /// `fname`.
    DisplayName,
    /// `ts`, the creation date.
    Created,
    /// `_updatedAt`.
    Updated,
    /// `usersCount`.
    UsersCount,
    /// `msgs`.
    Messages,
    /// `lm`, the last ordinary message's date.
    LastMessage,
}

/// One key of a list's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GroupOrder {
    /// The field.
    pub(crate) field: GroupField,
    /// Largest first.
    pub(crate) descending: bool,
}

/// The order of `groups.list` and `groups.listAll`: the `sort` keys as given, `(field,
/// descending)`, or by name when none is given. A field this server does not keep orders
/// nothing, as sorting by a field no room has orders nothing in Rocket.Chat's database.
pub(crate) fn group_order<'a>(
    sort: Option<impl IntoIterator<Item = (&'a str, bool)>>,
) -> Vec<GroupOrder> {
    let Some(sort) = sort else {
        return vec![GroupOrder {
            field: GroupField::Name,
            descending: false,
        }];
    };
    sort.into_iter()
        .filter_map(|(key, descending)| {
            let field = match key {
                "_id" => GroupField::Id,
                "name" => GroupField::Name,
                "fname" => GroupField::DisplayName,
                "ts" => GroupField::Created,
                "_updatedAt" => GroupField::Updated,
                "usersCount" => GroupField::UsersCount,
                "msgs" => GroupField::Messages,
                "lm" => GroupField::LastMessage,
                _ => return None,
            };
            Some(GroupOrder { field, descending })
        })
        .collect()
}

/// `groups.listAll` is for holders of `view-room-administration` only.
pub(crate) fn may_list_all_groups(caller: &Caller) -> bool {
    Permission::ViewRoomAdministration.granted_globally(&caller.roles)
}

/// A page of a list: how many to skip and at most how many to return (`None`: all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// How many to skip.
    pub(crate) offset: u64,
    /// At most how many to return; `None` means no limit.
    pub(crate) limit: Option<u64>,
}

impl Page {
    /// Rocket.Chat's `getPaginationItems`: `count` defaults to `default`, is capped at `max`,
    /// and `0` means unlimited. A value that is not a non-negative integer, an empty one
    /// included, is refused with `invalid-params` naming it, where Rocket.Chat would fall back
    /// to a default without a word.
    pub(crate) fn from_query(
        offset: Option<&str>,
        count: Option<&str>,
        default: u64,
        max: u64,
    ) -> Result<Self, ApiError> {
        let number = |name: &str, value: Option<&str>| -> Result<Option<u64>, ApiError> {
            match value.map(str::trim) {
                None => Ok(None),
                Some(text) => text.parse::<u64>().map(Some).map_err(|_| {
                    ApiError::invalid_params(format!(
                        "{name} must be a non-negative integer, not {text:?}"
                    ))
                }),
            }
        };
        let offset = number("offset", offset)?.unwrap_or(0);
        let count = number("count", count)?.unwrap_or(default);
        let limit = if count == 0 {
            None
        } else {
            Some(count.min(max))
        };
        Ok(Self { offset, limit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names_follow_the_default_pattern() {
        assert!(valid_room_name("private-abc_1.x"));
        assert!(!valid_room_name("has space"));
        assert!(!valid_room_name("ümlaut"));
        assert!(!valid_room_name(""));
    }

    #[test]
    fn first_members_are_the_owner_then_exact_usernames_each_once() {
        let caller = Caller {
            id: "c".into(),
            username: "creator".into(),
            name: "Creator".into(),
            roles: vec!["user".into()],
        };
        let requested = ["Bob".to_owned(), "bob".to_owned(), "ghost".to_owned()];
        let found = vec![
            ("b".to_owned(), "bob".to_owned()),
            ("c".to_owned(), "creator".to_owned()),
        ];
        let first = first_members(&caller, false, &requested, found.clone());
        assert_eq!(
            first.members,
            [
                (
                    "c".to_owned(),
                    "creator".to_owned(),
                    vec!["owner".to_owned()]
                ),
                ("b".to_owned(), "bob".to_owned(), vec![]),
            ]
        );
        assert_eq!(first.missing, ["Bob", "ghost"]);
        let without_self = first_members(&caller, true, &["creator".to_owned()], found);
        assert_eq!(
            without_self.members,
            [("c".to_owned(), "creator".to_owned(), vec![])]
        );
    }

    #[test]
    fn extra_data_gives_the_display_name_and_broadcast_makes_read_only() {
        let extra: Map<String, Value> =
            serde_json::from_str(r#"{"fname": "Team A", "broadcast": true}"#).unwrap();
        assert_eq!(display_name("team-a", &extra), "Team A");
        assert_eq!(display_name("team-a", &Map::new()), "team-a");
        assert!(is_read_only(false, &extra));
        assert!(!is_read_only(false, &Map::new()));
    }

    #[test]
    fn pagination_defaults_caps_and_unlimited() {
        assert_eq!(
            Page::from_query(None, None, 50, 100).unwrap(),
            Page {
                offset: 0,
                limit: Some(50)
            }
        );
        assert_eq!(
            Page::from_query(Some(" 5 "), Some("500"), 50, 100)
                .unwrap()
                .limit,
            Some(100)
        );
        assert_eq!(
            Page::from_query(None, Some("0"), 50, 100).unwrap().limit,
            None
        );
        for (offset, count, error) in [
            (
                Some("x"),
                None,
                r#"offset must be a non-negative integer, not "x" [invalid-params]"#,
            ),
            (
                None,
                Some("-1"),
                r#"count must be a non-negative integer, not "-1" [invalid-params]"#,
            ),
            (
                Some(""),
                None,
                r#"offset must be a non-negative integer, not "" [invalid-params]"#,
            ),
        ] {
            assert_eq!(
                Page::from_query(offset, count, 50, 100).unwrap_err().error,
                error
            );
        }
    }

    #[test]
    fn lists_are_by_name_unless_sorted_and_unknown_keys_order_nothing() {
        let by_name = GroupOrder {
            field: GroupField::Name,
            descending: false,
        };
        assert_eq!(group_order(None::<[(&str, bool); 0]>), [by_name]);
        assert_eq!(
            group_order(Some([
                ("usersCount", true),
                ("color", false),
                ("name", false)
            ])),
            [
                GroupOrder {
                    field: GroupField::UsersCount,
                    descending: true
                },
                by_name
            ]
        );
        assert_eq!(group_order(Some([("color", true)])), []);
    }
}
