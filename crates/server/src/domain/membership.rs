//! The rules of a membership after it began: removing a member (`groups.kick`), leaving
//! (`groups.leave`), room roles (`groups.addModerator`, `removeModerator`, `addOwner`,
//! `removeOwner`) and deleting a group (`groups.delete`).
//!
//! Each check runs after the group was found and the caller's membership read; a caller who
//! is not a member never gets this far (`error-room-not-found`, as for a group that does not
//! exist). What the checks cannot see alone, whether another owner remains, the store checks
//! inside the change's transaction, told by [`takes_last_owner`].

use rocketchat_protocol::{ApiError, ErrorKind};

use super::{Caller, Membership, Permission};

/// The room role of a group's owners.
pub(crate) const OWNER: &str = "owner";

/// The room role of a group's moderators.
pub(crate) const MODERATOR: &str = "moderator";

/// The system message of a member removed by someone else; its text is the removed username.
pub(crate) const REMOVED_MESSAGE_TYPE: &str = "ru";

/// The system message of a member who left; its text is their username.
pub(crate) const LEFT_MESSAGE_TYPE: &str = "ul";

/// Rocket.Chat's method name for removing a member, in `details.method`.
pub(crate) const KICK_METHOD: &str = "removeUserFromRoom";

/// Rocket.Chat's method name for leaving, in `details.method`.
pub(crate) const LEAVE_METHOD: &str = "leaveRoom";

/// Rocket.Chat's method name for deleting a room, in `details.method`.
pub(crate) const DELETE_METHOD: &str = "eraseRoom";

/// One of the four room-role routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RoleChange {
    /// `groups.addModerator`.
    AddModerator,
    /// `groups.removeModerator`.
    RemoveModerator,
    /// `groups.addOwner`.
    AddOwner,
    /// `groups.removeOwner`.
    RemoveOwner,
}

impl RoleChange {
    /// The role given or taken.
    pub(crate) fn role(self) -> &'static str {
        match self {
            Self::AddModerator | Self::RemoveModerator => MODERATOR,
            Self::AddOwner | Self::RemoveOwner => OWNER,
        }
    }

    /// Whether the role is given (rather than taken).
    fn adds(self) -> bool {
        matches!(self, Self::AddModerator | Self::AddOwner)
    }

    /// Rocket.Chat's method name, in `details.method`.
    pub(crate) fn method(self) -> &'static str {
        match self {
            Self::AddModerator => "addRoomModerator",
            Self::RemoveModerator => "removeRoomModerator",
            Self::AddOwner => "addRoomOwner",
            Self::RemoveOwner => "removeRoomOwner",
        }
    }

    /// The permission the caller needs in the group.
    pub(crate) fn permission(self) -> Permission {
        match self {
            Self::AddModerator | Self::RemoveModerator => Permission::SetModerator,
            Self::AddOwner | Self::RemoveOwner => Permission::SetOwner,
        }
    }

    /// The system message written for the change; its text is the member's username, and it
    /// names the role.
    pub(crate) fn message_type(self) -> &'static str {
        if self.adds() {
            "subscription-role-added"
        } else {
            "subscription-role-removed"
        }
    }

    /// The refusal when the change would leave the group without an owner.
    pub(crate) fn last_owner(self) -> ApiError {
        ApiError::new(
            ErrorKind::RemoveLastOwner,
            "This is the last owner. Please set a new owner before removing this one.",
        )
        .with_method(self.method())
    }
}

/// Whether `roles` holds `role`.
pub(crate) fn holds(roles: &[String], role: &str) -> bool {
    roles.iter().any(|held| held == role)
}

/// Whether a member going from `before` to `after` (`None`: no longer a member) stops being
/// an owner: the change then needs another owner to remain.
pub(crate) fn takes_last_owner(before: &[String], after: Option<&[String]>) -> bool {
    holds(before, OWNER) && !after.is_some_and(|after| holds(after, OWNER))
}

