//! `rcinvite sync`: make a group's membership match a list, safely.
//!
//! The plan is computed first, from the group's members (every page) and its owners, and
//! compared with the list ignoring case, as Rocket.Chat compares usernames. Missing users are
//! invited in batches (each batch all or nothing on rocketchat-rs); with `--remove-extra`,
//! members not on the list are removed one call each, after the invites, so that a group never
//! shrinks before it grows. The caller is never removed, nor an owner unless
//! `--remove-owners` says so, and more removals than `--max-removals` stop the run before it
//! changes anything. Each step looks at the group as it is, so a rerun after a partial failure
//! finishes the job.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;

use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream as _;
use indicatif::ProgressBar;
use rocketchat_client::bulk::BatchOutcome;
use rocketchat_client::protocol::groups::{self, UserSelector};
use rocketchat_client::protocol::users::info::{self, UserLookup};
use rocketchat_client::{Client, Error, ErrorKind, Invitees, LookupMode, RoomSelector};
use serde::Serialize;

use crate::run::{
    BatchError, EXIT_FAILURE, EXIT_PARTIAL, EXIT_SUCCESS, describe, outcome, progress_bar,
};

/// A member of the group, as `groups.members` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Member {
    /// The user's id.
    #[serde(rename = "_id")]
    pub(crate) id: String,
    /// The username.
    pub(crate) username: String,
}

/// Why a member who is not on the list stays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum KeptBecause {
    /// Without `--remove-extra`, nobody is removed.
    NotRemoving,
    /// The user running the sync.
    Caller,
    /// An owner, without `--remove-owners`.
    Owner,
}

/// A member not on the list who stays, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Kept {
    pub(crate) username: String,
    pub(crate) reason: KeptBecause,
}

/// What to remove, and who stays.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Policy {
    /// Remove members who are not on the list.
    pub(crate) remove_extra: bool,
    /// Remove owners too.
    pub(crate) remove_owners: bool,
}

/// What a sync will do: computed before anything changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncPlan {
    /// Listed users who are not members, in list order.
    pub(crate) to_add: Vec<String>,
    /// Members not on the list who will be removed, by username.
    pub(crate) to_remove: Vec<Member>,
    /// Members not on the list who stay, by username.
    pub(crate) kept: Vec<Kept>,
    /// Listed users who are members already.
    pub(crate) in_step: usize,
}

/// Compares the list with the members: usernames ignoring case, as Rocket.Chat matches them.
pub(crate) fn plan(
    list: &[String],
    members: &[Member],
    owners: &HashSet<String>,
    caller_id: &str,
    policy: Policy,
) -> SyncPlan {
    let key = |name: &str| LookupMode::Usernames.key(name);
    let listed: HashSet<String> = list.iter().map(|name| key(name)).collect();
    let present: HashSet<String> = members.iter().map(|member| key(&member.username)).collect();
    let mut plan = SyncPlan::default();
    for name in list {
        if present.contains(&key(name)) {
            plan.in_step += 1;
        } else {
            plan.to_add.push(name.clone());
        }
    }
    let mut extra: Vec<&Member> = members
        .iter()
        .filter(|member| !listed.contains(&key(&member.username)))
        .collect();
    extra.sort_by(|a, b| a.username.cmp(&b.username));
    for member in extra {
        let reason = if !policy.remove_extra {
            Some(KeptBecause::NotRemoving)
        } else if member.id == caller_id {
            Some(KeptBecause::Caller)
        } else if owners.contains(&member.id) && !policy.remove_owners {
            Some(KeptBecause::Owner)
        } else {
            None
        };
        match reason {
            Some(reason) => plan.kept.push(Kept {
                username: member.username.clone(),
                reason,
            }),
            None => plan.to_remove.push(member.clone()),
        }
    }
    plan
}

/// The guard against a wrong list: more removals than `max` stop the run before it changes
/// anything, saying how to confirm.
pub(crate) fn check_removals(plan: &SyncPlan, max: usize) -> Result<(), String> {
    let count = plan.to_remove.len();
    if count <= max {
        return Ok(());
    }
    Err(format!(
        "the list would remove {count} members, more than --max-removals {max}; nothing was \
         changed. Check the list (a wrong, empty or cut-off file looks like this), run with \
         --dry-run to see who would go, and rerun with --max-removals {count} to confirm"
    ))
}

