//! The SQLite store: one writer thread with group commit, and a small pool of readers.
//!
//! * **Writes** go to one thread through a channel. It takes a command, opens a transaction,
//!   and keeps taking whatever else is queued (up to [`MAX_BATCH`]), each after the first
//!   inside its own `SAVEPOINT`, so that one failing command is rolled back alone and never
//!   undoes another (the first one, alone in the transaction so far, rolls it back).
//!   Then it commits once for all of them and only then answers each caller. One serial writer
//!   is what SQLite allows anyway; committing many requests at once is what makes it fast.
//! * **Reads** run on the blocking thread pool, each on a connection taken from a small pool;
//!   in WAL mode they never wait for the writer. The plan of a small invite (a few indexed
//!   look-ups, tens of microseconds) runs right on the calling task's thread instead, which is
//!   cheaper than the hand-off.
//! * The database is in WAL mode with `synchronous = NORMAL`: a committed write survives a
//!   killed process. Checkpoints run on a thread of their own, never inside a commit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rocketchat_protocol::groups::RoomSelector;
use rocketchat_protocol::groups::invite::LookupMode;
use rocketchat_protocol::room::UserRef;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::{
    GroupDeletion, GroupRow, InviteApplied, InviteFacts, InviteWrite, LoginIdentity, MemberApplied,
    MemberWrite, NewUser, Store, StoreError, StoreFuture, TokenHolder,
};
use crate::domain::groups::{GroupOrder, Page};
use crate::domain::{Membership, MembershipRow, MessageRecord, RoomRecord, UserRecord};

mod checkpoint;
mod queries;
mod schema;

/// The most commands committed in one transaction.
pub(crate) const MAX_BATCH: usize = 512;

/// Invites naming at most this many users are planned on the calling task's thread
/// ([`SqliteStore::read_now`]); larger ones on the blocking pool.
const INLINE_READ_USERS: usize = 16;

/// How many read connections are kept open.
const READERS: usize = 4;

type Completion = Box<dyn FnOnce(bool) + Send>;
/// A write: run with or without its own savepoint, it says whether it succeeded and answers
/// its caller once the transaction has committed (or failed to).
type Job = Box<dyn FnOnce(&Connection, bool) -> (bool, Completion) + Send>;

/// A store on one SQLite database file.
#[derive(Debug)]
pub(crate) struct SqliteStore {
    path: PathBuf,
    writer: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    // At most `READERS` reads run at once, so that each finds a pooled connection.
    read_permits: Arc<Semaphore>,
    // A private temporary directory for `sqlite::memory:`, removed after the connections close.
    _temp_dir: Option<tempfile::TempDir>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database a `sqlite:` URL names, and migrates it.
    ///
    /// `sqlite://FILE` is relative to the working directory, `sqlite:///FILE` absolute;
    /// `sqlite::memory:` makes a throwaway database in a private temporary directory (a real
    /// file, so that the writer and the readers share it).
    pub(crate) fn open_url(url: &str) -> Result<Self, StoreError> {
        let rest = url
            .strip_prefix("sqlite:")
            .ok_or_else(|| StoreError::broken(format!("not a sqlite URL: {url}")))?;
        let rest = rest.split('?').next().unwrap_or_default();
        if rest == ":memory:" || rest == "//:memory:" {
            let dir = tempfile::tempdir().map_err(|error| {
                StoreError::failed("could not make a directory for sqlite::memory:", error)
            })?;
            let path = dir.path().join("rocketchat.db");
            return Self::open_at(path, Some(dir));
        }
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() {
            return Err(StoreError::broken(format!(
                "no file name in the database URL {url}"
            )));
        }
        Self::open(path)
    }

