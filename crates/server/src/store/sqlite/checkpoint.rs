//! WAL checkpoints on their own thread, off the writer's path.
//!
//! SQLite's automatic checkpoint runs inside the commit that grows the WAL past
//! `wal_autocheckpoint` pages: that commit copies the WAL back into the database and syncs it,
//! and every queued write waits meanwhile (tens of milliseconds, the p99 of an invite). The
//! writer turns it off and nudges this thread after each commit instead; it runs a `PASSIVE`
//! checkpoint, which never blocks the writer or the readers, at most once per [`INTERVAL`].
//! Durability is unchanged: a commit is in the WAL before its caller is answered.
//!
//! Under a steady load the writer commits while this thread copies, so the copy never quite
//! catches up, SQLite never restarts the WAL from its beginning, and the file grows by
//! gigabytes: each write then lands on new pages the kernel has to allocate and zero, and
//! the first commit after the load truncates the file (half a second for 2 GB). So when a
//! pass finds more than [`RESTART_FRAMES`] in the WAL, this thread flags it, and the writer,
//! between two transactions, checkpoints the little that is left itself
//! ([`Checkpointer::catch_up`]); its next transaction then starts the WAL over.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::store::StoreError;

/// The least time between two checkpoints.
const INTERVAL: Duration = Duration::from_millis(50);

/// The WAL size, in pages, past which the writer finishes a checkpoint itself so that the WAL
/// starts over (64 MiB of 4 KiB pages).
const RESTART_FRAMES: i64 = 16_384;

/// The checkpointing thread; dropping it stops the thread (the last connection to close then
/// checkpoints whatever is left).
#[derive(Debug)]
pub(super) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    // Set by the thread when the WAL has grown past `RESTART_FRAMES`.
    large: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a connection to the database at `path` and starts the thread.
    pub(super) fn start(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -256;")?;
        let (nudge, nudged) = mpsc::sync_channel::<()>(1);
        let large = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&large);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || checkpoint_loop(&conn, &nudged, &flag))
            .map_err(|error| {
                StoreError::failed("could not start the SQLite checkpointer", error)
            })?;
        Ok(Self {
            nudge: Some(nudge),
            large,
            thread: Some(thread),
        })
    }

    /// Says that a commit grew the WAL; never blocks.
    pub(super) fn nudge(&self) {
        if let Some(nudge) = &self.nudge {
            match nudge.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
            }
        }
    }
}

impl Checkpointer {
    /// Called by the writer between transactions, on its own connection: when the WAL has
    /// grown large, checkpoints what the thread has not copied yet (little, as it keeps
    /// copying), so that the writer's next transaction starts the WAL over. A reader still on
    /// an older snapshot, or the thread's own pass, may hold it back; then it tries again
    /// after the next commit.
    pub(super) fn catch_up(&self, writer: &Connection) {
        if !self.large.load(Ordering::Relaxed) {
            return;
        }
        match passive(writer) {
            Ok((log, checkpointed)) if log == checkpointed => {
                self.large.store(false, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "WAL checkpoint by the writer failed"),
        }
    }
}

/// A `PASSIVE` checkpoint: the frames in the WAL, and how many of them are in the database.
fn passive(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((row.get(1)?, row.get(2)?))
    })
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn checkpoint_loop(conn: &Connection, nudged: &mpsc::Receiver<()>, large: &AtomicBool) {
    while nudged.recv().is_ok() {
        loop {
            match passive(conn) {
                Ok((log, _)) if log > RESTART_FRAMES => large.store(true, Ordering::Relaxed),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
            }
            // Let commits accumulate for a while; checkpoint again at once if any came. While
            // the writer is to catch up, keep copying without a pause, so that little is left
            // for it to copy.
            let pause = if large.load(Ordering::Relaxed) {
                Duration::ZERO
            } else {
                INTERVAL
            };
            let until = Instant::now() + pause;
            let mut pending = false;
            loop {
                let left = until.saturating_duration_since(Instant::now());
                let nudge = if left.is_zero() {
                    nudged.try_recv().map_err(|error| match error {
                        mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                        mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                    })
                } else {
                    nudged.recv_timeout(left)
                };
                match nudge {
                    Ok(()) => pending = true,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if !pending {
                break;
            }
        }
    }
}