/// What went wrong for one user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserError {
    /// `add` or `remove`.
    pub(crate) action: &'static str,
    pub(crate) username: String,
    pub(crate) status: Option<u16>,
    pub(crate) error_type: Option<String>,
    pub(crate) message: String,
}

/// What a sync did (or, with `--dry-run`, would do), printed at the end.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncReport {
    /// `success`, `partial` or `failure`.
    pub(crate) outcome: &'static str,
    pub(crate) exit_code: u8,
    pub(crate) dry_run: bool,
    pub(crate) room: Option<RoomSelector>,
    /// Distinct users on the list.
    pub(crate) listed: usize,
    /// List entries dropped as repeats.
    pub(crate) duplicates: usize,
    /// Members before the sync.
    pub(crate) members: usize,
    pub(crate) plan: SyncPlan,
    /// Listed users no account has.
    pub(crate) not_found: Vec<String>,
    /// Users added.
    pub(crate) added: usize,
    /// Users found to be members already when invited (someone added them meanwhile).
    pub(crate) already_members: usize,
    /// Users removed, or found gone already.
    pub(crate) removed: usize,
    /// Users whose addition or removal failed.
    pub(crate) failed: Vec<UserError>,
    /// Users not handled because the run stopped first.
    pub(crate) not_done: usize,
    /// Errors that concern the whole run, or a whole batch of invites.
    pub(crate) errors: Vec<BatchError>,
}

impl SyncReport {
    /// Sets `outcome` and `exit_code`: success when the group matches the list (as far as
    /// the policy goes), failure when nothing could be done, partial otherwise.
    pub(crate) fn finish(&mut self) {
        let did_something = self.added + self.already_members + self.removed > 0;
        let trouble = !self.not_found.is_empty()
            || !self.failed.is_empty()
            || self.not_done > 0
            || !self.errors.is_empty();
        let code = if !self.errors.is_empty() && !did_something {
            EXIT_FAILURE
        } else if trouble {
            EXIT_PARTIAL
        } else {
            EXIT_SUCCESS
        };
        self.exit_code = code;
        self.outcome = outcome(code);
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit_code)
    }

    /// A report of a run that failed before it changed anything.
    pub(crate) fn failed_before_start(room: RoomSelector, dry_run: bool, message: &str) -> Self {
        let mut report = Self {
            room: Some(room),
            dry_run,
            errors: vec![BatchError::whole_run(message)],
            ..Self::default()
        };
        report.finish();
        report
    }
}

/// How to sync.
pub(crate) struct SyncJob {
    pub(crate) room: RoomSelector,
    pub(crate) list: Vec<String>,
    pub(crate) duplicates: usize,
    pub(crate) policy: Policy,
    pub(crate) max_removals: usize,
    pub(crate) dry_run: bool,
    pub(crate) batch_size: usize,
    pub(crate) show_progress: bool,
}

/// Reads the group, plans, and (unless a dry run) applies the plan.
pub(crate) async fn sync(client: &Client, job: SyncJob) -> SyncReport {
    let fail =
        |message: String| SyncReport::failed_before_start(job.room.clone(), job.dry_run, &message);
    if job.list.is_empty() {
        return fail(
            "the list is empty: refusing to sync a group with it (it would remove everyone); \
             check the file"
                .to_owned(),
        );
    }
    let (caller, members, owners) = match read_group(client, &job.room).await {
        Ok(read) => read,
        Err(error) => return fail(describe(&error)),
    };
    let plan = plan(&job.list, &members, &owners, &caller, job.policy);
    let mut report = SyncReport {
        dry_run: job.dry_run,
        room: Some(job.room.clone()),
        listed: job.list.len(),
        duplicates: job.duplicates,
        members: members.len(),
        ..SyncReport::default()
    };
    if let Err(message) = check_removals(&plan, job.max_removals) {
        report.plan = plan;
        report.errors.push(BatchError::whole_run(message));
        report.finish();
        return report;
    }
    if job.dry_run {
        report.not_found = match unknown_users(client, &plan.to_add).await {
            Ok(unknown) => unknown,
            Err(error) => {
                report.errors.push(BatchError::whole_run(describe(&error)));
                Vec::new()
            }
        };
        report.plan = plan;
        report.finish();
        return report;
    }
    let progress = progress_bar(
        plan.to_add.len() + plan.to_remove.len(),
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} changes (eta {eta})",
        job.show_progress,
    );
    let stopped = add(client, &job, &plan, &mut report, &progress).await;
    if stopped {
        report.not_done += plan.to_remove.len();
    } else {
        remove(client, &job.room, &plan, &mut report, &progress).await;
    }
    progress.finish_and_clear();
    report.plan = plan;
    report.finish();
    report
}

