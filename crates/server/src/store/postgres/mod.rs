//! The PostgreSQL store, for several server instances on one database.
//!
//! * **Connections** come from a pool (deadpool-postgres); statements are prepared once per
//!   connection and cached. Reads that do not depend on each other go out together on one
//!   connection, which tokio-postgres pipelines into one round trip (an invite's room and its
//!   candidates).
//! * **Writes are set-based and one statement each** where they can be: an invite inserts its
//!   memberships with `INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING`,
//!   writes the `au` messages for the rows it really inserted and updates the counters, all in
//!   one statement, so that the counters follow what was inserted whichever instance won a
//!   race. Invites that arrive together commit together ([`invites`]).
//! * **Guards are locks.** A write's [`Guard`] is read with `FOR SHARE` in the same statement:
//!   the caller's membership row cannot be removed or changed by another transaction before the
//!   write commits, and a guard that does not hold makes the statement change nothing.
//! * **Sessions across instances.** A logout deletes its token and sends `NOTIFY` on
//!   [`SESSIONS_CHANNEL`] in the same transaction; every instance listens and forgets the token
//!   it may have cached (see [`sessions`]).

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Transaction};
use rocketchat_protocol::groups::RoomSelector;
use rocketchat_protocol::groups::invite::LookupMode;
use rocketchat_protocol::room::UserRef;
use serde_json::{Map, Value};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use super::{
    GroupDeletion, GroupRow, Guard, InviteApplied, InviteFacts, InviteWrite, LoginIdentity,
    MemberApplied, MemberChange, MemberWrite, NewUser, SessionEvent, Store, StoreError,
    StoreFuture, TokenHolder, named, order_by,
};
use crate::domain::groups::{GroupOrder, Page};
use crate::domain::invite::Candidate;
use crate::domain::{Membership, MembershipRow, MessageRecord, RoomRecord, UserRecord};
use crate::util;

mod invites;
mod schema;
mod sessions;

/// The channel logouts are announced on.
pub(crate) const SESSIONS_CHANNEL: &str = "rocketchat_sessions";

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::failed("the PostgreSQL database failed", error)
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        Self::failed("no PostgreSQL connection could be had", error)
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// Settings of every session the store opens, after any the URL gives.
///
/// * `plan_cache_mode=force_generic_plan`: the statements are prepared once per connection and
///   their plans do not depend on the values (an index look-up whatever the keys). Left to
///   itself, PostgreSQL re-planned a statement with an array parameter on every call, since
///   its generic plan assumes ten elements; planning then cost five times the execution.
///   So each statement is written for a plan made without its values: a membership is looked
///   up by its key, never joined in a way a plan for an average group could turn into reading
///   every membership of a large one.
/// * `jit=off`: compiling a plan pays off for long analytical queries, not for these, and a
///   large invite's estimated cost could cross `jit_above_cost` and spend milliseconds on it.
const SESSION_SETTINGS: &str = "-c plan_cache_mode=force_generic_plan -c jit=off";

/// A store on a PostgreSQL database, shared with any number of other instances.
#[derive(Clone)]
pub(crate) struct PgStore {
    pool: Pool,
    invites: invites::InviteWriter,
    config: Arc<tokio_postgres::Config>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.status())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database a `postgres://` (or `postgresql://`) URL names, and migrates
    /// it; the pool keeps at most `pool_size` connections.
    pub(crate) async fn open(url: &str, pool_size: usize) -> Result<Self> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|error| StoreError::failed("the PostgreSQL URL is not valid", error))?;
        let options = match config.get_options() {
            Some(given) => format!("{given} {SESSION_SETTINGS}"),
            None => SESSION_SETTINGS.to_owned(),
        };
        config.options(options);
        let (mut client, connection) = config.connect(NoTls).await?;
        let driver = tokio::spawn(connection);
        let migrated = schema::migrate(&mut client).await;
        drop(client);
        let _ = driver.await;
        migrated?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .build()
            .map_err(|error| StoreError::failed("could not make the PostgreSQL pool", error))?;
        Ok(Self {
            invites: invites::InviteWriter::start(pool.clone()),
            pool,
            config: Arc::new(config),
        })
    }
}

const USER_COLUMNS: &str = "id, username, name, email, email_verified, roles, user_type, active, \
                            status, created_at, updated_at";

