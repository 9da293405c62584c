//! What every endpoint is, as data: its method, path, and whether it needs authentication.
//!
//! Both the client and the server read these constants, so a path is written once.

use serde::{Serialize, de::DeserializeOwned};

/// The HTTP method of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: parameters travel in the query string.
    Get,
    /// `POST`: parameters travel as a JSON body.
    Post,
}

impl Method {
    /// The method's name as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// The facts about one endpoint that both sides of the wire need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Metadata {
    /// Rocket.Chat's name for the route, such as `groups.invite`.
    pub name: &'static str,
    /// One sentence saying what the endpoint does.
    pub description: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path, starting with `/api`.
    pub path: &'static str,
    /// Whether the `X-Auth-Token` and `X-User-Id` headers are required.
    ///
    /// Without them, or with a pair that does not match, the server answers 401.
    pub authentication: bool,
    /// Whether Rocket.Chat's per-IP, per-route rate limiter applies (10 calls per 60 s by
    /// default; callers with `api-bypass-rate-limit`, i.e. admins and bots, are exempt).
    pub rate_limited: bool,
    /// Whether sending the request twice has the same effect as sending it once, so a client
    /// may repeat it after a lost answer: reads, `groups.invite` (inviting a member is a no-op)
    /// and `login` (a repeat only mints another token). Creating a user or a group, adding a
    /// moderator and logging out are not: a repeat fails although the first call worked.
    pub idempotent: bool,
}

/// A request type that knows its endpoint and its response type.
///
/// For [`Method::Post`] endpoints the request is sent as a JSON body; for [`Method::Get`]
/// endpoints it is serialised into the query string.
pub trait Endpoint: Serialize {
    /// What a successful (2xx) call answers.
    type Response: DeserializeOwned;
    /// The endpoint's method, path and authentication.
    const METADATA: Metadata;
}

/// Every endpoint this crate describes, in the order the OpenAPI document lists them.
pub const ALL: &[Metadata] = &[
    crate::info::METADATA,
    crate::login::METADATA,
    crate::logout::METADATA,
    crate::me::METADATA,
    crate::users::create::METADATA,
    crate::groups::create::METADATA,
    crate::groups::info::METADATA,
    crate::groups::members::METADATA,
    crate::groups::history::METADATA,
    crate::groups::add_moderator::METADATA,
    crate::groups::invite::METADATA,
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_path_is_unique_and_under_api() {
        let mut seen = HashSet::new();
        for endpoint in ALL {
            assert!(endpoint.path.starts_with("/api/"), "{}", endpoint.path);
            assert!(
                seen.insert(endpoint.path),
                "duplicate path {}",
                endpoint.path
            );
        }
    }

    #[test]
    fn reads_invites_and_login_are_idempotent() {
        let idempotent: Vec<_> = ALL
            .iter()
            .filter(|e| e.idempotent)
            .map(|e| e.name)
            .collect();
        assert_eq!(
            idempotent,
            [
                "info",
                "login",
                "me",
                "groups.info",
                "groups.members",
                "groups.history",
                "groups.invite"
            ]
        );
    }

    #[test]
    fn only_info_and_login_are_open() {
        let open: Vec<_> = ALL
            .iter()
            .filter(|e| !e.authentication)
            .map(|e| e.name)
            .collect();
        assert_eq!(open, ["info", "login"]);
    }
}
