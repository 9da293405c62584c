//! The SQL, as plain functions over a connection. Reads run on the read pool, writes inside the
//! writer's transaction.

use std::collections::HashSet;

use rocketchat_protocol::groups::RoomSelector;
use rocketchat_protocol::groups::invite::LookupMode;
use rocketchat_protocol::room::UserRef;
use rocketchat_protocol::user::username_key;
use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde_json::{Map, Value, json};

use crate::domain::groups::{GroupOrder, Page};
use crate::domain::invite::Candidate;
use crate::domain::{Membership, MembershipRow, MessageRecord, RoomRecord, UserRecord};
use crate::store::{
    GroupDeletion, GroupRow, Guard, InviteApplied, InviteFacts, InviteWrite, LoginIdentity,
    MemberApplied, MemberChange, MemberWrite, NewUser, StoreError, SystemMessage, TokenHolder,
    named, order_by,
};
use crate::util;

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::failed("the SQLite database failed", error)
    }
}

type Result<T> = std::result::Result<T, StoreError>;

const USER_COLUMNS: &str = "id, username, name, email, email_verified, roles, user_type, active, \
                            status, created_at, updated_at";

/// A JSON array of rows, each an array of strings, for `json_each`.
fn json_rows<'a, const N: usize>(rows: impl Iterator<Item = [&'a str; N]>) -> String {
    let mut out = Vec::with_capacity(64);
    out.push(b'[');
    for (index, row) in rows.enumerate() {
        if index > 0 {
            out.push(b',');
        }
        // Serialising an array of strings into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &row[..]);
    }
    out.push(b']');
    String::from_utf8(out).unwrap_or_default()
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn json_object(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        username: row.get(1)?,
        name: row.get(2)?,
        email: row.get(3)?,
        email_verified: row.get(4)?,
        roles: json_list(&row.get::<_, String>(5)?),
        user_type: row.get(6)?,
        active: row.get(7)?,
        status: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

const ROOM_COLUMNS: &str = "id, t, name, fname, owner_id, owner_username, owner_name, msgs, \
                            users_count, ro, is_default, custom_fields, extra, ts, updated_at, lm";

fn room_from_row(row: &Row<'_>) -> rusqlite::Result<RoomRecord> {
    Ok(RoomRecord {
        id: row.get(0)?,
        room_type: row.get(1)?,
        name: row.get(2)?,
        fname: row.get(3)?,
        owner: {
            let owner = UserRef::new(row.get::<_, String>(4)?, row.get::<_, String>(5)?);
            match row.get::<_, Option<String>>(6)? {
                Some(name) => owner.with_name(name),
                None => owner,
            }
        },
        msgs: row.get(7)?,
        users_count: row.get(8)?,
        ro: row.get(9)?,
        default: row.get(10)?,
        custom_fields: json_object(&row.get::<_, String>(11)?),
        extra: json_object(&row.get::<_, String>(12)?),
        ts: row.get(13)?,
        updated_at: row.get(14)?,
        lm: row.get(15)?,
    })
}

pub(super) fn human_user_count(conn: &Connection) -> Result<u64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM users WHERE user_type = 'user'")?
        .query_row([], |row| row.get(0))?)
}

pub(super) fn user_by_id(conn: &Connection, id: &str) -> Result<Option<UserRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], user_from_row)
        .optional()?)
}

pub(super) fn create_user(conn: &Connection, user: NewUser) -> Result<UserRecord> {
    let username_key = username_key(&user.username);
    let email_key = user.email.as_deref().map(str::to_lowercase);
    let taken: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT username_key, email_key FROM users WHERE username_key = ?1 OR email_key = ?2 \
             LIMIT 1",
        )?
        .query_row(params![username_key, email_key], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    if let Some((taken_username, _)) = taken {
        return Err(if taken_username == username_key {
            StoreError::Conflict {
                field: "username",
                value: user.username,
            }
        } else {
            StoreError::Conflict {
                field: "email",
                value: user.email.unwrap_or_default(),
            }
        });
    }
    let id = insert_user(conn, user, &util::now())?;
    user_by_id(conn, &id)?.ok_or_else(|| StoreError::broken("a user vanished as it was created"))
}