    /// Opens (creating if needed) the database file at `path`, and migrates it.
    pub(crate) fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        Self::open_at(path, None)
    }

    fn open_at(path: PathBuf, temp_dir: Option<tempfile::TempDir>) -> Result<Self, StoreError> {
        let mut conn = Connection::open(&path)?;
        configure(&conn, WRITER_CACHE_KIB)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Checkpoints run on their own thread (see `checkpoint`), not inside a commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        schema::migrate(&mut conn)?;
        let checkpointer = checkpoint::Checkpointer::start(&path)?;
        let (sender, receiver) = mpsc::channel::<Job>(4 * MAX_BATCH);
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || write_loop(conn, receiver, checkpointer))
            .map_err(|error| StoreError::failed("could not start the SQLite writer", error))?;
        Ok(Self {
            path,
            writer: Some(sender),
            thread: Some(thread),
            readers: Arc::new(Mutex::new(Vec::new())),
            read_permits: Arc::new(Semaphore::new(READERS)),
            _temp_dir: temp_dir,
        })
    }

    /// Runs `work` in the writer's transaction, inside its own savepoint.
    fn write<T, F>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn, savepoint| {
            // The caller has gone (its request timed out, or the client hung up) while the job
            // waited for the writer: nobody would learn of the change, so it is not made.
            if reply.is_closed() {
                let nobody: Completion = Box::new(|_| {});
                return (true, nobody);
            }
            let result = if savepoint {
                in_savepoint(conn, work)
            } else {
                work(conn)
            };
            let succeeded = result.is_ok();
            let completion: Completion = Box::new(move |committed| {
                let result = match result {
                    Ok(_) if !committed => Err(StoreError::broken(
                        "the SQLite transaction could not be committed (the log says why)",
                    )),
                    other => other,
                };
                let _ = reply.send(result);
            });
            (succeeded, completion)
        });
        let writer = self.writer.clone();
        Box::pin(async move {
            let stopped = || StoreError::broken("the SQLite writer has stopped");
            let writer = writer.ok_or_else(stopped)?;
            writer.send(job).await.map_err(|_| stopped())?;
            answer.await.map_err(|_| stopped())?
        })
    }

    /// Runs `work` on a read connection, on the blocking thread pool.
    fn read<T, F>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let permits = Arc::clone(&self.read_permits);
        let path = self.path.clone();
        Box::pin(async move {
            let permit = permits
                .acquire_owned()
                .await
                .map_err(|error| StoreError::failed("the SQLite readers are closed", error))?;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                with_reader(&readers, &path, work)
            })
            .await
            .map_err(|error| StoreError::failed("a SQLite read did not finish", error))?
        })
    }

    /// Runs a short `work` (a few indexed look-ups, tens of microseconds) on a read connection
    /// right here, on the calling task's thread: handing it to the blocking pool would cost
    /// more than the work, and spread allocations over more threads.
    fn read_now<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        with_reader(&self.readers, &self.path, work)
    }
}

/// Runs `work` on a pooled read connection, opening one if none is free.
fn with_reader<T>(
    readers: &Mutex<Vec<Connection>>,
    path: &Path,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let pooled = readers.lock().ok().and_then(|mut pool| pool.pop());
    let conn = match pooled {
        Some(conn) => conn,
        None => open_reader(path)?,
    };
    let result = work(&conn);
    if let Ok(mut pool) = readers.lock()
        && pool.len() < READERS
    {
        pool.push(conn);
    }
    result
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the channel ends the writer after it has committed what is queued.
        self.writer.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Ok(mut pool) = self.readers.lock() {
            pool.clear();
        }
    }
}

/// Page cache per connection, in KiB: the writer's is larger, as it touches more pages; in
/// all about 32 MiB at most, to keep the resident size small.
const WRITER_CACHE_KIB: i64 = 16 * 1024;
const READER_CACHE_KIB: i64 = 4 * 1024;

/// The size the WAL file is cut back to after a checkpoint has emptied it, in bytes.
const WAL_SIZE_LIMIT: i64 = 128 * 1024 * 1024;

