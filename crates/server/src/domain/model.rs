//! The records the store reads and writes, and how they look on the wire.

use rocketchat_protocol::groups::history::Message;
use rocketchat_protocol::room::{Room, UserRef};
use rocketchat_protocol::user::{Email, User};
use serde_json::{Map, Value, json};

/// A user as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserRecord {
    /// The 17-character id (`rocket.cat` for the bundled bot).
    pub(crate) id: String,
    /// The username, as created.
    pub(crate) username: String,
    /// The display name.
    pub(crate) name: String,
    /// The e-mail address.
    pub(crate) email: Option<String>,
    /// Whether the e-mail address was verified.
    pub(crate) email_verified: bool,
    /// Global roles such as `user`, `admin`, `bot`.
    pub(crate) roles: Vec<String>,
    /// `user`, `bot` or `app`.
    pub(crate) user_type: String,
    /// Whether the account is active.
    pub(crate) active: bool,
    /// Presence, `offline` until a realtime session says otherwise.
    pub(crate) status: String,
    /// When the user was created.
    pub(crate) created_at: String,
    /// When the user last changed.
    pub(crate) updated_at: String,
}

impl UserRecord {
    /// Who is calling, when this user is authenticated.
    pub(crate) fn caller(&self) -> Caller {
        Caller {
            id: self.id.clone(),
            username: self.username.clone(),
            name: self.name.clone(),
            roles: self.roles.clone(),
        }
    }

    fn base(&self) -> User {
        let mut user = self.member();
        user.emails = self
            .email
            .as_ref()
            .map(|address| vec![Email::new(address, self.email_verified)]);
        user.active = Some(self.active);
        user.roles = Some(self.roles.clone());
        user.user_type = Some(self.user_type.clone());
        user
    }

    /// The user as `users.create` answers it.
    pub(crate) fn created(&self) -> User {
        let mut user = self.base();
        user.other
            .insert("createdAt".to_owned(), json!(self.created_at));
        user.other.insert("settings".to_owned(), json!({}));
        user
    }

    /// The user as `me` and `login` answer it (`getUserInfo`).
    pub(crate) fn me(&self, root_url: &str) -> User {
        let mut user = self.base();
        let other = &mut user.other;
        if let Some(email) = &self.email {
            other.insert("email".to_owned(), json!(email));
        }
        other.insert("statusConnection".to_owned(), json!("offline"));
        other.insert("utcOffset".to_owned(), json!(0));
        other.insert("settings".to_owned(), json!({ "preferences": {} }));
        other.insert(
            "avatarUrl".to_owned(),
            json!(format!(
                "{}/avatar/{}",
                root_url.trim_end_matches('/'),
                self.username
            )),
        );
        user
    }

    /// The user as `users.info` answers it: the public fields, and with `full` (the caller
    /// themself, or an admin) also e-mail addresses, roles and dates. Never a token, hashed or
    /// not.
    pub(crate) fn info(&self, full: bool) -> User {
        let mut user = User::new(&self.id);
        user.username = Some(self.username.clone());
        user.name = Some(self.name.clone());
        user.status = Some(self.status.clone());
        user.active = Some(self.active);
        user.user_type = Some(self.user_type.clone());
        user.other.insert("utcOffset".to_owned(), json!(0));
        if full {
            user.emails = self
                .email
                .as_ref()
                .map(|address| vec![Email::new(address, self.email_verified)]);
            user.roles = Some(self.roles.clone());
            user.other
                .insert("createdAt".to_owned(), json!(self.created_at));
            user.other
                .insert("statusConnection".to_owned(), json!("offline"));
        }
        user.can_view_all_info = Some(full);
        user
    }

    /// The user as `groups.members` lists it.
    pub(crate) fn member(&self) -> User {
        let mut user = User::new(&self.id);
        user.username = Some(self.username.clone());
        user.name = Some(self.name.clone());
        user.status = Some(self.status.clone());
        user.updated_at = Some(self.updated_at.clone());
        user
    }
}

/// The authenticated caller: who they are and their global roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The user id.
    pub(crate) id: String,
    /// The username.
    pub(crate) username: String,
    /// The display name.
    pub(crate) name: String,
    /// Global roles.
    pub(crate) roles: Vec<String>,
}

impl Caller {
    /// The `{_id, username}` reference written as `u` on the messages they cause.
    pub(crate) fn user_ref(&self) -> UserRef {
        UserRef::new(&self.id, &self.username)
    }

    /// The `{_id, username, name}` reference of the membership messages they cause.
    pub(crate) fn named_ref(&self) -> UserRef {
        self.user_ref().with_name(&self.name)
    }
}

