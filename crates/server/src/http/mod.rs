//! The HTTP layer: routes, authentication, rate limiting, body limits, timeouts and the
//! headers every answer carries. Thin: each handler reads its request, asks the store, and
//! shapes the answer with the protocol crate's types.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use rocketchat_protocol::ApiError;
use rocketchat_protocol::endpoint::{self, Metadata, Method};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::Config;
use crate::domain::{Permission, UserRecord};
use crate::store::{LoginIdentity, Store, StoreError};

pub mod error;
pub mod extract;
mod handlers;
mod rate_limit;

pub use error::HttpError;
pub use extract::{Auth, JsonBody, Params};
pub use handlers::VERSION;
use rate_limit::{Key, RateLimiter, Verdict};

/// How long an authenticated token is remembered before the store is asked again.
const AUTH_CACHE_TTL: Duration = Duration::from_secs(30);
/// The most remembered tokens.
const AUTH_CACHE_SIZE: usize = 65_536;

/// Everything a handler needs: the store and the settings. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    config: Config,
    root_url: String,
    limiter: RateLimiter,
    login_limiter: RateLimiter,
    auth_cache: Mutex<HashMap<(String, String), (UserRecord, Instant)>>,
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
    pub fn new(config: Config, store: Arc<dyn Store>) -> Self {
        let root_url = config
            .root_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{}", config.bind_ip, config.port));
        let window = config.rate_limit_window();
        Self {
            inner: Arc::new(Inner {
                limiter: RateLimiter::new(config.rate_limit_calls, window),
                login_limiter: RateLimiter::new(config.login_attempts_limit, window),
                store,
                config,
                root_url,
                auth_cache: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The public URL, for `avatarUrl`.
    pub fn root_url(&self) -> &str {
        &self.inner.root_url
    }

    async fn auth_cached(
        &self,
        user_id: &str,
        hashed_token: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let key = (user_id.to_owned(), hashed_token.to_owned());
        if let Ok(cache) = self.inner.auth_cache.lock()
            && let Some((user, at)) = cache.get(&key)
            && at.elapsed() < AUTH_CACHE_TTL
        {
            return Ok(Some(user.clone()));
        }
        let user = self
            .store()
            .authenticate(key.0.clone(), key.1.clone())
            .await?;
        if let (Some(user), Ok(mut cache)) = (&user, self.inner.auth_cache.lock()) {
            if cache.len() >= AUTH_CACHE_SIZE {
                cache.clear();
            }
            cache.insert(key, (user.clone(), Instant::now()));
        }
        Ok(user)
    }

    fn forget_token(&self, user_id: &str, hashed_token: &str) {
        if let Ok(mut cache) = self.inner.auth_cache.lock() {
            cache.remove(&(user_id.to_owned(), hashed_token.to_owned()));
        }
    }

    fn login_throttle(&self, identity: &LoginIdentity) -> Option<(&RateLimiter, Key)> {
        (self.inner.config.login_attempts_limit > 0)
            .then(|| (&self.inner.login_limiter, handlers::login_key(identity)))
    }
}

/// The router for every endpoint, with its middleware.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for metadata in endpoint::ALL {
        let handler: MethodRouter<AppState> = match metadata.name {
            "info" => get(handlers::info),
            "login" => post(handlers::login),
            "logout" => post(handlers::logout).get(handlers::logout),
            "me" => get(handlers::me),
            "users.create" => post(handlers::create_user),
            "groups.create" => post(handlers::create_group),
            "groups.info" => get(handlers::group_info),
            "groups.members" => get(handlers::group_members),
            "groups.history" => get(handlers::group_history),
            "groups.addModerator" => post(handlers::add_moderator),
            "groups.invite" => post(handlers::invite),
            other => {
                tracing::warn!(endpoint = other, "no handler for a protocol endpoint");
                continue;
            }
        };
        let guarded = handler
            .fallback(not_found)
            .route_layer(middleware::from_fn_with_state(
                (state.clone(), metadata),
                guard,
            ));
        router = router.route(metadata.path, guarded);
    }
    let body_limit = state.config().max_request_body_bytes;
    let timeout = state.config().request_timeout();
    router
        .fallback(not_found)
        .with_state(state)
        // The middleware below has read the body within the limit; axum's own default cap
        // (2 MiB) must not apply a second, different one.
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(
            move |request: Request, next: Next| async move {
                let answer = async {
                    match read_whole_body(request, body_limit).await {
                        Ok(request) if request.extensions().get::<BodyTooLarge>().is_some() => {
                            closing(next.run(request).await)
                        }
                        Ok(request) => next.run(request).await,
                        Err(error) => closing(error.into_response()),
                    }
                };
                let mut response = match tokio::time::timeout(timeout, answer).await {
                    Ok(response) => response,
                    Err(_) => closing(HttpError::Timeout.into_response()),
                };
                let headers = response.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
                response
            },
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Reads the whole request body before routing, within the body limit.
///
/// Every answer then leaves the connection ready for the client's next call, including the
/// ones given before a handler looks at the body (401, 429, 404, or `logout`, which ignores it).
/// hyper closes a keep-alive connection whose request body was left unread, and a client that
/// reuses it, as `requests` and most HTTP libraries do, sees it drop without an answer.
///
/// A body over the limit is not read further; the request goes on without it, marked with
/// [`BodyTooLarge`], so that authentication and the rate limit still answer first (as in
/// Rocket.Chat) and the guard then answers 413.
async fn read_whole_body(request: Request, limit: usize) -> Result<Request, HttpError> {
    let (mut parts, body) = request.into_parts();
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, Body::from(collected.to_bytes()))),
        Err(error) if error.is::<LengthLimitError>() => {
            parts.extensions.insert(BodyTooLarge(limit));
            Ok(Request::from_parts(parts, Body::empty()))
        }
        Err(error) => Err(HttpError::Api(ApiError::invalid_params(format!(
            "the request body could not be read: {error}"
        )))),
    }
}

/// Marks a request whose body was over the limit (the limit, for the 413 message).
#[derive(Clone, Copy, Debug)]
struct BodyTooLarge(usize);

/// Marks an answer given before the body was read to its end: the connection cannot carry
/// another call, and the client is told so instead of finding out from a dropped connection.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

async fn not_found() -> HttpError {
    HttpError::NotFound
}

/// Authentication first (401), then the rate limit (429), then the body limit (413), then the
/// handler; the rate-limit headers go on the answer.
async fn guard(
    State((state, metadata)): State<(AppState, &'static Metadata)>,
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
            method: method_name(metadata.method),
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

fn method_name(method: Method) -> &'static str {
    method.as_str()
}