fn configure(conn: &Connection, cache_kib: i64) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    // Keep each statement's plan: otherwise SQLite may re-prepare a cached statement every time
    // a parameter compared with an index gets a new value, which cost a tenth of the writer's time.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn, READER_CACHE_KIB)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.prepare_cached("SAVEPOINT request")?.execute([])?;
    match work(conn) {
        Ok(value) => {
            conn.prepare_cached("RELEASE request")?.execute([])?;
            Ok(value)
        }
        Err(error) => {
            conn.prepare_cached("ROLLBACK TO request")?.execute([])?;
            conn.prepare_cached("RELEASE request")?.execute([])?;
            Err(error)
        }
    }
}

fn write_loop(
    conn: Connection,
    mut receiver: mpsc::Receiver<Job>,
    checkpointer: checkpoint::Checkpointer,
) {
    while let Some(first) = receiver.blocking_recv() {
        if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
            tracing::error!(%error, "could not begin a write transaction");
            first(&conn, true).1(false);
            continue;
        }
        // The first command runs in the bare transaction, without a savepoint: if it fails,
        // rolling the transaction back undoes nothing else. That spares the savepoint's journal,
        // a copy of every page the command changes (megabytes for a 10,000-user invite).
        let (succeeded, completion) = first(&conn, false);
        let mut completions = vec![completion];
        if !succeeded
            && let Err(error) = conn
                .execute_batch("ROLLBACK")
                .and_then(|()| conn.execute_batch("BEGIN IMMEDIATE"))
        {
            tracing::error!(%error, "could not begin a write transaction again");
            for completion in completions {
                completion(false);
            }
            continue;
        }
        while completions.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => completions.push(job(&conn, true).1),
                Err(_) => break,
            }
        }
        let committed = match conn.execute_batch("COMMIT") {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(%error, "commit failed; rolling back the batch");
                let _ = conn.execute_batch("ROLLBACK");
                false
            }
        };
        checkpointer.nudge();
        for completion in completions {
            completion(committed);
        }
        checkpointer.catch_up(&conn);
    }
    drop(checkpointer);
    if let Err(error) = conn.execute_batch("PRAGMA optimize") {
        tracing::debug!(%error, "PRAGMA optimize failed");
    }
}

