//! The HTTP layer: routes, authentication, rate limiting, body limits, timeouts and the
//! headers every answer carries. Thin: each handler reads its request, asks the store, and
//! shapes the answer with the protocol crate's types.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use rocketchat_protocol::endpoint::{Endpoint, Metadata, Method};
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::Config;
use crate::domain::{Permission, UserRecord, tokens};
use crate::store::{LoginIdentity, SessionEvent, Store, StoreError};

mod auth_cache;
mod error;
mod extract;
mod handlers;
mod layers;
mod rate_limit;

use auth_cache::AuthCache;
pub(crate) use error::HttpError;
use layers::BodyTooLarge;
use rate_limit::{Key, RateLimiter, Verdict};

/// Everything a handler needs: the store and the settings. Cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    config: Config,
    root_url: String,
    limiter: RateLimiter,
    login_limiter: RateLimiter,
    auth_cache: AuthCache,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `store` with these settings.
    pub(crate) fn new(config: Config, store: Arc<dyn Store>) -> Self {
        let root_url = config
            .root_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{}", config.bind_ip, config.port));
        let window = config.rate_limit_window();
        let events = store.session_events();
        let state = Self {
            inner: Arc::new(Inner {
                limiter: RateLimiter::new(config.rate_limit_calls, window),
                login_limiter: RateLimiter::new(config.login_attempts_limit, window),
                store,
                config,
                root_url,
                // A store that reports other instances' logouts says when it hears them.
                auth_cache: AuthCache::new(events.is_none()),
            }),
        };
        if let Some(events) = events {
            tokio::spawn(forget_sessions(Arc::downgrade(&state.inner), events));
        }
        state
    }

    /// The store.
    pub(crate) fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// The settings.
    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The address the server listens on, as `bind_ip` and `port` say once bound.
    pub(crate) fn local_addr(&self) -> SocketAddr {
        SocketAddr::new(self.inner.config.bind_ip, self.inner.config.port)
    }

    /// The public URL, for `avatarUrl`.
    pub(crate) fn root_url(&self) -> &str {
        &self.inner.root_url
    }

    /// Lets go of this handle on the store; when it is the last, the store closes (committing
    /// what is queued and joining its threads) on the blocking pool, off the runtime's threads.
    pub(crate) async fn close(self) {
        let _ = tokio::task::spawn_blocking(move || drop(self)).await;
    }

    async fn auth_cached(
        &self,
        user_id: &str,
        hashed_token: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let key = (user_id.to_owned(), hashed_token.to_owned());
        let ticket = match self.inner.auth_cache.get(&key) {
            Ok(user) => return Ok(Some(user)),
            Err(ticket) => ticket,
        };
        let Some(holder) = self
            .store()
            .authenticate(key.0.clone(), key.1.clone())
            .await?
        else {
            return Ok(None);
        };
        let Some(valid_for) = self.token_time_left(&holder.issued_at) else {
            return Ok(None);
        };
        self.inner
            .auth_cache
            .remember(ticket, key, holder.user.clone(), valid_for);
        Ok(Some(holder.user))
    }

    /// How much longer a token handed out at `issued_at` is valid; `None` once it expired.
    fn token_time_left(&self, issued_at: &str) -> Option<std::time::Duration> {
        tokens::remaining(
            issued_at,
            self.inner.config.login_expiration(),
            time::OffsetDateTime::now_utc(),
        )
    }

    fn forget_token(&self, user_id: &str, hashed_token: &str) {
        self.inner
            .auth_cache
            .forget(&(user_id.to_owned(), hashed_token.to_owned()));
    }

    fn login_throttle(&self, identity: &LoginIdentity) -> Option<(&RateLimiter, Key)> {
        (self.inner.config.login_attempts_limit > 0)
            .then(|| (&self.inner.login_limiter, handlers::login_key(identity)))
    }
}

/// Keeps the token cache true to what other instances do: a token logged out anywhere is
/// forgotten here at once, and nothing is remembered while events may be missed. Ends with the
/// state.
async fn forget_sessions(
    state: std::sync::Weak<Inner>,
    mut events: tokio::sync::mpsc::UnboundedReceiver<SessionEvent>,
) {
    while let Some(event) = events.recv().await {
        let Some(inner) = state.upgrade() else {
            return;
        };
        match event {
            SessionEvent::LoggedOut {
                user_id,
                hashed_token,
            } => inner.auth_cache.forget(&(user_id, hashed_token)),
            SessionEvent::Listening => inner.auth_cache.listening(),
            SessionEvent::Lost => inner.auth_cache.deafened(),
        }
    }
}

/// One endpoint's route: its metadata and its handler, for the method the metadata names.
struct Route {
    metadata: Metadata,
    handler: MethodRouter<AppState>,
}

impl Route {
    /// The route of endpoint `E`: its path and method come from `E::METADATA`, so that they
    /// are written once, in the protocol crate.
    fn to<E: Endpoint, H: Handler<T, AppState>, T: 'static>(handler: H) -> Self {
        let handler = match E::METADATA.method {
            Method::Get => get(handler),
            Method::Post => post(handler),
        };
        Self {
            metadata: E::METADATA,
            handler,
        }
    }

    /// Also answers `GET`, as Rocket.Chat's `logout` still does (deprecated).
    fn also_get<H: Handler<T, AppState>, T: 'static>(mut self, handler: H) -> Self {
        self.handler = self.handler.get(handler);
        self
    }
}