/// The caller's id, the group's members and the ids of its owners.
async fn read_group(
    client: &Client,
    room: &RoomSelector,
) -> Result<(String, Vec<Member>, HashSet<String>), Error> {
    let me = client.me().await?;
    let mut pages = client.groups_members_stream(room.clone());
    let mut members = Vec::new();
    // A member who moved between pages (the list changed while it was read) comes twice.
    let mut seen = HashSet::new();
    while let Some(user) = poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await {
        let user = user?;
        if seen.insert(user.id.clone()) {
            members.push(Member {
                username: user.username.clone().unwrap_or_default(),
                id: user.id,
            });
        }
    }
    let roles = client
        .groups_roles(&groups::roles::Request::new(room.clone()))
        .await?;
    let owners = roles
        .roles
        .iter()
        .filter(|entry| entry.holds("owner"))
        .map(|entry| entry.u.id.clone())
        .collect();
    Ok((me.user.id, members, owners))
}

/// Of `names`, those no account has: looked up one `users.info` call each, as written and in
/// lower case (`users.info` matches a username exactly, where invites ignore case).
async fn unknown_users(client: &Client, names: &[String]) -> Result<Vec<String>, Error> {
    let mut unknown = Vec::new();
    for name in names {
        let mut spellings = vec![name.clone()];
        let lower = name.to_lowercase();
        if lower != *name {
            spellings.push(lower);
        }
        let mut found = false;
        for spelling in spellings {
            let request = info::Request::new(UserLookup::Username(spelling));
            match client.users_info(&request).await {
                Ok(_) => {
                    found = true;
                    break;
                }
                // `User not found.` comes without an `errorType`.
                Err(Error::Http { status: 400, .. }) => {}
                Err(error) => return Err(error),
            }
        }
        if !found {
            unknown.push(name.clone());
        }
    }
    Ok(unknown)
}

/// Invites the missing users in batches; whether the run must stop (a failure every later
/// call would share).
async fn add(
    client: &Client,
    job: &SyncJob,
    plan: &SyncPlan,
    report: &mut SyncReport,
    progress: &ProgressBar,
) -> bool {
    if plan.to_add.is_empty() {
        return false;
    }
    let mut bulk = client
        .bulk_invite(job.room.clone(), Invitees::usernames(plan.to_add.clone()))
        .batch_size(job.batch_size);
    while let Some(batch) = bulk.next_batch().await {
        if let BatchOutcome::Failed(error) = &batch.outcome {
            let users = [batch.users.start + 1, batch.users.end];
            let failure = BatchError::from_error(Some((batch.number, users)), error);
            progress.suspend(|| {
                eprintln!(
                    "rcinvite: inviting users {}-{} failed: {}",
                    users[0], users[1], failure.message
                );
            });
            report.errors.push(failure);
        }
        progress.inc(batch.users.len() as u64);
    }
    let done = bulk.finish();
    report.added += done.outcomes.added;
    report.already_members += done.outcomes.already_members;
    report.not_found.extend(done.not_found_entries);
    report.not_done += done.not_done;
    done.stopped.is_some()
}

