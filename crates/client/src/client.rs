//! The client, its builder, and one method per endpoint.

use std::{
    fmt,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

use reqwest::{
    Url,
    header::{ACCEPT, CONTENT_TYPE, HeaderValue, USER_AGENT},
};
use rocketchat_protocol::{
    ApiError, Endpoint, Metadata, Method,
    groups::{
        self, RoomSelector,
        invite::{self, Invitees, LookupMode},
    },
    info, login, logout, me,
    room::Room,
    user::User,
    users,
};
use tokio::sync::Mutex;
use tracing::Instrument;

use crate::{
    Credentials, Error, RetryPolicy, Session,
    bulk::{self, BulkInvite},
    pages::{Page, Pages},
    retry::{self, is_repeatable},
};

/// The default `User-Agent`: `rocketchat-client/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("rocketchat-client/", env!("CARGO_PKG_VERSION"));

/// Sets up a [`Client`]; [`ClientBuilder::build`] checks the settings.
///
/// ```
/// use std::time::Duration;
/// use rocketchat_client::{Client, Credentials, RetryPolicy};
///
/// let client = Client::builder()
///     .base_url("https://chat.example.com")
///     .credentials(Credentials::password("admin", "s3cret"))
///     .connect_timeout(Duration::from_secs(5))
///     .timeout(Duration::from_secs(20))
///     .user_agent("group-sync/1.0")
///     .retry_policy(RetryPolicy::default().max_retries(5))
///     .build()?;
/// assert!(!format!("{client:?}").contains("s3cret"));
/// # Ok::<(), rocketchat_client::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(without_password))
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            // Not the client itself: its default headers and proxies may hold credentials.
            .field("injected_http_client", &self.http.is_some())
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
            http: None,
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults: no credentials, 10 s to connect, 30 s per attempt,
    /// [`DEFAULT_USER_AGENT`], [`RetryPolicy::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The server's address, such as `https://chat.example.com` or
    /// `https://example.com/chat` when Rocket.Chat is served under a path. Required.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Who to act as. Without credentials only `info` and `login` work; other calls are sent
    /// without auth headers and the server answers 401.
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// How long to wait for a connection to open.
    ///
    /// Not used with an [injected HTTP client](Self::http_client), whose own connect timeout
    /// applies: reqwest sets it per client only.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, from sending the request to reading the whole answer.
    ///
    /// Set on each request, so it applies to an [injected HTTP client](Self::http_client) too.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header, sent with each request (also through an
    /// [injected HTTP client](Self::http_client), whose own user agent it replaces).
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// When to retry; [`RetryPolicy::never`] turns retries off.
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends every request through this HTTP client instead of one the builder makes: for a
    /// proxy, your own certificate authorities, client certificates or connection settings.
    /// It must be a client of the reqwest version this crate re-exports as
    /// [`reqwest`](crate::reqwest).
    ///
    /// The builder's [`timeout`](Self::timeout) and [`user_agent`](Self::user_agent) still
    /// apply, because they are set on each request. Its
    /// [`connect_timeout`](Self::connect_timeout) does not: reqwest sets that per client, so
    /// the injected client's own applies.
    ///
    /// Build it with `redirect(reqwest::redirect::Policy::none())`. The client's own HTTP
    /// client follows no redirects, so that the auth token (sent as `X-Auth-Token`, which
    /// reqwest does not strip on a redirect) and a login's password never go to an address the
    /// caller did not give. An injected client that follows one has already sent the request
    /// on by the time the answer arrives; the client then notices that the answer came from
    /// another address and returns [`Error::Redirect`] instead of using it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use rocketchat_client::{Client, reqwest};
    ///
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .connect_timeout(Duration::from_secs(5))
    ///     .pool_max_idle_per_host(4)
    ///     .build()?;
    /// let client = Client::builder()
    ///     .base_url("https://chat.example.com")
    ///     .http_client(http)
    ///     .timeout(Duration::from_secs(20))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the settings and builds the client. Sends nothing: a password is exchanged for a
    /// token by the first call that needs one (or by [`Client::login`]).
    ///
    /// Fails with [`Error::Config`] when the base URL is missing, is not `http` or `https`, has
    /// a query or fragment, or when a timeout is zero or a credential blank.
    pub fn build(self) -> Result<Client, Error> {
        let config = |message: &str| Error::Config(message.to_owned());
        let raw = self
            .base_url
            .ok_or_else(|| config("no base URL was given"))?;
        if raw.trim().is_empty() {
            return Err(config("the base URL is empty"));
        }
        let shown = without_password(&raw);
        if !raw.contains("://") {
            // `chat.example.com` or `localhost:3000`: no scheme, or a host taken for one.
            return Err(Error::Config(format!(
                "the base URL {shown:?} must start with http:// or https://"
            )));
        }
        let base = Url::parse(raw.trim()).map_err(|error| {
            Error::Config(format!("the base URL {shown:?} is invalid: {error}"))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "the base URL {shown:?} must start with http:// or https://"
            )));
        }
        if base.host_str().is_none_or(str::is_empty) {
            return Err(Error::Config(format!("the base URL {shown:?} has no host")));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(Error::Config(format!(
                "the base URL {shown:?} must not have a query or fragment"
            )));
        }
        if self.connect_timeout.is_zero() || self.timeout.is_zero() {
            return Err(config("timeouts must be longer than zero"));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| config("the user agent is not a valid header value"))?;
        if let Some(credentials) = &self.credentials {
            credentials.validate().map_err(Error::Config)?;
        }
        let session = match &self.credentials {
            Some(Credentials::Token {
                user_id,
                auth_token,
            }) => Some(Session {
                user_id: user_id.clone(),
                auth_token: auth_token.clone(),
            }),
            _ => None,
        };

        // The timeout, the user agent and `Accept` go on each request (see `Client::attempt`),
        // so that they apply to an injected client too.
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                // Never carry the token (or a login's password) to another address.
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|error| {
                    Error::Config(format!("the HTTP client failed to start: {error}"))
                })?,
        };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base: base.as_str().trim_end_matches('/').to_owned(),
                credentials: self.credentials,
                session: RwLock::new(session),
                login_lock: Mutex::new(()),
                retry: self.retry,
                timeout: self.timeout,
                user_agent,
            }),
        })
    }
}