/// Inserts a user as given, without checking that the username and e-mail are free (the
/// unique indexes refuse a taken one), and returns the new id.
pub(super) fn insert_user(conn: &Connection, user: NewUser, now: &str) -> Result<String> {
    let id = user.id.unwrap_or_else(util::new_id);
    let roles = serde_json::to_string(&user.roles).unwrap_or_else(|_| "[]".to_owned());
    conn.prepare_cached(
        "INSERT INTO users (id, username, username_key, name, email, email_key, email_verified, \
         password_hash, roles, user_type, active, status, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'offline', ?12, ?12)",
    )?
    .execute(params![
        id,
        user.username,
        username_key(&user.username),
        user.name,
        user.email,
        user.email.as_deref().map(str::to_lowercase),
        user.email_verified,
        user.password_hash,
        roles,
        user.user_type,
        user.active,
        now,
    ])?;
    Ok(id)
}

pub(super) fn login_user(
    conn: &Connection,
    identity: &LoginIdentity,
) -> Result<Option<(UserRecord, Option<String>)>> {
    let (column, key) = match identity {
        LoginIdentity::Username(username) => ("username_key", username_key(username)),
        LoginIdentity::Email(email) => ("email_key", email.to_lowercase()),
    };
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE {column} = ?1"
        ))?
        .query_row([key], |row| Ok((user_from_row(row)?, row.get(11)?)))
        .optional()?)
}

pub(super) fn add_login_token(conn: &Connection, user_id: &str, hashed: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO login_tokens (hashed_token, user_id, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![hashed, user_id, util::now()])?;
    Ok(())
}

pub(super) fn remove_login_token(conn: &Connection, user_id: &str, hashed: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM login_tokens WHERE hashed_token = ?1 AND user_id = ?2")?
        .execute(params![hashed, user_id])?;
    Ok(())
}

pub(super) fn remove_tokens_issued_before(
    conn: &Connection,
    user_id: &str,
    before: &str,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM login_tokens WHERE user_id = ?1 AND created_at < ?2")?
        .execute(params![user_id, before])?;
    Ok(())
}

pub(super) fn authenticate(
    conn: &Connection,
    user_id: &str,
    hashed: &str,
) -> Result<Option<TokenHolder>> {
    // The hashed token is the table's key: one look-up, then the user must be the one named.
    Ok(token_holder(conn, hashed)?.filter(|holder| holder.user.id == user_id))
}

pub(super) fn token_holder(conn: &Connection, hashed: &str) -> Result<Option<TokenHolder>> {
    Ok(conn
        .prepare_cached(
            "SELECT u.id, u.username, u.name, u.email, u.email_verified, u.roles, u.user_type, \
             u.active, u.status, u.created_at, u.updated_at, t.created_at \
             FROM login_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.hashed_token = ?1 AND u.active = 1",
        )?
        .query_row(params![hashed], |row| {
            Ok(TokenHolder {
                user: user_from_row(row)?,
                issued_at: row.get(11)?,
            })
        })
        .optional()?)
}

fn room_by_id(conn: &Connection, id: &str) -> Result<Option<RoomRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = ?1"))?
        .query_row([id], room_from_row)
        .optional()?)
}

fn room_by_name(conn: &Connection, name: &str) -> Result<Option<RoomRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE name = ?1"))?
        .query_row([name], room_from_row)
        .optional()?)
}

/// Rocket.Chat's `findOneByIdOrName`: the one string matched as an id or as a name.
fn room_by_id_or_name(conn: &Connection, id_or_name: &str) -> Result<Option<RoomRecord>> {
    match room_by_id(conn, id_or_name)? {
        Some(room) => Ok(Some(room)),
        None => room_by_name(conn, id_or_name),
    }
}

pub(super) fn membership(
    conn: &Connection,
    room_id: &str,
    user_id: &str,
) -> Result<Option<Membership>> {
    Ok(conn
        .prepare_cached("SELECT roles FROM subscriptions WHERE rid = ?1 AND user_id = ?2")?
        .query_row(params![room_id, user_id], |row| row.get::<_, String>(0))
        .optional()?
        .map(|roles| Membership {
            roles: json_list(&roles),
        }))
}