/// Removes the extra members one call each. A refusal about one user (the last owner, a user
/// gone meanwhile) is recorded and the others go on; a failure every later call would share
/// (no permission, the group gone, a rate limit that outlasted the retries, bad credentials)
/// stops the rest, which a rerun then finishes.
async fn remove(
    client: &Client,
    room: &RoomSelector,
    plan: &SyncPlan,
    report: &mut SyncReport,
    progress: &ProgressBar,
) {
    let mut left = plan.to_remove.len();
    for member in &plan.to_remove {
        let request = groups::kick::Request::new(room.clone(), UserSelector::id(&member.id));
        let result = client.groups_kick(&request).await;
        left -= 1;
        progress.inc(1);
        let error = match result {
            Ok(_) => {
                report.removed += 1;
                continue;
            }
            Err(error) => error,
        };
        // Gone already: removed by someone else, or deleted since the plan.
        if let Some(ErrorKind::UserNotInRoom | ErrorKind::InvalidUser) = error.error_type() {
            report.removed += 1;
            continue;
        }
        let stop = is_lasting(&error);
        let failure = UserError {
            action: "remove",
            username: member.username.clone(),
            status: error.status(),
            error_type: error.error_type().map(|kind| kind.as_str().to_owned()),
            // With, for a rate limit, when to try again.
            message: BatchError::from_error(None, &error).message,
        };
        progress.suspend(|| {
            eprintln!(
                "rcinvite: removing {} failed: {}",
                failure.username, failure.message
            );
        });
        report.failed.push(failure);
        if stop {
            report.not_done += left;
            return;
        }
    }
}

/// Whether every later call would fail as this one did.
fn is_lasting(error: &Error) -> bool {
    match error {
        Error::RateLimited { .. } | Error::Unauthorized { .. } => true,
        Error::Api { .. } => matches!(
            error.error_type(),
            Some(ErrorKind::NotAllowed | ErrorKind::RoomNotFound)
        ),
        _ => false,
    }
}

/// The names of a plan's list of members, for the text summary.
fn usernames<'a>(names: impl Iterator<Item = &'a str>) -> String {
    const SHOWN: usize = 20;
    let names: Vec<&str> = names.collect();
    let mut text = names[..names.len().min(SHOWN)].join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(
            " and {} more (--json lists all)",
            names.len() - SHOWN
        ));
    }
    text
}

/// The text summary.
pub(crate) fn text(report: &SyncReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let room = report.room.as_ref().map_or("?", |room| room.as_str());
    let plan = &report.plan;
    let _ = writeln!(
        out,
        "{}{}: group {room:?} had {} members; the list names {} users",
        if report.dry_run { "dry run, " } else { "" },
        report.outcome,
        report.members,
        report.listed,
    );
    let mut row = |label: &str, count: usize, names: Option<String>| {
        let _ = match names.filter(|names| !names.is_empty()) {
            Some(names) => writeln!(out, "  {label:<16} {count:>6}: {names}"),
            None => writeln!(out, "  {label:<16} {count:>6}"),
        };
    };
    row(
        "to add",
        plan.to_add.len(),
        Some(usernames(plan.to_add.iter().map(String::as_str))),
    );
    row(
        "to remove",
        plan.to_remove.len(),
        Some(usernames(
            plan.to_remove.iter().map(|m| m.username.as_str()),
        )),
    );
    let mut kept: HashMap<KeptBecause, Vec<&str>> = HashMap::new();
    for entry in &plan.kept {
        kept.entry(entry.reason).or_default().push(&entry.username);
    }
    for (reason, label) in [
        (KeptBecause::Owner, "kept (owner)"),
        (KeptBecause::Caller, "kept (you)"),
        (KeptBecause::NotRemoving, "not on the list"),
    ] {
        if let Some(names) = kept.get(&reason) {
            row(label, names.len(), Some(usernames(names.iter().copied())));
        }
    }
    row("already in step", plan.in_step, None);
    if !report.not_found.is_empty() {
        row(
            "not found",
            report.not_found.len(),
            Some(usernames(report.not_found.iter().map(String::as_str))),
        );
    }
    if report.dry_run {
        out.push_str("nothing was changed (dry run)\n");
    } else {
        let _ = writeln!(
            out,
            "added {}, already members {}, removed {}, failed {}, not done {}",
            report.added,
            report.already_members,
            report.removed,
            report.failed.len(),
            report.not_done
        );
    }
    if kept.contains_key(&KeptBecause::NotRemoving) {
        out.push_str("members not on the list stay; --remove-extra removes them\n");
    }
    if kept.contains_key(&KeptBecause::Owner) {
        out.push_str("owners not on the list stay; --remove-owners removes them too\n");
    }
    for failure in &report.failed {
        let _ = writeln!(
            out,
            "failed: {} {}: {}",
            failure.action, failure.username, failure.message
        );
    }
    for error in &report.errors {
        let _ = writeln!(out, "error: {}", error.message);
    }
    if !report.dry_run && (report.not_done > 0 || !report.failed.is_empty()) {
        out.push_str("rerun the same command to finish: a sync starts from the group as it is\n");
    }
    out
}