fn user_from_row(row: &Row) -> Result<UserRecord> {
    Ok(UserRecord {
        id: row.try_get(0)?,
        username: row.try_get(1)?,
        name: row.try_get(2)?,
        email: row.try_get(3)?,
        email_verified: row.try_get(4)?,
        roles: row.try_get(5)?,
        user_type: row.try_get(6)?,
        active: row.try_get(7)?,
        status: row.try_get(8)?,
        created_at: row.try_get(9)?,
        updated_at: row.try_get(10)?,
    })
}

/// A user's columns followed by the token's `created_at`.
fn token_holder_from_row(row: &Row) -> Result<TokenHolder> {
    Ok(TokenHolder {
        user: user_from_row(row)?,
        issued_at: row.try_get(11)?,
    })
}

const ROOM_COLUMNS: &str = "r.id, r.t, r.name, r.fname, r.owner_id, r.owner_username, \
                            r.owner_name, r.msgs, r.users_count, r.ro, r.is_default, \
                            r.custom_fields, r.extra, r.ts, r.updated_at, r.lm";

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A room from the first 16 columns of `row` ([`ROOM_COLUMNS`]).
fn room_from_row(row: &Row) -> Result<RoomRecord> {
    let owner = UserRef::new(row.try_get::<_, String>(4)?, row.try_get::<_, String>(5)?);
    Ok(RoomRecord {
        id: row.try_get(0)?,
        room_type: row.try_get(1)?,
        name: row.try_get(2)?,
        fname: row.try_get(3)?,
        owner: match row.try_get::<_, Option<String>>(6)? {
            Some(name) => owner.with_name(name),
            None => owner,
        },
        msgs: count(row.try_get(7)?),
        users_count: count(row.try_get(8)?),
        ro: row.try_get(9)?,
        default: row.try_get(10)?,
        custom_fields: object(row.try_get(11)?),
        extra: object(row.try_get(12)?),
        ts: row.try_get(13)?,
        updated_at: row.try_get(14)?,
        lm: row.try_get(15)?,
    })
}

/// The membership in column `index` (`roles`, null when the user is no member).
fn membership_at(row: &Row, index: usize) -> Result<Option<Membership>> {
    Ok(row
        .try_get::<_, Option<Vec<String>>>(index)?
        .map(|roles| Membership { roles }))
}

/// The guard as statement parameters: whether it is a member guard, the user and the roles
/// of which one is needed (null: any).
fn guard_parameters(guard: &Guard) -> (bool, String, Option<Vec<String>>) {
    match guard {
        Guard::Nothing => (false, String::new(), None),
        Guard::Member { user_id, roles } => (
            true,
            user_id.clone(),
            roles.map(|roles| roles.iter().map(|role| (*role).to_owned()).collect()),
        ),
    }
}

/// Whether a name or id can be in the database at all: PostgreSQL's `text` cannot hold
/// U+0000, so a key with one matches nothing (and must not reach a query, which would fail).
/// The server refuses such characters in what it stores (`domain::text`).
fn findable(key: &str) -> bool {
    !key.contains('\0')
}

/// Whether an error is a unique violation of `constraint`.
fn violates(error: &tokio_postgres::Error, constraint: &str) -> bool {
    error.as_db_error().is_some_and(|db| {
        db.code() == &SqlState::UNIQUE_VIOLATION && db.constraint() == Some(constraint)
    })
}

fn limit_offset(page: Page) -> (Option<i64>, i64) {
    let limit = page
        .limit
        .map(|limit| i64::try_from(limit).unwrap_or(i64::MAX));
    let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
    (limit, offset)
}

/// A pooled connection running a change that must not go on without its caller. Dropped
/// before [`Writing::finish`] (the call timed out, or its client hung up), it cancels the
/// statement still running, which then changes nothing, and leaves the pool, so that the
/// cancel can never reach another call's statement. A statement the database has already
/// committed stays committed, as a write the SQLite writer has begun completes.
struct Writing {
    client: Option<deadpool_postgres::Object>,
}

impl Writing {
    /// The change has finished: the connection goes back to the pool.
    fn finish(self) {
        drop(self.into_client());
    }

    /// The change has finished: the connection, for more work before it goes back.
    fn into_client(mut self) -> deadpool_postgres::Object {
        self.client.take().expect("a connection until finished")
    }
}

impl std::ops::Deref for Writing {
    type Target = deadpool_postgres::Object;

    fn deref(&self) -> &Self::Target {
        self.client.as_ref().expect("a connection until finished")
    }
}

impl std::ops::DerefMut for Writing {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.client.as_mut().expect("a connection until finished")
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let client = deadpool_postgres::Object::take(client);
        let cancel = client.cancel_token();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = cancel.cancel_query(NoTls).await {
                    tracing::warn!(%error, "could not cancel an abandoned PostgreSQL statement");
                }
                drop(client);
            });
        }
    }
}

