//! `--demo`: a small workspace to try the invite on, and the commands to do it.

use rocketchat_protocol::groups::RoomSelector;

use crate::Error;
use crate::http::AppState;
use crate::seed::{self, Account};
use crate::service::{self, NewGroup};
use crate::store::{LoginIdentity, StoreError};

/// The users the demo creates, each with the password `<name>-password`.
const USERS: &[&str] = &["alice", "bob", "carol", "dave"];

/// The demo group's name.
const GROUP: &str = "demo-group";

/// What the demo seeded.
#[derive(Debug)]
pub(crate) struct Demo {
    admin_username: String,
    admin_id: String,
    admin_token: String,
    room_id: String,
}

/// Seeds the demo users and group (skipping what exists) and logs the admin in.
pub(crate) async fn seed(state: &AppState) -> Result<Demo, Error> {
    for name in USERS {
        if !exists(state, name).await? {
            Account::user(name, &format!("{name}-password"))
                .create(state)
                .await?;
        }
    }
    let admin_name = state.config().admin_username.clone();
    let (admin, _) = state
        .store()
        .login_user(LoginIdentity::Username(admin_name.clone()))
        .await?
        .ok_or_else(|| StoreError::broken(format!("no admin user called {admin_name}")))?;
    let created = service::create_group(
        state.store(),
        NewGroup {
            caller: admin.caller(),
            name: GROUP.to_owned(),
            members: vec!["alice".to_owned()],
            require_members: true,
            read_only: false,
            custom_fields: Default::default(),
            extra: Default::default(),
            exclude_self: false,
        },
    )
    .await;
    let room_id = match created {
        Ok(room) => room.id,
        Err(service::Error::Refused(_)) => {
            let (room, _) = state
                .store()
                .room_for(RoomSelector::name(GROUP), admin.id.clone())
                .await?;
            room.map(|room| room.id).unwrap_or_default()
        }
        Err(service::Error::Store(error)) => return Err(error.into()),
    };
    let admin_token = seed::issue_token(state, &admin.id).await?;
    Ok(Demo {
        admin_username: admin.username,
        admin_id: admin.id,
        admin_token,
        room_id,
    })
}

async fn exists(state: &AppState, username: &str) -> Result<bool, Error> {
    Ok(state
        .store()
        .login_user(LoginIdentity::Username(username.to_owned()))
        .await?
        .is_some())
}

impl Demo {
    /// Ready-to-paste shell commands for a server at `url`.
    pub(crate) fn instructions(&self, url: &str) -> String {
        let headers = format!(
            "-H 'X-User-Id: {}' -H 'X-Auth-Token: {}' -H 'Content-Type: application/json'",
            self.admin_id, self.admin_token
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
            admin = self.admin_username,
        )
    }
}
