//! `--demo`: a small workspace to try the invite on, and the commands to do it.

use crate::store::{LoginIdentity, NewGroup, StoreError};
use crate::testing::{Credentials, issue_token, seed_user};
use crate::{AppState, Error};

/// The users the demo creates, each with the password `<name>-password`.
pub const USERS: &[&str] = &["alice", "bob", "carol", "dave"];

/// The demo group's name.
pub const GROUP: &str = "demo-group";

/// What the demo seeded.
#[derive(Debug)]
pub struct Demo {
    /// The admin, freshly logged in.
    pub admin: Credentials,
    /// The demo group's id.
    pub room_id: String,
}

/// Seeds the demo users and group (skipping what exists) and logs the admin in.
pub async fn seed(state: &AppState) -> Result<Demo, Error> {
    for name in USERS {
        match seed_user(state, name, &format!("{name}-password"), &["user"]).await {
            Ok(_) | Err(Error::Store(StoreError::Conflict { .. })) => {}
            Err(error) => return Err(error),
        }
    }
    let admin_name = state.config().admin_username.clone();
    let (admin, _) = state
        .store()
        .login_user(LoginIdentity::Username(admin_name.clone()))
        .await?
        .ok_or_else(|| StoreError::Internal(format!("no admin user called {admin_name}")))?;
    let created = state
        .store()
        .create_group(NewGroup {
            caller: admin.caller(),
            name: GROUP.to_owned(),
            members: vec!["alice".to_owned()],
            read_only: false,
            custom_fields: Default::default(),
            extra: Default::default(),
            exclude_self: false,
        })
        .await;
    let room_id = match created {
        Ok(room) => room.id,
        Err(StoreError::Rejected(_)) => {
            let (room, _) = state
                .store()
                .room_for(
                    rocketchat_protocol::groups::RoomSelector::name(GROUP),
                    admin.id.clone(),
                )
                .await?;
            room.map(|room| room.id).unwrap_or_default()
        }
        Err(error) => return Err(error.into()),
    };
    let admin = issue_token(state, &admin).await?;
    Ok(Demo { admin, room_id })
}

impl Demo {
    /// Ready-to-paste shell commands for a server at `url`.
    pub fn instructions(&self, url: &str) -> String {
        let headers = format!(
            "-H 'X-User-Id: {}' -H 'X-Auth-Token: {}' -H 'Content-Type: application/json'",
            self.admin.user_id, self.admin.auth_token
        );
        format!(
            "Demo workspace ready: users {users} (password <name>-password), private group \
             {GROUP} ({room}) owned by {admin} with alice.\n\n\
             # invite bob by username\n\
             curl -s {headers} -d '{{\"roomName\": \"{GROUP}\", \"username\": \"bob\"}}' {url}/api/v1/groups.invite\n\n\
             # invite carol and dave at once\n\
             curl -s {headers} -d '{{\"roomId\": \"{room}\", \"usernames\": [\"carol\", \"dave\", \"nobody\"]}}' {url}/api/v1/groups.invite\n\n\
             # read the group and its members back\n\
             curl -s {headers} '{url}/api/v1/groups.members?roomId={room}'\n\
             curl -s {headers} '{url}/api/v1/groups.history?roomId={room}'\n",
            users = USERS.join(", "),
            room = self.room_id,
            admin = self.admin.username,
        )
    }
}
