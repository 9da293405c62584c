//! Bulk seeding: many users in one write, for benchmarks and large fixtures.

use rusqlite::params;

use super::SqliteStore;
use crate::store::{NewUser, StoreFuture};
use crate::{domain::invite, util};

impl SqliteStore {
    /// Creates many users in one write, with one prepared statement, and returns their ids in
    /// order.
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
            let mut insert = conn.prepare_cached(
                "INSERT INTO users (id, username, username_key, name, email, email_key, \
                 email_verified, password_hash, roles, user_type, active, status, created_at, \
                 updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'offline', ?12, ?12)",
            )?;
            let mut ids = Vec::with_capacity(users.len());
            for user in users {
                let id = user.id.unwrap_or_else(util::new_id);
                let roles = serde_json::to_string(&user.roles).unwrap_or_else(|_| "[]".to_owned());
                insert.execute(params![
                    id,
                    user.username,
                    invite::username_key(&user.username),
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
                ids.push(id);
            }
            Ok(ids)
        })
    }
}
