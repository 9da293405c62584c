//! Schemathesis (PyPI) generates requests for every operation of our OpenAPI document,
//! `schemas/openapi.json`, valid and invalid alike, and checks each answer: never a 5xx, only
//! documented status codes, JSON bodies that match the documented schemas, the documented
//! headers, and stateful sequences (create, then read back).
//!
//! Two checks are left out, both for answers that are Rocket.Chat's own:
//! * `positive_data_acceptance`: the schemas describe shapes, not the rules behind them, so a
//!   schema-valid request naming a group that does not exist is refused (`error-room-not-found`),
//!   as Rocket.Chat refuses it;
//! * `unsupported_method`: a method a route does not have gets Rocket.Chat's 404 body, as on
//!   Rocket.Chat, not a 405.
//!
//! `logout` is left out too: it would revoke the token the run uses.

use std::process::Command;

use rocketchat_server::testing::TestServer;

use crate::store_tests;

use crate::{venv_program, workspace_root};

store_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_endpoint_answers_as_our_openapi_document_says() {
        let st = tokio::task::spawn_blocking(|| venv_program("st"))
            .await
            .unwrap();
        let server = TestServer::start_with(crate::common::stores::config()).await;
        let admin = server.admin().clone();
        let url = server.url().to_owned();
        let document = workspace_root().join("schemas/openapi.json");
        let output = tokio::task::spawn_blocking(move || {
            Command::new(st)
                // Schemathesis keeps a cache in its working directory; keep it out of the sources.
                .current_dir(env!("CARGO_TARGET_TMPDIR"))
                .arg("run")
                .arg(document)
                .args(["--url", &url])
                .args(["-H", &format!("X-User-Id: {}", admin.user_id)])
                .args(["-H", &format!("X-Auth-Token: {}", admin.auth_token)])
                .args(["--checks", "all"])
                .args([
                    "--exclude-checks",
                    "positive_data_acceptance,unsupported_method",
                ])
                .args(["--exclude-path", "/api/v1/logout"])
                .args(["--max-examples", "40", "--seed", "1", "--no-color"])
                .output()
        })
        .await
        .unwrap()
        .expect("schemathesis runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "schemathesis found failures:\n{stdout}\n{stderr}"
        );
        // Every endpoint but logout.
        let operations = rocketchat_protocol::endpoint::ALL.len() - 1;
        assert!(
            stdout.contains(&format!("Tested: {operations}")),
            "not every operation was tested:\n{stdout}"
        );
        assert!(!stdout.contains(" 0 generated"), "{stdout}");
    }
}