pub(super) fn room_for(
    conn: &Connection,
    selector: &RoomSelector,
    user_id: &str,
) -> Result<(Option<RoomRecord>, Option<Membership>)> {
    let room = match selector {
        RoomSelector::Id { room_id } => room_by_id(conn, room_id)?,
        RoomSelector::Name { room_name } => room_by_name(conn, room_name)?,
    };
    let membership = match &room {
        Some(room) => membership(conn, &room.id, user_id)?,
        None => None,
    };
    Ok((room, membership))
}

fn limit_offset(page: Page) -> (i64, i64) {
    let limit = page
        .limit
        .map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
    let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
    (limit, offset)
}

pub(super) fn members(
    conn: &Connection,
    room_id: &str,
    page: Page,
) -> Result<(Vec<UserRecord>, u64)> {
    let (limit, offset) = limit_offset(page);
    let members = conn
        .prepare_cached(
            "SELECT u.id, u.username, u.name, u.email, u.email_verified, u.roles, u.user_type, \
             u.active, u.status, u.created_at, u.updated_at \
             FROM subscriptions s JOIN users u ON u.id = s.user_id \
             WHERE s.rid = ?1 AND u.active = 1 ORDER BY s.username LIMIT ?2 OFFSET ?3",
        )?
        .query_map(params![room_id, limit, offset], user_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM subscriptions s JOIN users u ON u.id = s.user_id \
             WHERE s.rid = ?1 AND u.active = 1",
        )?
        .query_row([room_id], |row| row.get(0))?;
    Ok((members, total))
}