/// An async Rocket.Chat REST client. Cheap to clone: clones share connections and the session.
///
/// Build one with [`Client::builder`]. Every endpoint of [`rocketchat_protocol`] has a method
/// taking its `Request` and returning its `Response`; [`Client::send`] does the same for any
/// [`Endpoint`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The base URL without a trailing slash.
    base: String,
    credentials: Option<Credentials>,
    session: RwLock<Option<Session>>,
    /// Held while logging in, so that concurrent calls log in once.
    login_lock: Mutex<()>,
    retry: RetryPolicy,
    /// How long one attempt may take.
    timeout: Duration,
    user_agent: HeaderValue,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &without_password(&self.inner.base))
            .field("credentials", &self.inner.credentials)
            .field("session", &*self.read_session())
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// A successful answer before decoding.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    /// A builder with the default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The id of the user the client is logged in as, if it has a session yet.
    pub fn user_id(&self) -> Option<String> {
        self.read_session().as_ref().map(|s| s.user_id.clone())
    }

    /// The current session (user id and token), if there is one; for handing over to another
    /// client with [`Credentials::token`].
    pub fn session(&self) -> Option<Session> {
        self.read_session().clone()
    }

    /// Sends any endpoint's request and decodes its answer, with authentication and retries.
    ///
    /// `GET` requests travel in the query string, `POST` requests as a JSON body. Unlike
    /// [`Client::login`] and [`Client::logout`], sending a login or logout request here does not
    /// change the client's session.
    ///
    /// When the endpoint's answer holds a secret ([`Metadata::secret_in_response`], as a
    /// login's does), a body that does not decode is not kept in [`Error::Decode`].
    pub async fn send<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error> {
        let answer = self.execute(request).await?;
        decode_answer::<E>(&answer)
    }

    /// `GET /api/info`: the server's version. Needs no credentials.
    pub async fn info(&self) -> Result<info::Response, Error> {
        self.send(&info::Request::new()).await
    }

    /// `POST /api/v1/login`: exchanges credentials for a token, which the client then uses for
    /// every later call (until [`Client::logout`]).
    pub async fn login(&self, request: &login::Request) -> Result<login::Response, Error> {
        let response: login::Response = self.send(request).await?;
        *self.write_session() = Some(session_of(&response));
        Ok(response)
    }

    /// `POST /api/v1/logout`: invalidates the client's token and forgets it. With password
    /// credentials, the next call that needs a token logs in again.
    ///
    /// An empty 200 body, which some 7.x servers send, counts as success.
    pub async fn logout(&self) -> Result<logout::Response, Error> {
        let answer = self.execute(&logout::Request::new()).await?;
        *self.write_session() = None;
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(logout::Response::logged_out());
        }
        decode(&answer)
    }

    /// `GET /api/v1/me`: the user the client acts as.
    pub async fn me(&self) -> Result<me::Response, Error> {
        self.send(&me::Request::new()).await
    }

    /// `POST /api/v1/users.create`: creates a user (needs `create-user`). Not retried once
    /// sent: see [`crate::retry`].
    pub async fn users_create(
        &self,
        request: &users::create::Request,
    ) -> Result<users::create::Response, Error> {
        self.send(request).await
    }

    /// `GET /api/v1/users.info`: one user, by id, username or import id: every field of the
    /// caller themself (or of anyone, for a caller with `view-full-other-user-info`), the
    /// public ones of others, as
    /// [`can_view_all_info`](rocketchat_protocol::user::User::can_view_all_info) says.
    ///
    /// Rocket.Chat answers an unknown user with a 400 whose body has no `errorType`,
    /// `{"success": false, "error": "User not found."}`, which comes back as [`Error::Http`].
    pub async fn users_info(
        &self,
        request: &users::info::Request,
    ) -> Result<users::info::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.create`: creates a private group owned by the caller. Not retried
    /// once sent: see [`crate::retry`].
    pub async fn groups_create(
        &self,
        request: &groups::create::Request,
    ) -> Result<groups::create::Response, Error> {
        self.send(request).await
    }

    /// `GET /api/v1/groups.info`: one private group the caller is a member of.
    pub async fn groups_info(
        &self,
        request: &groups::info::Request,
    ) -> Result<groups::info::Response, Error> {
        self.send(request).await
    }

    /// `GET /api/v1/groups.members`: one page of a private group's members;
    /// [`Client::groups_members_stream`] reads them all.
    pub async fn groups_members(
        &self,
        request: &groups::members::Request,
    ) -> Result<groups::members::Response, Error> {
        self.send(request).await
    }

    /// Every member of a private group, through `groups.members`, a page of 100 at a time:
    /// see [`Pages`] for when it ends, and for what happens when members join or leave while
    /// it pages.
    ///
    /// ```no_run
    /// # async fn run(client: rocketchat_client::Client) -> Result<(), rocketchat_client::Error> {
    /// use futures_util::TryStreamExt;
    /// use rocketchat_client::RoomSelector;
    ///
    /// let members: Vec<_> = client
    ///     .groups_members_stream(RoomSelector::name("team"))
    ///     .try_collect()
    ///     .await?;
    /// println!("{} members", members.len());
    /// # Ok(()) }
    /// ```
    pub fn groups_members_stream(&self, room: RoomSelector) -> Pages<User> {
        self.pages(
            groups::members::MAX_COUNT,
            move |offset, count| {
                groups::members::Request::new(room.clone())
                    .offset(offset)
                    .count(count)
            },
            |page| Page {
                items: page.members,
                total: page.total,
            },
        )
    }

    /// `GET /api/v1/groups.history`: a private group's messages, newest first.
    pub async fn groups_history(
        &self,
        request: &groups::history::Request,
    ) -> Result<groups::history::Response, Error> {
        self.send(request).await
    }

    /// `GET /api/v1/groups.roles`: the members of a private group who hold a room role
    /// (`owner`, `moderator`, `leader`), by username; `groups.members` carries no roles.
    pub async fn groups_roles(
        &self,
        request: &groups::roles::Request,
    ) -> Result<groups::roles::Response, Error> {
        self.send(request).await
    }

    /// `GET /api/v1/groups.list`: one page of the private groups the caller is a member of,
    /// sorted by name unless the request says otherwise; [`Client::groups_list_stream`] reads
    /// them all.
    ///
    /// Rocket.Chat answers a `sort` that is not a JSON object of fields and `1` or `-1` with
    /// `error-invalid-sort`.
    pub async fn groups_list(
        &self,
        request: &groups::list::Request,
    ) -> Result<groups::list::Response, Error> {
        self.send(request).await
    }

    /// Every private group the caller is a member of, through `groups.list`, a page of 100 at
    /// a time, sorted by name: see [`Pages`] for when it ends, and for what happens when groups
    /// come and go while it pages.
    pub fn groups_list_stream(&self) -> Pages<Room> {
        self.pages(
            groups::list::MAX_COUNT,
            |offset, count| groups::list::Request::new().offset(offset).count(count),
            |page| Page {
                items: page.groups,
                total: page.total,
            },
        )
    }

    /// `GET /api/v1/groups.listAll`: one page of every private group on the server, the
    /// caller's or not; [`Client::groups_list_all_stream`] reads them all.
    ///
    /// The caller needs `view-room-administration` (admins have it); Rocket.Chat answers
    /// others with a 403 ([`Error::Http`]).
    pub async fn groups_list_all(
        &self,
        request: &groups::list_all::Request,
    ) -> Result<groups::list_all::Response, Error> {
        self.send(request).await
    }

    /// Every private group on the server, through `groups.listAll`, a page of 100 at a time,
    /// sorted by name: see [`Pages`] for when it ends, and for what happens when groups come
    /// and go while it pages. Needs what [`Client::groups_list_all`] needs.
    pub fn groups_list_all_stream(&self) -> Pages<Room> {
        self.pages(
            groups::list_all::MAX_COUNT,
            |offset, count| groups::list_all::Request::new().offset(offset).count(count),
            |page| Page {
                items: page.groups,
                total: page.total,
            },
        )
    }

    /// A [`Pages`] stream through the paged endpoint `E`, `page_size` items a call:
    /// `request(offset, count)` makes each call's request, `page` takes the items and the
    /// total out of its answer.
    fn pages<E, T>(
        &self,
        page_size: u64,
        request: impl Fn(u64, u64) -> E + Send + 'static,
        page: fn(E::Response) -> Page<T>,
    ) -> Pages<T>
    where
        E: Endpoint + Send + Sync + 'static,
        T: Send + 'static,
    {
        let client = self.clone();
        let fetch = move |offset, count| {
            let client = client.clone();
            let request = request(offset, count);
            async move { Ok(page(client.send(&request).await?)) }
        };
        Pages::new(E::METADATA.name, page_size, fetch)
    }

    /// `POST /api/v1/groups.addModerator`: makes a member a moderator of the group (the
    /// caller needs `set-moderator` in it, as owners have). Not retried once sent: see
    /// [`crate::retry`].
    ///
    /// Rocket.Chat answers `error-user-already-moderator` when the member is one already, and
    /// `error-user-not-in-room` when the user is not a member.
    pub async fn groups_add_moderator(
        &self,
        request: &groups::add_moderator::Request,
    ) -> Result<groups::add_moderator::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.removeModerator`: takes the moderator role from a member of the
    /// group (the caller needs `set-moderator` in it). Not retried once sent: see
    /// [`crate::retry`].
    ///
    /// Rocket.Chat answers `error-user-not-moderator` when the member is not one.
    pub async fn groups_remove_moderator(
        &self,
        request: &groups::remove_moderator::Request,
    ) -> Result<groups::remove_moderator::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.addOwner`: makes a member an owner of the group (the caller needs
    /// `set-owner` in it, as owners have). Not retried once sent: see [`crate::retry`].
    ///
    /// Rocket.Chat answers `error-user-already-owner` when the member is one already, and
    /// `error-user-not-in-room` when the user is not a member.
    pub async fn groups_add_owner(
        &self,
        request: &groups::add_owner::Request,
    ) -> Result<groups::add_owner::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.removeOwner`: takes the owner role from a member of the group (the
    /// caller needs `set-owner` in it). Not retried once sent: see [`crate::retry`].
    ///
    /// Rocket.Chat answers `error-user-not-owner` when the member is not one, and
    /// `error-remove-last-owner` when the group has no other owner.
    pub async fn groups_remove_owner(
        &self,
        request: &groups::remove_owner::Request,
    ) -> Result<groups::remove_owner::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.kick`: removes a member from the group (the caller needs
    /// `remove-user` in it, as owners and moderators have). Not retried once sent: see
    /// [`crate::retry`].
    ///
    /// Rocket.Chat answers `error-user-not-in-room` when the user is not a member, and
    /// `error-you-are-last-owner` when the member is the group's only owner.
    pub async fn groups_kick(
        &self,
        request: &groups::kick::Request,
    ) -> Result<groups::kick::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.leave`: the caller leaves the group. Not retried once sent: see
    /// [`crate::retry`].
    ///
    /// Rocket.Chat answers `error-you-are-last-owner` when the caller is the group's only
    /// owner (make someone else an owner first, or delete the group), and `error-not-allowed`
    /// to guests, who may not leave private groups.
    pub async fn groups_leave(
        &self,
        request: &groups::leave::Request,
    ) -> Result<groups::leave::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.delete`: deletes the group with its messages and memberships (the
    /// caller needs `delete-p` in it, as owners have). Not retried once sent: see
    /// [`crate::retry`].
    ///
    /// Afterwards the group is gone for everyone: calls naming it are answered
    /// `error-room-not-found`.
    pub async fn groups_delete(
        &self,
        request: &groups::delete::Request,
    ) -> Result<groups::delete::Response, Error> {
        self.send(request).await
    }

    /// `POST /api/v1/groups.invite`: adds users to a private group.
    ///
    /// Safe to retry: inviting a member again changes nothing.
    pub async fn groups_invite(
        &self,
        request: &invite::Request,
    ) -> Result<invite::Response, Error> {
        self.send(request).await
    }

    /// Invites users by username (matched case-insensitively by the server), in one call.
    ///
    /// One name is sent as `username` and several as `usernames`, so that servers older than
    /// 3.0, which take one user per call, understand a single invite. Fails with
    /// [`Error::InvalidRequest`], sending nothing, when the list is empty or a name is blank.
    /// For a long list, [`Client::bulk_invite`] sends it in batches.
    ///
    /// ```no_run
    /// # async fn run(client: rocketchat_client::Client) -> Result<(), rocketchat_client::Error> {
    /// use rocketchat_client::RoomSelector;
    ///
    /// let response = client
    ///     .invite_usernames(RoomSelector::name("private-abc"), ["john.doe", "jane.doe"])
    ///     .await?;
    /// println!("{} members now", response.group.users_count.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn invite_usernames<I, S>(
        &self,
        room: RoomSelector,
        usernames: I,
    ) -> Result<invite::Response, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names = usernames.into_iter().map(Into::into).collect();
        self.invite(room, bulk::invitees(LookupMode::Usernames, names))
            .await
    }

    /// Invites users by id; one id is sent as `userId` and several as `userIds`.
    ///
    /// Fails with [`Error::InvalidRequest`], sending nothing, when the list is empty or an id is
    /// blank.
    pub async fn invite_user_ids<I, S>(
        &self,
        room: RoomSelector,
        user_ids: I,
    ) -> Result<invite::Response, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = user_ids.into_iter().map(Into::into).collect();
        self.invite(room, bulk::invitees(LookupMode::Ids, ids))
            .await
    }

    /// Sends a long list of users in batches, one `groups.invite` call each, adding up what
    /// happened; see [`BulkInvite`] for what it does when a batch fails.
    ///
    /// Sends nothing until [`BulkInvite::next_batch`] is called. The entries go as given: drop
    /// repeats first if they matter (two entries name the same user when their
    /// [`LookupMode::key`]s are equal).
    ///
    /// ```no_run
    /// # async fn run(client: rocketchat_client::Client) {
    /// use rocketchat_client::{Invitees, RoomSelector, bulk::BatchOutcome};
    ///
    /// let names: Vec<String> = (1..=2000).map(|n| format!("user{n}")).collect();
    /// let mut bulk = client
    ///     .bulk_invite(RoomSelector::name("team"), Invitees::usernames(names))
    ///     .batch_size(500);
    /// while let Some(batch) = bulk.next_batch().await {
    ///     if let BatchOutcome::Failed(error) = &batch.outcome {
    ///         eprintln!("batch {} failed: {error}", batch.number);
    ///     }
    /// }
    /// let report = bulk.finish();
    /// println!("{} added, {} not found", report.outcomes.added, report.outcomes.not_found);
    /// # }
    /// ```
    pub fn bulk_invite(&self, room: RoomSelector, invitees: Invitees) -> BulkInvite {
        BulkInvite::new(self.clone(), room, invitees)
    }

    async fn invite(
        &self,
        room: RoomSelector,
        invitees: Invitees,
    ) -> Result<invite::Response, Error> {
        let request = invite::Request::new(room, invitees).map_err(Error::InvalidRequest)?;
        self.groups_invite(&request).await
    }

    /// Sends a request with retries, logging in first (and once more after a 401) when the
    /// client holds a password. Answers only 2xx; any other status is an error.
    ///
    /// Runs in the call's span (see [`call_span`]), so that every event on the way, retries
    /// and logins included, names the endpoint.
    async fn execute<E: Endpoint>(&self, request: &E) -> Result<Answer, Error> {
        self.execute_in_span(request)
            .instrument(call_span(&E::METADATA))
            .await
    }

    async fn execute_in_span<E: Endpoint>(&self, request: &E) -> Result<Answer, Error> {
        let prepared = Prepared::new(request)?;
        if !prepared.authentication {
            return self.with_retries(&prepared, None).await;
        }
        let session = self.current_session().await?;
        match self.with_retries(&prepared, session.as_ref()).await {
            // A 401 with a password at hand: the token expired or was revoked. The server
            // refused before acting, so logging in again and repeating is safe for any call.
            Err(Error::Unauthorized { .. })
                if matches!(self.inner.credentials, Some(Credentials::Password { .. })) =>
            {
                tracing::debug!("401; logging in again");
                let session = self.relogin(session.as_ref()).await?;
                self.with_retries(&prepared, Some(&session)).await
            }
            other => other,
        }
    }

    /// Sends a prepared request, repeating it as the retry policy allows.
    async fn with_retries(
        &self,
        prepared: &Prepared,
        session: Option<&Session>,
    ) -> Result<Answer, Error> {
        let mut retry = 0;
        loop {
            let (error, server_wait) = match self.attempt(prepared, session).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            retry += 1;
            let Some(wait) =
                self.inner
                    .retry
                    .next_wait(&error, server_wait, retry, prepared.repeatable)
            else {
                return Err(error);
            };
            tracing::warn!(
                retry,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                %error,
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP exchange. A failure comes with the wait the server's `Retry-After` asked for,
    /// if any (a 429's other hints are in its [`Error::RateLimited`]).
    async fn attempt(
        &self,
        prepared: &Prepared,
        session: Option<&Session>,
    ) -> Result<Answer, (Error, Option<Duration>)> {
        let local = |error: Error| (error, None);
        let url = format!("{}{}", self.inner.base, prepared.path_and_query);
        let mut builder = match &prepared.body {
            None => self.inner.http.get(&url),
            Some(body) => self
                .inner
                .http
                .post(&url)
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone()),
        }
        .timeout(self.inner.timeout)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(USER_AGENT, self.inner.user_agent.clone());
        if let Some(session) = session {
            let mut token = HeaderValue::from_str(session.auth_token.expose()).map_err(|_| {
                local(Error::Config(
                    "the auth token is not a valid header value".into(),
                ))
            })?;
            token.set_sensitive(true);
            let user_id = HeaderValue::from_str(&session.user_id).map_err(|_| {
                local(Error::Config(
                    "the user id is not a valid header value".into(),
                ))
            })?;
            builder = builder
                .header("X-Auth-Token", token)
                .header("X-User-Id", user_id);
        }
        let request = builder
            .build()
            .map_err(|error| local(Error::from_reqwest(error)))?;
        let sent_to = request.url().clone();
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(|error| local(Error::from_reqwest(error)))?;
        let status = response.status().as_u16();
        if response.url() != &sent_to {
            // An injected client followed a redirect: the request, token and all, went on to
            // another address, and its answer is not the one asked for.
            let location = without_password(response.url().as_str());
            tracing::debug!(status, %location, "redirected");
            return Err(local(Error::Redirect {
                status,
                location: Some(location),
            }));
        }
        // An error answer's headers say how long to wait; a success's are not needed.
        let headers = (!(200..300).contains(&status)).then(|| response.headers().clone());
        let body = response
            .bytes()
            .await
            .map_err(|error| local(Error::from_reqwest(error)))?
            .to_vec();
        tracing::debug!(status, "answered");
        match headers {
            None => Ok(Answer { status, body }),
            Some(headers) => {
                let error = Error::from_answer(status, &body, &headers);
                Err((error, retry::retry_after(&headers)))
            }
        }
    }

    fn read_session(&self) -> std::sync::RwLockReadGuard<'_, Option<Session>> {
        self.inner
            .session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write_session(&self) -> std::sync::RwLockWriteGuard<'_, Option<Session>> {
        self.inner
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The session to authenticate with, logging in first when the client holds a password
    /// and has no token yet.
    async fn current_session(&self) -> Result<Option<Session>, Error> {
        if let Some(session) = self.session() {
            return Ok(Some(session));
        }
        let Some(Credentials::Password { .. }) = &self.inner.credentials else {
            return Ok(None);
        };
        let _guard = self.inner.login_lock.lock().await;
        if let Some(session) = self.session() {
            return Ok(Some(session));
        }
        self.password_login().await.map(Some)
    }

    /// Logs in again after `stale` was refused, unless another task already did.
    async fn relogin(&self, stale: Option<&Session>) -> Result<Session, Error> {
        let _guard = self.inner.login_lock.lock().await;
        if let Some(session) = self.session().filter(|s| Some(s) != stale) {
            return Ok(session);
        }
        self.password_login().await
    }

    /// Logs in with the password, in a span of its own (inside the call that needs it).
    async fn password_login(&self) -> Result<Session, Error> {
        let Some(Credentials::Password { user, password }) = &self.inner.credentials else {
            return Err(Error::Config("no password to log in with".to_owned()));
        };
        let request = if user.contains('@') {
            login::Request::email(user.clone(), password.expose())
        } else {
            login::Request::username(user.clone(), password.expose())
        };
        async {
            let answer = self.with_retries(&Prepared::new(&request)?, None).await?;
            let session = session_of(&decode_answer::<login::Request>(&answer)?);
            *self.write_session() = Some(session.clone());
            tracing::debug!(user_id = %session.user_id, "logged in");
            Ok(session)
        }
        .instrument(call_span(&login::METADATA))
        .await
    }
}

/// `url` with the password of its user part, if any, masked: for messages and `Debug`.
fn without_password(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The span a call runs in: `rocketchat`, at INFO, with the endpoint's name and method.
///
/// A password login that a call needs first runs in a span of its own, inside the call's.
fn call_span(metadata: &Metadata) -> tracing::Span {
    tracing::info_span!(
        "rocketchat",
        endpoint = metadata.name,
        method = metadata.method.as_str()
    )
}

/// A request serialised once, ready to be sent as often as the retry policy allows.
struct Prepared {
    /// The path, plus the query string of a `GET`.
    path_and_query: String,
    /// The JSON body of a `POST`.
    body: Option<Vec<u8>>,
    authentication: bool,
    repeatable: bool,
}

impl Prepared {
    fn new<E: Endpoint>(request: &E) -> Result<Self, Error> {
        let metadata = &E::METADATA;
        let mut path_and_query = metadata.path.to_owned();
        let body = match metadata.method {
            Method::Get => {
                let query = serde_urlencoded::to_string(request).map_err(|error| {
                    Error::InvalidRequest(ApiError::invalid_params(format!(
                        "{} query did not serialise: {error}",
                        metadata.name
                    )))
                })?;
                if !query.is_empty() {
                    path_and_query.push('?');
                    path_and_query.push_str(&query);
                }
                None
            }
            Method::Post => Some(serde_json::to_vec(request).map_err(|error| {
                Error::InvalidRequest(ApiError::invalid_params(format!(
                    "{} body did not serialise: {error}",
                    metadata.name
                )))
            })?),
        };
        Ok(Self {
            path_and_query,
            body,
            authentication: metadata.authentication,
            repeatable: is_repeatable(metadata),
        })
    }
}

fn session_of(response: &login::Response) -> Session {
    Session {
        user_id: response.data.user_id.clone(),
        auth_token: response.data.auth_token.clone().into(),
    }
}

/// Decodes an endpoint's answer; for one that may hold a secret, a body that does not decode is
/// [`withheld`].
fn decode_answer<E: Endpoint>(answer: &Answer) -> Result<E::Response, Error> {
    if E::METADATA.secret_in_response {
        decode(answer).map_err(withheld)
    } else {
        decode(answer)
    }
}

fn decode<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, Error> {
    serde_json::from_slice(&answer.body).map_err(|source| Error::Decode {
        status: answer.status,
        body: String::from_utf8_lossy(&answer.body).into_owned(),
        source,
    })
}

/// For an answer that may hold a secret (a login's token): a body that did not decode is not
/// kept in the error, which may end up in logs.
fn withheld(error: Error) -> Error {
    match error {
        Error::Decode { status, source, .. } => Error::Decode {
            status,
            body: WITHHELD.to_owned(),
            source,
        },
        other => other,
    }
}

/// What [`Error::Decode`] holds instead of an answer that may hold a secret. The text names the
/// one such answer there is.
const WITHHELD: &str = "[withheld: a login answer may hold a token]";

#[cfg(test)]
mod tests {
    /// Depending on this crate must not break other reqwest clients in the same program: a TLS
    /// feature without a crypto provider made every plain `reqwest::Client::new()` panic.
    #[test]
    fn a_plain_reqwest_client_still_builds_beside_ours() {
        let ours = super::Client::builder()
            .base_url("https://chat.example.com")
            .build();
        assert!(ours.is_ok());
        let _theirs = reqwest::Client::new();
    }

    #[test]
    fn a_password_in_the_base_url_is_never_shown() {
        let client = super::Client::builder()
            .base_url("https://proxy:s3cret@chat.example.com/")
            .build()
            .unwrap();
        let debug = format!("{client:?}");
        assert!(
            debug.contains("https://proxy:***@chat.example.com"),
            "{debug}"
        );
        assert!(!debug.contains("s3cret"), "{debug}");
        let error = super::Client::builder()
            .base_url("ftp://proxy:s3cret@chat.example.com/")
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid client configuration: the base URL \"ftp://proxy:***@chat.example.com/\" \
             must start with http:// or https://"
        );
    }
}
