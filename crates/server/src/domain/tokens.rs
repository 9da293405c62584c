//! How long a login token stays valid: Rocket.Chat's `Accounts_LoginExpiration`, counted from
//! the login that handed the token out, and enforced the moment it ends (Rocket.Chat removes
//! expired tokens every ten minutes, and accepts them until then).

use std::time::Duration;

use time::OffsetDateTime;

use crate::util;

/// How much longer a token handed out at `issued_at` stays valid at `now`, given its
/// `lifetime`: `None` once it has expired, or when `issued_at` is not a date this server
/// wrote (a token nobody can vouch for is refused).
pub(crate) fn remaining(
    issued_at: &str,
    lifetime: Duration,
    now: OffsetDateTime,
) -> Option<Duration> {
    let expires = util::parse_iso(issued_at)? + lifetime;
    Duration::try_from(expires - now)
        .ok()
        .filter(|left| !left.is_zero())
}

/// The moment before which tokens handed out have expired, at `now`, as the store writes
/// dates: older tokens can be forgotten.
pub(crate) fn expired_before(lifetime: Duration, now: OffsetDateTime) -> String {
    util::iso(now - lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 60 * 60);

    #[test]
    fn a_token_is_valid_until_its_lifetime_ends() {
        let issued = util::parse_iso("2026-01-01T00:00:00.000Z").unwrap();
        let at = |offset: Duration| issued + offset;
        assert_eq!(
            remaining("2026-01-01T00:00:00.000Z", 90 * DAY, at(DAY)),
            Some(89 * DAY)
        );
        assert_eq!(
            remaining(
                "2026-01-01T00:00:00.000Z",
                90 * DAY,
                at(90 * DAY - Duration::from_millis(1))
            ),
            Some(Duration::from_millis(1))
        );
        assert_eq!(
            remaining("2026-01-01T00:00:00.000Z", 90 * DAY, at(90 * DAY)),
            None
        );
        assert_eq!(
            remaining("2026-01-01T00:00:00.000Z", 90 * DAY, at(91 * DAY)),
            None
        );
    }

    #[test]
    fn tokens_older_than_their_lifetime_are_expired() {
        let now = util::parse_iso("2026-04-01T12:00:00.000Z").unwrap();
        assert_eq!(expired_before(90 * DAY, now), "2026-01-01T12:00:00.000Z");
        let cutoff = expired_before(90 * DAY, now);
        assert_eq!(
            remaining(&cutoff, 90 * DAY, now),
            None,
            "the cutoff itself has expired"
        );
    }

    #[test]
    fn a_date_this_server_did_not_write_is_expired() {
        assert_eq!(remaining("yesterday", DAY, OffsetDateTime::now_utc()), None);
    }
}
