//! When and how long to wait before repeating a call.
//!
//! # Which calls are repeated
//!
//! A call whose answer was lost may still have been carried out, so repeating it is only safe
//! when doing it twice has the same effect as doing it once. The client sorts endpoints with
//! [`is_repeatable`]:
//!
//! * **Reads** (`GET`: `info`, `me`, `users.info`, `groups.info`, `groups.members`,
//!   `groups.history`, `groups.roles`, `groups.list`, `groups.listAll`) change nothing and are
//!   always safe to repeat.
//! * **`groups.invite`** is idempotent in effect: inviting someone who is already a member is a
//!   no-op, on Rocket.Chat and on our server alike. A repeat after a lost answer simply reports
//!   the users the first attempt added as already members (our server's per-user outcome comes
//!   from the last attempt).
//! * **`login`** only mints another token when repeated; the unused one stays valid until it
//!   expires or the user logs out everywhere. Being able to log in through a flaky network is
//!   worth that.
//! * **`users.create` and `groups.create`** are not idempotent: a repeat after a lost answer
//!   fails with `error-field-unavailable` or `error-duplicate-channel-name` although the first
//!   attempt worked. Neither are the calls that change a membership: a repeat of
//!   **`groups.addModerator`** is answered `error-user-already-moderator`,
//!   **`groups.removeModerator`** `error-user-not-moderator`, **`groups.addOwner`**
//!   `error-user-already-owner`, **`groups.removeOwner`** `error-user-not-owner`,
//!   **`groups.kick`** `error-user-not-in-room`, and **`groups.leave`** and
//!   **`groups.delete`** `error-room-not-found` (the caller is no longer a member, or the group
//!   is gone). **`logout`** answers a repeat with 401.
//!
//! Every call, repeatable or not, is retried when the server cannot have acted on it: when the
//! connection was never made ([`Error::is_connect`]) and when it answered 429, because
//! Rocket.Chat's rate limiter refuses a call before its handler runs. Repeatable calls are also
//! retried after any other network fault, a timeout, or a 5xx answer. Other 4xx answers are
//! never retried: the same request would get the same answer.

use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use rocketchat_protocol::Metadata;

use crate::Error;

/// Bounded exponential backoff with jitter, honouring the server's `Retry-After` and
/// `X-RateLimit-Reset`.
///
/// The `n`th retry waits a random time between half and all of
/// `min(initial_backoff * 2^(n-1), max_backoff)`, unless the server said how long to wait (a
/// `Retry-After`, in seconds or as a date; on a 429 also the body's "You must wait N seconds",
/// then `X-RateLimit-Reset`), in which case that wait is used, as long as it is at most
/// `max_retry_after`; an answer asking for a longer wait is returned to the caller at once (a
/// 429 as [`Error::RateLimited`] with its `retry_after`). A wait that is already over gets the
/// backoff instead.
///
/// ```
/// use std::time::Duration;
/// use rocketchat_client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_retry_after(Duration::from_secs(10));
/// # let _ = policy;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three retries, starting at 250 ms, at most 10 s apart; waits up to 60 s (Rocket.Chat's
    /// default rate-limit window) when the server asks.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self::default().max_retries(0)
    }

    /// How many times a call may be repeated after its first attempt.
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The base wait before the first retry; it doubles for each later one.
    #[must_use]
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest wait between two attempts that the client chooses by itself.
    #[must_use]
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The longest wait the server may ask for (by `Retry-After` or `X-RateLimit-Reset`) that
    /// the client still sits out; a longer one ends the call with [`Error::RateLimited`].
    #[must_use]
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The number of retries allowed.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// How long to wait before retry number `retry` (1 for the first), or `None` to give up.
    ///
    /// `server_wait` is what the answer's headers asked for (such as a 503's `Retry-After`);
    /// `repeatable` says whether the endpoint may be repeated after its request arrived (see
    /// [`is_repeatable`]).
    pub(crate) fn next_wait(
        &self,
        error: &Error,
        server_wait: Option<Duration>,
        retry: u32,
        repeatable: bool,
    ) -> Option<Duration> {
        if retry > self.max_retries || !error.is_transient() {
            return None;
        }
        let never_arrived = error.is_connect() || matches!(error, Error::RateLimited { .. });
        if !repeatable && !never_arrived {
            return None;
        }
        match server_wait.or_else(|| error.retry_after()) {
            Some(wait) if wait > self.max_retry_after => None,
            // A wait already over (a reset time the clocks disagree on, `Retry-After: 0`)
            // still gets the backoff, so that retries do not hammer the server.
            Some(wait) if !wait.is_zero() => Some(wait),
            _ => Some(self.backoff(retry)),
        }
    }

    /// The jittered exponential wait before retry number `retry`.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = ceiling / 2;
        half + half.mul_f64(random_fraction())
    }
}

/// Whether an endpoint may be sent again after its request reached the server: reads,
/// `groups.invite` and `login`, as the protocol crate's [`Metadata::idempotent`] records. See
/// the [module documentation](self) for why.
pub fn is_repeatable(metadata: &Metadata) -> bool {
    metadata.idempotent
}

/// The wait `Retry-After` asks for, on any status: seconds, or an HTTP date (RFC 9110 section
/// 10.2.3); a date already past means no wait.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// The wait until Rocket.Chat's `X-RateLimit-Reset`, the epoch time in milliseconds when the
/// rate-limit window resets. Rocket.Chat sends it on every answer of a limited route, so it
/// means something only on a 429; and being a time on the server's clock, it is the last
/// resort after the relative waits.
pub(crate) fn rate_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    let reset_ms = headers
        .get("x-ratelimit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_millis();
    let wait = u128::from(reset_ms).saturating_sub(now_ms);
    Some(Duration::from_millis(
        u64::try_from(wait).unwrap_or(u64::MAX),
    ))
}

