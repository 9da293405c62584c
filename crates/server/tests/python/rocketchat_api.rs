//! Interop: the Python `rocketchat-API` package (PyPI), the most used Rocket.Chat client and
//! written outside this team, drives our server over real HTTP.
//!
//! The script `tests/interop/rocketchat_api_interop.py` logs in, creates users and a group,
//! invites by id and in bulk, reads the group back and checks the refusals, all through the
//! package's own methods.

use std::{path::Path, process::Command};

use rocketchat_server::testing::TestServer;

use crate::store_tests;

use crate::python;

store_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn python_rocketchat_api_package_works_against_our_server() {
        let python = tokio::task::spawn_blocking(python).await.unwrap();
        let server = TestServer::start_with(crate::common::stores::config()).await;
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/rocketchat_api_interop.py");
        let url = server.url().to_owned();
        let output = tokio::task::spawn_blocking(move || {
            Command::new(python)
                .arg(script)
                .args([&url, "admin", "admin-password"])
                .output()
        })
        .await
        .unwrap()
        .expect("the interop script runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "interop failed:\n{stdout}\n{stderr}"
        );
        let last = stdout.lines().last().unwrap_or_default();
        assert!(
            last.ends_with("passed, 0 failed") && !last.starts_with("0 "),
            "{stdout}"
        );
    }
}
