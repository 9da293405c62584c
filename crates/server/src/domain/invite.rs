//! Who may invite whom into a private group, and what an invite changes.
//!
//! The steps, in Rocket.Chat's order (see the order of checks in
//! `docs/rocketchat-compatibility.md#order-of-checks-and-error-bodies`), with our one deliberate
//! change:
//!
//! 1. [`admit`]: the room must be a private group, else `error-room-not-found`. A caller who is
//!    not a member and lacks `add-user-to-any-p-room` gets the same answer, so a private group's
//!    existence is not revealed to outsiders
//!    (`docs/rocketchat-compatibility.md#private-groups-stay-hidden-from-outsiders`).
//! 2. The user list (from the protocol crate's `RawRequest::invitees`), which may fail with
//!    `error-users-params-not-provided`.
//! 3. [`plan`]: none found → `error-empty-invite-list`; no `add-user-to-joined-room` →
//!    `error-not-allowed` with `details.method = addUsersToRoom`; otherwise every found user who
//!    is not yet a member is added, and each requested entry gets its outcome.

use std::collections::{HashMap, HashSet};

use rocketchat_protocol::ApiError;
use rocketchat_protocol::groups::invite::{InviteeList, InviteeOutcome, Outcome};
use rocketchat_protocol::room::UserRef;

use super::{Caller, Membership, Permission, RoomRecord};

/// The `details.method` of the permission error, as Rocket.Chat names its method.
pub(crate) const METHOD: &str = "addUsersToRoom";

/// Step 1: may this caller learn about, and act on, this room? Returns the room it checked.
pub(crate) fn admit<'a>(
    room: Option<&'a RoomRecord>,
    caller: &Caller,
    membership: Option<&Membership>,
) -> Result<&'a RoomRecord, ApiError> {
    let room = room
        .filter(|room| room.is_private_group())
        .ok_or_else(ApiError::room_not_found)?;
    if membership.is_none() && !Permission::AddUserToAnyPRoom.granted_globally(&caller.roles) {
        return Err(ApiError::room_not_found());
    }
    Ok(room)
}

/// The distinct keys the store must look up for a list, in request order.
pub(crate) fn lookup_keys(list: &InviteeList) -> Vec<String> {
    let mut seen = HashSet::new();
    list.entries
        .iter()
        .map(|entry| list.mode.key(entry))
        .filter(|key| seen.insert(key.clone()))
        .collect()
}

/// A user the store found for a key, and whether they are in the room already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The key it matched ([`LookupMode::key`]).
    pub(crate) key: String,
    /// The user.
    pub(crate) user: UserRef,
    /// Whether the user has a subscription to the room.
    pub(crate) member: bool,
}

/// What an invite will change, and what it tells the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InvitePlan {
    /// The users to add, each once, in request order.
    pub(crate) add: Vec<UserRef>,
    /// One outcome per requested entry, in request order.
    pub(crate) outcomes: Vec<InviteeOutcome>,
}

/// Step 3: decides the invite from the users found.
///
/// Entries that match the same user (`John.Doe` and `john.doe`) add that user once; the later
/// entry reports `alreadyMember`, since by then the user is one.
pub(crate) fn plan(
    caller: &Caller,
    membership: Option<&Membership>,
    list: &InviteeList,
    found: &[Candidate],
) -> Result<InvitePlan, ApiError> {
    if found.is_empty() {
        return Err(ApiError::empty_invite_list());
    }
    let may_add = membership.is_some_and(|membership| {
        Permission::AddUserToJoinedRoom.granted(&caller.roles, &membership.roles)
    }) || Permission::AddUserToAnyPRoom.granted_globally(&caller.roles);
    if !may_add {
        return Err(ApiError::not_allowed(METHOD));
    }
    let by_key: HashMap<&str, &Candidate> = found
        .iter()
        .map(|candidate| (candidate.key.as_str(), candidate))
        .collect();
    let mut members: HashSet<&str> = found
        .iter()
        .filter(|candidate| candidate.member)
        .map(|candidate| candidate.user.id.as_str())
        .collect();
    let mut add = Vec::new();
    let outcomes = list
        .entries
        .iter()
        .map(|entry| {
            let key = list.mode.key(entry);
            let Some(candidate) = by_key.get(key.as_str()) else {
                return InviteeOutcome::new(entry, Outcome::NotFound, None);
            };
            let outcome = if members.insert(candidate.user.id.as_str()) {
                add.push(candidate.user.clone());
                Outcome::Added
            } else {
                Outcome::AlreadyMember
            };
            InviteeOutcome::new(entry, outcome, Some(candidate.user.clone()))
        })
        .collect();
    Ok(InvitePlan { add, outcomes })
}

impl InvitePlan {
    /// Adjusts the outcomes after the store inserted only `inserted` of the planned users (a
    /// concurrent invite on a database with several writers may have added the others first).
    pub(crate) fn settle(&mut self, inserted: &HashSet<String>) {
        if inserted.len() == self.add.len() {
            return;
        }
        self.add.retain(|user| inserted.contains(&user.id));
        for outcome in &mut self.outcomes {
            if outcome.outcome == Outcome::Added
                && outcome
                    .user
                    .as_ref()
                    .is_some_and(|user| !inserted.contains(&user.id))
            {
                outcome.outcome = Outcome::AlreadyMember;
            }
        }
    }
}

/// The subscription an invited user gets (see
/// `docs/rocketchat-compatibility.md#what-an-invite-changes`): open, alerted, one unread, one
/// mention, no roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NewSubscription {
    /// Shown in the user's room list.
    pub(crate) open: bool,
    /// Marked as having news.
    pub(crate) alert: bool,
    /// Unread messages.
    pub(crate) unread: u64,
    /// Unread mentions of the user.
    pub(crate) user_mentions: u64,
    /// Unread group mentions.
    pub(crate) group_mentions: u64,
}