/// A room as stored.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RoomRecord {
    /// The 17-character id (`GENERAL` for the default channel).
    pub(crate) id: String,
    /// `p` for a private group, `c` for a channel.
    pub(crate) room_type: String,
    /// The unique name.
    pub(crate) name: String,
    /// The display name.
    pub(crate) fname: String,
    /// The creator, `{_id, username, name}`.
    pub(crate) owner: UserRef,
    /// Messages, system messages included.
    pub(crate) msgs: u64,
    /// Members.
    pub(crate) users_count: u64,
    /// Whether the room is read-only.
    pub(crate) ro: bool,
    /// Whether new users join it by default.
    pub(crate) default: bool,
    /// Custom fields.
    pub(crate) custom_fields: Map<String, Value>,
    /// The `extraData` given at creation (e.g. `broadcast`), merged into the room object.
    pub(crate) extra: Map<String, Value>,
    /// When the room was created.
    pub(crate) ts: String,
    /// When the room last changed.
    pub(crate) updated_at: String,
    /// When the last ordinary message was sent.
    pub(crate) lm: Option<String>,
}

impl RoomRecord {
    /// Whether this is a private group.
    pub(crate) fn is_private_group(&self) -> bool {
        self.room_type == "p"
    }

    /// Whether the group was created with `extraData.broadcast: true`.
    pub(crate) fn is_broadcast(&self) -> bool {
        self.extra.get("broadcast") == Some(&Value::Bool(true))
    }

    /// The room object Rocket.Chat sends as `group` (minus `joinCode`, `members`, `importIds`,
    /// `e2e`).
    pub(crate) fn to_room(&self) -> Room {
        let mut room = Room::new(&self.id, &self.room_type);
        room.name = Some(self.name.clone());
        room.fname = Some(self.fname.clone());
        room.msgs = Some(self.msgs);
        room.users_count = Some(self.users_count);
        room.u = Some(self.owner.clone());
        room.ts = Some(self.ts.clone());
        room.ro = Some(self.ro);
        room.default = Some(self.default);
        room.custom_fields = Some(self.custom_fields.clone());
        room.lm = self.lm.clone();
        room.updated_at = Some(self.updated_at.clone());
        room.other = self
            .extra
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        room
    }
}

/// A user's subscription to a room, as far as the rules need it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Membership {
    /// Room-scoped roles: `owner`, `moderator`, `leader`.
    pub(crate) roles: Vec<String>,
}

/// A message as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MessageRecord {
    /// The 17-character id.
    pub(crate) id: String,
    /// The room.
    pub(crate) rid: String,
    /// The system-message type (`au`), absent for ordinary messages.
    pub(crate) message_type: Option<String>,
    /// The text; for `au`, the added username.
    pub(crate) msg: String,
    /// When it was sent.
    pub(crate) ts: String,
    /// The author; for `au`, the inviter.
    pub(crate) u: UserRef,
    /// The room role a role-change message is about.
    pub(crate) role: Option<String>,
    /// Whether it may be grouped with its neighbours.
    pub(crate) groupable: Option<bool>,
    /// When it last changed.
    pub(crate) updated_at: String,
}

impl MessageRecord {
    /// The message as `groups.history` answers it.
    pub(crate) fn to_message(&self) -> Message {
        let mut message = Message::new(&self.id, &self.rid, &self.msg, &self.ts, self.u.clone());
        message.message_type = self.message_type.clone();
        message.groupable = self.groupable;
        message.role = self.role.clone();
        message.updated_at = Some(self.updated_at.clone());
        message
    }
}

/// One of a user's memberships, as `users.info` lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MembershipRow {
    /// The membership's (subscription's) id.
    pub(crate) id: String,
    /// The room's id.
    pub(crate) rid: String,
    /// The room's name.
    pub(crate) name: String,
    /// The room's type.
    pub(crate) room_type: String,
    /// The member's room roles.
    pub(crate) roles: Vec<String>,
    /// Unread messages.
    pub(crate) unread: u64,
}

impl MembershipRow {
    /// The membership as `users.info` lists it in `rooms`: `{_id, rid, name, t, unread}`, and
    /// `roles` when the member holds any.
    pub(crate) fn to_json(&self) -> Value {
        let mut room = json!({
            "_id": self.id,
            "rid": self.rid,
            "name": self.name,
            "t": self.room_type,
            "unread": self.unread,
        });
        if !self.roles.is_empty() {
            room["roles"] = json!(self.roles);
        }
        room
    }
}
