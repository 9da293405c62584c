//! Accounts and tokens made without HTTP: the first admin, `--demo`, and the test helpers.

use crate::http::AppState;
use crate::store::{NewUser, StoreError};
use crate::{Error, util};

/// An account to create.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub(crate) username: String,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) email_verified: bool,
    pub(crate) password: String,
    pub(crate) roles: Vec<String>,
    /// `user`, `bot` or `app`.
    pub(crate) user_type: &'static str,
    pub(crate) active: bool,
}

impl Account {
    /// A plain user: role `user`, the e-mail `<username>@example.com`, active.
    pub(crate) fn user(username: &str, password: &str) -> Self {
        Self {
            username: username.to_owned(),
            name: username.to_owned(),
            email: Some(format!("{username}@example.com")),
            email_verified: false,
            password: password.to_owned(),
            roles: vec!["user".to_owned()],
            user_type: "user",
            active: true,
        }
    }

    /// The account as the store creates it, its password hashed as Rocket.Chat hashes it.
    pub(crate) async fn hashed(self, bcrypt_cost: u32) -> Result<NewUser, Error> {
        let hash = util::hash_password_blocking(self.password, bcrypt_cost)
            .await
            .map_err(Error::Internal)?;
        Ok(NewUser {
            id: None,
            username: self.username,
            name: self.name,
            email: self.email,
            email_verified: self.email_verified,
            password_hash: Some(hash),
            roles: self.roles,
            user_type: self.user_type.to_owned(),
            active: self.active,
        })
    }

    /// Creates the account and returns its id.
    pub(crate) async fn create(self, state: &AppState) -> Result<String, Error> {
        let user = self.hashed(state.config().bcrypt_cost).await?;
        Ok(state.store().create_user(user).await?.id)
    }

    /// Creates the account, unless its username or e-mail address is taken already (by
    /// another instance starting at the same moment, say); its id if it was created.
    pub(crate) async fn create_unless_taken(
        self,
        state: &AppState,
    ) -> Result<Option<String>, Error> {
        let user = self.hashed(state.config().bcrypt_cost).await?;
        match state.store().create_user(user).await {
            Ok(user) => Ok(Some(user.id)),
            Err(StoreError::Conflict { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}

/// Gives a user a new login token, as a login would, and returns it.
pub(crate) async fn issue_token(state: &AppState, user_id: &str) -> Result<String, Error> {
    let token = util::new_token();
    state
        .store()
        .add_login_token(user_id.to_owned(), util::hash_token(&token))
        .await?;
    Ok(token)
}
