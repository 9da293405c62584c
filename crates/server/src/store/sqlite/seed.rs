//! Bulk seeding: many users in one write, for benchmarks and large fixtures.

use super::{SqliteStore, queries};
use crate::store::{NewUser, StoreFuture};
use crate::util;

impl SqliteStore {
    /// Creates many users in one write, with the same INSERT as `create_user`, and returns their
    /// ids in order.
    ///
    /// It is [`Store::create_user`](crate::store::Store::create_user) for large numbers (a
    /// benchmark's hundreds of thousands of users): no record is read back, and a taken
    /// username or e-mail fails the whole call (with [`StoreError::Internal`]) and creates
    /// nobody. Pass the same precomputed `password_hash` to every user to avoid paying bcrypt
    /// once per user.
    ///
    /// [`StoreError::Internal`]: crate::store::StoreError::Internal
    pub fn create_users(&self, users: Vec<NewUser>) -> StoreFuture<'_, Vec<String>> {
        self.write(move |conn| {
            let now = util::now();
            users
                .into_iter()
                .map(|user| queries::insert_user(conn, user, &now))
                .collect()
        })
    }
}
