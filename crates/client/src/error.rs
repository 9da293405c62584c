//! The one error type every call returns.

use std::time::Duration;

use reqwest::header::HeaderMap;
use rocketchat_protocol::{ApiError, ErrorBody, ErrorKind};
use serde_json::{Map, Value};

use crate::retry;

/// Everything that can go wrong with a call, in one enum a caller can match on.
///
/// Transport problems ([`Transport`](Self::Transport), [`Timeout`](Self::Timeout)) are kept apart
/// from answers the server gave ([`Api`](Self::Api), [`Unauthorized`](Self::Unauthorized),
/// [`RateLimited`](Self::RateLimited), [`Http`](Self::Http), [`Redirect`](Self::Redirect),
/// [`Decode`](Self::Decode)), and both
/// from mistakes caught before anything was sent ([`Config`](Self::Config),
/// [`InvalidRequest`](Self::InvalidRequest)).
///
/// ```
/// # use rocketchat_client::{Error, protocol::ErrorKind};
/// fn explain(error: &Error) -> String {
///     match error {
///         Error::Api { kind: ErrorKind::RoomNotFound, .. } => "no such group".to_owned(),
///         Error::RateLimited { retry_after: Some(wait), .. } => format!("try again in {wait:?}"),
///         other => other.to_string(),
///     }
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The [`ClientBuilder`](crate::ClientBuilder) settings are unusable; nothing was sent.
    #[error("invalid client configuration: {0}")]
    Config(String),

    /// The request would be refused by any Rocket.Chat server, so it was not sent.
    ///
    /// Holds the very error body a server would have answered, such as
    /// `error-users-params-not-provided` for an empty list of users.
    #[error("invalid request: {0}")]
    InvalidRequest(#[source] ApiError),

    /// The request or its answer was lost on the way: DNS, refused connection, reset, TLS.
    ///
    /// [`Error::is_connect`] tells whether the connection was never made, in which case the
    /// server cannot have seen the request.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),

    /// No answer came within the configured connect or request timeout.
    #[error("timed out: {0}")]
    Timeout(#[source] reqwest::Error),

    /// Rocket.Chat's standard error body, with its `errorType` (normally HTTP 400).
    #[error("{status} {kind}: {message}")]
    Api {
        /// The HTTP status, 400 for every Rocket.Chat method error.
        status: u16,
        /// The `errorType`. A code this version has no variant for is kept as sent: compare
        /// [`ErrorKind::as_str`] to recognise it.
        kind: ErrorKind,
        /// The `error` text, `"<reason> [<errorType>]"`.
        message: String,
        /// The `details` object, such as `{"method": "addUsersToRoom"}`.
        details: Option<Map<String, Value>>,
    },

    /// HTTP 401: the credentials are missing, wrong or revoked, or a login was refused.
    ///
    /// Reads both the old `{status, message}` body and the modern four-key one.
    #[error("401 unauthorized: {message}")]
    Unauthorized {
        /// The server's `message` (such as `You must be logged in to do this.`).
        message: String,
    },

    /// HTTP 429: the server's rate limiter refused the call, after any retries the
    /// [`RetryPolicy`](crate::RetryPolicy) allowed.
    #[error("429 rate limited: {message}")]
    RateLimited {
        /// How long the server asked us to wait, from `Retry-After`, `X-RateLimit-Reset`
        /// (epoch milliseconds) or the body's "You must wait N seconds", when it said.
        retry_after: Option<Duration>,
        /// The body's `error` text.
        message: String,
    },

    /// Any other error status (403, 404, 5xx, a 400 without `errorType`...), with its body.
    ///
    /// A body that is not JSON, such as a proxy's HTML page, is kept in [`ErrorBody::NotJson`].
    #[error("{status}: {}", body.message())]
    Http {
        /// The HTTP status.
        status: u16,
        /// The body, in whichever shape it came.
        body: ErrorBody,
    },

    /// A 3xx answer. The client follows no redirects, so that the auth token, and a login's
    /// password, never go to an address the caller did not give: use the one it points to as
    /// the base URL (the usual case is `http://` sent on to `https://`).
    ///
    /// An injected HTTP client ([`ClientBuilder::http_client`](crate::ClientBuilder::http_client))
    /// may follow redirects itself. When the answer comes from another address than the one
    /// the request was sent to, the client does not use it and returns this error too, with
    /// the status of that final answer (which is not a 3xx: the one that redirected is not
    /// known) and that address as `location`.
    #[error("{}", redirect_message(*status, location.as_deref()))]
    Redirect {
        /// The HTTP status: 301, 302, 303, 307 or 308; or, for a redirect an injected client
        /// followed, the status of the answer at the end of it.
        status: u16,
        /// Where the server sends the call: the `Location` header, or the address the answer
        /// of a followed redirect came from (with any password masked).
        location: Option<String>,
    },

    /// A success status came with a body that is not the expected JSON.
    #[error("could not read the {status} answer: {source}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The body as the server sent it (lossily converted to UTF-8); for a login, whose
        /// answer may hold a token, a note that it was withheld.
        body: String,
        /// Why it did not parse.
        #[source]
        source: serde_json::Error,
    },
}