impl Store for SqliteStore {
    fn human_user_count(&self) -> StoreFuture<'_, u64> {
        self.read(queries::human_user_count)
    }

    fn create_user(&self, user: NewUser) -> StoreFuture<'_, UserRecord> {
        self.write(move |conn| queries::create_user(conn, user))
    }

    #[cfg(feature = "testing")]
    fn create_users(&self, users: Vec<NewUser>) -> StoreFuture<'_, Vec<String>> {
        self.write(move |conn| {
            let now = crate::util::now();
            users
                .into_iter()
                .map(|user| queries::insert_user(conn, user, &now))
                .collect()
        })
    }

    fn user(&self, user_id: String) -> StoreFuture<'_, Option<UserRecord>> {
        self.read(move |conn| queries::user_by_id(conn, &user_id))
    }

    fn users_named(&self, usernames: Vec<String>) -> StoreFuture<'_, Vec<(String, String)>> {
        self.read(move |conn| queries::users_named(conn, &usernames))
    }

    fn login_user(
        &self,
        identity: LoginIdentity,
    ) -> StoreFuture<'_, Option<(UserRecord, Option<String>)>> {
        self.read(move |conn| queries::login_user(conn, &identity))
    }

    fn add_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()> {
        self.write(move |conn| queries::add_login_token(conn, &user_id, &hashed_token))
    }

    fn remove_login_token(&self, user_id: String, hashed_token: String) -> StoreFuture<'_, ()> {
        self.write(move |conn| queries::remove_login_token(conn, &user_id, &hashed_token))
    }

    fn remove_tokens_issued_before(&self, user_id: String, before: String) -> StoreFuture<'_, ()> {
        self.write(move |conn| queries::remove_tokens_issued_before(conn, &user_id, &before))
    }

    fn authenticate(
        &self,
        user_id: String,
        hashed_token: String,
    ) -> StoreFuture<'_, Option<TokenHolder>> {
        self.read(move |conn| queries::authenticate(conn, &user_id, &hashed_token))
    }

    fn token_holder(&self, hashed_token: String) -> StoreFuture<'_, Option<TokenHolder>> {
        self.read(move |conn| queries::token_holder(conn, &hashed_token))
    }

    fn room_for(
        &self,
        room: RoomSelector,
        user_id: String,
    ) -> StoreFuture<'_, (Option<RoomRecord>, Option<Membership>)> {
        self.read(move |conn| queries::room_for(conn, &room, &user_id))
    }

    fn invite_facts(
        &self,
        id_or_name: String,
        caller_id: String,
        lookup: Option<(LookupMode, Vec<String>)>,
    ) -> StoreFuture<'_, InviteFacts> {
        let small = lookup
            .as_ref()
            .is_none_or(|(_, keys)| keys.len() <= INLINE_READ_USERS);
        if small {
            let facts =
                self.read_now(|conn| queries::invite_facts(conn, &id_or_name, &caller_id, lookup));
            Box::pin(std::future::ready(facts))
        } else {
            self.read(move |conn| queries::invite_facts(conn, &id_or_name, &caller_id, lookup))
        }
    }

    fn membership(&self, room_id: String, user_id: String) -> StoreFuture<'_, Option<Membership>> {
        self.read(move |conn| queries::membership(conn, &room_id, &user_id))
    }

    fn members(&self, room_id: String, page: Page) -> StoreFuture<'_, (Vec<UserRecord>, u64)> {
        self.read(move |conn| queries::members(conn, &room_id, page))
    }

    fn room_roles(&self, room_id: String) -> StoreFuture<'_, Vec<(String, UserRef, Vec<String>)>> {
        self.read(move |conn| queries::room_roles(conn, &room_id))
    }

    fn history(&self, room_id: String, page: Page) -> StoreFuture<'_, Vec<MessageRecord>> {
        self.read(move |conn| queries::history(conn, &room_id, page))
    }

    fn insert_group(&self, group: GroupRow) -> StoreFuture<'_, RoomRecord> {
        self.write(move |conn| queries::insert_group(conn, group))
    }

    fn apply_invite(&self, write: InviteWrite) -> StoreFuture<'_, InviteApplied> {
        self.write(move |conn| queries::apply_invite(conn, write))
    }

    fn memberships_of(&self, user_id: String) -> StoreFuture<'_, Vec<MembershipRow>> {
        self.read(move |conn| queries::memberships_of(conn, &user_id))
    }

    fn groups(
        &self,
        member: Option<String>,
        order: Vec<GroupOrder>,
        page: Page,
    ) -> StoreFuture<'_, (Vec<RoomRecord>, u64)> {
        self.read(move |conn| queries::groups(conn, member.as_deref(), &order, page))
    }

    fn change_member(&self, write: MemberWrite) -> StoreFuture<'_, MemberApplied> {
        self.write(move |conn| queries::change_member(conn, write))
    }

    fn delete_group(&self, deletion: GroupDeletion) -> StoreFuture<'_, bool> {
        self.write(move |conn| queries::delete_group(conn, deletion))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use rocketchat_protocol::room::UserRef;

    use super::*;
    use crate::domain::invite::INVITED;
    use crate::store::{Guard, MemberChange, MemberRow, SystemMessage};

    fn user(name: &str) -> NewUser {
        NewUser {
            id: None,
            username: name.to_owned(),
            name: name.to_owned(),
            email: None,
            email_verified: false,
            password_hash: None,
            roles: vec!["user".to_owned()],
            user_type: "user".to_owned(),
            active: true,
        }
    }

    /// A group `team` owned by `owner`, with the plain member `member`; `guest` is outside.
    async fn team(store: &SqliteStore) -> (String, UserRecord, UserRecord, UserRecord) {
        let owner = store.create_user(user("owner")).await.unwrap();
        let member = store.create_user(user("member")).await.unwrap();
        let guest = store.create_user(user("guest")).await.unwrap();
        let row = |user: &UserRecord, roles: &[&str]| MemberRow {
            user_id: user.id.clone(),
            username: user.username.clone(),
            roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        };
        let room = store
            .insert_group(GroupRow {
                id: crate::util::new_id(),
                name: "team".to_owned(),
                fname: "team".to_owned(),
                owner: UserRef::new(&owner.id, &owner.username),
                read_only: false,
                custom_fields: Default::default(),
                extra: Default::default(),
                members: vec![row(&owner, &["owner"]), row(&member, &[])],
                now: crate::util::now(),
            })
            .await
            .unwrap();
        (room.id, owner, member, guest)
    }

    fn invite(room_id: &str, by: &UserRecord, add: &UserRecord, guard: Guard) -> InviteWrite {
        InviteWrite {
            room_id: room_id.to_owned(),
            inviter: UserRef::new(&by.id, &by.username),
            add: vec![UserRef::new(&add.id, &add.username)],
            subscription: INVITED,
            message_type: "au",
            guard,
        }
    }

    #[tokio::test]
    async fn an_invite_whose_guard_no_longer_holds_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("guard.db")).unwrap();
        let (room_id, owner, member, guest) = team(&store).await;
        let owner_role = Guard::Member {
            user_id: member.id.clone(),
            roles: Some(&["owner", "moderator"]),
        };
        let outsider = Guard::Member {
            user_id: guest.id.clone(),
            roles: None,
        };
        for guard in [owner_role, outsider] {
            let applied = store
                .apply_invite(invite(&room_id, &member, &guest, guard))
                .await
                .unwrap();
            assert!(matches!(applied, InviteApplied::Stale), "{applied:?}");
        }
        let (room, _) = store
            .room_for(RoomSelector::id(&room_id), owner.id.clone())
            .await
            .unwrap();
        let room = room.unwrap();
        assert_eq!((room.users_count, room.msgs), (2, 0));
        assert!(
            store
                .membership(room_id.clone(), guest.id.clone())
                .await
                .unwrap()
                .is_none()
        );

        let holds = Guard::Member {
            user_id: owner.id.clone(),
            roles: Some(&["owner", "moderator"]),
        };
        let applied = store
            .apply_invite(invite(&room_id, &owner, &guest, holds))
            .await
            .unwrap();
        let InviteApplied::Done { inserted, room } = applied else {
            panic!("{applied:?}")
        };
        assert_eq!(inserted, HashSet::from([guest.id.clone()]));
        assert_eq!((room.users_count, room.msgs), (3, 1));
    }

    fn role_write(
        room_id: &str,
        by: &UserRecord,
        member: &UserRecord,
        expected: &[&str],
    ) -> MemberWrite {
        MemberWrite {
            room_id: room_id.to_owned(),
            user_id: member.id.clone(),
            expected: expected.iter().map(|role| (*role).to_owned()).collect(),
            change: MemberChange::SetRoles(vec!["moderator".to_owned()]),
            keep_an_owner: false,
            message: SystemMessage {
                message_type: "subscription-role-added",
                msg: member.username.clone(),
                author: UserRef::new(&by.id, &by.username),
                role: Some("moderator"),
            },
            guard: Guard::Member {
                user_id: by.id.clone(),
                roles: Some(&["owner"]),
            },
        }
    }

    #[tokio::test]
    async fn roles_that_changed_since_they_were_read_are_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("roles.db")).unwrap();
        let (room_id, owner, member, _) = team(&store).await;
        let write = |expected: &[&str]| role_write(&room_id, &owner, &member, expected);
        let change = |write| store.change_member(write);
        assert_eq!(
            change(write(&["leader"])).await.unwrap(),
            MemberApplied::Stale
        );
        assert_eq!(change(write(&[])).await.unwrap(), MemberApplied::Done);
        assert_eq!(
            change(write(&[])).await.unwrap(),
            MemberApplied::Stale,
            "applied twice"
        );
        let membership = store
            .membership(room_id.clone(), member.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(membership.roles, ["moderator"]);
        let (room, _) = store
            .room_for(RoomSelector::id(&room_id), owner.id)
            .await
            .unwrap();
        assert_eq!(room.unwrap().msgs, 1, "one message, for the change made");
    }
}
