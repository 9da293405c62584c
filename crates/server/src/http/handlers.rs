//! One handler per endpoint: read the request, ask the store, shape the answer.

use axum::Json;
use axum::extract::State;
use rocketchat_protocol::groups::invite::RawRequest;
use rocketchat_protocol::groups::{
    self, MemberRawRequest, RoomQuery, RoomRawRequest, RoomSelector,
};
use rocketchat_protocol::info::{self, ClientVersions};
use rocketchat_protocol::login::{self, Identity, LoginData, PasswordLogin, ResumeLogin};
use rocketchat_protocol::query::{Sort, SortDirection};
use rocketchat_protocol::users::info::{InfoQueryError, UserLookup};
use rocketchat_protocol::{
    ApiError, ErrorKind, PlainError, Success, UnauthorizedError, logout, me, users,
};
use serde_json::{Value, json};

use super::AppState;
use super::error::HttpError;
use super::extract::{Auth, JsonBody, Params};
use super::rate_limit::Key;
use crate::domain::groups::{
    Page, check_readable, group_order, may_list_all_groups, may_list_members, valid_room_name,
};
use crate::domain::membership::RoleChange;
use crate::domain::{
    Membership, MembershipRow, MessageRecord, Permission, RoomRecord, UserRecord, text, tokens,
};
use crate::service::{self, Invite, MemberCall, NewGroup};
use crate::store::{LoginIdentity, NewUser};
use crate::util;
use rocketchat_protocol::user::username_key;

type Answer<T> = Result<Json<T>, HttpError>;

/// The version this server answers like.
pub(crate) const VERSION: &str = "7.5";

/// `GET /api/info`
pub(crate) async fn info() -> Json<info::Response> {
    let mut response = info::Response::new(VERSION);
    response.minimum_client_versions = Some(ClientVersions::new("3.9.6", "4.39.0"));
    Json(response)
}

pub(crate) fn login_key(identity: &LoginIdentity) -> Key {
    let name = match identity {
        LoginIdentity::Username(name) | LoginIdentity::Email(name) => username_key(name),
    };
    Key {
        ip: None,
        route: format!("login:{name}").into(),
        method: "POST",
    }
}

/// `POST /api/v1/login`: a password login, or the resume of a session by its token.
pub(crate) async fn login(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<login::Request>,
) -> Answer<login::Response> {
    let (user, token) = match request {
        login::Request::Password(request) => password_login(&state, request).await?,
        login::Request::Resume(request) => resume_login(&state, request).await?,
    };
    Ok(Json(login::Response::new(
        LoginData::new(token, &user.id).with_me(user.me(state.root_url())),
    )))
}

/// Rocket.Chat's 401 for a failed login: `error` is the Meteor error's code.
fn login_failed(error: Value, message: &str) -> HttpError {
    HttpError::LoginFailed(UnauthorizedError::login_failed(error, message))
}

/// Checks the password and hands out a new token.
async fn password_login(
    state: &AppState,
    request: PasswordLogin,
) -> Result<(UserRecord, String), HttpError> {
    // Rocket.Chat replaces Meteor's "User not found" with this, so that nobody learns which
    // accounts exist.
    let unknown = || login_failed(json!("Unauthorized"), "Unauthorized");
    let identity = match request.identity() {
        Some(Identity::Username(name)) => LoginIdentity::Username(name.to_owned()),
        Some(Identity::Email(address)) => LoginIdentity::Email(address.to_owned()),
        None => return Err(unknown()),
    };
    // Checked before the account is looked up, so the answer says nothing of whether it exists.
    let digest = request.password.sha256_hex(util::password_digest)?;
    let throttle = state.login_throttle(&identity);
    if let Some((limiter, key)) = &throttle
        && let Some(seconds) = limiter.exhausted(key)
    {
        return Err(HttpError::TooManyRequests {
            seconds,
            headers: Default::default(),
        });
    }
    let fail = |error: HttpError| {
        if let Some((limiter, key)) = &throttle {
            limiter.hit(key.clone());
        }
        Err(error)
    };
    let Some((user, hash)) = state.store().login_user(identity).await? else {
        return fail(unknown());
    };
    let verified = match hash {
        Some(hash) => {
            tokio::task::spawn_blocking(move || util::verify_password_digest(&digest, &hash))
                .await
                .map_err(|error| HttpError::Internal(error.into()))?
        }
        None => false,
    };
    if !verified {
        return fail(login_failed(json!(403), "Incorrect password"));
    }
    if let Some((limiter, key)) = &throttle {
        limiter.clear(key);
    }
    let token = util::new_token();
    state
        .store()
        .add_login_token(user.id.clone(), util::hash_token(&token))
        .await?;
    // Housekeeping: the user's expired tokens go, so that the table holds live ones only.
    let expired = tokens::expired_before(
        state.config().login_expiration(),
        time::OffsetDateTime::now_utc(),
    );
    state
        .store()
        .remove_tokens_issued_before(user.id.clone(), expired)
        .await?;
    Ok((user, token))
}

