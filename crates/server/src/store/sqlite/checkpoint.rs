//! WAL checkpoints on their own thread, off the writer's path.
//!
//! SQLite's automatic checkpoint runs inside the commit that grows the WAL past
//! `wal_autocheckpoint` pages: that commit copies the WAL back into the database and syncs it,
//! and every queued write waits meanwhile (tens of milliseconds, the p99 of an invite). The
//! writer turns it off and nudges this thread after each commit instead; it runs a `PASSIVE`
//! checkpoint, which never blocks the writer or the readers, at most once per [`INTERVAL`].
//! Durability is unchanged: a commit is in the WAL before its caller is answered.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::store::StoreError;

/// The least time between two checkpoints.
const INTERVAL: Duration = Duration::from_millis(100);

/// The checkpointing thread; dropping it stops the thread (the last connection to close then
/// checkpoints whatever is left).
#[derive(Debug)]
pub(super) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a connection to the database at `path` and starts the thread.
    pub(super) fn start(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -256;")?;
        let (nudge, nudged) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || checkpoint_loop(&conn, &nudged))
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(Self {
            nudge: Some(nudge),
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

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn checkpoint_loop(conn: &Connection, nudged: &mpsc::Receiver<()>) {
    while nudged.recv().is_ok() {
        loop {
            if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(%error, "WAL checkpoint failed");
            }
            // Let commits accumulate for a while; checkpoint again at once if any came.
            let until = Instant::now() + INTERVAL;
            let mut pending = false;
            loop {
                match nudged.recv_timeout(until.saturating_duration_since(Instant::now())) {
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
