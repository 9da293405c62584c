//! Invites, committed in groups.
//!
//! Each invite is one statement ([`APPLY_INVITE`]), but committing each alone makes every
//! invite wait for its own flush of the write-ahead log, while it holds the group's row (the
//! counters) locked: invites into one busy group then go one flush at a time. So invites queue
//! for a few writer tasks; a writer takes what is queued (up to [`MAX_BATCH`]) and sends
//! `BEGIN`, the invites' statements and `COMMIT` in one go, pipelined on one connection, so
//! that they share one round trip and one flush. Each invite keeps its own answer: the
//! statement returns it.
//!
//! An invite whose room, users or guard went away meanwhile changes nothing and says so; the
//! others of its batch go on. A batch whose statement fails (a deadlock with another
//! instance's batch, a database error) rolls back whole, and its invites are then run one by
//! one, each getting its own answer or error. An invite whose caller has gone before a writer
//! took it is dropped; a batch whose caller has gone before the commit is cancelled, and its
//! other invites then run alone.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use deadpool_postgres::{Object, Pool};
use futures_util::future::{join_all, select_all};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use super::{ROOM_COLUMNS, Result, guard_parameters, room_from_row};
use crate::store::{InviteApplied, InviteWrite, StoreError};
use crate::util;

/// How many writer tasks take invites from the queue.
const WRITERS: usize = 4;

/// The most invites committed together.
const MAX_BATCH: usize = 64;

/// An invite waiting for a writer, and where its answer goes.
struct Job {
    parameters: Parameters,
    reply: oneshot::Sender<Result<InviteApplied>>,
}

/// The writers, each with its queue of invites. Cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct InviteWriter {
    queues: Arc<[mpsc::Sender<Job>]>,
    hasher: RandomState,
}

impl InviteWriter {
    /// Starts the writers, on the runtime of the caller, taking connections from `pool`.
    pub(super) fn start(pool: Pool) -> Self {
        let queues = (0..WRITERS)
            .map(|_| {
                let (queue, jobs) = mpsc::channel(MAX_BATCH * 4);
                tokio::spawn(writer(pool.clone(), jobs));
                queue
            })
            .collect();
        Self {
            queues,
            hasher: RandomState::new(),
        }
    }