impl PgStore {
    async fn client(&self) -> Result<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }

    async fn writing(&self) -> Result<Writing> {
        Ok(Writing {
            client: Some(self.pool.get().await?),
        })
    }

    async fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client.query(&statement, params).await?)
    }

    async fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client.query_opt(&statement, params).await?)
    }

    async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client.execute(&statement, params).await?)
    }

    async fn insert_user(&self, user: NewUser) -> Result<UserRecord> {
        let now = util::now();
        let id = user.id.clone().unwrap_or_else(util::new_id);
        let username_key = rocketchat_protocol::user::username_key(&user.username);
        let email_key = user.email.as_deref().map(str::to_lowercase);
        let inserted = self
            .query_opt(
                &format!(
                    "INSERT INTO users (id, username, username_key, name, email, email_key, \
                     email_verified, password_hash, roles, user_type, active, status, \
                     created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'offline', $12, $12) \
                     RETURNING {USER_COLUMNS}"
                ),
                &[
                    &id,
                    &user.username,
                    &username_key,
                    &user.name,
                    &user.email,
                    &email_key,
                    &user.email_verified,
                    &user.password_hash,
                    &user.roles,
                    &user.user_type,
                    &user.active,
                    &now,
                ],
            )
            .await;
        match inserted {
            Ok(Some(row)) => user_from_row(&row),
            Ok(None) => Err(StoreError::broken("a user vanished as it was created")),
            Err(StoreError::Failed {
                source: Some(source),
                context,
            }) => {
                let conflict = source
                    .downcast_ref::<tokio_postgres::Error>()
                    .and_then(|error| {
                        if violates(error, "users_username_unique") {
                            Some(("username", user.username.clone()))
                        } else if violates(error, "users_email_unique") {
                            Some(("email", user.email.clone().unwrap_or_default()))
                        } else {
                            None
                        }
                    });
                Err(match conflict {
                    Some((field, value)) => StoreError::Conflict { field, value },
                    None => StoreError::Failed {
                        context,
                        source: Some(source),
                    },
                })
            }
            Err(other) => Err(other),
        }
    }

    /// The room whose id or name is `id_or_name`, trying the id first, and `user_id`'s
    /// membership of it; one statement.
    const ROOM_BY_ID_OR_NAME: &'static str = "SELECT r.id, r.t, r.name, r.fname, r.owner_id, \
         r.owner_username, r.owner_name, r.msgs, r.users_count, r.ro, r.is_default, \
         r.custom_fields, r.extra, r.ts, r.updated_at, r.lm, s.roles \
         FROM rooms r LEFT JOIN subscriptions s ON s.rid = r.id AND s.user_id = $2 \
         WHERE r.id = $1 OR r.name = $1 ORDER BY r.id = $1 DESC LIMIT 1";
}