/// Reads N from Rocket.Chat's "You must wait N seconds before trying this endpoint again".
pub(crate) fn wait_from_message(message: &str) -> Option<Duration> {
    let rest = &message[message.find("must wait ")? + "must wait ".len()..];
    let digits = rest.split_once(' ')?.0;
    digits.parse().ok().map(Duration::from_secs)
}

/// A number in `[0, 1)`, random enough to spread retries of many clients apart.
fn random_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;
    use rocketchat_protocol::{ErrorBody, PlainError, groups, login, users};

    use super::*;

    fn server_error() -> Error {
        Error::Http {
            status: 503,
            body: ErrorBody::Plain(PlainError::new("Service Unavailable")),
        }
    }

    fn rate_limited(wait: Option<Duration>) -> Error {
        Error::RateLimited {
            retry_after: wait,
            message: String::new(),
        }
    }

    #[test]
    fn backoff_doubles_within_bounds() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            let second = policy.backoff(2);
            assert!((Duration::from_millis(100)..=Duration::from_millis(200)).contains(&second));
            let capped = policy.backoff(10);
            assert!((Duration::from_millis(150)..=Duration::from_millis(300)).contains(&capped));
        }
    }

    #[test]
    fn gives_up_after_max_retries() {
        let policy = RetryPolicy::default().max_retries(2);
        assert!(policy.next_wait(&server_error(), None, 1, true).is_some());
        assert!(policy.next_wait(&server_error(), None, 2, true).is_some());
        assert!(policy.next_wait(&server_error(), None, 3, true).is_none());
        assert!(
            RetryPolicy::never()
                .next_wait(&server_error(), None, 1, true)
                .is_none()
        );
    }

    #[test]
    fn server_errors_are_retried_only_for_repeatable_calls() {
        let policy = RetryPolicy::default();
        assert!(policy.next_wait(&server_error(), None, 1, true).is_some());
        assert!(policy.next_wait(&server_error(), None, 1, false).is_none());
    }

    #[test]
    fn rate_limit_is_retried_for_every_call_and_honours_the_wait() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        let wait = Some(Duration::from_secs(2));
        assert_eq!(policy.next_wait(&rate_limited(wait), None, 1, false), wait);
        assert_eq!(
            policy.next_wait(&rate_limited(Some(Duration::from_secs(6))), None, 1, true),
            None
        );
        assert!(
            policy
                .next_wait(&rate_limited(None), None, 1, false)
                .is_some()
        );
    }

    #[test]
    fn retry_after_of_a_server_error_is_honoured() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        let wait = Some(Duration::from_secs(3));
        assert_eq!(policy.next_wait(&server_error(), wait, 1, true), wait);
        assert_eq!(policy.next_wait(&server_error(), wait, 1, false), None);
        let too_long = Some(Duration::from_secs(9));
        assert_eq!(policy.next_wait(&server_error(), too_long, 1, true), None);
    }

    #[test]
    fn client_errors_are_never_retried() {
        let error = Error::from_answer(
            400,
            br#"{"success":false,"error":"x","errorType":"error-room-not-found"}"#,
            &HeaderMap::new(),
        );
        assert!(
            RetryPolicy::default()
                .next_wait(&error, None, 1, true)
                .is_none()
        );
    }

    #[test]
    fn repeatable_endpoints() {
        assert!(is_repeatable(&groups::invite::METADATA));
        assert!(is_repeatable(&groups::members::METADATA));
        assert!(is_repeatable(&login::METADATA));
        assert!(!is_repeatable(&groups::create::METADATA));
        assert!(!is_repeatable(&users::create::METADATA));
        assert!(!is_repeatable(&groups::add_moderator::METADATA));
        assert!(is_repeatable(&groups::list::METADATA));
        assert!(is_repeatable(&groups::list_all::METADATA));
        assert!(is_repeatable(&users::info::METADATA));
        for metadata in [
            groups::kick::METADATA,
            groups::leave::METADATA,
            groups::remove_moderator::METADATA,
            groups::add_owner::METADATA,
            groups::remove_owner::METADATA,
            groups::delete::METADATA,
        ] {
            assert!(!is_repeatable(&metadata), "{}", metadata.name);
        }
        assert!(!is_repeatable(&rocketchat_protocol::logout::METADATA));
    }

    #[test]
    fn retry_after_may_be_seconds_or_an_http_date() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));

        let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&at).unwrap());
        let wait = retry_after(&headers).unwrap();
        // The date has whole seconds, so up to one second of the 30 is cut off.
        assert!(
            wait > Duration::from_secs(28) && wait <= Duration::from_secs(30),
            "{at}: {wait:?}"
        );

        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&past).unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));

        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn a_wait_already_over_still_backs_off() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(100));
        let wait = policy
            .next_wait(&server_error(), Some(Duration::ZERO), 1, true)
            .unwrap();
        assert!(wait >= Duration::from_millis(50), "{wait:?}");
    }

    #[test]
    fn rate_limit_reset_is_epoch_milliseconds() {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&(now_ms + 30_000).to_string()).unwrap(),
        );
        let wait = rate_limit_reset(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(29) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1"));
        assert_eq!(rate_limit_reset(&headers), Some(Duration::ZERO));
    }
}
