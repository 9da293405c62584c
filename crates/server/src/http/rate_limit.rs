//! Rocket.Chat's REST rate limiter: so many calls per window, per client IP, route and method.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};

use crate::util;

/// What the limiter counts a call against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) route: Cow<'static, str>,
    pub(crate) method: &'static str,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    started_epoch_ms: u64,
    calls: u32,
}

/// The verdict on one call, with the headers to send either way.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Go ahead.
    Allowed(HeaderMap),
    /// Refused; try again in so many seconds.
    Limited(HeaderMap, u64),
}

/// Counts calls per key in fixed windows that start at a key's first call, like Meteor's
/// `RateLimiter`.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    calls: u32,
    window: Duration,
    windows: Mutex<HashMap<Key, Window>>,
}

impl RateLimiter {
    pub(crate) fn new(calls: u32, window: Duration) -> Self {
        Self {
            calls,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one call.
    pub(crate) fn hit(&self, key: Key) -> Verdict {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else {
            return Verdict::Allowed(HeaderMap::new());
        };
        if windows.len() > 100_000 {
            let window = self.window;
            windows.retain(|_, w| now.duration_since(w.started) < window);
        }
        let window = windows.entry(key).or_insert_with(|| Window {
            started: now,
            started_epoch_ms: util::epoch_millis(),
            calls: 0,
        });
        if now.duration_since(window.started) >= self.window {
            window.started = now;
            window.started_epoch_ms = util::epoch_millis();
            window.calls = 0;
        }
        window.calls = window.calls.saturating_add(1);
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let reset = window.started_epoch_ms.saturating_add(window_ms);
        let remaining = self.calls.saturating_sub(window.calls);
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from(self.calls));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
        if window.calls > self.calls {
            let left = self
                .window
                .saturating_sub(now.duration_since(window.started));
            let seconds = left.as_millis().div_ceil(1000);
            Verdict::Limited(headers, u64::try_from(seconds).unwrap_or(u64::MAX))
        } else {
            Verdict::Allowed(headers)
        }
    }

    /// Whether `key` is at its limit, without counting a call.
    pub(crate) fn exhausted(&self, key: &Key) -> Option<u64> {
        let now = Instant::now();
        let windows = self.windows.lock().ok()?;
        let window = windows.get(key)?;
        let elapsed = now.duration_since(window.started);
        if elapsed < self.window && window.calls >= self.calls {
            let seconds = (self.window - elapsed).as_millis().div_ceil(1000);
            Some(u64::try_from(seconds).unwrap_or(u64::MAX))
        } else {
            None
        }
    }

    /// Forgets a key's calls.
    pub(crate) fn clear(&self, key: &Key) {
        if let Ok(mut windows) = self.windows.lock() {
            windows.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            ip: None,
            route: Cow::Borrowed("/api/v1/me"),
            method: "GET",
        }
    }

    #[test]
    fn the_eleventh_call_in_a_window_is_limited() {
        let limiter = RateLimiter::new(10, Duration::from_secs(60));
        for left in (0..10).rev() {
            let Verdict::Allowed(headers) = limiter.hit(key()) else {
                panic!("limited too early")
            };
            assert_eq!(headers["x-ratelimit-remaining"], left.to_string().as_str());
            assert_eq!(headers["x-ratelimit-limit"], "10");
        }
        let Verdict::Limited(headers, seconds) = limiter.hit(key()) else {
            panic!("not limited")
        };
        assert_eq!(headers["x-ratelimit-remaining"], "0");
        assert!((59..=60).contains(&seconds), "{seconds}");
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let limiter = RateLimiter::new(1, Duration::from_millis(20));
        assert!(matches!(limiter.hit(key()), Verdict::Allowed(_)));
        assert!(matches!(limiter.hit(key()), Verdict::Limited(..)));
        std::thread::sleep(Duration::from_millis(25));
        assert!(matches!(limiter.hit(key()), Verdict::Allowed(_)));
    }
}