impl Store for PgStore {
    fn human_user_count(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let row = self
                .query_opt("SELECT count(*) FROM users WHERE user_type = 'user'", &[])
                .await?
                .ok_or_else(|| StoreError::broken("count(*) answered nothing"))?;
            Ok(count(row.try_get(0)?))
        })
    }

    fn create_user(&self, user: NewUser) -> StoreFuture<'_, UserRecord> {
        Box::pin(self.insert_user(user))
    }

    #[cfg(feature = "testing")]
    fn create_users(&self, users: Vec<NewUser>) -> StoreFuture<'_, Vec<String>> {
        use tokio_postgres::binary_copy::BinaryCopyInWriter;
        use tokio_postgres::types::Type;

        Box::pin(async move {
            let now = util::now();
            let mut client = self.client().await?;
            let transaction = client.transaction().await?;
            let sink = transaction
                .copy_in(
                    "COPY users (id, username, username_key, name, email, email_key, \
                     email_verified, password_hash, roles, user_type, active, status, \
                     created_at, updated_at) FROM STDIN BINARY",
                )
                .await?;
            let types = [
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::BOOL,
                Type::TEXT,
                Type::TEXT_ARRAY,
                Type::TEXT,
                Type::BOOL,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
            ];
            let writer = BinaryCopyInWriter::new(sink, &types);
            let mut writer = std::pin::pin!(writer);
            let mut ids = Vec::with_capacity(users.len());
            let status = "offline".to_owned();
            for user in users {
                let id = user.id.unwrap_or_else(util::new_id);
                let username_key = rocketchat_protocol::user::username_key(&user.username);
                let email_key = user.email.as_deref().map(str::to_lowercase);
                writer
                    .as_mut()
                    .write(&[
                        &id,
                        &user.username,
                        &username_key,
                        &user.name,
                        &user.email,
                        &email_key,
                        &user.email_verified,
                        &user.password_hash,
                        &user.roles,
                        &user.user_type,
                        &user.active,
                        &status,
                        &now,
                        &now,
                    ])
                    .await?;
                ids.push(id);
            }
            writer.as_mut().finish().await?;
            transaction.commit().await?;
            Ok(ids)
        })
    }

    fn user(&self, user_id: String) -> StoreFuture<'_, Option<UserRecord>> {
        Box::pin(async move {
            if !findable(&user_id) {
                return Ok(None);
            }
            self.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                &[&user_id],
            )
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
        })
    }

    fn users_named(&self, usernames: Vec<String>) -> StoreFuture<'_, Vec<(String, String)>> {
        Box::pin(async move {
            let usernames: Vec<String> = usernames
                .into_iter()
                .filter(|name| findable(name))
                .collect();
            self.query(
                "SELECT id, username FROM users WHERE username_key = ANY($1)",
                &[&usernames],
            )
            .await?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
        })
    }

    fn login_user(
        &self,
        identity: LoginIdentity,
    ) -> StoreFuture<'_, Option<(UserRecord, Option<String>)>> {
        Box::pin(async move {
            let (column, key) = match &identity {
                LoginIdentity::Username(username) => (
                    "username_key",
                    rocketchat_protocol::user::username_key(username),
                ),
                LoginIdentity::Email(email) => ("email_key", email.to_lowercase()),
            };
            if !findable(&key) {
                return Ok(None);
            }
            let row = self
                .query_opt(
                    &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE {column} = $1"),
                    &[&key],
                )
                .await?;
            row.map(|row| Ok((user_from_row(&row)?, row.try_get(11)?)))
                .transpose()
        })
    }

    fn add_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.execute(
                "INSERT INTO login_tokens (hashed_token, user_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&hashed_token, &user_id, &util::now()],
            )
            .await?;
            Ok(())
        })
    }

    fn remove_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            // One statement, so one transaction: the other instances hear of the logout when,
            // and only if, it commits.
            self.execute(
                "WITH gone AS (DELETE FROM login_tokens WHERE hashed_token = $1 AND user_id = $2 \
                 RETURNING user_id, hashed_token) \
                 SELECT pg_notify($3, user_id || ' ' || hashed_token) FROM gone",
                &[&hashed_token, &user_id, &SESSIONS_CHANNEL],
            )
            .await?;
            Ok(())
        })
    }

    fn remove_tokens_issued_before(&self, user_id: String, before: String) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.execute(
                "DELETE FROM login_tokens WHERE user_id = $1 AND created_at < $2",
                &[&user_id, &before],
            )
            .await?;
            Ok(())
        })
    }

    fn authenticate(
        &self,
        user_id: String,
        hashed_token: String,
    ) -> StoreFuture<'_, Option<TokenHolder>> {
        Box::pin(async move {
            self.query_opt(
                "SELECT u.id, u.username, u.name, u.email, u.email_verified, u.roles, \
                 u.user_type, u.active, u.status, u.created_at, u.updated_at, t.created_at \
                 FROM login_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.hashed_token = $1 AND t.user_id = $2 AND u.active",
                &[&hashed_token, &user_id],
            )
            .await?
            .as_ref()
            .map(token_holder_from_row)
            .transpose()
        })
    }

    fn token_holder(&self, hashed_token: String) -> StoreFuture<'_, Option<TokenHolder>> {
        Box::pin(async move {
            self.query_opt(
                "SELECT u.id, u.username, u.name, u.email, u.email_verified, u.roles, \
                 u.user_type, u.active, u.status, u.created_at, u.updated_at, t.created_at \
                 FROM login_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.hashed_token = $1 AND u.active",
                &[&hashed_token],
            )
            .await?
            .as_ref()
            .map(token_holder_from_row)
            .transpose()
        })
    }

    fn room_for(
        &self,
        room: RoomSelector,
        user_id: String,
    ) -> StoreFuture<'_, (Option<RoomRecord>, Option<Membership>)> {
        Box::pin(async move {
            let (column, value) = match room {
                RoomSelector::Id { room_id } => ("id", room_id),
                RoomSelector::Name { room_name } => ("name", room_name),
            };
            if !findable(&value) || !findable(&user_id) {
                return Ok((None, None));
            }
            let row = self
                .query_opt(
                    &format!(
                        "SELECT {ROOM_COLUMNS}, s.roles FROM rooms r \
                         LEFT JOIN subscriptions s ON s.rid = r.id AND s.user_id = $2 \
                         WHERE r.{column} = $1"
                    ),
                    &[&value, &user_id],
                )
                .await?;
            match row {
                Some(row) => Ok((Some(room_from_row(&row)?), membership_at(&row, 16)?)),
                None => Ok((None, None)),
            }
        })
    }

    fn invite_facts(
        &self,
        id_or_name: String,
        caller_id: String,
        lookup: Option<(LookupMode, Vec<String>)>,
    ) -> StoreFuture<'_, InviteFacts> {
        Box::pin(async move {
            if !findable(&id_or_name) {
                return Ok(InviteFacts::default());
            }
            let lookup = lookup.map(|(mode, keys)| {
                let keys: Vec<String> = keys.into_iter().filter(|key| findable(key)).collect();
                (mode, keys)
            });
            let client = self.client().await?;
            let room_statement = client.prepare_cached(Self::ROOM_BY_ID_OR_NAME).await?;
            let room_parameters: [&(dyn ToSql + Sync); 2] = [&id_or_name, &caller_id];
            let room_query = client.query_opt(&room_statement, &room_parameters);
            // The candidates find the room again by the same string, so that both statements
            // go out at once, pipelined on one connection.
            let (room, candidates) = match &lookup {
                Some((mode, keys)) => {
                    let key_column = match mode {
                        LookupMode::Ids => "u.id",
                        LookupMode::Usernames => "u.username_key",
                    };
                    // Membership as a look-up per candidate: as a join, the plan prepared
                    // for any room read every membership of the group when it was large.
                    let sql = format!(
                        "SELECT {key_column}, u.id, u.username, EXISTS \
                         (SELECT 1 FROM subscriptions s WHERE s.rid = r.id AND s.user_id = u.id) \
                         FROM users u LEFT JOIN (SELECT id FROM rooms WHERE id = $1 OR name = $1 \
                          ORDER BY id = $1 DESC LIMIT 1) r ON true \
                         WHERE {key_column} = ANY($2)"
                    );
                    let candidate_statement = client.prepare_cached(&sql).await?;
                    let candidate_parameters: [&(dyn ToSql + Sync); 2] = [&id_or_name, keys];
                    let candidate_query = client.query(&candidate_statement, &candidate_parameters);
                    let (room, rows) = tokio::try_join!(room_query, candidate_query)?;
                    (room, rows)
                }
                None => (room_query.await?, Vec::new()),
            };
            let Some(room) = room else {
                return Ok(InviteFacts::default());
            };
            let candidates = candidates
                .iter()
                .map(|row| {
                    Ok(Candidate {
                        key: row.try_get(0)?,
                        user: UserRef::new(
                            row.try_get::<_, String>(1)?,
                            row.try_get::<_, String>(2)?,
                        ),
                        member: row.try_get(3)?,
                    })
                })
                .collect::<Result<_>>()?;
            Ok(InviteFacts {
                membership: membership_at(&room, 16)?,
                room: Some(room_from_row(&room)?),
                candidates,
            })
        })
    }

    fn membership(&self, room_id: String, user_id: String) -> StoreFuture<'_, Option<Membership>> {
        Box::pin(async move {
            if !findable(&user_id) {
                return Ok(None);
            }
            let row = self
                .query_opt(
                    "SELECT roles FROM subscriptions WHERE rid = $1 AND user_id = $2",
                    &[&room_id, &user_id],
                )
                .await?;
            match row {
                Some(row) => membership_at(&row, 0),
                None => Ok(None),
            }
        })
    }

    fn members(&self, room_id: String, page: Page) -> StoreFuture<'_, (Vec<UserRecord>, u64)> {
        Box::pin(async move {
            let (limit, offset) = limit_offset(page);
            let client = self.client().await?;
            let list = client
                .prepare_cached(
                    "SELECT u.id, u.username, u.name, u.email, u.email_verified, u.roles, \
                     u.user_type, u.active, u.status, u.created_at, u.updated_at \
                     FROM subscriptions s JOIN users u ON u.id = s.user_id \
                     WHERE s.rid = $1 AND u.active ORDER BY s.username LIMIT $2 OFFSET $3",
                )
                .await?;
            let total = client
                .prepare_cached(
                    "SELECT count(*) FROM subscriptions s JOIN users u ON u.id = s.user_id \
                     WHERE s.rid = $1 AND u.active",
                )
                .await?;
            let list_parameters: [&(dyn ToSql + Sync); 3] = [&room_id, &limit, &offset];
            let total_parameters: [&(dyn ToSql + Sync); 1] = [&room_id];
            let (rows, total) = tokio::try_join!(
                client.query(&list, &list_parameters),
                client.query_one(&total, &total_parameters),
            )?;
            let members = rows.iter().map(user_from_row).collect::<Result<_>>()?;
            Ok((members, count(total.try_get(0)?)))
        })
    }

    fn room_roles(&self, room_id: String) -> StoreFuture<'_, Vec<(String, UserRef, Vec<String>)>> {
        Box::pin(async move {
            self.query(
                "SELECT s.id, s.user_id, s.username, u.name, s.roles \
                 FROM subscriptions s JOIN users u ON u.id = s.user_id \
                 WHERE s.rid = $1 AND cardinality(s.roles) > 0 ORDER BY s.username",
                &[&room_id],
            )
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get(0)?,
                    UserRef::new(row.try_get::<_, String>(1)?, row.try_get::<_, String>(2)?)
                        .with_name(row.try_get::<_, String>(3)?),
                    row.try_get(4)?,
                ))
            })
            .collect()
        })
    }

    fn history(&self, room_id: String, page: Page) -> StoreFuture<'_, Vec<MessageRecord>> {
        Box::pin(async move {
            let (limit, offset) = limit_offset(page);
            self.query(
                "SELECT id, rid, t, msg, ts, u_id, u_username, u_name, role, groupable, \
                 updated_at FROM messages WHERE rid = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3",
                &[&room_id, &limit, &offset],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(MessageRecord {
                    id: row.try_get(0)?,
                    rid: row.try_get(1)?,
                    message_type: row.try_get(2)?,
                    msg: row.try_get(3)?,
                    ts: row.try_get(4)?,
                    u: named(
                        UserRef::new(row.try_get::<_, String>(5)?, row.try_get::<_, String>(6)?),
                        row.try_get(7)?,
                    ),
                    role: row.try_get(8)?,
                    groupable: row.try_get(9)?,
                    updated_at: row.try_get(10)?,
                })
            })
            .collect()
        })
    }

    fn insert_group(&self, group: GroupRow) -> StoreFuture<'_, RoomRecord> {
        Box::pin(async move {
            let mut client = self.writing().await?;
            let transaction = client.transaction().await?;
            let users_count = i64::try_from(group.members.len()).unwrap_or(i64::MAX);
            let inserted = transaction
                .query_one(
                    &format!(
                        "INSERT INTO rooms AS r (id, t, name, fname, owner_id, owner_username, \
                         owner_name, msgs, users_count, ro, is_default, custom_fields, extra, \
                         ts, updated_at) \
                         VALUES ($1, 'p', $2, $3, $4, $5, $6, 0, $7, $8, false, $9, $10, $11, $11) \
                         RETURNING {ROOM_COLUMNS}"
                    ),
                    &[
                        &group.id,
                        &group.name,
                        &group.fname,
                        &group.owner.id,
                        &group.owner.username,
                        &group.owner.name,
                        &users_count,
                        &group.read_only,
                        &Value::Object(group.custom_fields.clone()),
                        &Value::Object(group.extra.clone()),
                        &group.now,
                    ],
                )
                .await;
            let room = match inserted {
                Ok(row) => room_from_row(&row)?,
                Err(error) if violates(&error, "rooms_name_unique") => {
                    return Err(StoreError::Conflict {
                        field: "name",
                        value: group.name,
                    });
                }
                Err(error) => return Err(error.into()),
            };
            let mut subscription_ids = Vec::with_capacity(group.members.len());
            let mut user_ids = Vec::with_capacity(group.members.len());
            let mut usernames = Vec::with_capacity(group.members.len());
            let mut roles = Vec::with_capacity(group.members.len());
            for member in group.members {
                subscription_ids.push(util::new_id());
                user_ids.push(member.user_id);
                usernames.push(member.username);
                roles.push(Value::from(member.roles));
            }
            // The members' rows are locked as a foreign key would lock them (the schema has
            // none): each membership is inserted only if its user is still there.
            let members = transaction
                .execute(
                    "INSERT INTO subscriptions (id, rid, user_id, username, roles, open, alert, \
                     unread, user_mentions, group_mentions, ts, ls, updated_at) \
                     SELECT m.id, $1, m.user_id, m.username, \
                     ARRAY(SELECT jsonb_array_elements_text(m.roles)), \
                     true, false, 0, 0, 0, $2::text, $2::text, $2::text \
                     FROM unnest($3::text[], $4::text[], $5::text[], $6::jsonb[]) \
                     AS m(id, user_id, username, roles) \
                     JOIN (SELECT id FROM users WHERE id = ANY($4::text[]) FOR KEY SHARE) u \
                     ON u.id = m.user_id",
                    &[
                        &group.id,
                        &group.now,
                        &subscription_ids,
                        &user_ids,
                        &usernames,
                        &roles,
                    ],
                )
                .await?;
            if members != u64::try_from(users_count).unwrap_or(u64::MAX) {
                // Dropping the transaction rolls it back.
                return Err(StoreError::broken(
                    "a member of the new group was deleted while it was being created",
                ));
            }
            transaction.commit().await?;
            client.finish();
            Ok(room)
        })
    }

    fn apply_invite(&self, write: InviteWrite) -> StoreFuture<'_, InviteApplied> {
        Box::pin(self.invites.apply(write))
    }

    fn memberships_of(&self, user_id: String) -> StoreFuture<'_, Vec<MembershipRow>> {
        Box::pin(async move {
            if !findable(&user_id) {
                return Ok(Vec::new());
            }
            self.query(
                "SELECT s.id, s.rid, r.name, r.t, s.roles, s.unread \
                 FROM subscriptions s JOIN rooms r ON r.id = s.rid \
                 WHERE s.user_id = $1 ORDER BY r.t COLLATE \"C\", r.name COLLATE \"C\"",
                &[&user_id],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(MembershipRow {
                    id: row.try_get(0)?,
                    rid: row.try_get(1)?,
                    name: row.try_get(2)?,
                    room_type: row.try_get(3)?,
                    roles: row.try_get(4)?,
                    unread: count(row.try_get(5)?),
                })
            })
            .collect()
        })
    }

    fn groups(
        &self,
        member: Option<String>,
        order: Vec<GroupOrder>,
        page: Page,
    ) -> StoreFuture<'_, (Vec<RoomRecord>, u64)> {
        Box::pin(async move {
            let (limit, offset) = limit_offset(page);
            if member.as_deref().is_some_and(|id| !findable(id)) {
                return Ok((Vec::new(), 0));
            }
            let from = match member {
                Some(_) => {
                    "rooms r JOIN subscriptions s ON s.rid = r.id \
                     WHERE s.user_id = $1 AND r.t = 'p'"
                }
                None => "rooms r WHERE r.t = 'p' AND $1::text IS NULL",
            };
            let client = self.client().await?;
            let list = client
                .prepare_cached(&format!(
                    "SELECT {ROOM_COLUMNS} FROM {from} ORDER BY {} LIMIT $2 OFFSET $3",
                    order_by(&order, "\"C\"")
                ))
                .await?;
            let total = client
                .prepare_cached(&format!("SELECT count(*) FROM {from}"))
                .await?;
            let list_parameters: [&(dyn ToSql + Sync); 3] = [&member, &limit, &offset];
            let total_parameters: [&(dyn ToSql + Sync); 1] = [&member];
            let (rows, total) = tokio::try_join!(
                client.query(&list, &list_parameters),
                client.query_one(&total, &total_parameters),
            )?;
            let groups = rows.iter().map(room_from_row).collect::<Result<_>>()?;
            Ok((groups, count(total.try_get(0)?)))
        })
    }

    fn change_member(&self, write: MemberWrite) -> StoreFuture<'_, MemberApplied> {
        Box::pin(async move {
            let mut client = self.writing().await?;
            let transaction = client.transaction().await?;
            let applied = change_member(&transaction, &write).await?;
            if applied == MemberApplied::Done {
                transaction.commit().await?;
            } else {
                transaction.rollback().await?;
            }
            client.finish();
            Ok(applied)
        })
    }

    fn delete_group(&self, deletion: GroupDeletion) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let mut client = self.writing().await?;
            let transaction = client.transaction().await?;
            let deleted = delete_group(&transaction, &deletion).await?;
            if deleted {
                transaction.commit().await?;
            } else {
                transaction.rollback().await?;
            }
            client.finish();
            Ok(deleted)
        })
    }

    fn session_events(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<SessionEvent>> {
        Some(sessions::listen(Arc::clone(&self.config)))
    }
}

