//! What every endpoint is, as data: its method, path, and whether it needs authentication.
//!
//! Both the client and the server read these constants, so a path is written once.

use serde::{Serialize, de::DeserializeOwned};

/// The HTTP method of an endpoint.
///
/// Exhaustive on purpose: a client or server must know how to send or route each method, so a
/// new one must not compile into code that would ignore it.
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
///
/// Built with [`Metadata::new`] and its `const` setters, so that a constant for an endpoint
/// this crate does not describe keeps compiling when a later version adds a fact:
///
/// ```
/// use rocketchat_protocol::{Metadata, Method};
///
/// const CHANNELS_LIST: Metadata = Metadata::new("channels.list", Method::Get, "/api/v1/channels.list")
///     .description("List the public channels.");
/// assert!(CHANNELS_LIST.authentication && CHANNELS_LIST.idempotent);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// and `login` (a repeat only mints another token). Creating a user or a group, giving or
    /// taking a room role, removing a member, leaving, deleting a group and logging out are
    /// not: a repeat fails although the first call worked.
    pub idempotent: bool,
    /// Whether a successful answer carries a credential (`login`'s auth token), so that a
    /// client keeps the body out of its error messages and logs.
    pub secret_in_response: bool,
}

impl Metadata {
    /// An endpoint with these names and the usual facts: authenticated, rate limited,
    /// idempotent when it is a `GET`, no description, no secret in its answer.
    pub const fn new(name: &'static str, method: Method, path: &'static str) -> Self {
        Self {
            name,
            description: "",
            method,
            path,
            authentication: true,
            rate_limited: true,
            idempotent: matches!(method, Method::Get),
            secret_in_response: false,
        }
    }

    /// Sets [`Metadata::description`].
    #[must_use]
    pub const fn description(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }

    /// Sets [`Metadata::authentication`].
    #[must_use]
    pub const fn authentication(mut self, required: bool) -> Self {
        self.authentication = required;
        self
    }

    /// Sets [`Metadata::rate_limited`].
    #[must_use]
    pub const fn rate_limited(mut self, limited: bool) -> Self {
        self.rate_limited = limited;
        self
    }

    /// Sets [`Metadata::idempotent`].
    #[must_use]
    pub const fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Sets [`Metadata::secret_in_response`].
    #[must_use]
    pub const fn secret_in_response(mut self, secret: bool) -> Self {
        self.secret_in_response = secret;
        self
    }
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
    crate::users::info::METADATA,
    crate::groups::create::METADATA,
    crate::groups::info::METADATA,
    crate::groups::list::METADATA,
    crate::groups::list_all::METADATA,
    crate::groups::members::METADATA,
    crate::groups::history::METADATA,
    crate::groups::roles::METADATA,
    crate::groups::add_moderator::METADATA,
    crate::groups::remove_moderator::METADATA,
    crate::groups::add_owner::METADATA,
    crate::groups::remove_owner::METADATA,
    crate::groups::invite::METADATA,
    crate::groups::kick::METADATA,
    crate::groups::leave::METADATA,
    crate::groups::delete::METADATA,
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
                "users.info",
                "groups.info",
                "groups.list",
                "groups.listAll",
                "groups.members",
                "groups.history",
                "groups.roles",
                "groups.invite"
            ]
        );
    }

    #[test]
    fn only_login_answers_with_a_secret() {
        let secret: Vec<_> = ALL
            .iter()
            .filter(|e| e.secret_in_response)
            .map(|e| e.name)
            .collect();
        assert_eq!(secret, ["login"]);
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
