//! Extractors: the authenticated caller, JSON bodies and query strings, each refusing bad input
//! with Rocket.Chat's error bodies.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use rocketchat_protocol::ApiError;
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::HttpError;
use crate::domain::UserRecord;
use crate::util;

/// The user a call is authenticated as, and the hashed token it used.
#[derive(Clone, Debug)]
pub(crate) struct Auth {
    /// The user.
    pub(crate) user: UserRecord,
    /// `base64(sha256(token))` of the token the call carried.
    pub(crate) hashed_token: String,
}

/// Checks the `X-User-Id` and `X-Auth-Token` headers against the store.
pub(crate) async fn authenticate(state: &AppState, parts: &Parts) -> Result<Auth, HttpError> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .filter(|value| !value.is_empty())
    };
    let (Some(user_id), Some(token)) = (header("x-user-id"), header("x-auth-token")) else {
        return Err(HttpError::Unauthorized);
    };
    let hashed_token = util::hash_token(token);
    let user = state
        .auth_cached(user_id, &hashed_token)
        .await?
        .ok_or(HttpError::Unauthorized)?;
    Ok(Auth { user, hashed_token })
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        if let Some(auth) = parts.extensions.get::<Auth>() {
            return Ok(auth.clone());
        }
        authenticate(state, parts).await
    }
}

/// The client's IP address, when the server knows it.
pub(crate) fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// A JSON object body, parsed with the protocol crate's rules: malformed JSON, a non-object and
/// wrong types are `invalid-params`; an empty body counts as `{}`, as in Rocket.Chat. (The
/// router has read the body already, and answered one over the limit 413.)
///
/// A body that is not empty must come with a JSON `Content-Type` (one containing
/// `application/json`, as Rocket.Chat checks). Rocket.Chat reads any other body as text and
/// ignores it, so that a form or an unlabelled JSON body silently counts as `{}`; we answer
/// `invalid-params` and say which header to send.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, HttpError> {
        let content_type = request.headers().get(CONTENT_TYPE).cloned();
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                HttpError::Api(ApiError::invalid_params(format!(
                    "the request body could not be read: {}",
                    rejection.body_text()
                )))
            })?;
        let blank = bytes.iter().all(u8::is_ascii_whitespace);
        if !blank && !content_type.as_ref().is_some_and(is_json) {
            return Err(HttpError::Api(ApiError::invalid_params(format!(
                "the request body must be JSON sent with Content-Type: application/json, not {}",
                content_type.map_or_else(
                    || "without a Content-Type".to_owned(),
                    |t| format!("{:?}", String::from_utf8_lossy(t.as_bytes()))
                )
            ))));
        }
        let bytes: &[u8] = if blank { b"{}" } else { &bytes };
        rocketchat_protocol::json::from_object_slice(bytes)
            .map(JsonBody)
            .map_err(HttpError::Api)
    }
}

/// Whether a `Content-Type` is one Rocket.Chat parses as JSON: it contains `application/json`,
/// in any case.
fn is_json(content_type: &HeaderValue) -> bool {
    const JSON: &[u8] = b"application/json";
    content_type
        .as_bytes()
        .windows(JSON.len())
        .any(|window| window.eq_ignore_ascii_case(JSON))
}

/// Query-string parameters, last value winning; undecodable strings are `invalid-params`.
#[derive(Debug, Default)]
pub(crate) struct Params(pub HashMap<String, String>);

impl Params {
    /// One parameter, if given.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Every parameter, as `(key, value)`.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|error| HttpError::Api(ApiError::invalid_params(error.body_text())))?;
        Ok(Self(pairs.into_iter().collect()))
    }
}