    /// Applies an invite, with others if others are waiting.
    ///
    /// The invites into one group all go to the same writer: batches of one group then follow
    /// each other, each sharing one commit, instead of several writers' transactions queueing
    /// for the group's row and each updating it many times while holding it.
    pub(super) async fn apply(&self, write: InviteWrite) -> Result<InviteApplied> {
        let (reply, answer) = oneshot::channel();
        let shard = self.hasher.hash_one(&write.room_id) as usize % self.queues.len();
        let job = Job {
            parameters: Parameters::of(write),
            reply,
        };
        let stopped = || StoreError::broken("the PostgreSQL invite writers have stopped");
        self.queues[shard].send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// One writer: takes what is queued, commits it, answers, and again.
async fn writer(pool: Pool, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Nobody would learn of these: they are not made.
        batch.retain(|job| !job.reply.is_closed());
        // One order of locks for every batch, so that two batches (another instance's) wait
        // rather than deadlock where they can.
        batch.sort_by(|a, b| a.parameters.room_id.cmp(&b.parameters.room_id));
        let Some(mut client) = connection(&pool, &mut batch).await else {
            continue;
        };
        if batch.len() > 1 {
            match commit_together(&client, &mut batch).await {
                Ran::Done => continue,
                Ran::Failed => {}
                Ran::Cancelled => {
                    discard(client);
                    let Some(fresh) = connection(&pool, &mut batch).await else {
                        continue;
                    };
                    client = fresh;
                }
            }
        }
        // One by one, in the batch's order.
        batch.reverse();
        while let Some(job) = batch.pop() {
            if alone(&client, job).await == Ran::Cancelled {
                discard(client);
                let Some(fresh) = connection(&pool, &mut batch).await else {
                    break;
                };
                client = fresh;
            }
        }
    }
}

/// How a transaction ended.
#[derive(Debug, PartialEq, Eq)]
enum Ran {
    /// Committed, or failed with its error answered.
    Done,
    /// Failed and rolled back, nothing answered: its invites are to run again alone.
    Failed,
    /// A caller left and the transaction was cancelled.
    Cancelled,
}

/// A connection for `jobs`, when there are any; when none can be had, every job is answered
/// with the error and `jobs` is left empty.
async fn connection(pool: &Pool, jobs: &mut Vec<Job>) -> Option<Object> {
    if jobs.is_empty() {
        return None;
    }
    match pool.get().await {
        Ok(client) => Some(client),
        Err(error) => {
            let error = StoreError::failed("no PostgreSQL connection could be had", error);
            for job in jobs.drain(..) {
                let _ = job.reply.send(Err(StoreError::broken(error.to_string())));
            }
            None
        }
    }
}

/// Takes a connection that was sent a cancel request out of the pool: the request may still
/// arrive during its next statement, another invite's.
fn discard(client: Object) {
    drop(Object::take(client));
}

/// Commits `batch` in one transaction and answers every invite ([`Ran::Done`]). Otherwise the
/// transaction is over, nothing is answered, and `batch` holds the invites whose callers are
/// still waiting, to run again alone: a statement failed ([`Ran::Failed`]), or a caller left
/// before the commit and the transaction was cancelled ([`Ran::Cancelled`]).
async fn commit_together(client: &Object, batch: &mut Vec<Job>) -> Ran {
    let Ok(statement) = client.prepare_cached(APPLY_INVITE).await else {
        return Ran::Failed;
    };
    let (parameters, mut replies): (Vec<_>, Vec<_>) = std::mem::take(batch)
        .into_iter()
        .map(|job| (job.parameters, job.reply))
        .unzip();
    let (committed, cancelled) = {
        let values: Vec<_> = parameters.iter().map(Parameters::as_sql).collect();
        // Created in order, first polled in order: sent in order, in one go.
        let begin = client.batch_execute("BEGIN");
        let statements = join_all(
            values
                .iter()
                .map(|values| client.query_one(&statement, values)),
        );
        let commit = client.batch_execute("COMMIT");
        let running = async { tokio::join!(begin, statements, commit) };
        let mut running = std::pin::pin!(running);
        let left = select_all(replies.iter_mut().map(|reply| Box::pin(reply.closed())));
        let ((began, rows, committed), cancelled) = tokio::select! {
            outcome = &mut running => (outcome, false),
            _ = left => {
                let _ = client.cancel_token().cancel_query(NoTls).await;
                (running.await, true)
            }
        };
        let rows = rows
            .into_iter()
            .collect::<std::result::Result<Vec<Row>, _>>();
        match (began, rows, committed) {
            (Ok(()), Ok(rows), Ok(())) => (Some(rows), cancelled),
            _ => (None, cancelled),
        }
    };
    let Some(rows) = committed else {
        if !cancelled {
            // The transaction is over: COMMIT ends an aborted one with a rollback, and a
            // failure to send it ends the connection. Whatever is still open is rolled back.
            let _ = client.batch_execute("ROLLBACK").await;
        }
        batch.extend(
            parameters
                .into_iter()
                .zip(replies)
                .filter(|(_, reply)| !reply.is_closed())
                .map(|(parameters, reply)| Job { parameters, reply }),
        );
        return if cancelled {
            Ran::Cancelled
        } else {
            Ran::Failed
        };
    };
    // Committed before the cancel could stop it: the callers still waiting hear of it.
    for ((parameters, reply), row) in parameters.into_iter().zip(replies).zip(rows) {
        let answer = settle(client, &parameters.room_id, row).await;
        let _ = reply.send(answer);
    }
    if cancelled { Ran::Cancelled } else { Ran::Done }
}

/// Runs one invite in a transaction of its own and answers it; cancels it when its caller
/// goes away before it finishes.
async fn alone(client: &Object, mut job: Job) -> Ran {
    let mut ran = Ran::Done;
    let result = async {
        let statement = client.prepare_cached(APPLY_INVITE).await?;
        let parameters = job.parameters.as_sql();
        let running = client.query_one(&statement, &parameters);
        let mut running = std::pin::pin!(running);
        let row = tokio::select! {
            row = &mut running => row,
            () = job.reply.closed() => {
                let _ = client.cancel_token().cancel_query(NoTls).await;
                ran = Ran::Cancelled;
                // Whether cancelled or done first, nobody hears of it.
                let _ = running.await;
                return Err(StoreError::broken("the caller went away"));
            }
        };
        settle(client, &job.parameters.room_id, row?).await
    }
    .await;
    let _ = job.reply.send(result);
    ran
}

/// What the statement's answer says: stale (the room, a user or the guard was missing), or
/// what was inserted and the group after.
async fn settle(client: &Object, room_id: &str, row: Row) -> Result<InviteApplied> {
    if !row.try_get::<_, bool>("allowed")? {
        return Ok(InviteApplied::Stale);
    }
    let inserted: HashSet<String> = row
        .try_get::<_, Vec<String>>("inserted")?
        .into_iter()
        .collect();
    let room = if row.try_get::<_, Option<String>>(0)?.is_some() {
        Some(room_from_row(&row)?)
    } else {
        // Nothing was inserted (another invite added them first): the room as it is.
        let statement = client
            .prepare_cached(&format!(
                "SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.id = $1"
            ))
            .await?;
        client
            .query_opt(&statement, &[&room_id])
            .await?
            .as_ref()
            .map(room_from_row)
            .transpose()?
    };
    Ok(match room {
        Some(room) => InviteApplied::Done { inserted, room },
        None => InviteApplied::Stale,
    })
}

/// An invite's statement parameters, owned, in [`APPLY_INVITE`]'s order.
struct Parameters {
    room_id: String,
    guarded: bool,
    guard_user: String,
    guard_roles: Option<Vec<String>>,
    subscription_ids: Vec<String>,
    user_ids: Vec<String>,
    usernames: Vec<String>,
    message_ids: Vec<String>,
    open: bool,
    alert: bool,
    counts: [i64; 3],
    now: String,
    message_type: &'static str,
    inviter_id: String,
    inviter_username: String,
}

impl Parameters {
    fn of(write: InviteWrite) -> Self {
        let (guarded, guard_user, guard_roles) = guard_parameters(&write.guard);
        let mut parameters = Self {
            room_id: write.room_id,
            guarded,
            guard_user,
            guard_roles,
            subscription_ids: Vec::with_capacity(write.add.len()),
            user_ids: Vec::with_capacity(write.add.len()),
            usernames: Vec::with_capacity(write.add.len()),
            message_ids: Vec::with_capacity(write.add.len()),
            open: write.subscription.open,
            alert: write.subscription.alert,
            counts: [
                write.subscription.unread,
                write.subscription.user_mentions,
                write.subscription.group_mentions,
            ]
            .map(|count| i64::try_from(count).unwrap_or(i64::MAX)),
            now: util::now(),
            message_type: write.message_type,
            inviter_id: write.inviter.id,
            inviter_username: write.inviter.username,
        };
        for user in write.add {
            parameters.subscription_ids.push(util::new_id());
            parameters.message_ids.push(util::new_id());
            parameters.user_ids.push(user.id);
            parameters.usernames.push(user.username);
        }
        parameters
    }

