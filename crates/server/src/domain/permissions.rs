//! Rocket.Chat's default role-to-permission mapping, and how roles are resolved.
//!
//! A user's roles are their global roles (`admin`, `user`, `bot`, ...) plus, for a permission
//! checked in a room, the room-scoped roles on their subscription (`owner`, `moderator`).

/// A permission the server checks, with Rocket.Chat's default roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Permission {
    /// `add-user-to-joined-room`: add users to a room one is a member of.
    AddUserToJoinedRoom,
    /// `add-user-to-any-p-room`: add users to any private group (nobody by default).
    AddUserToAnyPRoom,
    /// `create-p`: create private groups.
    CreateP,
    /// `create-user`: create users.
    CreateUser,
    /// `set-moderator`: give a member the moderator role.
    SetModerator,
    /// `api-bypass-rate-limit`: not counted by the REST rate limiter.
    ApiBypassRateLimit,
    /// `view-broadcast-member-list`: list the members of a broadcast group.
    ViewBroadcastMemberList,
    /// `remove-user`: remove a member from a room.
    RemoveUser,
    /// `leave-p`: leave a private group (not guests).
    LeaveP,
    /// `set-owner`: give a member the owner role, or take it away.
    SetOwner,
    /// `delete-p`: delete a private group.
    DeleteP,
    /// `view-room-administration`: list every room of the workspace.
    ViewRoomAdministration,
    /// `view-full-other-user-info`: see another user's e-mail addresses, roles and dates.
    ViewFullOtherUserInfo,
    /// `view-other-user-channels`: see the rooms another user is in.
    ViewOtherUserChannels,
}

impl Permission {
    /// The roles that hold the permission by default (`permissions.ts`).
    pub(crate) fn roles(self) -> &'static [&'static str] {
        match self {
            Self::AddUserToJoinedRoom => &["admin", "owner", "moderator"],
            Self::AddUserToAnyPRoom => &[],
            Self::CreateP => &["admin", "user", "federated-external", "bot", "app"],
            Self::CreateUser => &["admin"],
            Self::SetModerator => &["admin", "owner"],
            Self::ApiBypassRateLimit => &["admin", "bot", "app"],
            Self::ViewBroadcastMemberList => &["admin", "owner", "moderator"],
            Self::RemoveUser => &["admin", "owner", "moderator"],
            Self::LeaveP => &[
                "admin",
                "user",
                "federated-external",
                "bot",
                "anonymous",
                "app",
            ],
            Self::SetOwner => &["admin", "owner"],
            Self::DeleteP => &["admin", "owner"],
            Self::ViewRoomAdministration => &["admin"],
            Self::ViewFullOtherUserInfo => &["admin"],
            Self::ViewOtherUserChannels => &["admin"],
        }
    }

    /// Whether a user with these global roles, and these room-scoped roles when the check is
    /// made in a room, holds the permission.
    pub(crate) fn granted(self, global_roles: &[String], room_roles: &[String]) -> bool {
        let roles = self.roles();
        global_roles
            .iter()
            .chain(room_roles)
            .any(|role| roles.contains(&role.as_str()))
    }

    /// Whether global roles alone grant the permission.
    pub(crate) fn granted_globally(self, global_roles: &[String]) -> bool {
        self.granted(global_roles, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn room_owner_and_moderator_may_add_to_a_joined_room() {
        let user = roles(&["user"]);
        assert!(Permission::AddUserToJoinedRoom.granted(&user, &roles(&["owner"])));
        assert!(Permission::AddUserToJoinedRoom.granted(&user, &roles(&["moderator"])));
        assert!(!Permission::AddUserToJoinedRoom.granted(&user, &[]));
        assert!(Permission::AddUserToJoinedRoom.granted(&roles(&["admin"]), &[]));
    }

    #[test]
    fn nobody_may_add_to_any_private_group_by_default() {
        assert!(!Permission::AddUserToAnyPRoom.granted_globally(&roles(&["admin", "user", "bot"])));
    }

    #[test]
    fn admins_and_bots_bypass_the_rate_limit() {
        assert!(Permission::ApiBypassRateLimit.granted_globally(&roles(&["bot"])));
        assert!(Permission::ApiBypassRateLimit.granted_globally(&roles(&["user", "admin"])));
        assert!(!Permission::ApiBypassRateLimit.granted_globally(&roles(&["user"])));
    }
}
