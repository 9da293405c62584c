//! `GET /api/v1/me`
//!
//! Reads the authenticated user.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-profile-information))

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method, user::User};

/// Method `GET`, path `/api/v1/me`, authenticated.
pub const METADATA: Metadata = Metadata {
    name: "me",
    description: "Read the authenticated user.",
    method: Method::Get,
    path: "/api/v1/me",
    authentication: true,
    rate_limited: true,
    idempotent: true,
};

/// A `me` request; it has no parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "MeRequest")]
pub struct Request {}

impl Endpoint for Request {
    type Response = Response;
    const METADATA: Metadata = METADATA;
}

/// The answer: the user's fields, flat, plus `success`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "MeResponse")]
pub struct Response {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// Always `true`.
    pub success: bool,
}