    fn as_sql(&self) -> [&(dyn ToSql + Sync); 17] {
        [
            &self.room_id,
            &self.guarded,
            &self.guard_user,
            &self.guard_roles,
            &self.subscription_ids,
            &self.user_ids,
            &self.usernames,
            &self.message_ids,
            &self.open,
            &self.alert,
            &self.counts[0],
            &self.counts[1],
            &self.counts[2],
            &self.now,
            &self.message_type,
            &self.inviter_id,
            &self.inviter_username,
        ]
    }
}

/// An invite in one statement: the room, locked first (for its counters, and so that it cannot
/// be deleted before the commit), the users it refers to (locked as a foreign key would lock
/// them), the guard (its membership row locked until the commit), the memberships that are
/// absent, one message for each membership really inserted, in the planned order, and the
/// counters. Nothing is written unless the room, every user and the guard are there. The
/// answer holds the room after the change (null when nothing was inserted), whether it was
/// written, and the ids really inserted.
///
/// The room's row is the first lock and the only one invites wait for each other on: two
/// transactions inviting into one group go one after the other from their first statement for
/// it, and never wait for each other's memberships. With batches ordered by room, no two
/// transactions can wait for each other in a circle. Were the row locked only for the
/// counters, at the end, a batch could hold a group's row while waiting for a membership that
/// another batch had just inserted, and that batch wait for the row: a deadlock.
const APPLY_INVITE: &str = "\
WITH target AS (
    SELECT 1 FROM rooms WHERE id = $1 FOR NO KEY UPDATE
), present AS (
    SELECT 1 FROM users WHERE id = ANY($6::text[]) FOR KEY SHARE
), guard AS (
    SELECT 1 FROM subscriptions
    WHERE $2 AND rid = $1 AND user_id = $3 AND ($4::text[] IS NULL OR roles && $4::text[])
    FOR SHARE
), allowed AS (
    SELECT EXISTS (SELECT 1 FROM target)
       AND (SELECT count(*) FROM present) = cardinality($6::text[])
       AND (NOT $2 OR EXISTS (SELECT 1 FROM guard)) AS ok
), planned AS (
    SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::text[])
        WITH ORDINALITY AS p(subscription_id, user_id, username, message_id, position)
), inserted AS (
    INSERT INTO subscriptions (id, rid, user_id, username, roles, open, alert, unread,
                               user_mentions, group_mentions, ts, updated_at)
    SELECT p.subscription_id, $1, p.user_id, p.username, '{}', $9::boolean, $10::boolean,
           $11::bigint, $12::bigint, $13::bigint, $14::text, $14::text
    FROM planned p WHERE (SELECT ok FROM allowed)
    ORDER BY p.user_id
    ON CONFLICT (rid, user_id) DO NOTHING
    RETURNING user_id
), written AS (
    INSERT INTO messages (id, rid, t, msg, ts, u_id, u_username, groupable, updated_at)
    SELECT p.message_id, $1, $15::text, p.username, $14::text, $16::text, $17::text, false,
           $14::text
    FROM planned p JOIN inserted i ON i.user_id = p.user_id
    ORDER BY p.position
    RETURNING 1
), room AS (
    UPDATE rooms r SET users_count = users_count + (SELECT count(*) FROM inserted),
                       msgs = msgs + (SELECT count(*) FROM written),
                       updated_at = $14::text
    WHERE r.id = $1 AND EXISTS (SELECT 1 FROM inserted)
    RETURNING r.id, r.t, r.name, r.fname, r.owner_id, r.owner_username, r.owner_name, r.msgs,
              r.users_count, r.ro, r.is_default, r.custom_fields, r.extra, r.ts, r.updated_at,
              r.lm
)
SELECT room.*, (SELECT ok FROM allowed) AS allowed,
       ARRAY(SELECT user_id FROM inserted) AS inserted
FROM (SELECT 1) AS one LEFT JOIN room ON true";