/// Every endpoint the server answers. A test checks that it is exactly the protocol crate's
/// [`endpoint::ALL`], so that an endpoint without a handler fails the tests.
fn routes() -> Vec<Route> {
    use rocketchat_protocol::{groups, info, login, logout, me, users};
    vec![
        Route::to::<info::Request, _, _>(handlers::info),
        Route::to::<login::Request, _, _>(handlers::login),
        Route::to::<logout::Request, _, _>(handlers::logout).also_get(handlers::logout),
        Route::to::<me::Request, _, _>(handlers::me),
        Route::to::<users::create::Request, _, _>(handlers::create_user),
        Route::to::<groups::create::Request, _, _>(handlers::create_group),
        Route::to::<groups::info::Request, _, _>(handlers::group_info),
        Route::to::<groups::members::Request, _, _>(handlers::group_members),
        Route::to::<groups::history::Request, _, _>(handlers::group_history),
        Route::to::<groups::roles::Request, _, _>(handlers::group_roles),
        Route::to::<groups::list::Request, _, _>(handlers::list_groups_of_caller),
        Route::to::<groups::list_all::Request, _, _>(handlers::list_all_groups),
        Route::to::<groups::add_moderator::Request, _, _>(handlers::add_moderator),
        Route::to::<groups::remove_moderator::Request, _, _>(handlers::remove_moderator),
        Route::to::<groups::add_owner::Request, _, _>(handlers::add_owner),
        Route::to::<groups::remove_owner::Request, _, _>(handlers::remove_owner),
        Route::to::<groups::kick::Request, _, _>(handlers::kick),
        Route::to::<groups::leave::Request, _, _>(handlers::leave),
        Route::to::<groups::delete::Request, _, _>(handlers::delete_group),
        Route::to::<users::info::Request, _, _>(handlers::user_info),
        Route::to::<groups::invite::Request, _, _>(handlers::invite),
    ]
}

/// The router for every endpoint, with its middleware (see [`layers`]).
pub(crate) fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for Route { metadata, handler } in routes() {
        let guarded = handler
            .fallback(not_found)
            .route_layer(middleware::from_fn_with_state(
                (state.clone(), metadata),
                guard,
            ));
        router = router.route(metadata.path, guarded);
    }
    let config = state.config();
    let middleware = ServiceBuilder::new()
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                // `log_errors` logs failures, with their causes.
                .on_failure(()),
        )
        .layer(middleware::from_fn(layers::log_errors))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::PRAGMA,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn_with_state(
            config.request_timeout(),
            layers::request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            config.max_request_body_bytes,
            layers::read_body,
        ))
        // `read_body` has read the body within the limit; axum's own default cap (2 MiB)
        // must not apply a second, different one.
        .layer(DefaultBodyLimit::max(config.max_request_body_bytes));
    router
        .fallback(not_found)
        .with_state(state)
        .layer(middleware)
}

async fn not_found() -> HttpError {
    HttpError::NotFound
}

/// Authentication first (401), then the rate limit (429), then the body limit (413), then the
/// handler; the rate-limit headers go on the answer.
async fn guard(
    State((state, metadata)): State<(AppState, Metadata)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let auth = if metadata.authentication {
        match extract::authenticate(&state, &parts).await {
            Ok(auth) => Some(auth),
            Err(error) => return error.into_response(),
        }
    } else {
        None
    };
    let exempt = auth
        .as_ref()
        .is_some_and(|auth| Permission::ApiBypassRateLimit.granted_globally(&auth.user.roles));
    let mut limit_headers = None;
    if metadata.rate_limited && state.config().rate_limiter && !exempt {
        let key = Key {
            ip: extract::client_ip(&parts),
            route: metadata.path.into(),
            method: metadata.method.as_str(),
        };
        match state.inner.limiter.hit(key) {
            Verdict::Allowed(headers) => limit_headers = Some(headers),
            Verdict::Limited(headers, seconds) => {
                return HttpError::TooManyRequests { seconds, headers }.into_response();
            }
        }
    }
    if let Some(BodyTooLarge(limit)) = parts.extensions.get::<BodyTooLarge>() {
        let mut response = HttpError::PayloadTooLarge(*limit).into_response();
        if let Some(headers) = limit_headers {
            response.headers_mut().extend(headers);
        }
        return response;
    }
    if let Some(auth) = auth {
        parts.extensions.insert(auth);
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(headers) = limit_headers {
        response.headers_mut().extend(headers);
    }
    response
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rocketchat_protocol::endpoint;

    use super::*;

    #[test]
    fn every_protocol_endpoint_has_exactly_one_route() {
        let routed: Vec<(&str, Method)> = routes()
            .iter()
            .map(|route| (route.metadata.path, route.metadata.method))
            .collect();
        let described: Vec<(&str, Method)> = endpoint::ALL
            .iter()
            .map(|endpoint| (endpoint.path, endpoint.method))
            .collect();
        assert_eq!(
            routed.iter().map(|r| r.0).collect::<BTreeSet<_>>(),
            described.iter().map(|d| d.0).collect::<BTreeSet<_>>()
        );
        assert_eq!(routed.len(), described.len(), "a path is routed twice");
        for route in &routed {
            assert!(described.contains(route), "{route:?}");
        }
    }
}