/// A role change: the caller needs the change's permission in the group, the member must be
/// one, and hold the role to take it or lack it to get it. Returns the member's new roles.
///
/// Unlike Rocket.Chat, taking a role the member does not hold is always refused, also from a
/// member whose subscription has never had roles (Rocket.Chat answers those with success and
/// a message about a change that did not happen).
pub(crate) fn check_role_change(
    change: RoleChange,
    caller: &Caller,
    caller_membership: &Membership,
    target: Option<&Membership>,
) -> Result<Vec<String>, ApiError> {
    let method = change.method();
    if !change
        .permission()
        .granted(&caller.roles, &caller_membership.roles)
    {
        return Err(ApiError::not_allowed(method));
    }
    let Some(target) = target else {
        return Err(match change {
            RoleChange::AddModerator | RoleChange::AddOwner => not_in_room(method),
            RoleChange::RemoveModerator | RoleChange::RemoveOwner => {
                ApiError::new(ErrorKind::InvalidRoom, "Invalid room").with_method(method)
            }
        });
    };
    let role = change.role();
    let held = holds(&target.roles, role);
    let refusal = match (change, held) {
        (RoleChange::AddModerator, true) => Some((
            ErrorKind::UserAlreadyModerator,
            "User is already a moderator",
        )),
        (RoleChange::AddOwner, true) => {
            Some((ErrorKind::UserAlreadyOwner, "User is already an owner"))
        }
        (RoleChange::RemoveModerator, false) => {
            Some((ErrorKind::UserNotModerator, "User is not a moderator"))
        }
        (RoleChange::RemoveOwner, false) => Some((ErrorKind::UserNotOwner, "User is not an owner")),
        _ => None,
    };
    if let Some((kind, reason)) = refusal {
        return Err(ApiError::new(kind, reason).with_method(method));
    }
    let mut roles: Vec<String> = target
        .roles
        .iter()
        .filter(|held| *held != role)
        .cloned()
        .collect();
    if change.adds() {
        roles.push(role.to_owned());
    }
    Ok(roles)
}

/// `error-user-not-in-room` `User is not in this room`, with Rocket.Chat's method name.
fn not_in_room(method: &str) -> ApiError {
    ApiError::new(ErrorKind::UserNotInRoom, "User is not in this room").with_method(method)
}

/// `groups.kick`: the caller needs `remove-user` in the group, and the user must be a member.
/// Owners and moderators may remove anyone, other owners and themselves included, as in
/// Rocket.Chat; the last owner stays ([`last_owner_leaving`]).
pub(crate) fn check_kick(
    caller: &Caller,
    caller_membership: &Membership,
    target: Option<&Membership>,
) -> Result<(), ApiError> {
    if !Permission::RemoveUser.granted(&caller.roles, &caller_membership.roles) {
        return Err(ApiError::not_allowed(KICK_METHOD));
    }
    if target.is_none() {
        return Err(not_in_room(KICK_METHOD));
    }
    Ok(())
}

/// `groups.leave`: leaving a private group takes the global `leave-p` (which guests lack).
pub(crate) fn check_leave(caller: &Caller) -> Result<(), ApiError> {
    if !Permission::LeaveP.granted_globally(&caller.roles) {
        return Err(ApiError::not_allowed(LEAVE_METHOD));
    }
    Ok(())
}

/// The refusal of a kick or a leave that would leave the group without an owner; `method`
/// is [`KICK_METHOD`] or [`LEAVE_METHOD`]. The text speaks of leaving in both, as Rocket.Chat's.
pub(crate) fn last_owner_leaving(method: &str) -> ApiError {
    ApiError::new(
        ErrorKind::YouAreLastOwner,
        "You are the last owner. Please set new owner before leaving the room.",
    )
    .with_method(method)
}

