//! `rcinvite sync` end to end against our server, on SQLite and on PostgreSQL: the plan, the
//! guard against a wrong list, the changes, and a rerun that finds nothing left to do.

use std::collections::BTreeSet;
use std::process::Output;

use futures_util::TryStreamExt as _;
use rocketchat_client::{RoomSelector, UserSelector};
use rocketchat_protocol::groups;
use rocketchat_protocol::user::User;
use rocketchat_server::Config;
use rocketchat_server::testing::{TestServer, TestUser};
use serde_json::{Value, json};

use crate::cli_mock::rcinvite;
use crate::e2e::client_for;

/// A server on SQLite, or on a fresh PostgreSQL database (`None` when there is none: the
/// test is skipped, or fails under CI).
async fn server(store: &str) -> Option<TestServer> {
    let mut config = Config::for_tests();
    if store == "postgres" {
        config.database_url = test_postgres::fresh_database().await?;
    }
    Some(TestServer::start_with(config).await)
}

/// The course: `teacher` owns it with the second owner `co` and the members u1 to u4; u5 and
/// u6 exist outside it.
struct Course {
    server: TestServer,
    teacher: TestUser,
    room_id: String,
}

impl Course {
    async fn new(server: TestServer) -> Self {
        let teacher = server.create_user("teacher").await;
        for name in ["co", "u1", "u2", "u3", "u4", "u5", "u6"] {
            server.create_user(name).await;
        }
        let room_id = server
            .create_group(&teacher, "course", &["co", "u1", "u2", "u3", "u4"])
            .await;
        client_for(&server, &teacher)
            .groups_add_owner(&groups::add_owner::Request::new(
                RoomSelector::id(&room_id),
                UserSelector::username("co"),
            ))
            .await
            .unwrap();
        Self {
            server,
            teacher,
            room_id,
        }
    }

    /// Runs `rcinvite sync` as the teacher with the list `list` on standard input.
    async fn sync(&self, args: &[&str], list: &str) -> (Output, Value) {
        let url = self.server.url().to_owned();
        let env = [
            ("RC_URL", url.as_str()),
            ("RC_USER_ID", self.teacher.user_id.as_str()),
            ("RC_AUTH_TOKEN", self.teacher.auth_token.as_str()),
        ];
        let mut all = vec!["sync", "--room-name", "course", "--file", "-", "--json"];
        all.extend_from_slice(args);
        let output = rcinvite(&all, &env, list).await;
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "{error}: {}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (output, report)
    }