/// Locks a room's row (`FOR UPDATE` to delete it, `FOR NO KEY UPDATE` to change its
/// memberships and counters) and checks a guard, in `transaction`: whether both are there.
///
/// The room is locked first, as invites lock it first: changes to one group's memberships,
/// from any instance, then take effect one after the other, and each statement after the
/// lock reads what the one before committed (READ COMMITTED takes a snapshot per statement).
async fn lock_room(
    transaction: &Transaction<'_>,
    room_id: &str,
    strength: &str,
    guard: &Guard,
) -> Result<bool> {
    let room = transaction
        .query_opt(
            &format!("SELECT 1 FROM rooms WHERE id = $1 FOR {strength}"),
            &[&room_id],
        )
        .await?;
    if room.is_none() {
        return Ok(false);
    }
    let Guard::Member { user_id, roles } = guard else {
        return Ok(true);
    };
    let roles: Option<Vec<&str>> = roles.map(<[&str]>::to_vec);
    let held = transaction
        .query_opt(
            "SELECT 1 FROM subscriptions WHERE rid = $1 AND user_id = $2 \
             AND ($3::text[] IS NULL OR roles && $3::text[]) FOR SHARE",
            &[&room_id, user_id, &roles],
        )
        .await?;
    Ok(held.is_some())
}

