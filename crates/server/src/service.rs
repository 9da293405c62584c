//! The use cases that change data, written once above the stores: read the facts, apply the
//! [`domain`](crate::domain) rules, hand the decided change to the store, and settle the
//! answer with what the store really did.
//!
//! A change carries a [`Guard`]: what the rules relied on (the caller's membership and room
//! roles) and the store re-checks inside its transaction. When it no longer holds, the store
//! changes nothing, and the use case decides again from fresh facts, so that the answer is the
//! one the rules give for the group as it is now (a caller removed meanwhile gets
//! `error-room-not-found`, a demoted one `error-not-allowed`).

use std::fmt;
use std::future::Future;

use rocketchat_protocol::ApiError;
use rocketchat_protocol::groups::invite::{InviteeList, InviteeOutcome};
use rocketchat_protocol::groups::{RoomSelector, UserSelector};
use rocketchat_protocol::room::UserRef;
use rocketchat_protocol::user::username_key;
use serde_json::{Map, Value};

use crate::domain::membership::{self, RoleChange};
use crate::domain::{Caller, Membership, Permission, RoomRecord, groups, invite};
use crate::store::{
    GroupDeletion, GroupRow, Guard, InviteApplied, InviteWrite, MemberApplied, MemberChange,
    MemberRow, MemberWrite, Store, StoreError, SystemMessage,
};
use crate::util;

/// How many times a change is decided again when what its rules read changed before it
/// committed. Only concurrent changes to the same group's memberships can cause that.
const ATTEMPTS: usize = 3;

/// Why a use case failed.
#[derive(Debug)]
pub(crate) enum Error {
    /// The rules refused: the error is the answer to send.
    Refused(ApiError),
    /// The store failed.
    Store(StoreError),
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Self::Refused(error)
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(error) => error.fmt(f),
            Self::Store(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Refused(_) => None,
            Self::Store(error) => error.source(),
        }
    }
}

/// The guard of a change that `permission` allows a caller who is a member to make: the
/// caller stays a member and, unless their global roles grant the permission, keeps one of
/// the room roles that do.
fn member_guard(caller: &Caller, permission: Permission) -> Guard {
    let roles = (!permission.granted_globally(&caller.roles)).then(|| permission.roles());
    Guard::Member {
        user_id: caller.id.clone(),
        roles,
    }
}

/// The store kept finding that what the rules read had changed.
fn kept_changing(what: &str) -> Error {
    Error::Store(StoreError::broken(format!(
        "the group kept changing while {what} was decided ({ATTEMPTS} attempts)"
    )))
}

/// A `groups.invite` call, after the HTTP layer read its body.
#[derive(Clone, Debug)]
pub(crate) struct Invite {
    /// Who invites.
    pub(crate) caller: Caller,
    /// The one string looked up as the room's id or name (`roomId || roomName`).
    pub(crate) room: String,
    /// The users named, or the error naming them produced (answered only after the room
    /// lookup, in Rocket.Chat's order).
    pub(crate) invitees: Result<InviteeList, ApiError>,
}

/// What an invite did.
#[derive(Clone, Debug)]
pub(crate) struct Invited {
    /// The group after the invite.
    pub(crate) room: RoomRecord,
    /// One outcome per requested entry.
    pub(crate) outcomes: Vec<InviteeOutcome>,
}

/// Invites users into a private group, all or nothing, in Rocket.Chat's order: the room, the
/// user list, the users found, the permission (see [`invite`]).
pub(crate) async fn invite(store: &dyn Store, command: Invite) -> Result<Invited, Error> {
    let caller = &command.caller;
    let lookup = command
        .invitees
        .as_ref()
        .ok()
        .map(|list| (list.mode, invite::lookup_keys(list)));
    for _ in 0..ATTEMPTS {
        let facts = store
            .invite_facts(command.room.clone(), caller.id.clone(), lookup.clone())
            .await?;
        let room = invite::admit(facts.room.as_ref(), caller, facts.membership.as_ref())?;
        let list = command.invitees.as_ref().map_err(Clone::clone)?;
        let mut plan = invite::plan(caller, facts.membership.as_ref(), list, &facts.candidates)?;
        if plan.add.is_empty() {
            return Ok(Invited {
                room: room.clone(),
                outcomes: plan.outcomes,
            });
        }
        let guard = if facts.membership.is_some() {
            member_guard(caller, Permission::AddUserToJoinedRoom)
        } else {
            // Allowed by `add-user-to-any-p-room`, a global role: nothing in the group counts.
            Guard::Nothing
        };
        let write = InviteWrite {
            room_id: room.id.clone(),
            inviter: caller.user_ref(),
            add: plan.add.clone(),
            subscription: invite::INVITED,
            message_type: invite::ADDED_MESSAGE_TYPE,
            guard,
        };
        match store.apply_invite(write).await? {
            InviteApplied::Done { inserted, room } => {
                plan.settle(&inserted);
                return Ok(Invited {
                    room,
                    outcomes: plan.outcomes,
                });
            }
            InviteApplied::Stale => continue,
        }
    }
    Err(kept_changing("an invite"))
}