    /// The members, by username.
    async fn members(&self) -> BTreeSet<String> {
        let client = client_for(&self.server, &self.teacher);
        let members: Vec<User> = client
            .groups_members_stream(RoomSelector::id(&self.room_id))
            .try_collect()
            .await
            .unwrap();
        members
            .into_iter()
            .map(|member| member.username.unwrap())
            .collect()
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

const LIST: &str = "# course roster\nu2\nU3\n@u5\nu6\nghost\n";

async fn sync_keeps_a_group_in_step_with_a_list(store: &str) {
    let Some(server) = server(store).await else {
        return test_postgres::skip_or_fail("sync_keeps_a_group_in_step_with_a_list");
    };
    let course = Course::new(server).await;
    let before = set(&["teacher", "co", "u1", "u2", "u3", "u4"]);
    assert_eq!(course.members().await, before);

    // The plan, changing nothing.
    let (output, report) = course.sync(&["--remove-extra", "--dry-run"], LIST).await;
    assert_eq!(output.status.code(), Some(3), "{report:#}");
    assert_eq!(
        (
            &report["outcome"],
            &report["dryRun"],
            &report["listed"],
            &report["members"]
        ),
        (&json!("partial"), &json!(true), &json!(5), &json!(6))
    );
    assert_eq!(report["plan"]["toAdd"], json!(["u5", "u6", "ghost"]));
    assert_eq!(
        report["plan"]["toRemove"]
            .as_array()
            .unwrap()
            .iter()
            .map(|member| member["username"].clone())
            .collect::<Vec<_>>(),
        [json!("u1"), json!("u4")]
    );
    assert_eq!(
        report["plan"]["kept"],
        json!([
            { "username": "co", "reason": "owner" },
            { "username": "teacher", "reason": "caller" }
        ])
    );
    assert_eq!(report["plan"]["inStep"], 2);
    assert_eq!(report["notFound"], json!(["ghost"]));
    assert_eq!(course.members().await, before);

    // More removals than allowed: nothing changes, and the answer says how to confirm.
    let (output, report) = course
        .sync(&["--remove-extra", "--max-removals", "1"], LIST)
        .await;
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    let message = report["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("--max-removals 2 to confirm"), "{message}");
    assert_eq!(course.members().await, before);

    // An empty list never empties a group.
    let (output, report) = course.sync(&["--remove-extra"], "# nobody\n\n").await;
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    assert_eq!(course.members().await, before);

    // The sync itself: partial, since ghost has no account.
    let (output, report) = course.sync(&["--remove-extra"], LIST).await;
    assert_eq!(output.status.code(), Some(3), "{report:#}");
    assert_eq!(
        (&report["added"], &report["removed"], &report["notFound"]),
        (&json!(2), &json!(2), &json!(["ghost"]))
    );
    let synced = set(&["teacher", "co", "u2", "u3", "u5", "u6"]);
    assert_eq!(course.members().await, synced);

    // A rerun finds nothing left to do but ghost.
    let (output, report) = course.sync(&["--remove-extra"], LIST).await;
    assert_eq!(output.status.code(), Some(3), "{report:#}");
    assert_eq!(
        (&report["added"], &report["removed"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(report["plan"]["inStep"], 4);

    // Owners go only when asked; the caller never does.
    let list = "u2\nu3\nu5\nu6\n";
    let (output, report) = course
        .sync(&["--remove-extra", "--remove-owners"], list)
        .await;
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(report["outcome"], "success");
    assert_eq!(report["removed"], 1);
    assert_eq!(
        course.members().await,
        set(&["teacher", "u2", "u3", "u5", "u6"])
    );
    // Without --remove-extra, extra members stay and the run succeeds.
    let (output, report) = course.sync(&[], "u2\nu7\n").await;
    assert_eq!(output.status.code(), Some(3), "{report:#}");
    assert_eq!(report["notFound"], json!(["u7"]));
    assert_eq!(report["plan"]["kept"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_keeps_a_group_in_step_with_a_list_on_sqlite() {
    sync_keeps_a_group_in_step_with_a_list("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_keeps_a_group_in_step_with_a_list_on_postgres() {
    sync_keeps_a_group_in_step_with_a_list("postgres").await;
}

/// The text summary, as a person reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dry_run_plan_reads_well() {
    let course = Course::new(server("sqlite").await.unwrap()).await;
    let url = course.server.url().to_owned();
    let env = [
        ("RC_URL", url.as_str()),
        ("RC_USER_ID", course.teacher.user_id.as_str()),
        ("RC_AUTH_TOKEN", course.teacher.auth_token.as_str()),
    ];
    let output = rcinvite(
        &[
            "sync",
            "--room-name",
            "course",
            "--file",
            "-",
            "--remove-extra",
            "--dry-run",
        ],
        &env,
        LIST,
    )
    .await;
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "dry run, partial: group \"course\" had 6 members; the list names 5 users\n  \
         to add                3: u5, u6, ghost\n  \
         to remove             2: u1, u4\n  \
         kept (owner)          1: co\n  \
         kept (you)            1: teacher\n  \
         already in step       2\n  \
         not found             1: ghost\n\
         nothing was changed (dry run)\n\
         owners not on the list stay; --remove-owners removes them too\n"
    );
}
