//! Tokens this instance has found valid, remembered for a while so that a request costs no
//! database read, and forgotten as soon as they may no longer be.
//!
//! A remembered token must never outlive a logout by more than the time a notification takes
//! to arrive. Three rules keep it so:
//! - a logout anywhere (here, or on another instance, heard through the store's events) forgets
//!   the token at once;
//! - while the store may be missing events (before it first listens, and from a lost listening
//!   connection until it listens again), nothing is remembered nor answered from memory;
//! - an answer read from the store is remembered only if nothing was forgotten while it was
//!   being read: otherwise a logout that completed meanwhile could be remembered as valid.
//!
//! Nor may it outlive the token: it is remembered at most until the token expires.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::domain::UserRecord;

/// How long a token is remembered before the store is asked again.
const TTL: Duration = Duration::from_secs(30);
/// The most remembered tokens; past it, all are forgotten.
const CAPACITY: usize = 65_536;

/// A token: its user's id and `base64(sha256(token))`.
pub(super) type Key = (String, String);

/// The remembered tokens.
#[derive(Debug)]
pub(super) struct AuthCache {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Each token's user, and until when they may be answered from memory.
    entries: HashMap<Key, (UserRecord, Instant)>,
    /// Whether every logout will be heard: only then is anything remembered.
    live: bool,
    /// How many times something was forgotten; see [`Ticket`].
    forgotten: u64,
}

/// What a look-up that missed hands to [`AuthCache::remember`]: the moment it asked the store,
/// or nothing when the answer must not be remembered.
#[derive(Debug)]
#[must_use]
pub(super) struct Ticket(Option<u64>);

impl AuthCache {
    /// An empty cache; `live` says whether every logout is heard from the start (one instance
    /// alone hears its own), or only once the store says it listens.
    pub(super) fn new(live: bool) -> Self {
        Self {
            state: Mutex::new(State {
                entries: HashMap::new(),
                live,
                forgotten: 0,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned one holds consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The user `key` was found to belong to, if remembered and fresh; otherwise the ticket to
    /// remember what the store answers.
    pub(super) fn get(&self, key: &Key) -> Result<UserRecord, Ticket> {
        let state = self.state();
        if !state.live {
            return Err(Ticket(None));
        }
        match state.entries.get(key) {
            Some((user, until)) if Instant::now() < *until => Ok(user.clone()),
            _ => Err(Ticket(Some(state.forgotten))),
        }
    }

    /// Remembers that `key` belongs to `user`, for at most `valid_for` (how much longer the
    /// token is valid), unless something was forgotten since `ticket` was handed out, or
    /// logouts may be going unheard.
    pub(super) fn remember(&self, ticket: Ticket, key: Key, user: UserRecord, valid_for: Duration) {
        let mut state = self.state();
        if !state.live || ticket.0 != Some(state.forgotten) {
            return;
        }
        if state.entries.len() >= CAPACITY {
            state.entries.clear();
        }
        state
            .entries
            .insert(key, (user, Instant::now() + valid_for.min(TTL)));
    }

    /// Forgets a token that was logged out.
    pub(super) fn forget(&self, key: &Key) {
        let mut state = self.state();
        state.forgotten += 1;
        state.entries.remove(key);
    }

    /// Forgets every token and remembers none until [`AuthCache::listening`]: logouts may be
    /// going unheard.
    pub(super) fn deafened(&self) {
        let mut state = self.state();
        state.forgotten += 1;
        state.live = false;
        state.entries.clear();
    }

    /// Every logout is heard from now on.
    pub(super) fn listening(&self) {
        self.state().live = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserRecord {
        UserRecord {
            id: "u1".to_owned(),
            username: "bob".to_owned(),
            name: "Bob".to_owned(),
            email: None,
            email_verified: false,
            roles: vec!["user".to_owned()],
            user_type: "user".to_owned(),
            active: true,
            status: "offline".to_owned(),
            created_at: "2026-11-30T00:00:00.000Z".to_owned(),
            updated_at: "2026-11-30T00:00:00.000Z".to_owned(),
        }
    }

    fn key(user: &str) -> Key {
        (user.to_owned(), "hash".to_owned())
    }

    #[test]
    fn remembers_what_the_store_said() {
        let cache = AuthCache::new(true);
        let ticket = cache.get(&key("u1")).unwrap_err();
        cache.remember(ticket, key("u1"), user(), TTL);
        assert_eq!(cache.get(&key("u1")).unwrap().id, "u1");
    }

    #[test]
    fn a_token_is_not_remembered_past_its_expiry() {
        let cache = AuthCache::new(true);
        let ticket = cache.get(&key("u1")).unwrap_err();
        cache.remember(ticket, key("u1"), user(), Duration::from_millis(30));
        assert!(cache.get(&key("u1")).is_ok());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get(&key("u1")).is_err());
    }

    #[test]
    fn a_logout_while_the_store_was_asked_is_not_undone() {
        let cache = AuthCache::new(true);
        let ticket = cache.get(&key("u1")).unwrap_err();
        // The store answered "valid", then the token was logged out, then the answer arrived.
        cache.forget(&key("u1"));
        cache.remember(ticket, key("u1"), user(), TTL);
        assert!(cache.get(&key("u1")).is_err());
    }

    #[test]
    fn nothing_is_remembered_until_logouts_are_heard() {
        let cache = AuthCache::new(false);
        let ticket = cache.get(&key("u1")).unwrap_err();
        cache.remember(ticket, key("u1"), user(), TTL);
        assert!(cache.get(&key("u1")).is_err());
        cache.listening();
        let ticket = cache.get(&key("u1")).unwrap_err();
        cache.remember(ticket, key("u1"), user(), TTL);
        assert!(cache.get(&key("u1")).is_ok());
    }

    #[test]
    fn going_deaf_forgets_everything_until_listening_again() {
        let cache = AuthCache::new(true);
        let ticket = cache.get(&key("u1")).unwrap_err();
        cache.remember(ticket, key("u1"), user(), TTL);
        let asked_before = cache.get(&key("u2")).unwrap_err();
        cache.deafened();
        assert!(cache.get(&key("u1")).is_err());
        cache.listening();
        assert!(cache.get(&key("u1")).is_err());
        // An answer asked for before going deaf is not remembered after it.
        cache.remember(asked_before, key("u2"), user(), TTL);
        assert!(cache.get(&key("u2")).is_err());
    }
}
