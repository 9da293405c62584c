//! The rules of the other `groups.*` calls: creating a group, reading it, naming moderators.

use rocketchat_protocol::{ApiError, ErrorKind};

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

/// `groups.addModerator`: after [`check_readable`], the target must exist, the caller needs
/// `set-moderator` in the room, and the target must be a member who is not a moderator yet.
pub(crate) fn check_add_moderator(
    caller: &Caller,
    caller_membership: &Membership,
    target_found: bool,
    target_membership: Option<&Membership>,
) -> Result<(), ApiError> {
    if !target_found {
        return Err(ApiError::invalid_user());
    }
    if !Permission::SetModerator.granted(&caller.roles, &caller_membership.roles) {
        return Err(ApiError::not_allowed("addRoomModerator"));
    }
    let Some(target) = target_membership else {
        return Err(
            ApiError::new(ErrorKind::UserNotInRoom, "User is not in this room")
                .with_method("addRoomModerator"),
        );
    };
    if target.roles.iter().any(|role| role == "moderator") {
        return Err(ApiError::new(
            ErrorKind::UserAlreadyModerator,
            "User is already a moderator",
        )
        .with_method("addRoomModerator"));
    }
    Ok(())
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
    /// and `0` means unlimited; unparsable numbers fall back to the defaults.
    pub(crate) fn from_query(
        offset: Option<&str>,
        count: Option<&str>,
        default: u64,
        max: u64,
    ) -> Self {
        let offset = offset
            .and_then(|offset| offset.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let count = count
            .and_then(|count| count.trim().parse::<u64>().ok())
            .unwrap_or(default);
        let limit = if count == 0 {
            None
        } else {
            Some(count.min(max))
        };
        Self { offset, limit }
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
    fn pagination_defaults_caps_and_unlimited() {
        assert_eq!(
            Page::from_query(None, None, 50, 100),
            Page {
                offset: 0,
                limit: Some(50)
            }
        );
        assert_eq!(
            Page::from_query(Some("5"), Some("500"), 50, 100).limit,
            Some(100)
        );
        assert_eq!(Page::from_query(None, Some("0"), 50, 100).limit, None);
        assert_eq!(Page::from_query(Some("x"), Some("y"), 50, 100).offset, 0);
    }

    #[test]
    fn only_owners_and_admins_set_moderators() {
        let user = Caller {
            id: "u".into(),
            username: "u".into(),
            name: "u".into(),
            roles: vec!["user".into()],
        };
        let member = Membership::default();
        let owner = Membership {
            roles: vec!["owner".into()],
        };
        assert_eq!(
            check_add_moderator(&user, &member, true, Some(&member))
                .unwrap_err()
                .error_type,
            ErrorKind::NotAllowed
        );
        assert!(check_add_moderator(&user, &owner, true, Some(&member)).is_ok());
        assert_eq!(
            check_add_moderator(&user, &owner, true, None)
                .unwrap_err()
                .error_type,
            ErrorKind::UserNotInRoom
        );
    }
}
