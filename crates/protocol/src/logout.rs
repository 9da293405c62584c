//! `POST /api/v1/logout`
//!
//! Invalidates the auth token the call was made with. The body may be empty.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/logout))

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method};

/// Method `POST`, path `/api/v1/logout`, authenticated.
pub const METADATA: Metadata = Metadata {
    name: "logout",
    description: "Invalidate the auth token the call was made with.",
    method: Method::Post,
    path: "/api/v1/logout",
    authentication: true,
    rate_limited: true,
    idempotent: false,
};

/// A logout request; it has no parameters and is sent as `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "LogoutRequest")]
pub struct Request {}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer: `{"status": "success", "data": {"message": "You've been logged out!"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "LogoutResponse")]
pub struct Response {
    /// Always `"success"`.
    pub status: String,
    /// The message.
    pub data: LogoutData,
}

/// The message of a logout answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
