//! The middleware every call passes through, outermost first, each a named layer:
//!
//! 1. [`log_errors`]: logs each failure once, with its cause, at the level it deserves;
//! 2. the answer headers every Rocket.Chat answer carries (`content-type: application/json`,
//!    `cache-control: no-store`, `pragma: no-cache`), set by tower-http's `SetResponseHeader`;
//! 3. [`request_timeout`]: answers a call that takes too long with Rocket.Chat's 503 body;
//! 4. [`read_body`]: reads the whole body, within the limit, before routing.
//!
//! After them comes the router, where each endpoint's `guard` checks authentication, the rate
//! limit and the body limit, in Rocket.Chat's order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use rocketchat_protocol::ApiError;

use super::error::{HttpError, InternalCause};
use crate::util::error_chain;

/// Logs failures, once each: a 500's cause with its whole chain at `ERROR`; a call the server
/// took too long over at `ERROR`; a call whose client was too slow to send its body at `INFO`,
/// since that is the client's doing. Everything else is in the request's trace line.
pub(crate) async fn log_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(InternalCause(cause)) = response.extensions().get::<InternalCause>() {
        tracing::error!(cause = %error_chain(&***cause), "internal error");
    }
    match response.extensions().get::<TimedOut>() {
        Some(TimedOut::ReadingBody) => tracing::info!(
            "the client did not send its whole body within the request timeout; answered 503"
        ),
        Some(TimedOut::Answering) => {
            tracing::error!("the call took longer than the request timeout; answered 503")
        }
        None => {}
    }
    response
}

/// What a call was doing when the request timeout struck; carried on the 503 for
/// [`log_errors`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimedOut {
    /// Still waiting for the client's body: the client is too slow.
    ReadingBody,
    /// The body had arrived: the server is too slow.
    Answering,
}

/// Set by [`read_body`] once the body has been read, so that [`request_timeout`] can tell
/// whose fault a timeout is.
#[derive(Clone, Debug, Default)]
struct BodyRead(Arc<AtomicBool>);

/// Answers a call that has not been answered within `timeout` with 503 and Rocket.Chat's
/// `{"success": false, "error": "Service Unavailable"}`, and closes the connection (the rest
/// of the body may never have been read). Dropping the call also drops a store write still
/// waiting for the database; one the database has begun completes, atomically.
pub(crate) async fn request_timeout(
    State(timeout): State<Duration>,
    mut request: Request,
    next: Next,
) -> Response {
    let body_read = BodyRead::default();
    request.extensions_mut().insert(body_read.clone());
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = closing(HttpError::Timeout.into_response());
            let cause = if body_read.0.load(Ordering::Acquire) {
                TimedOut::Answering
            } else {
                TimedOut::ReadingBody
            };
            response.extensions_mut().insert(cause);
            response
        }
    }
}

/// Reads the whole request body before routing, within the body limit of `limit` bytes.
///
/// Every answer then leaves the connection ready for the client's next call, including the
/// ones given before a handler looks at the body (401, 429, 404, or `logout`, which ignores it).
/// hyper closes a keep-alive connection whose request body was left unread, and a client that
/// reuses it, as `requests` and most HTTP libraries do, sees it drop without an answer.
///
/// A body over the limit is not read further; the request goes on without it, marked with
/// [`BodyTooLarge`], so that authentication and the rate limit still answer first (as in
/// Rocket.Chat) and the guard then answers 413; the answer closes the connection.
pub(crate) async fn read_body(
    State(limit): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let collected = Limited::new(body, limit).collect().await;
    if let Some(BodyRead(read)) = parts.extensions.get::<BodyRead>() {
        read.store(true, Ordering::Release);
    }
    match collected {
        Ok(collected) => {
            let request = Request::from_parts(parts, Body::from(collected.to_bytes()));
            next.run(request).await
        }
        Err(error) if error.is::<LengthLimitError>() => {
            parts.extensions.insert(BodyTooLarge(limit));
            closing(next.run(Request::from_parts(parts, Body::empty())).await)
        }
        Err(error) => closing(
            HttpError::Api(ApiError::invalid_params(format!(
                "the request body could not be read: {error}"
            )))
            .into_response(),
        ),
    }
}

/// Marks a request whose body was over the limit (the limit, for the 413 message).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyTooLarge(pub(crate) usize);

/// Marks an answer given before the body was read to its end: the connection cannot carry
/// another call, and the client is told so instead of finding out from a dropped connection.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
