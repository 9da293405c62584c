//! Every way a call can fail, and the status and body each one is answered with.
//!
//! Turning an error into an answer has no side effects: an internal error's cause travels on
//! the answer as an [`InternalCause`] extension, and the `log_errors` layer logs it, with its
//! whole chain, once.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rocketchat_protocol::{ApiError, ErrorKind, PlainError, UnauthorizedError};
use serde::Serialize;

use crate::service;
use crate::store::{BoxError, StoreError};

/// A failed call.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// 400 with the standard body and its `errorType`.
    Api(ApiError),
    /// 400 with only `success` and `error`, as some Rocket.Chat route checks answer.
    PlainBadRequest(PlainError),
    /// 401 `You must be logged in to do this.`, in the modern four-key body.
    Unauthorized,
    /// 401 with a login failure body.
    LoginFailed(UnauthorizedError),
    /// 413 `error-payload-too-large`: the body is larger than the server accepts.
    PayloadTooLarge(usize),
    /// 429 with the rate-limit headers.
    TooManyRequests {
        /// Seconds until the window resets.
        seconds: u64,
        /// The `X-RateLimit-*` headers.
        headers: HeaderMap,
    },
    /// 403 `unauthorized`, Rocket.Chat's `forbidden()` answer.
    Forbidden,
    /// 403 for a route whose permission the caller lacks, Rocket.Chat's framework answer to a
    /// failed `permissionsRequired` (no `errorType`).
    PermissionRequired,
    /// 404 `Resource not found`.
    NotFound,
    /// 503 `Service Unavailable`, for a call that took longer than the request timeout.
    Timeout,
    /// 500 `Internal server error`; the cause is logged, never sent.
    Internal(BoxError),
}

/// The cause of a 500, carried on the answer for the `log_errors` layer.
#[derive(Clone, Debug)]
pub(crate) struct InternalCause(pub(crate) Arc<BoxError>);

impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<StoreError> for HttpError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { value, .. } => Self::Api(
                ApiError::new(
                    ErrorKind::FieldUnavailable,
                    format!("{value} is already in use :("),
                )
                .with_method("insertOrUpdateUser"),
            ),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<service::Error> for HttpError {
    fn from(error: service::Error) -> Self {
        match error {
            service::Error::Refused(error) => Self::Api(error),
            service::Error::Store(error) => error.into(),
        }
    }
}

fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(error) => json(StatusCode::BAD_REQUEST, &error),
            Self::PlainBadRequest(error) => json(StatusCode::BAD_REQUEST, &error),
            Self::Unauthorized => json(StatusCode::UNAUTHORIZED, &UnauthorizedError::logged_out()),
            Self::LoginFailed(error) => json(StatusCode::UNAUTHORIZED, &error),
            Self::PayloadTooLarge(limit) => json(
                StatusCode::PAYLOAD_TOO_LARGE,
                &ApiError::new(
                    ErrorKind::PayloadTooLarge,
                    format!("The request body is larger than {limit} bytes"),
                ),
            ),
            Self::TooManyRequests { seconds, headers } => {
                let mut response = json(
                    StatusCode::TOO_MANY_REQUESTS,
                    &PlainError::too_many_requests(seconds),
                );
                response.headers_mut().extend(headers);
                response
            }
            Self::Forbidden => json(StatusCode::FORBIDDEN, &PlainError::forbidden()),
            Self::PermissionRequired => {
                json(StatusCode::FORBIDDEN, &PlainError::permission_required())
            }
            Self::NotFound => json(StatusCode::NOT_FOUND, &PlainError::not_found()),
            Self::Timeout => json(
                StatusCode::SERVICE_UNAVAILABLE,
                &PlainError::new("Service Unavailable"),
            ),
            Self::Internal(cause) => {
                let mut response = json(StatusCode::INTERNAL_SERVER_ERROR, &PlainError::internal());
                response
                    .extensions_mut()
                    .insert(InternalCause(Arc::new(cause)));
                response
            }
        }
    }
}