/// A membership change in `transaction`; see [`Store::change_member`].
async fn change_member(
    transaction: &Transaction<'_>,
    write: &MemberWrite,
) -> Result<MemberApplied> {
    let room_id = &write.room_id;
    if !lock_room(transaction, room_id, "NO KEY UPDATE", &write.guard).await? {
        return Ok(MemberApplied::Stale);
    }
    let current = transaction
        .query_opt(
            "SELECT roles FROM subscriptions WHERE rid = $1 AND user_id = $2 FOR UPDATE",
            &[room_id, &write.user_id],
        )
        .await?;
    match current {
        Some(row) if row.try_get::<_, Vec<String>>(0)? == write.expected => {}
        _ => return Ok(MemberApplied::Stale),
    }
    if write.keep_an_owner {
        let another: bool = transaction
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM subscriptions \
                 WHERE rid = $1 AND user_id <> $2 AND 'owner' = ANY (roles))",
                &[room_id, &write.user_id],
            )
            .await?
            .try_get(0)?;
        if !another {
            return Ok(MemberApplied::LastOwner);
        }
    }
    let now = util::now();
    let left: i64 = match &write.change {
        MemberChange::Remove => {
            transaction
                .execute(
                    "DELETE FROM subscriptions WHERE rid = $1 AND user_id = $2",
                    &[room_id, &write.user_id],
                )
                .await?;
            1
        }
        MemberChange::SetRoles(roles) => {
            transaction
                .execute(
                    "UPDATE subscriptions SET roles = $1, updated_at = $2 \
                     WHERE rid = $3 AND user_id = $4",
                    &[roles, &now, room_id, &write.user_id],
                )
                .await?;
            0
        }
    };
    let message = &write.message;
    transaction
        .execute(
            "INSERT INTO messages (id, rid, t, msg, ts, u_id, u_username, u_name, role, \
             groupable, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $5)",
            &[
                &util::new_id(),
                room_id,
                &message.message_type,
                &message.msg,
                &now,
                &message.author.id,
                &message.author.username,
                &message.author.name,
                &message.role,
            ],
        )
        .await?;
    transaction
        .execute(
            "UPDATE rooms SET users_count = users_count - $1, msgs = msgs + 1, updated_at = $2 \
             WHERE id = $3",
            &[&left, &now, room_id],
        )
        .await?;
    Ok(MemberApplied::Done)
}

/// A group's deletion in `transaction`; see [`Store::delete_group`]. Memberships and messages
/// have no `ON DELETE CASCADE` (see [`schema`]): they go here, under the room's lock.
async fn delete_group(transaction: &Transaction<'_>, deletion: &GroupDeletion) -> Result<bool> {
    let room_id = &deletion.room_id;
    if !lock_room(transaction, room_id, "UPDATE", &deletion.guard).await? {
        return Ok(false);
    }
    transaction
        .execute("DELETE FROM subscriptions WHERE rid = $1", &[room_id])
        .await?;
    transaction
        .execute("DELETE FROM messages WHERE rid = $1", &[room_id])
        .await?;
    transaction
        .execute("DELETE FROM rooms WHERE id = $1", &[room_id])
        .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_become_parameters() {
        assert_eq!(
            guard_parameters(&Guard::Nothing),
            (false, String::new(), None)
        );
        assert_eq!(
            guard_parameters(&Guard::Member {
                user_id: "u".into(),
                roles: Some(&["owner"]),
            }),
            (true, "u".to_owned(), Some(vec!["owner".to_owned()]))
        );
    }
}
