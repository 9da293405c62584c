//! The SQLite schema, as numbered migrations recorded in `PRAGMA user_version`.
//!
//! Each migration runs once, in its own transaction; the version number moves with it. The
//! first one also seeds what every Rocket.Chat workspace has: the `rocket.cat` bot and the
//! public `general` channel (`GENERAL`).

use rusqlite::Connection;

use crate::store::StoreError;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2];

/// The first schema: users, tokens, rooms, memberships, messages.
const V1: &str = r#"
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    username_key   TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    email          TEXT,
    email_key      TEXT UNIQUE,
    email_verified INTEGER NOT NULL DEFAULT 0,
    password_hash  TEXT,
    roles          TEXT NOT NULL DEFAULT '[]',
    user_type      TEXT NOT NULL DEFAULT 'user',
    active         INTEGER NOT NULL DEFAULT 1,
    status         TEXT NOT NULL DEFAULT 'offline',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE login_tokens (
    hashed_token TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL
);
CREATE INDEX login_tokens_user ON login_tokens (user_id);

-- Rooms are looked up by id on every call: the id is the table's key, so a look-up is one
-- B-tree search.
CREATE TABLE rooms (
    id             TEXT NOT NULL PRIMARY KEY,
    t              TEXT NOT NULL,
    name           TEXT NOT NULL UNIQUE,
    fname          TEXT NOT NULL,
    owner_id       TEXT NOT NULL,
    owner_username TEXT NOT NULL,
    owner_name     TEXT,
    msgs           INTEGER NOT NULL DEFAULT 0,
    users_count    INTEGER NOT NULL DEFAULT 0,
    ro             INTEGER NOT NULL DEFAULT 0,
    is_default     INTEGER NOT NULL DEFAULT 0,
    custom_fields  TEXT NOT NULL DEFAULT '{}',
    extra          TEXT NOT NULL DEFAULT '{}',
    ts             TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    lm             TEXT
) WITHOUT ROWID;

-- A membership is its key (rid, user_id): the database keeps it unique, and a room's members
-- sit together, so adding members to a room writes the pages of that room only. The
-- Rocket.Chat `_id` is kept as a column; no query looks a subscription up by it. Queries:
-- membership (the key), members by username (`subscriptions_room_username`, which carries
-- `user_id` as part of the key).
CREATE TABLE subscriptions (
    rid            TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    username       TEXT NOT NULL,
    roles          TEXT NOT NULL DEFAULT '[]',
    open           INTEGER NOT NULL,
    alert          INTEGER NOT NULL,
    unread         INTEGER NOT NULL,
    user_mentions  INTEGER NOT NULL,
    group_mentions INTEGER NOT NULL,
    ts             TEXT NOT NULL,
    ls             TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (rid, user_id)
) WITHOUT ROWID;
CREATE INDEX subscriptions_room_username ON subscriptions (rid, username);

-- Messages in insertion order (`seq`); a room's history is `messages_room`, newest first.
-- No query reads a message by its `id` (a random 17-character id, 98 bits): an index on it
-- would cost a write at a random page per message, so the endpoint that first needs it
-- brings it, in a migration of its own.
CREATE TABLE messages (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL,
    rid        TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    t          TEXT,
    msg        TEXT NOT NULL,
    ts         TEXT NOT NULL,
    u_id       TEXT NOT NULL,
    u_username TEXT NOT NULL,
    groupable  INTEGER,
    updated_at TEXT NOT NULL
);
CREATE INDEX messages_room ON messages (rid, seq);

INSERT INTO users (id, username, username_key, name, email, email_key, email_verified,
                   roles, user_type, active, status, created_at, updated_at)
VALUES ('rocket.cat', 'rocket.cat', 'rocket.cat', 'Rocket.Cat', NULL, NULL, 0,
        '["bot"]', 'bot', 1, 'online',
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

INSERT INTO rooms (id, t, name, fname, owner_id, owner_username, owner_name, is_default,
                   ts, updated_at)
VALUES ('GENERAL', 'c', 'general', 'general', 'rocket.cat', 'rocket.cat', 'Rocket.Cat', 1,
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
"#;

/// Memberships after they begin: members leave and are removed and groups are deleted with
/// their messages, and the system messages of those changes name their author's display name
/// and, for role changes, the role.
///
/// A user's groups are found from the rooms, each probed for the membership by its key, not
/// through an index of memberships by user: such an index costs every invite a write at a
/// random place of it (users' ids are random), which doubled the time of a 1,000-user invite,
/// while the probes cost a lookup per room only when a user's groups are listed.
///
/// Deleting messages does not disturb `seq`: a new message still gets a number above every
/// message that remains, so a room's history keeps its order.
const V2: &str = r#"
ALTER TABLE messages ADD COLUMN u_name TEXT;
ALTER TABLE messages ADD COLUMN role TEXT;
"#;

/// The schema version this build writes.
pub(super) const VERSION: usize = MIGRATIONS.len();

/// Brings the database up to [`VERSION`], refusing one written by a newer build.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > VERSION {
        return Err(StoreError::TooNew {
            found: current,
            supported: VERSION,
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied schema migration");
    }
    Ok(())
}
