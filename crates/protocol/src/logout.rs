//! `POST /api/v1/logout`
//!
//! Invalidates the auth token the call was made with. The body may be empty.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/logout))

use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method};

/// Method `POST`, path `/api/v1/logout`, authenticated.
pub const METADATA: Metadata = Metadata::new("logout", Method::Post, "/api/v1/logout")
    .description("Invalidate the auth token the call was made with.");

/// A logout request; it has no parameters and is sent as `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "LogoutRequest"))]
#[non_exhaustive]
pub struct Request {}

impl Request {
    /// The request; it has no parameters.
    pub const fn new() -> Self {
        Self {}
    }
}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer: `{"status": "success", "data": {"message": "You've been logged out!"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "LogoutResponse"))]
#[non_exhaustive]
pub struct Response {
    /// Always `"success"`.
    pub status: String,
    /// The message.
    pub data: LogoutData,
}

/// The message of a logout answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct LogoutData {
    /// `"You've been logged out!"`.
    pub message: String,
}

impl Response {
    /// The answer Rocket.Chat documents.
    pub fn logged_out() -> Self {
        Self {
            status: "success".to_owned(),
            data: LogoutData {
                message: "You've been logged out!".to_owned(),
            },
        }
    }
}