/// Meteor's resume login: a token that a login handed out, and still valid, is answered with
/// itself and its user; no new token is made.
async fn resume_login(
    state: &AppState,
    request: ResumeLogin,
) -> Result<(UserRecord, String), HttpError> {
    if request.resume.is_empty() {
        // Meteor's resume handler passes on an empty token, and no other handler takes it.
        return Err(login_failed(
            json!(400),
            "Unrecognized options for login request",
        ));
    }
    let holder = state
        .store()
        .token_holder(util::hash_token(&request.resume))
        .await?
        .ok_or_else(|| {
            login_failed(
                json!(403),
                "You've been logged out by the server. Please log in again.",
            )
        })?;
    if state.token_time_left(&holder.issued_at).is_none() {
        return Err(login_failed(
            json!(403),
            "Your session has expired. Please log in again.",
        ));
    }
    Ok((holder.user, request.resume))
}

/// `POST /api/v1/logout`; the body is ignored, so an empty one is fine.
pub(crate) async fn logout(State(state): State<AppState>, auth: Auth) -> Answer<logout::Response> {
    state.forget_token(&auth.user.id, &auth.hashed_token);
    state
        .store()
        .remove_login_token(auth.user.id, auth.hashed_token)
        .await?;
    Ok(Json(logout::Response::logged_out()))
}

/// `GET /api/v1/me`
pub(crate) async fn me(State(state): State<AppState>, auth: Auth) -> Answer<me::Response> {
    Ok(Json(me::Response::new(auth.user.me(state.root_url()))))
}

/// `POST /api/v1/users.create`
pub(crate) async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(request): JsonBody<users::create::Request>,
) -> Answer<users::create::Response> {
    if !Permission::CreateUser.granted_globally(&auth.user.roles) {
        let mut error = ApiError::new(ErrorKind::ActionNotAllowed, "Adding user is not allowed")
            .with_method("insertOrUpdateUser");
        if let Some(details) = &mut error.details {
            details.insert("action".to_owned(), json!("Adding_user"));
        }
        return Err(error.into());
    }
    if !valid_room_name(&request.username) {
        let mut error = ApiError::new(
            ErrorKind::InputIsNotAValidField,
            format!("{} is not a valid username", request.username),
        )
        .with_method("insertOrUpdateUser");
        if let Some(details) = &mut error.details {
            details.insert("input".to_owned(), json!(request.username));
            details.insert("field".to_owned(), json!("Username"));
        }
        return Err(error.into());
    }
    text::storable("name", &request.name)?;
    text::storable("email", &request.email)?;
    for role in request.roles.iter().flatten() {
        text::storable("roles", role)?;
    }
    let email = request.email.trim().to_owned();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(
            ApiError::new(ErrorKind::InvalidEmail, format!("Invalid email {email}"))
                .with_method("insertOrUpdateUser")
                .into(),
        );
    }
    let hash = util::hash_password_blocking(request.password.clone(), state.config().bcrypt_cost)
        .await
        .map_err(HttpError::Internal)?;
    let user = state
        .store()
        .create_user(NewUser {
            id: None,
            username: request.username,
            name: request.name,
            email: Some(email),
            email_verified: request.verified.unwrap_or(false),
            password_hash: Some(hash),
            roles: request.roles.unwrap_or_else(|| vec!["user".to_owned()]),
            user_type: "user".to_owned(),
            active: request.active.unwrap_or(true),
        })
        .await?;
    Ok(Json(users::create::Response::new(user.created())))
}

/// `POST /api/v1/groups.create`
pub(crate) async fn create_group(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<groups::create::RawRequest>,
) -> Answer<groups::create::Response> {
    let request = groups::create::Request::try_from(body).map_err(HttpError::PlainBadRequest)?;
    if let Some(fields) = &request.custom_fields {
        text::storable_json("customFields", fields)?;
    }
    if let Some(extra) = &request.extra_data {
        text::storable_json("extraData", extra)?;
    }
    let room = service::create_group(
        state.store(),
        NewGroup {
            caller: auth.user.caller(),
            name: request.name,
            members: request.members.unwrap_or_default(),
            require_members: false,
            read_only: request.read_only.unwrap_or(false),
            custom_fields: request.custom_fields.unwrap_or_default(),
            extra: request.extra_data.unwrap_or_default(),
            exclude_self: request.exclude_self.unwrap_or(false),
        },
    )
    .await?;
    Ok(Json(groups::create::Response::new(room.to_room())))
}