/// A private group to create.
#[derive(Clone, Debug)]
pub(crate) struct NewGroup {
    /// Who creates it; they become its owner.
    pub(crate) caller: Caller,
    /// The unique name.
    pub(crate) name: String,
    /// Usernames to add; unknown ones are skipped, as Rocket.Chat skips them, unless
    /// `require_members` says otherwise.
    pub(crate) members: Vec<String>,
    /// Whether an unknown member refuses the whole group (`error-invalid-username`, naming
    /// them), as the test helpers want.
    pub(crate) require_members: bool,
    /// Whether the group is read-only.
    pub(crate) read_only: bool,
    /// Custom fields.
    pub(crate) custom_fields: Map<String, Value>,
    /// Extra room fields (`broadcast`, ...).
    pub(crate) extra: Map<String, Value>,
    /// Whether the creator stays out.
    pub(crate) exclude_self: bool,
}

/// Creates a private group owned by the caller.
pub(crate) async fn create_group(store: &dyn Store, group: NewGroup) -> Result<RoomRecord, Error> {
    let caller = &group.caller;
    groups::check_create(caller, &group.name)?;
    let keys = group
        .members
        .iter()
        .map(|name| username_key(name))
        .collect();
    let found = store.users_named(keys).await?;
    let members = groups::first_members(caller, group.exclude_self, &group.members, found);
    if group.require_members && !members.missing.is_empty() {
        return Err(groups::unknown_members(&members.missing).into());
    }
    let row = GroupRow {
        id: util::new_id(),
        fname: groups::display_name(&group.name, &group.extra),
        read_only: groups::is_read_only(group.read_only, &group.extra),
        owner: caller.user_ref().with_name(&caller.name),
        members: members
            .members
            .into_iter()
            .map(|(user_id, username, roles)| MemberRow {
                user_id,
                username,
                roles,
            })
            .collect(),
        name: group.name,
        custom_fields: group.custom_fields,
        extra: group.extra,
        now: util::now(),
    };
    let name = row.name.clone();
    match store.insert_group(row).await {
        Err(StoreError::Conflict { field: "name", .. }) => {
            Err(groups::duplicate_name(&name).into())
        }
        other => Ok(other?),
    }
}

/// A call about one member of a group: `groups.kick` and the room-role routes.
#[derive(Clone, Debug)]
pub(crate) struct MemberCall {
    /// Who asks.
    pub(crate) caller: Caller,
    /// The group, by id or name.
    pub(crate) room: RoomSelector,
    /// The user named, or the error naming them produced (answered only after the group was
    /// found, in Rocket.Chat's order).
    pub(crate) user: Result<UserSelector, ApiError>,
}

/// The facts of a call about one member: the group (a private group the caller is a member
/// of), the caller's membership, the user named and their membership.
struct MemberFacts {
    room: RoomRecord,
    caller_membership: Membership,
    target: UserRef,
    target_membership: Option<Membership>,
}

/// Reads the facts of a [`MemberCall`], refusing in Rocket.Chat's order: a group the caller
/// cannot see as if it did not exist, then the user parameters, then a user nobody has.
async fn member_facts(store: &dyn Store, call: &MemberCall) -> Result<MemberFacts, Error> {
    let (room, membership) = store
        .room_for(call.room.clone(), call.caller.id.clone())
        .await?;
    let (room, caller_membership) = groups::check_readable(room, membership)?;
    let target = match call.user.as_ref().map_err(Clone::clone)? {
        UserSelector::Id { user_id } => store
            .user(user_id.clone())
            .await?
            .map(|user| UserRef::new(user.id, user.username)),
        UserSelector::Username { username } => store
            .users_named(vec![username_key(username)])
            .await?
            .into_iter()
            .next()
            .map(|(id, username)| UserRef::new(id, username)),
    }
    .ok_or_else(ApiError::invalid_user)?;
    let target_membership = store.membership(room.id.clone(), target.id.clone()).await?;
    Ok(MemberFacts {
        room,
        caller_membership,
        target,
        target_membership,
    })
}

