//! `GET /api/v1/me`
//!
//! Reads the authenticated user.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-profile-information))

use serde::{Deserialize, Serialize};

use crate::{Endpoint, Metadata, Method, user::User};

/// Method `GET`, path `/api/v1/me`, authenticated.
pub const METADATA: Metadata =
    Metadata::new("me", Method::Get, "/api/v1/me").description("Read the authenticated user.");

/// A `me` request; it has no parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "MeRequest"))]
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

/// The answer: the user's fields, flat, plus `success`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "MeResponse"))]
#[non_exhaustive]
pub struct Response {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// Always `true`.
    pub success: bool,
}

impl Response {
    /// A successful answer about `user`.
    pub fn new(user: User) -> Self {
        Self {
            user,
            success: true,
        }
    }
}