fn room_query(params: &Params) -> RoomQuery {
    RoomQuery::new(
        params.get("roomId").map(str::to_owned),
        params.get("roomName").map(str::to_owned),
    )
}

/// A private group the caller is a member of, and the caller's membership.
async fn readable_room(
    state: &AppState,
    auth: &Auth,
    selector: RoomSelector,
) -> Result<(RoomRecord, Membership), HttpError> {
    let (room, membership) = state
        .store()
        .room_for(selector, auth.user.id.clone())
        .await?;
    Ok(check_readable(room, membership)?)
}

/// `GET /api/v1/groups.info`
pub(crate) async fn group_info(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Answer<groups::info::Response> {
    let selector = room_query(&params).resolve()?;
    let (room, _) = readable_room(&state, &auth, selector).await?;
    Ok(Json(groups::info::Response::new(room.to_room())))
}

/// `GET /api/v1/groups.members`
pub(crate) async fn group_members(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Answer<groups::members::Response> {
    let selector = room_query(&params).resolve()?;
    let (room, membership) = readable_room(&state, &auth, selector).await?;
    if !may_list_members(&room, &auth.user.roles, &membership) {
        return Err(HttpError::Forbidden);
    }
    let page = Page::from_query(
        params.get("offset"),
        params.get("count"),
        groups::members::DEFAULT_COUNT,
        groups::members::MAX_COUNT,
    )?;
    let (members, total) = state.store().members(room.id, page).await?;
    Ok(Json(groups::members::Response::new(
        members.iter().map(UserRecord::member).collect(),
        page.offset,
        total,
    )))
}

/// `GET /api/v1/groups.roles`
pub(crate) async fn group_roles(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Answer<groups::roles::Response> {
    let selector = room_query(&params).resolve()?;
    let (room, _) = readable_room(&state, &auth, selector).await?;
    let roles = state.store().room_roles(room.id.clone()).await?;
    Ok(Json(groups::roles::Response::new(
        roles
            .into_iter()
            .map(|(id, user, roles)| groups::roles::RoomRoles::new(id, &room.id, user, roles))
            .collect(),
    )))
}

/// `GET /api/v1/groups.history`
pub(crate) async fn group_history(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Answer<groups::history::Response> {
    let selector = room_query(&params).resolve()?;
    let (room, _) = readable_room(&state, &auth, selector).await?;
    let page = Page::from_query(params.get("offset"), params.get("count"), 20, u64::MAX)?;
    let messages = state.store().history(room.id, page).await?;
    Ok(Json(groups::history::Response::new(
        messages.iter().map(MessageRecord::to_message).collect(),
    )))
}

/// A call about one member: the group, and the user (or why none is named).
fn member_call(auth: &Auth, body: &MemberRawRequest) -> Result<MemberCall, HttpError> {
    Ok(MemberCall {
        caller: auth.user.caller(),
        room: body.room()?,
        user: body.user(),
    })
}

/// A room-role route: `groups.addModerator`, `removeModerator`, `addOwner`, `removeOwner`.
async fn change_role(
    state: &AppState,
    auth: &Auth,
    change: RoleChange,
    body: &MemberRawRequest,
) -> Answer<Success> {
    service::change_role(state.store(), change, member_call(auth, body)?).await?;
    Ok(Json(Success::new()))
}

/// `POST /api/v1/groups.addModerator`
pub(crate) async fn add_moderator(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<MemberRawRequest>,
) -> Answer<Success> {
    change_role(&state, &auth, RoleChange::AddModerator, &body).await
}

/// `POST /api/v1/groups.removeModerator`
pub(crate) async fn remove_moderator(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<MemberRawRequest>,
) -> Answer<Success> {
    change_role(&state, &auth, RoleChange::RemoveModerator, &body).await
}

/// `POST /api/v1/groups.addOwner`
pub(crate) async fn add_owner(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<MemberRawRequest>,
) -> Answer<Success> {
    change_role(&state, &auth, RoleChange::AddOwner, &body).await
}

/// `POST /api/v1/groups.removeOwner`
pub(crate) async fn remove_owner(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<MemberRawRequest>,
) -> Answer<Success> {
    change_role(&state, &auth, RoleChange::RemoveOwner, &body).await
}

/// `POST /api/v1/groups.kick`
pub(crate) async fn kick(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<MemberRawRequest>,
) -> Answer<Success> {
    service::kick(state.store(), member_call(&auth, &body)?).await?;
    Ok(Json(Success::new()))
}

/// `POST /api/v1/groups.leave`
pub(crate) async fn leave(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<RoomRawRequest>,
) -> Answer<Success> {
    service::leave(state.store(), &auth.user.caller(), body.room()?).await?;
    Ok(Json(Success::new()))
}

/// `POST /api/v1/groups.delete`
pub(crate) async fn delete_group(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<RoomRawRequest>,
) -> Answer<Success> {
    service::delete_group(state.store(), &auth.user.caller(), body.room()?).await?;
    Ok(Json(Success::new()))
}

/// A page of private groups, `member`'s or all, as `offset`, `count` and `sort` ask.
async fn list_groups(
    state: &AppState,
    params: &Params,
    member: Option<String>,
) -> Answer<groups::list::Response> {
    let sort = match params.get("sort").filter(|sort| !sort.is_empty()) {
        Some(raw) => Some(Sort::parse(raw)?),
        None => None,
    };
    let order = group_order(sort.as_ref().map(|sort| {
        sort.fields()
            .map(|(field, direction)| (field, direction == SortDirection::Descending))
    }));
    let page = Page::from_query(
        params.get("offset"),
        params.get("count"),
        groups::list::DEFAULT_COUNT,
        groups::list::MAX_COUNT,
    )?;
    let (rooms, total) = state.store().groups(member, order, page).await?;
    Ok(Json(groups::list::Response::new(
        rooms.iter().map(RoomRecord::to_room).collect(),
        page.offset,
        total,
    )))
}

/// `GET /api/v1/groups.list`
pub(crate) async fn list_groups_of_caller(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Answer<groups::list::Response> {
    list_groups(&state, &params, Some(auth.user.id)).await
}

/// `GET /api/v1/groups.listAll`
pub(crate) async fn list_all_groups(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Answer<groups::list::Response> {
    if !may_list_all_groups(&auth.user.caller()) {
        return Err(HttpError::PermissionRequired);
    }
    list_groups(&state, &params, None).await
}

/// `GET /api/v1/users.info`
pub(crate) async fn user_info(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Answer<users::info::Response> {
    let lookup = users::info::Query::from_pairs(params.pairs()).map_err(|error| match error {
        InfoQueryError::Invalid(error) => HttpError::Api(error),
        InfoQueryError::EmptyQuery(error) => HttpError::PlainBadRequest(error),
    })?;
    if let Some(value) = params.get("includeUserRooms")
        && !matches!(value, "true" | "false")
    {
        return Err(ApiError::invalid_params(format!(
            "includeUserRooms must be true or false, not {value:?}"
        ))
        .into());
    }
    let caller = &auth.user;
    let not_found = || HttpError::PlainBadRequest(PlainError::user_not_found());
    let (user, themself) = match &lookup {
        UserLookup::UserId(value) | UserLookup::Username(value) => {
            let store = state.store();
            let user = match store.user(value.clone()).await? {
                Some(user) => user,
                None => store
                    .users_named(vec![username_key(value)])
                    .await?
                    .into_iter()
                    .find(|(_, username)| username == value)
                    .map(|(id, _)| store.user(id))
                    .ok_or_else(not_found)?
                    .await?
                    .ok_or_else(not_found)?,
            };
            // Rocket.Chat decides on the parameter as given: the caller's own id as `userId`,
            // or their exact username as `username`.
            let themself = match &lookup {
                UserLookup::UserId(id) => *id == caller.id,
                _ => *value == caller.username,
            };
            (user, themself)
        }
        // Nothing is imported here, so no user has an import id.
        UserLookup::ImportId(_) => return Err(not_found()),
    };
    let full = themself || Permission::ViewFullOtherUserInfo.granted_globally(&caller.roles);
    let mut info = user.info(full);
    if users::info::include_user_rooms(params.pairs())
        && (themself || Permission::ViewOtherUserChannels.granted_globally(&caller.roles))
    {
        let rooms = state.store().memberships_of(user.id.clone()).await?;
        info.other.insert(
            "rooms".to_owned(),
            Value::Array(rooms.iter().map(MembershipRow::to_json).collect()),
        );
    }
    Ok(Json(users::info::Response::new(info)))
}

/// `POST /api/v1/groups.invite`
pub(crate) async fn invite(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(raw): JsonBody<RawRequest>,
) -> Answer<groups::invite::Response> {
    let room = raw.room()?.to_owned();
    let invitees = raw.invitees();
    let limit = state.config().max_invite_users;
    if let Ok(list) = &invitees
        && list.entries.len() > limit
    {
        return Err(ApiError::too_many_invitees(limit).into());
    }
    let invited = service::invite(
        state.store(),
        Invite {
            caller: auth.user.caller(),
            room,
            invitees,
        },
    )
    .await?;
    Ok(Json(
        groups::invite::Response::new(invited.room.to_room()).with_invitees(invited.outcomes),
    ))
}
