//! `rcinvite` in a terminal (a pseudo-terminal here): it prompts for the password that no flag or
//! variable gave, and draws a progress bar while the batches go.

use std::process::Command;

use rexpect::process::wait::WaitStatus;
use rocketchat_server::testing::TestServer;

use crate::{e2e::client_for, e2e_cli::create_users};

/// How long each expectation may wait for the program's output.
const EXPECT_TIMEOUT_MS: u64 = 30_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_terminal_it_prompts_for_the_password_and_shows_progress() {
    let server = TestServer::start().await;
    let owner = server.create_user("owner").await;
    let names = create_users(&client_for(&server, server.admin()), 40).await;
    server.create_group(&owner, "team", &[]).await;
    let url = server.url().to_owned();

    let mut command = Command::new(env!("CARGO_BIN_EXE_rcinvite"));
    command
        .env_clear()
        .env("TERM", "xterm")
        .args(["--url", &url, "--username", "owner", "--room-name", "team"])
        .args(["--batch-size", "1"])
        .args(&names);
    let status = tokio::task::spawn_blocking(move || {
        let mut session = rexpect::session::spawn_command(command, Some(EXPECT_TIMEOUT_MS))
            .expect("rcinvite starts in a pseudo-terminal");
        session
            .exp_string(&format!("Password for owner at {url}: "))
            .expect("a password prompt");
        session.send_line("owner-password").unwrap();
        // The bar, drawn on the terminal: position, total and the batch being sent.
        session
            .exp_regex(r"\d+/40 users, batch \d+/40")
            .expect("a progress bar");
        session
            .exp_string("success: 40 usernames for group \"team\", 40 of 40 batches accepted")
            .expect("the summary");
        session
            .exp_regex(r"added +40\r?\n")
            .expect("the count of added users");
        session.exp_eof().expect("rcinvite ends");
        session.process.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "exit status {status:?}"
    );
}