/// Runs a membership change until it commits on the facts it was decided on: `decide` reads
/// the facts and returns the write, or the refusal; `last_owner` is the refusal when the
/// change would leave the group without an owner.
async fn change_member<F, Fut>(
    store: &dyn Store,
    what: &str,
    last_owner: ApiError,
    mut decide: F,
) -> Result<(), Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<MemberWrite, Error>>,
{
    for _ in 0..ATTEMPTS {
        let write = decide().await?;
        match store.change_member(write).await? {
            MemberApplied::Done => return Ok(()),
            MemberApplied::LastOwner => return Err(last_owner.into()),
            MemberApplied::Stale => continue,
        }
    }
    Err(kept_changing(what))
}

/// Gives a member of a private group a room role, or takes it away, with its
/// `subscription-role-added` or `-removed` message.
pub(crate) async fn change_role(
    store: &dyn Store,
    change: RoleChange,
    call: MemberCall,
) -> Result<(), Error> {
    let (call, caller) = (&call, &call.caller);
    change_member(
        store,
        "a room role",
        change.last_owner(),
        move || async move {
            let facts = member_facts(store, call).await?;
            let roles = membership::check_role_change(
                change,
                caller,
                &facts.caller_membership,
                facts.target_membership.as_ref(),
            )?;
            let expected = facts.target_membership.map(|m| m.roles).unwrap_or_default();
            Ok(MemberWrite {
                room_id: facts.room.id,
                user_id: facts.target.id,
                keep_an_owner: membership::takes_last_owner(&expected, Some(&roles)),
                expected,
                change: MemberChange::SetRoles(roles),
                message: SystemMessage {
                    message_type: change.message_type(),
                    msg: facts.target.username,
                    author: caller.named_ref(),
                    role: Some(change.role()),
                },
                guard: member_guard(caller, change.permission()),
            })
        },
    )
    .await
}

/// Removes a member from a private group (`groups.kick`), with its `ru` message.
pub(crate) async fn kick(store: &dyn Store, call: MemberCall) -> Result<(), Error> {
    let (call, caller) = (&call, &call.caller);
    let last_owner = membership::last_owner_leaving(membership::KICK_METHOD);
    change_member(store, "a removal", last_owner, move || async move {
        let facts = member_facts(store, call).await?;
        membership::check_kick(
            caller,
            &facts.caller_membership,
            facts.target_membership.as_ref(),
        )?;
        let expected = facts.target_membership.map(|m| m.roles).unwrap_or_default();
        Ok(MemberWrite {
            room_id: facts.room.id,
            user_id: facts.target.id,
            keep_an_owner: membership::takes_last_owner(&expected, None),
            expected,
            change: MemberChange::Remove,
            message: SystemMessage {
                message_type: membership::REMOVED_MESSAGE_TYPE,
                msg: facts.target.username,
                author: caller.named_ref(),
                role: None,
            },
            guard: member_guard(caller, Permission::RemoveUser),
        })
    })
    .await
}

/// The caller leaves a private group (`groups.leave`), with its `ul` message.
pub(crate) async fn leave(
    store: &dyn Store,
    caller: &Caller,
    room: RoomSelector,
) -> Result<(), Error> {
    let room = &room;
    let last_owner = membership::last_owner_leaving(membership::LEAVE_METHOD);
    change_member(store, "a leave", last_owner, move || async move {
        let (found, membership) = store.room_for(room.clone(), caller.id.clone()).await?;
        let (found, membership) = groups::check_readable(found, membership)?;
        membership::check_leave(caller)?;
        Ok(MemberWrite {
            room_id: found.id,
            user_id: caller.id.clone(),
            keep_an_owner: membership::takes_last_owner(&membership.roles, None),
            expected: membership.roles,
            change: MemberChange::Remove,
            message: SystemMessage {
                message_type: membership::LEFT_MESSAGE_TYPE,
                msg: caller.username.clone(),
                author: caller.named_ref(),
                role: None,
            },
            // The member's own roles, checked as `expected`, are all the leave relies on.
            guard: Guard::Nothing,
        })
    })
    .await
}

/// Deletes a private group with its memberships and messages (`groups.delete`).
pub(crate) async fn delete_group(
    store: &dyn Store,
    caller: &Caller,
    room: RoomSelector,
) -> Result<(), Error> {
    for _ in 0..ATTEMPTS {
        let (found, membership) = store.room_for(room.clone(), caller.id.clone()).await?;
        let (found, membership) = groups::check_readable(found, membership)?;
        membership::check_delete(caller, &membership)?;
        let deletion = GroupDeletion {
            room_id: found.id,
            guard: member_guard(caller, Permission::DeleteP),
        };
        if store.delete_group(deletion).await? {
            return Ok(());
        }
    }
    Err(kept_changing("a deletion"))
}