/// The message of [`Error::Redirect`]: a 3xx the client did not follow, or a redirect an
/// injected HTTP client followed (any other status).
fn redirect_message(status: u16, location: Option<&str>) -> String {
    let location = location.unwrap_or("an address the server did not name");
    if (300..400).contains(&status) {
        format!(
            "{status} redirect to {location}: the client follows no redirects; use that address \
             as the base URL"
        )
    } else {
        format!(
            "redirected to {location}, which answered {status}: the answer was not used; build \
             the HTTP client with redirect::Policy::none() and use that address as the base URL"
        )
    }
}

/// [`Error::error_type`] of a 429, whose body has the code only inside its message.
static TOO_MANY_REQUESTS: ErrorKind = ErrorKind::TooManyRequests;

impl Error {
    /// Turns an error answer into the matching variant. A 429's wait comes from `Retry-After`,
    /// else the body's "You must wait N seconds", else `X-RateLimit-Reset`.
    pub(crate) fn from_answer(status: u16, body: &[u8], headers: &HeaderMap) -> Self {
        if (300..400).contains(&status) {
            let location = headers.get(reqwest::header::LOCATION);
            return Self::Redirect {
                status,
                location: location
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned),
            };
        }
        let body = ErrorBody::from_slice(body);
        match (status, body) {
            (401, body) => Self::Unauthorized {
                message: body.message().to_owned(),
            },
            (429, body) => Self::RateLimited {
                retry_after: retry::retry_after(headers)
                    .or_else(|| retry::wait_from_message(body.message()))
                    .or_else(|| retry::rate_limit_reset(headers)),
                message: body.message().to_owned(),
            },
            (status, ErrorBody::Api(error)) => Self::Api {
                status,
                kind: error.error_type,
                message: error.error,
                details: error.details,
            },
            (status, body) => Self::Http { status, body },
        }
    }

    /// The `errorType`, if the server sent one (or, for a 429, `error-too-many-requests`,
    /// which Rocket.Chat sends only inside the message). Also set for
    /// [`InvalidRequest`](Self::InvalidRequest).
    pub fn error_type(&self) -> Option<&ErrorKind> {
        match self {
            Self::Api { kind, .. } => Some(kind),
            Self::InvalidRequest(error) => Some(&error.error_type),
            Self::RateLimited { .. } => Some(&TOO_MANY_REQUESTS),
            _ => None,
        }
    }

    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. }
            | Self::Http { status, .. }
            | Self::Decode { status, .. }
            | Self::Redirect { status, .. } => Some(*status),
            Self::Unauthorized { .. } => Some(401),
            Self::RateLimited { .. } => Some(429),
            Self::Transport(error) | Self::Timeout(error) => error.status().map(|s| s.as_u16()),
            Self::Config(_) | Self::InvalidRequest(_) => None,
        }
    }

    /// How long the server asked us to wait before trying again, for a 429.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the connection was never made, so the server cannot have seen the request.
    pub fn is_connect(&self) -> bool {
        match self {
            Self::Transport(error) | Self::Timeout(error) => error.is_connect(),
            _ => false,
        }
    }

    /// Whether trying again later might succeed: network faults, timeouts, 5xx and 429.
    ///
    /// The [`RetryPolicy`](crate::RetryPolicy) uses this, together with what it knows of the
    /// endpoint, to decide whether to repeat a call.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport(_) | Self::Timeout(_) | Self::RateLimited { .. } => true,
            Self::Api { status, .. } | Self::Http { status, .. } => is_transient_status(*status),
            _ => false,
        }
    }

    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout(error)
        } else {
            Self::Transport(error)
        }
    }
}