/// The subscription of an invited member.
pub(crate) const INVITED: NewSubscription = NewSubscription {
    open: true,
    alert: true,
    unread: 1,
    user_mentions: 1,
    group_mentions: 0,
};

/// The system-message type written for each added user.
pub(crate) const ADDED_MESSAGE_TYPE: &str = "au";

#[cfg(test)]
mod tests {
    use rocketchat_protocol::ErrorKind;
    use rocketchat_protocol::groups::invite::LookupMode;
    use serde_json::Map;

    use super::*;

    fn caller(roles: &[&str]) -> Caller {
        Caller {
            id: "caller".into(),
            username: "owner".into(),
            name: "Owner".into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    fn group(t: &str) -> RoomRecord {
        RoomRecord {
            id: "room".into(),
            room_type: t.into(),
            name: "private-abc".into(),
            fname: "private-abc".into(),
            owner: UserRef::new("caller", "owner"),
            msgs: 0,
            users_count: 1,
            ro: false,
            default: false,
            custom_fields: Map::new(),
            extra: Map::new(),
            ts: "t".into(),
            updated_at: "t".into(),
            lm: None,
        }
    }

    fn owner() -> Membership {
        Membership {
            roles: vec!["owner".into()],
        }
    }

    fn candidate(key: &str, id: &str, member: bool) -> Candidate {
        Candidate {
            key: key.into(),
            user: UserRef::new(id, key),
            member,
        }
    }

    fn list(mode: LookupMode, entries: &[&str]) -> InviteeList {
        InviteeList::new(mode, entries.iter().map(|e| (*e).to_owned()).collect())
    }

    #[test]
    fn missing_room_and_channels_are_not_found() {
        let user = caller(&["user"]);
        assert_eq!(
            admit(None, &user, None).unwrap_err(),
            ApiError::room_not_found()
        );
        assert_eq!(
            admit(Some(&group("c")), &user, Some(&owner())).unwrap_err(),
            ApiError::room_not_found()
        );
        assert!(admit(Some(&group("p")), &user, Some(&owner())).is_ok());
    }

    #[test]
    fn outsiders_even_admins_learn_nothing() {
        let admin = caller(&["user", "admin"]);
        assert_eq!(
            admit(Some(&group("p")), &admin, None).unwrap_err(),
            ApiError::room_not_found()
        );
    }

    #[test]
    fn plain_members_are_not_allowed() {
        let member = Membership::default();
        let error = plan(
            &caller(&["user"]),
            Some(&member),
            &list(LookupMode::Ids, &["a"]),
            &[candidate("a", "a", false)],
        )
        .unwrap_err();
        assert_eq!(error, ApiError::not_allowed("addUsersToRoom"));
    }

    #[test]
    fn admin_members_and_moderators_may_invite() {
        let list = list(LookupMode::Ids, &["a"]);
        let found = [candidate("a", "a", false)];
        assert!(
            plan(
                &caller(&["admin"]),
                Some(&Membership::default()),
                &list,
                &found
            )
            .is_ok()
        );
        let moderator = Membership {
            roles: vec!["moderator".into()],
        };
        assert!(plan(&caller(&["user"]), Some(&moderator), &list, &found).is_ok());
    }

    #[test]
    fn nobody_found_is_an_empty_invite_list_before_the_permission_check() {
        let error = plan(
            &caller(&["user"]),
            Some(&Membership::default()),
            &list(LookupMode::Ids, &["a"]),
            &[],
        )
        .unwrap_err();
        assert_eq!(error.error_type, ErrorKind::EmptyInviteList);
    }

    #[test]
    fn outcomes_follow_the_request_order() {
        let plan = plan(
            &caller(&["user"]),
            Some(&owner()),
            &list(
                LookupMode::Usernames,
                &["John.Doe", "owner", "ghost", "JOHN.DOE"],
            ),
            &[
                candidate("john.doe", "j", false),
                candidate("owner", "caller", true),
            ],
        )
        .unwrap();
        assert_eq!(plan.add.len(), 1);
        assert_eq!(plan.add[0].id, "j");
        let outcomes: Vec<_> = plan
            .outcomes
            .iter()
            .map(|o| (o.requested.as_str(), o.outcome.clone()))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("John.Doe", Outcome::Added),
                ("owner", Outcome::AlreadyMember),
                ("ghost", Outcome::NotFound),
                ("JOHN.DOE", Outcome::AlreadyMember),
            ]
        );
    }

    #[test]
    fn lookup_keys_lowercase_usernames_and_keep_ids() {
        assert_eq!(
            lookup_keys(&list(LookupMode::Usernames, &["Bob", "bob", "Ann"])),
            ["bob", "ann"]
        );
        assert_eq!(
            lookup_keys(&list(LookupMode::Ids, &["Ab", "ab"])),
            ["Ab", "ab"]
        );
    }

    #[test]
    fn settle_turns_lost_races_into_already_member() {
        let mut plan = plan(
            &caller(&["user"]),
            Some(&owner()),
            &list(LookupMode::Ids, &["a", "b"]),
            &[candidate("a", "a", false), candidate("b", "b", false)],
        )
        .unwrap();
        plan.settle(&HashSet::from(["a".to_owned()]));
        assert_eq!(plan.add.len(), 1);
        assert_eq!(plan.outcomes[1].outcome, Outcome::AlreadyMember);
    }
}
