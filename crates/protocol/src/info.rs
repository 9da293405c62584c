//! `GET /api/info`
//!
//! Reads the server's version; needs no authentication.
//! ([Rocket.Chat documentation](https://developer.rocket.chat/apidocs/get-server-information))

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Endpoint, Metadata, Method};

/// Method `GET`, path `/api/info`, open to everyone, not rate limited.
pub const METADATA: Metadata = Metadata::new("info", Method::Get, "/api/info")
    .description("Read the server's version.")
    .authentication(false)
    .rate_limited(false);

/// An `info` request; it has no parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "InfoRequest"))]
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

/// The answer: the version, and on modern servers the oldest supported apps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "InfoResponse"))]
#[non_exhaustive]
pub struct Response {
    /// `"<major>.<minor>"` on modern servers, `"x.y.z"` on old ones.
    pub version: String,
    /// The oldest desktop and mobile apps the server supports (modern servers).
    #[serde(
        rename = "minimumClientVersions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_client_versions: Option<ClientVersions>,
    /// A signed token listing supported versions (modern servers).
    #[serde(
        rename = "supportedVersions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub supported_versions: Option<Value>,
    /// Build details, sent only to users with `view-statistics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Value>,
    /// Always `true`.
    pub success: bool,
}

/// The oldest app versions a server supports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ClientVersions {
    /// The desktop app.
    pub desktop: String,
    /// The mobile app.
    pub mobile: String,
}

impl Response {
    /// A successful answer naming `version` and nothing else.
    pub fn new(version: impl Into<String>) -> Self {
        Self {
            version: version.into(),
            minimum_client_versions: None,
            supported_versions: None,
            info: None,
            success: true,
        }
    }
}

impl ClientVersions {
    /// The oldest desktop and mobile apps supported.
    pub fn new(desktop: impl Into<String>, mobile: impl Into<String>) -> Self {
        Self {
            desktop: desktop.into(),
            mobile: mobile.into(),
        }
    }
}
