//! Invites users to a private group by username and prints what happened to each.
//!
//! ```sh
//! RC_URL=http://127.0.0.1:3000 RC_USER_ID=... RC_AUTH_TOKEN=... \
//!     cargo run -p rocketchat-client --example invite -- private-abc john.doe jane.doe
//! ```
//!
//! With `RC_USERNAME` and `RC_PASSWORD` instead of the token, the client logs in first.

use std::{env, process::ExitCode};

use rocketchat_client::{Client, Credentials, Error, ErrorKind, RoomSelector};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = env::args().skip(1);
    let (Some(group), names) = (args.next(), args.collect::<Vec<_>>()) else {
        eprintln!("usage: invite GROUP USERNAME...");
        return ExitCode::from(2);
    };
    match invite(&group, names).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("invite: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn invite(group: &str, names: Vec<String>) -> Result<(), Error> {
    let var = |name: &str| env::var(name).ok();
    let credentials = match (var("RC_USER_ID"), var("RC_AUTH_TOKEN")) {
        (Some(user_id), Some(token)) => Credentials::token(user_id, token),
        _ => Credentials::password(
            var("RC_USERNAME").unwrap_or_default(),
            var("RC_PASSWORD").unwrap_or_default(),
        ),
    };
    let client = Client::builder()
        .base_url(var("RC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".to_owned()))
        .credentials(credentials)
        .build()?;

    match client
        .invite_usernames(RoomSelector::name(group), names)
        .await
    {
        Ok(response) => {
            match &response.invitees {
                Some(invitees) => {
                    for invitee in invitees {
                        println!("{:<24} {:?}", invitee.requested, invitee.outcome);
                    }
                }
                None => println!("invited (this server does not report per-user outcomes)"),
            }
            if let Some(count) = response.group.users_count {
                println!("{group} has {count} members");
            }
            Ok(())
        }
        Err(Error::Api {
            kind: ErrorKind::EmptyInviteList,
            ..
        }) => {
            println!("none of these users exists");
            Ok(())
        }
        Err(error) => Err(error),
    }
}