/// `groups.delete`: the caller needs `delete-p` in the group.
pub(crate) fn check_delete(caller: &Caller, membership: &Membership) -> Result<(), ApiError> {
    if !Permission::DeleteP.granted(&caller.roles, &membership.roles) {
        return Err(ApiError::not_allowed(DELETE_METHOD));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(global: &[&str]) -> Caller {
        Caller {
            id: "c".into(),
            username: "c".into(),
            name: "C".into(),
            roles: global.iter().map(|role| (*role).to_owned()).collect(),
        }
    }

    fn member(roles: &[&str]) -> Membership {
        Membership {
            roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        }
    }

    fn refusal(result: Result<impl std::fmt::Debug, ApiError>) -> (ErrorKind, String, String) {
        let error = result.unwrap_err();
        let method = error
            .details
            .as_ref()
            .and_then(|details| details.get("method"))
            .and_then(|method| method.as_str())
            .unwrap_or_default()
            .to_owned();
        (error.error_type, error.error, method)
    }

    #[test]
    fn role_changes_follow_rocket_chats_errors() {
        let user = caller(&["user"]);
        let owner = member(&["owner"]);
        let plain = member(&[]);
        assert_eq!(
            refusal(check_role_change(
                RoleChange::AddOwner,
                &user,
                &member(&["moderator"]),
                Some(&plain)
            )),
            (
                ErrorKind::NotAllowed,
                "Not allowed [error-not-allowed]".into(),
                "addRoomOwner".into()
            )
        );
        assert_eq!(
            refusal(check_role_change(
                RoleChange::RemoveOwner,
                &user,
                &owner,
                None
            )),
            (
                ErrorKind::InvalidRoom,
                "Invalid room [error-invalid-room]".into(),
                "removeRoomOwner".into()
            )
        );
        assert_eq!(
            refusal(check_role_change(RoleChange::AddOwner, &user, &owner, None)).0,
            ErrorKind::UserNotInRoom
        );
        assert_eq!(
            refusal(check_role_change(
                RoleChange::RemoveModerator,
                &user,
                &owner,
                Some(&plain)
            )),
            (
                ErrorKind::UserNotModerator,
                "User is not a moderator [error-user-not-moderator]".into(),
                "removeRoomModerator".into()
            )
        );
        assert_eq!(
            refusal(check_role_change(
                RoleChange::AddOwner,
                &user,
                &owner,
                Some(&owner)
            ))
            .0,
            ErrorKind::UserAlreadyOwner
        );
        assert_eq!(
            refusal(check_role_change(
                RoleChange::RemoveOwner,
                &user,
                &owner,
                Some(&plain)
            ))
            .0,
            ErrorKind::UserNotOwner
        );
    }

    #[test]
    fn role_changes_add_or_take_one_role_and_keep_the_others() {
        let admin = caller(&["admin"]);
        let both = member(&["owner", "moderator"]);
        assert_eq!(
            check_role_change(RoleChange::RemoveOwner, &admin, &member(&[]), Some(&both)).unwrap(),
            ["moderator"]
        );
        assert_eq!(
            check_role_change(
                RoleChange::AddOwner,
                &admin,
                &member(&[]),
                Some(&member(&["leader"]))
            )
            .unwrap(),
            ["leader", "owner"]
        );
        assert_eq!(
            check_role_change(
                RoleChange::AddModerator,
                &caller(&["user"]),
                &member(&["owner"]),
                Some(&member(&[]))
            )
            .unwrap(),
            ["moderator"]
        );
    }

    #[test]
    fn only_changes_that_end_an_ownership_need_another_owner() {
        let owner = ["owner".to_owned()];
        assert!(takes_last_owner(&owner, None));
        assert!(takes_last_owner(&owner, Some(&[])));
        assert!(!takes_last_owner(&owner, Some(&owner)));
        assert!(!takes_last_owner(&["moderator".to_owned()], None));
    }

    #[test]
    fn moderators_and_owners_kick_plain_members_do_not() {
        let user = caller(&["user"]);
        assert!(check_kick(&user, &member(&["moderator"]), Some(&member(&[]))).is_ok());
        assert_eq!(
            refusal(check_kick(&user, &member(&[]), Some(&member(&[])))),
            (
                ErrorKind::NotAllowed,
                "Not allowed [error-not-allowed]".into(),
                KICK_METHOD.into()
            )
        );
        assert_eq!(
            refusal(check_kick(&user, &member(&["owner"]), None)),
            (
                ErrorKind::UserNotInRoom,
                "User is not in this room [error-user-not-in-room]".into(),
                KICK_METHOD.into()
            )
        );
    }

    #[test]
    fn guests_cannot_leave_and_only_owners_and_admins_delete() {
        assert!(check_leave(&caller(&["user"])).is_ok());
        assert!(check_leave(&caller(&["bot"])).is_ok());
        assert_eq!(
            refusal(check_leave(&caller(&["guest"]))).2,
            LEAVE_METHOD.to_owned()
        );
        assert!(check_delete(&caller(&["user"]), &member(&["owner"])).is_ok());
        assert!(check_delete(&caller(&["admin"]), &member(&[])).is_ok());
        assert_eq!(
            refusal(check_delete(&caller(&["user"]), &member(&["moderator"]))).2,
            DELETE_METHOD.to_owned()
        );
    }
}