/// Prints the report to standard output, as text or JSON.
pub(crate) fn print(report: &SyncReport, json: bool) {
    if json {
        let text = serde_json::to_string_pretty(report).expect("the report serialises");
        println!("{text}");
    } else {
        print!("{}", text(report));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, username: &str) -> Member {
        Member {
            id: id.to_owned(),
            username: username.to_owned(),
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    fn team() -> Vec<Member> {
        vec![
            member("me", "admin"),
            member("o1", "olga"),
            member("a", "alice"),
            member("d", "dave"),
            member("e", "erin"),
        ]
    }

    #[test]
    fn the_list_is_compared_ignoring_case_and_only_extras_go() {
        let owners = HashSet::from(["o1".to_owned()]);
        let policy = Policy {
            remove_extra: true,
            remove_owners: false,
        };
        let plan = plan(
            &names(&["Alice", "bob", "ERIN"]),
            &team(),
            &owners,
            "me",
            policy,
        );
        assert_eq!(plan.to_add, ["bob"]);
        assert_eq!(plan.to_remove, [member("d", "dave")]);
        assert_eq!(
            plan.kept,
            [
                Kept {
                    username: "admin".into(),
                    reason: KeptBecause::Caller
                },
                Kept {
                    username: "olga".into(),
                    reason: KeptBecause::Owner
                },
            ]
        );
        assert_eq!(plan.in_step, 2);
    }

    #[test]
    fn owners_go_only_when_asked_and_nobody_goes_without_remove_extra() {
        let owners = HashSet::from(["o1".to_owned()]);
        let all = Policy {
            remove_extra: true,
            remove_owners: true,
        };
        let plan_all = plan(&names(&["alice"]), &team(), &owners, "me", all);
        assert_eq!(
            plan_all.to_remove,
            [
                member("d", "dave"),
                member("e", "erin"),
                member("o1", "olga")
            ]
        );
        let keep = plan(
            &names(&["alice"]),
            &team(),
            &owners,
            "me",
            Policy::default(),
        );
        assert!(keep.to_remove.is_empty());
        assert_eq!(keep.kept.len(), 4);
        assert!(
            keep.kept
                .iter()
                .all(|kept| kept.reason == KeptBecause::NotRemoving)
        );
    }

    #[test]
    fn too_many_removals_stop_the_run_and_say_how_to_confirm() {
        let policy = Policy {
            remove_extra: true,
            remove_owners: true,
        };
        let plan = plan(&names(&["alice"]), &team(), &HashSet::new(), "me", policy);
        assert!(check_removals(&plan, 3).is_ok());
        let refusal = check_removals(&plan, 2).unwrap_err();
        assert!(refusal.starts_with("the list would remove 3 members, more than --max-removals 2"));
        assert!(
            refusal.ends_with("rerun with --max-removals 3 to confirm"),
            "{refusal}"
        );
    }

    #[test]
    fn the_report_is_partial_when_something_is_left() {
        let mut report = SyncReport {
            plan: SyncPlan {
                to_add: names(&["bob"]),
                ..SyncPlan::default()
            },
            added: 1,
            ..SyncReport::default()
        };
        report.finish();
        assert_eq!(report.outcome, "success");
        report.not_found.push("ghost".into());
        report.finish();
        assert_eq!(
            (report.outcome, report.exit_code),
            ("partial", EXIT_PARTIAL)
        );
        let failed = SyncReport::failed_before_start(RoomSelector::name("t"), false, "boom");
        assert_eq!(
            (failed.outcome, failed.exit_code),
            ("failure", EXIT_FAILURE)
        );
    }
}