pub(super) fn room_roles(
    conn: &Connection,
    room_id: &str,
) -> Result<Vec<(String, UserRef, Vec<String>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.id, s.user_id, s.username, u.name, s.roles \
             FROM subscriptions s JOIN users u ON u.id = s.user_id \
             WHERE s.rid = ?1 AND s.roles <> '[]' ORDER BY s.username",
        )?
        .query_map([room_id], |row| {
            Ok((
                row.get(0)?,
                UserRef::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?)
                    .with_name(row.get::<_, String>(3)?),
                json_list(&row.get::<_, String>(4)?),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

pub(super) fn history(conn: &Connection, room_id: &str, page: Page) -> Result<Vec<MessageRecord>> {
    let (limit, offset) = limit_offset(page);
    Ok(conn
        .prepare_cached(
            "SELECT id, rid, t, msg, ts, u_id, u_username, u_name, role, groupable, updated_at \
             FROM messages WHERE rid = ?1 ORDER BY seq DESC LIMIT ?2 OFFSET ?3",
        )?
        .query_map(params![room_id, limit, offset], |row| {
            Ok(MessageRecord {
                id: row.get(0)?,
                rid: row.get(1)?,
                message_type: row.get(2)?,
                msg: row.get(3)?,
                ts: row.get(4)?,
                u: named(
                    UserRef::new(row.get::<_, String>(5)?, row.get::<_, String>(6)?),
                    row.get(7)?,
                ),
                role: row.get(8)?,
                groupable: row.get(9)?,
                updated_at: row.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// `(id, username)` of the users whose username keys are `keys`.
pub(super) fn users_named(conn: &Connection, keys: &[String]) -> Result<Vec<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, username FROM users WHERE username_key IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([serde_json::to_string(keys).unwrap_or_default()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

pub(super) fn insert_group(conn: &Connection, group: GroupRow) -> Result<RoomRecord> {
    if room_by_name(conn, &group.name)?.is_some() {
        return Err(StoreError::Conflict {
            field: "name",
            value: group.name,
        });
    }
    conn.prepare_cached(
        "INSERT INTO rooms (id, t, name, fname, owner_id, owner_username, owner_name, msgs, \
         users_count, ro, is_default, custom_fields, extra, ts, updated_at) \
         VALUES (?1, 'p', ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, 0, ?9, ?10, ?11, ?11)",
    )?
    .execute(params![
        group.id,
        group.name,
        group.fname,
        group.owner.id,
        group.owner.username,
        group.owner.name,
        group.members.len(),
        group.read_only,
        Value::Object(group.custom_fields).to_string(),
        Value::Object(group.extra).to_string(),
        group.now,
    ])?;
    let rows: Vec<Value> = group
        .members
        .into_iter()
        .map(|member| {
            json!({
                "sid": util::new_id(),
                "uid": member.user_id,
                "username": member.username,
                "roles": member.roles,
            })
        })
        .collect();
    conn.prepare_cached(
        "INSERT INTO subscriptions (id, rid, user_id, username, roles, open, alert, unread, \
         user_mentions, group_mentions, ts, ls, updated_at) \
         SELECT j.value ->> 'sid', ?1, j.value ->> 'uid', j.value ->> 'username', \
         j.value -> 'roles', 1, 0, 0, 0, 0, ?2, ?2, ?2 FROM json_each(?3) AS j",
    )?
    .execute(params![group.id, group.now, Value::Array(rows).to_string()])?;
    room_by_id(conn, &group.id)?
        .ok_or_else(|| StoreError::broken("a room vanished as it was created"))
}

/// Whether `guard` holds, read inside the writer's transaction: nothing else writes between
/// this read and the commit, since the writer is the only one.
fn guard_holds(conn: &Connection, room_id: &str, guard: &Guard) -> Result<bool> {
    let Guard::Member { user_id, roles } = guard else {
        return Ok(true);
    };
    let Some(membership) = membership(conn, room_id, user_id)? else {
        return Ok(false);
    };
    Ok(roles.is_none_or(|needed| {
        membership
            .roles
            .iter()
            .any(|role| needed.contains(&role.as_str()))
    }))
}

/// A membership change, in the writer's transaction. Nothing else writes between its checks
/// and its commit, so that checking is enough: the guard, the member's roles as the rules saw
/// them, and another owner where the change needs one.
pub(super) fn change_member(conn: &Connection, write: MemberWrite) -> Result<MemberApplied> {
    let MemberWrite {
        room_id,
        user_id,
        expected,
        change,
        keep_an_owner,
        message,
        guard,
    } = write;
    if !guard_holds(conn, &room_id, &guard)? {
        return Ok(MemberApplied::Stale);
    }
    match membership(conn, &room_id, &user_id)? {
        Some(current) if current.roles == expected => {}
        _ => return Ok(MemberApplied::Stale),
    }
    if keep_an_owner && !another_owner(conn, &room_id, &user_id)? {
        return Ok(MemberApplied::LastOwner);
    }
    let now = util::now();
    let left = match change {
        MemberChange::Remove => {
            conn.prepare_cached("DELETE FROM subscriptions WHERE rid = ?1 AND user_id = ?2")?
                .execute(params![room_id, user_id])?;
            1
        }
        MemberChange::SetRoles(roles) => {
            conn.prepare_cached(
                "UPDATE subscriptions SET roles = ?1, updated_at = ?2 \
                 WHERE rid = ?3 AND user_id = ?4",
            )?
            .execute(params![
                serde_json::to_string(&roles).unwrap_or_default(),
                now,
                room_id,
                user_id
            ])?;
            0
        }
    };
    insert_message(conn, &room_id, &message, &now)?;
    conn.prepare_cached(
        "UPDATE rooms SET users_count = users_count - ?1, msgs = msgs + 1, updated_at = ?2 \
         WHERE id = ?3",
    )?
    .execute(params![left, now, room_id])?;
    Ok(MemberApplied::Done)
}

/// Whether a member of the room other than `user_id` holds `owner`.
fn another_owner(conn: &Connection, room_id: &str, user_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM subscriptions s, json_each(s.roles) r \
             WHERE s.rid = ?1 AND s.user_id <> ?2 AND r.value = 'owner')",
        )?
        .query_row(params![room_id, user_id], |row| row.get(0))?)
}

fn insert_message(
    conn: &Connection,
    room_id: &str,
    message: &SystemMessage,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO messages (id, rid, t, msg, ts, u_id, u_username, u_name, role, groupable, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?5)",
    )?
    .execute(params![
        util::new_id(),
        room_id,
        message.message_type,
        message.msg,
        now,
        message.author.id,
        message.author.username,
        message.author.name,
        message.role,
    ])?;
    Ok(())
}

/// Deletes a group, its memberships and its messages, in the writer's transaction.
pub(super) fn delete_group(conn: &Connection, deletion: GroupDeletion) -> Result<bool> {
    let GroupDeletion { room_id, guard } = deletion;
    if !guard_holds(conn, &room_id, &guard)? {
        return Ok(false);
    }
    conn.prepare_cached("DELETE FROM subscriptions WHERE rid = ?1")?
        .execute([&room_id])?;
    conn.prepare_cached("DELETE FROM messages WHERE rid = ?1")?
        .execute([&room_id])?;
    let deleted = conn
        .prepare_cached("DELETE FROM rooms WHERE id = ?1")?
        .execute([&room_id])?;
    Ok(deleted == 1)
}

pub(super) fn memberships_of(conn: &Connection, user_id: &str) -> Result<Vec<MembershipRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.id, s.rid, r.name, r.t, s.roles, s.unread \
             FROM rooms r JOIN subscriptions s ON s.rid = r.id AND s.user_id = ?1 \
             ORDER BY r.t, r.name",
        )?
        .query_map([user_id], |row| {
            Ok(MembershipRow {
                id: row.get(0)?,
                rid: row.get(1)?,
                name: row.get(2)?,
                room_type: row.get(3)?,
                roles: json_list(&row.get::<_, String>(4)?),
                unread: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

pub(super) fn groups(
    conn: &Connection,
    member: Option<&str>,
    order: &[GroupOrder],
    page: Page,
) -> Result<(Vec<RoomRecord>, u64)> {
    let (limit, offset) = limit_offset(page);
    let columns = ROOM_COLUMNS
        .split(", ")
        .map(|column| format!("r.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    // Each room is probed for the membership by its key (see the schema's version 2).
    let (from, count) = match member {
        Some(_) => (
            "rooms r JOIN subscriptions s ON s.rid = r.id AND s.user_id = ?1 WHERE r.t = 'p'",
            "SELECT COUNT(*) FROM rooms r JOIN subscriptions s ON s.rid = r.id AND s.user_id = ?1 \
             WHERE r.t = 'p'",
        ),
        None => (
            "rooms r WHERE r.t = 'p' AND ?1 IS NULL",
            "SELECT COUNT(*) FROM rooms r WHERE r.t = 'p' AND ?1 IS NULL",
        ),
    };
    let groups = conn
        .prepare_cached(&format!(
            "SELECT {columns} FROM {from} ORDER BY {} LIMIT ?2 OFFSET ?3",
            order_by(order, "BINARY")
        ))?
        .query_map(params![member, limit, offset], room_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total = conn
        .prepare_cached(count)?
        .query_row(params![member], |row| row.get(0))?;
    Ok((groups, total))
}

/// The facts of an invite, on one read connection.
pub(super) fn invite_facts(
    conn: &Connection,
    id_or_name: &str,
    caller_id: &str,
    lookup: Option<(LookupMode, Vec<String>)>,
) -> Result<InviteFacts> {
    let room = room_by_id_or_name(conn, id_or_name)?;
    let Some(room) = room else {
        return Ok(InviteFacts::default());
    };
    let membership = membership(conn, &room.id, caller_id)?;
    let candidates = match lookup {
        Some((mode, keys)) => candidates(conn, &room.id, mode, &keys)?,
        None => Vec::new(),
    };
    Ok(InviteFacts {
        room: Some(room),
        membership,
        candidates,
    })
}

/// The users `keys` name, and whether each is a member of the room already.
fn candidates(
    conn: &Connection,
    room_id: &str,
    mode: LookupMode,
    keys: &[String],
) -> Result<Vec<Candidate>> {
    let key_column = match mode {
        LookupMode::Ids => "u.id",
        LookupMode::Usernames => "u.username_key",
    };
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {key_column}, u.id, u.username, s.user_id IS NOT NULL FROM users u \
             LEFT JOIN subscriptions s ON s.rid = ?1 AND s.user_id = u.id \
             WHERE {key_column} IN (SELECT value FROM json_each(?2))"
        ))?
        .query_map(
            params![room_id, serde_json::to_string(keys).unwrap_or_default()],
            |row| {
                Ok(Candidate {
                    key: row.get(0)?,
                    user: UserRef::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
                    member: row.get(3)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?)
}

/// An invite's change, in the writer's transaction: only inserts and updates.
///
/// Subscriptions go in with `ON CONFLICT DO NOTHING`, so that a user another invite added
/// since the facts were read is left out, and the counters and `au` messages follow what was
/// really inserted. The guard is checked first; a room gone meanwhile makes the write stale.
pub(super) fn apply_invite(conn: &Connection, write: InviteWrite) -> Result<InviteApplied> {
    let InviteWrite {
        room_id,
        inviter,
        add,
        subscription,
        message_type,
        guard,
    } = write;
    if !guard_holds(conn, &room_id, &guard)? {
        return Ok(InviteApplied::Stale);
    }
    let now = util::now();
    // Rows travel as one JSON array of `[id, user id, username]` arrays, written straight from
    // borrowed strings: no `Value` tree, which for a 10,000-user invite weighed megabytes.
    // They go in in key order (by user id, the room being fixed), so that the B-tree grows at
    // its end instead of splitting pages all over the room's range.
    let mut by_key: Vec<&UserRef> = add.iter().collect();
    by_key.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let ids: Vec<String> = by_key.iter().map(|_| util::new_id()).collect();
    let rows = json_rows(
        by_key
            .iter()
            .zip(&ids)
            .map(|(user, id)| [id.as_str(), &user.id, &user.username]),
    );
    let inserted: HashSet<String> = match conn
        .prepare_cached(
            "INSERT INTO subscriptions (id, rid, user_id, username, roles, open, alert, unread, \
             user_mentions, group_mentions, ts, updated_at) \
             SELECT j.value ->> 0, ?1, j.value ->> 1, j.value ->> 2, '[]', \
             ?2, ?3, ?4, ?5, ?6, ?7, ?7 FROM json_each(?8) AS j WHERE true \
             ON CONFLICT (rid, user_id) DO NOTHING RETURNING user_id",
        )?
        .query_map(
            params![
                room_id,
                subscription.open,
                subscription.alert,
                subscription.unread,
                subscription.user_mentions,
                subscription.group_mentions,
                now,
                rows,
            ],
            |row| row.get(0),
        )?
        .collect::<rusqlite::Result<_>>()
    {
        Ok(inserted) => inserted,
        Err(error) if is_foreign_key_failure(&error) => return Ok(InviteApplied::Stale),
        Err(error) => return Err(error.into()),
    };
    // The messages follow the planned order, for the users really inserted.
    let added: Vec<&UserRef> = add
        .iter()
        .filter(|user| inserted.contains(&user.id))
        .collect();
    let room = if added.is_empty() {
        room_by_id(conn, &room_id)?
    } else {
        let ids: Vec<String> = added.iter().map(|_| util::new_id()).collect();
        let messages = json_rows(
            added
                .iter()
                .zip(&ids)
                .map(|(user, id)| [id.as_str(), &user.username]),
        );
        conn.prepare_cached(
            "INSERT INTO messages (id, rid, t, msg, ts, u_id, u_username, groupable, updated_at) \
             SELECT j.value ->> 0, ?1, ?2, j.value ->> 1, ?3, ?4, ?5, 0, ?3 \
             FROM json_each(?6) AS j ORDER BY j.key",
        )?
        .execute(params![
            room_id,
            message_type,
            now,
            inviter.id,
            inviter.username,
            messages,
        ])?;
        conn.prepare_cached(&format!(
            "UPDATE rooms SET users_count = users_count + ?1, msgs = msgs + ?1, updated_at = ?2 \
             WHERE id = ?3 RETURNING {ROOM_COLUMNS}"
        ))?
        .query_row(params![added.len(), now, room_id], room_from_row)
        .optional()?
    };
    Ok(match room {
        Some(room) => InviteApplied::Done { inserted, room },
        None => InviteApplied::Stale,
    })
}

/// Whether a write failed because a row it refers to (the room) is gone.
fn is_foreign_key_failure(error: &rusqlite::Error) -> bool {
    error
        .sqlite_error()
        .is_some_and(|error| error.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}
