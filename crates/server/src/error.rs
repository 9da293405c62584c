//! Why the server could not start, or stopped.

use std::net::SocketAddr;

/// Why the server could not start, or stopped.
///
/// Each variant keeps its cause as [`std::error::Error::source`], so that the whole chain can
/// be shown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be listened on (in use, or not this machine's).
    #[error("could not listen on {address}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database URL names a store this build cannot open.
    #[error("unsupported database URL {url:?}: {reason}")]
    UnsupportedDatabase {
        /// The URL given.
        url: String,
        /// What is supported instead.
        reason: &'static str,
    },
    /// The database was written by a newer server, whose schema this one does not know.
    #[error(
        "the database has schema version {found}, newer than version {supported}, the newest \
         this server knows; run a newer server on it"
    )]
    DatabaseTooNew {
        /// The database's schema version.
        found: usize,
        /// The newest schema version this server writes.
        supported: usize,
    },
    /// The store failed.
    #[error("the store failed")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// Another step failed, such as hashing the first admin's password.
    #[error("the server failed")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// Reading the listener's address, or serving, failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
