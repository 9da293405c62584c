//! The PostgreSQL schema, as numbered migrations recorded in `schema_migrations`.
//!
//! Instances that start together must migrate once: each takes the same session-level advisory
//! lock before it looks at the version, so the first applies what is missing and the others,
//! waiting on the lock, then find nothing to do. Each migration runs in its own transaction
//! with its version row.
//!
//! Every query of the store has an index (checked with `EXPLAIN` in the store's tests):
//! users by id, by `username_key` and by `email_key` (the last two unique, so that two
//! accounts never share a username or an address ignoring case); tokens by `hashed_token` and
//! by user; rooms by id and by name (unique); memberships by `(rid, user_id)`, which also makes
//! a membership unique, and by `(rid, username)` for member lists; messages by `(rid, seq)`
//! for a room's history. A user's groups are the rooms probed one by one for the membership
//! (see [`V2`]).
//!
//! Memberships and messages carry no foreign keys. PostgreSQL checks a foreign key row by row,
//! one look-up and one lock per inserted row: two thirds of the time of a 10,000-user invite.
//! The writes that insert them take the locks set-based instead, in the inserting statement:
//! the room (an invite locks it first, `FOR NO KEY UPDATE`, as it updates the counters) and
//! every user referred to `FOR KEY SHARE`, inserting nothing when one is missing. So a deletion must do what `ON DELETE CASCADE` did: lock the
//! room (or user) row `FOR UPDATE` first, then delete its memberships and messages and the row
//! itself, in one transaction; a write that was waiting for the row then finds it gone.

use tokio_postgres::Client;

use crate::store::StoreError;

/// The key of the advisory lock held while migrating: any number the database does not use
/// for something else (the bytes of "rc-migr").
const MIGRATION_LOCK: i64 = 0x72_63_2d_6d_69_67_72;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2];

/// The first schema: users, tokens, rooms, memberships, messages.
const V1: &str = r#"
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    username_key   TEXT NOT NULL,
    name           TEXT NOT NULL,
    email          TEXT,
    email_key      TEXT,
    email_verified BOOLEAN NOT NULL DEFAULT false,
    password_hash  TEXT,
    roles          TEXT[] NOT NULL DEFAULT '{}',
    user_type      TEXT NOT NULL DEFAULT 'user',
    active         BOOLEAN NOT NULL DEFAULT true,
    status         TEXT NOT NULL DEFAULT 'offline',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT users_username_unique UNIQUE (username_key),
    CONSTRAINT users_email_unique UNIQUE (email_key)
);

CREATE TABLE login_tokens (
    hashed_token TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL
);
CREATE INDEX login_tokens_user ON login_tokens (user_id);

CREATE TABLE rooms (
    id             TEXT PRIMARY KEY,
    t              TEXT NOT NULL,
    name           TEXT NOT NULL,
    fname          TEXT NOT NULL,
    owner_id       TEXT NOT NULL,
    owner_username TEXT NOT NULL,
    owner_name     TEXT,
    msgs           BIGINT NOT NULL DEFAULT 0,
    users_count    BIGINT NOT NULL DEFAULT 0,
    ro             BOOLEAN NOT NULL DEFAULT false,
    is_default     BOOLEAN NOT NULL DEFAULT false,
    custom_fields  JSONB NOT NULL DEFAULT '{}',
    extra          JSONB NOT NULL DEFAULT '{}',
    ts             TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    lm             TEXT,
    CONSTRAINT rooms_name_unique UNIQUE (name)
);

CREATE TABLE subscriptions (
    rid            TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    id             TEXT NOT NULL,
    username       TEXT NOT NULL,
    roles          TEXT[] NOT NULL DEFAULT '{}',
    open           BOOLEAN NOT NULL,
    alert          BOOLEAN NOT NULL,
    unread         BIGINT NOT NULL,
    user_mentions  BIGINT NOT NULL,
    group_mentions BIGINT NOT NULL,
    ts             TEXT NOT NULL,
    ls             TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (rid, user_id)
);
CREATE INDEX subscriptions_room_username ON subscriptions (rid, username);

CREATE TABLE messages (
    seq        BIGSERIAL PRIMARY KEY,
    id         TEXT NOT NULL,
    rid        TEXT NOT NULL,
    t          TEXT,
    msg        TEXT NOT NULL,
    ts         TEXT NOT NULL,
    u_id       TEXT NOT NULL,
    u_username TEXT NOT NULL,
    groupable  BOOLEAN,
    updated_at TEXT NOT NULL
);
CREATE INDEX messages_room ON messages (rid, seq);

INSERT INTO users (id, username, username_key, name, roles, user_type, active, status,
                   created_at, updated_at)
VALUES ('rocket.cat', 'rocket.cat', 'rocket.cat', 'Rocket.Cat', '{bot}', 'bot', true, 'online',
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));

INSERT INTO rooms (id, t, name, fname, owner_id, owner_username, owner_name, is_default,
                   ts, updated_at)
VALUES ('GENERAL', 'c', 'general', 'general', 'rocket.cat', 'rocket.cat', 'Rocket.Cat', true,
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
"#;

/// Memberships after they begin: the system messages of leaving, removals and role changes
/// name their author's display name and, for role changes, the role.
///
/// A user's groups are found from the rooms, each probed for the membership by its key, not
/// through an index of memberships by user: such an index costs every invite an insert at a
/// random place of it (users' ids are random), which took a third of the one-user invite
/// throughput and made invites into a 100,000-member group 1.6 times slower, while the probes
/// cost a lookup per room only when a user's groups are listed.
const V2: &str = r#"
ALTER TABLE messages ADD COLUMN u_name TEXT, ADD COLUMN role TEXT;
"#;

/// The schema version this build writes.
pub(super) const VERSION: usize = MIGRATIONS.len();

/// Brings the database up to [`VERSION`] under the migration lock, refusing one written by a
/// newer build.
pub(super) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let migrated = apply(client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    migrated?;
    unlocked?;
    Ok(())
}

async fn apply(client: &mut Client) -> Result<(), StoreError> {
    // `IF NOT EXISTS` on a table that exists is a notice, not news.
    client
        .batch_execute("SET client_min_messages = warning")
        .await?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    INTEGER PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await?;
    let current: i32 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    let current = usize::try_from(current).unwrap_or(0);
    if current > VERSION {
        return Err(StoreError::TooNew {
            found: current,
            supported: VERSION,
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let version = i32::try_from(index + 1).unwrap_or(i32::MAX);
        let transaction = client.transaction().await?;
        transaction.batch_execute(migration).await?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&version],
            )
            .await?;
        transaction.commit().await?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}
