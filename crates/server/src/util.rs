//! Small helpers shared by the layers: Rocket.Chat-style ids, tokens, dates and password hashes.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngExt as _;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

/// The alphabet of Meteor's `Random.id()`.
const ID_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";

/// The length of a Rocket.Chat id.
pub(crate) const ID_LEN: usize = 17;

/// A new 17-character Rocket.Chat id, as Meteor's `Random.id()` makes them.
pub(crate) fn new_id() -> String {
    let mut rng = rand::rng();
    (0..ID_LEN)
        .map(|_| char::from(ID_ALPHABET[rng.random_range(0..ID_ALPHABET.len())]))
        .collect()
}

/// A new login token: 43 URL-safe base64 characters, as Meteor's `Random.secret()`.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes[..]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a login token is stored: `base64(sha256(token))`, as Meteor's `Accounts._hashLoginToken`.
pub(crate) fn hash_token(token: &str) -> String {
    STANDARD.encode(Sha256::digest(token.as_bytes()))
}

/// The SHA-256 hex digest of a password, which Rocket.Chat's clients send and bcrypt hashes.
pub(crate) fn password_digest(password: &str) -> String {
    let digest = Sha256::digest(password.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    hex
}

/// Hashes a password as Rocket.Chat stores it: bcrypt over the SHA-256 hex digest.
pub(crate) fn hash_password(password: &str, cost: u32) -> Result<String, bcrypt::BcryptError> {
    bcrypt::hash(password_digest(password), cost)
}

/// [`hash_password`] on the blocking thread pool, since bcrypt takes milliseconds by design.
pub(crate) async fn hash_password_blocking(
    password: String,
    cost: u32,
) -> Result<String, crate::store::BoxError> {
    let hash = tokio::task::spawn_blocking(move || hash_password(&password, cost)).await??;
    Ok(hash)
}

/// Checks a password's SHA-256 hex digest ([`password_digest`], or the one a client sent)
/// against a stored Rocket.Chat bcrypt hash.
pub(crate) fn verify_password_digest(digest: &str, hash: &str) -> bool {
    bcrypt::verify(digest, hash).unwrap_or(false)
}

/// An error and its causes on one line: `the store failed: disk I/O error`.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

const ISO: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Formats a UTC time as Rocket.Chat does: ISO-8601 with milliseconds and `Z`.
pub(crate) fn iso(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(ISO)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

/// Reads a time written by [`iso`].
pub(crate) fn parse_iso(text: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(text, ISO)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// The current time, formatted by [`iso`].
pub(crate) fn now() -> String {
    iso(OffsetDateTime::now_utc())
}

/// Milliseconds since the Unix epoch.
pub(crate) fn epoch_millis() -> u64 {
    let now = OffsetDateTime::now_utc();
    u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_17_characters_of_meteors_alphabet() {
        let id = new_id();
        assert_eq!(id.len(), ID_LEN);
        assert!(id.bytes().all(|b| ID_ALPHABET.contains(&b)), "{id}");
        assert_ne!(new_id(), id);
    }

    #[test]
    fn tokens_are_43_url_safe_characters() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn token_hash_is_meteors() {
        // Node: crypto.createHash('sha256').update('abc').digest('base64')
        assert_eq!(
            hash_token("abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn password_is_bcrypt_over_the_sha256_hex_digest() {
        assert_eq!(
            password_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let hash = hash_password("secret", 4).unwrap();
        assert!(verify_password_digest(&password_digest("secret"), &hash));
        assert!(!verify_password_digest(&password_digest("Secret"), &hash));
        assert!(bcrypt::verify(password_digest("secret"), &hash).unwrap());
    }

    #[test]
    fn an_error_chain_lists_every_cause() {
        #[derive(Debug, thiserror::Error)]
        #[error("the store failed")]
        struct Outer(#[source] std::io::Error);

        let error = Outer(std::io::Error::other("disk I/O error"));
        assert_eq!(error_chain(&error), "the store failed: disk I/O error");
    }

    #[test]
    fn dates_have_milliseconds_and_z() {
        let time = OffsetDateTime::from_unix_timestamp_nanos(1_481_287_851_575_000_000).unwrap();
        assert_eq!(iso(time), "2016-12-09T12:50:51.575Z");
    }
}