/// 5xx statuses that may go away: everything but "not implemented" and "version not supported".
pub(crate) fn is_transient_status(status: u16) -> bool {
    status == 429 || ((500..600).contains(&status) && status != 501 && status != 505)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_message_gives_the_wait() {
        let error = Error::from_answer(
            429,
            br#"{"success":false,"error":"Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]"}"#,
            &HeaderMap::new(),
        );
        assert_eq!(error.retry_after(), Some(Duration::from_secs(42)));
        assert_eq!(error.error_type(), Some(&ErrorKind::TooManyRequests));
        assert_eq!(error.status(), Some(429));
    }

    #[test]
    fn a_429_wait_is_retry_after_then_the_message_then_the_reset_time() {
        let body = br#"{"success":false,"error":"You must wait 42 seconds before"}"#;
        let wait = |headers: &[(&'static str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.insert(*name, value.parse().unwrap());
            }
            Error::from_answer(429, body, &map).retry_after()
        };
        let reset_in_a_second = (std::time::SystemTime::now() + Duration::from_secs(1))
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            .to_string();
        assert_eq!(
            wait(&[
                ("retry-after", "7"),
                ("x-ratelimit-reset", &reset_in_a_second)
            ]),
            Some(Duration::from_secs(7))
        );
        // The relative wait in the message beats the server's clock.
        assert_eq!(
            wait(&[("x-ratelimit-reset", &reset_in_a_second)]),
            Some(Duration::from_secs(42))
        );
        let silent = Error::from_answer(
            429,
            br#"{"success":false,"error":"slow down"}"#,
            &[(
                "x-ratelimit-reset".parse().unwrap(),
                reset_in_a_second.parse().unwrap(),
            )]
            .into_iter()
            .collect(),
        );
        let reset = silent.retry_after().unwrap();
        assert!(reset <= Duration::from_secs(1), "{reset:?}");
    }

    #[test]
    fn a_redirect_names_where_it_points() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "location",
            "https://chat.example.com/api/v1/me".parse().unwrap(),
        );
        let error = Error::from_answer(301, b"", &headers);
        assert!(matches!(
            &error,
            Error::Redirect { status: 301, location: Some(location) }
                if location == "https://chat.example.com/api/v1/me"
        ));
        assert!(!error.is_transient());
        assert_eq!(error.status(), Some(301));
        assert_eq!(
            error.to_string(),
            "301 redirect to https://chat.example.com/api/v1/me: the client follows no \
             redirects; use that address as the base URL"
        );
    }

    #[test]
    fn error_type_body_becomes_api_error() {
        let error = Error::from_answer(
            400,
            br#"{"success":false,"error":"Not allowed [error-not-allowed]","errorType":"error-not-allowed","details":{"method":"addUsersToRoom"}}"#,
            &HeaderMap::new(),
        );
        let Error::Api {
            status,
            kind,
            message,
            details,
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!(*status, 400);
        assert_eq!(*kind, ErrorKind::NotAllowed);
        assert_eq!(message, "Not allowed [error-not-allowed]");
        assert_eq!(details.as_ref().unwrap()["method"], "addUsersToRoom");
        assert_eq!(
            error.to_string(),
            "400 error-not-allowed: Not allowed [error-not-allowed]"
        );
    }

    #[test]
    fn other_statuses_keep_their_body() {
        let error = Error::from_answer(502, b"<html>Bad Gateway</html>", &HeaderMap::new());
        assert!(
            matches!(&error, Error::Http { status: 502, body: ErrorBody::NotJson(text) } if text == "<html>Bad Gateway</html>")
        );
        assert!(error.is_transient());
        assert_eq!(error.to_string(), "502: <html>Bad Gateway</html>");
        let not_found = Error::from_answer(
            404,
            br#"{"success":false,"error":"Resource not found"}"#,
            &HeaderMap::new(),
        );
        assert!(!not_found.is_transient());
    }
}
