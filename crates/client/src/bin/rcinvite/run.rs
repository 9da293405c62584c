//! Sending the list in batches and adding up what happened.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rocketchat_client::{
    Client, Error, Invitees, LookupMode, RoomSelector,
    bulk::{BatchOutcome, Stop},
};
use serde::Serialize;

/// Every requested user is a member now (or, from a server without per-user outcomes, every
/// batch was accepted).
pub(crate) const EXIT_SUCCESS: u8 = 0;
/// Nothing was done: no batch went through.
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Some users were not found, or some batches failed or were not sent.
pub(crate) const EXIT_PARTIAL: u8 = 3;

/// The name of an exit code in a report's `outcome`.
pub(crate) fn outcome(code: u8) -> &'static str {
    match code {
        EXIT_SUCCESS => "success",
        EXIT_PARTIAL => "partial",
        _ => "failure",
    }
}

/// What one run did, printed at the end (as text or, with `--json`, as this structure).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Report {
    /// `success`, `partial` or `failure`.
    pub(crate) outcome: &'static str,
    pub(crate) exit_code: u8,
    /// The group, as `{"roomId": ..}` or `{"roomName": ..}`.
    pub(crate) room: Option<RoomSelector>,
    /// Whether entries are `usernames` or `ids`.
    pub(crate) mode: &'static str,
    /// Distinct users requested.
    pub(crate) requested: usize,
    /// Entries dropped as repeats.
    pub(crate) duplicates: usize,
    pub(crate) batches: Batches,
    pub(crate) added: usize,
    pub(crate) already_members: usize,
    pub(crate) not_found: usize,
    /// Users in accepted batches whose fate rcinvite cannot tell: the server did not report it
    /// (servers other than rocketchat-rs send no per-user outcomes), or reported an outcome
    /// this version does not know.
    pub(crate) unknown: usize,
    /// Of `unknown`, the users whose outcome the server did not report.
    #[serde(skip)]
    pub(crate) unreported: usize,
    /// Of `unknown`, the users with an outcome this version does not know.
    #[serde(skip)]
    pub(crate) other: usize,
    /// Users in batches that failed or were not sent.
    pub(crate) not_done: usize,
    pub(crate) not_found_users: Vec<String>,
    pub(crate) errors: Vec<BatchError>,
    /// Why the batches after the last one sent were not sent, completing "N later batches
    /// were not sent ...". The JSON has `batches.skipped` and the errors instead.
    #[serde(skip)]
    pub(crate) stopped: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct Batches {
    pub(crate) size: usize,
    pub(crate) total: usize,
    pub(crate) succeeded: usize,
    pub(crate) failed: usize,
    /// Batches not sent because an earlier one failed in a way every later one would too.
    pub(crate) skipped: usize,
}

/// Why a batch (or the whole run, when `batch` is absent) failed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BatchError {
    /// 1-based batch number.
    pub(crate) batch: Option<usize>,
    /// 1-based positions of the batch's first and last user in the list.
    pub(crate) users: Option<[usize; 2]>,
    pub(crate) status: Option<u16>,
    pub(crate) error_type: Option<String>,
    pub(crate) message: String,
    /// For a 429, the seconds the server asked us to wait before trying again, when it said.
    pub(crate) retry_after: Option<u64>,
}

impl BatchError {
    pub(crate) fn whole_run(message: impl Into<String>) -> Self {
        Self {
            batch: None,
            users: None,
            status: None,
            error_type: None,
            message: message.into(),
            retry_after: None,
        }
    }

    pub(crate) fn from_error(batch: Option<(usize, [usize; 2])>, error: &Error) -> Self {
        // Whole seconds, rounded up, so that the advice is never too early.
        let retry_after = error
            .retry_after()
            .map(|wait| wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        let mut message = describe(error);
        if matches!(error, Error::RateLimited { .. }) {
            match retry_after {
                Some(seconds) => message.push_str(&format!("; try again in {seconds} s")),
                None => message.push_str("; try again later"),
            }
        }
        Self {
            batch: batch.map(|(number, _)| number),
            users: batch.map(|(_, users)| users),
            status: error.status(),
            error_type: error.error_type().map(|kind| kind.as_str().to_owned()),
            message,
            retry_after,
        }
    }
}

/// The error and its causes on one line: `transport error: ...: Connection refused`.
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Report {
    /// Sets `outcome` and `exit_code` from the counts.
    pub(crate) fn finish(&mut self) {
        let code = if self.batches.succeeded == 0 {
            EXIT_FAILURE
        } else if self.not_found > 0 || self.not_done > 0 {
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
}

/// How to send the list.
pub(crate) struct Plan {
    pub(crate) room: RoomSelector,
    pub(crate) entries: Vec<String>,
    pub(crate) duplicates: usize,
    pub(crate) mode: LookupMode,
    pub(crate) batch_size: usize,
    pub(crate) show_progress: bool,
}

/// Sends every batch through the client's bulk invite, which goes on after a batch fails for a
/// reason that may not last and stops when every later batch would fail the same way or after
/// 3 batches in a row failed; prints each failure as it happens.
pub(crate) async fn run(client: &Client, plan: Plan) -> Report {
    let Plan {
        room,
        entries,
        duplicates,
        mode,
        batch_size,
        show_progress,
    } = plan;
    let invitees = match mode {
        LookupMode::Ids => Invitees::user_ids(entries),
        LookupMode::Usernames => Invitees::usernames(entries),
    };
    let mut bulk = client
        .bulk_invite(room.clone(), invitees)
        .batch_size(batch_size);
    let total = bulk.report().batches;
    let progress = progress_bar(
        bulk.entries().len(),
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} users, {msg} (eta {eta})",
        show_progress,
    );
    let mut errors = Vec::new();
    let mut number = 1;
    loop {
        if number <= total {
            progress.set_message(format!("batch {number}/{total}"));
        }
        let Some(batch) = bulk.next_batch().await else {
            break;
        };
        let users = [batch.users.start + 1, batch.users.end];
        if let BatchOutcome::Failed(error) = &batch.outcome {
            let failure = BatchError::from_error(Some((batch.number, users)), error);
            progress.suspend(|| {
                eprintln!(
                    "rcinvite: batch {} of {total} (users {}-{}) failed: {}",
                    batch.number, users[0], users[1], failure.message
                );
            });
            errors.push(failure);
        }
        progress.inc(batch.users.len() as u64);
        number = batch.number + 1;
    }
    progress.finish_and_clear();

    let done = bulk.finish();
    let last_failure = errors.last().map_or("", |error| error.message.as_str());
    let stopped = done.stopped.map(|stop| match stop {
        Stop::FailuresInARow { failures, .. } => {
            format!("after {failures} batches in a row failed, the last with: {last_failure}")
        }
        // A failure every later batch would share, or a reason of a newer library: the last
        // error says it.
        _ => format!("after: {last_failure}"),
    });
    let mut report = Report {
        room: Some(room),
        mode: match mode {
            LookupMode::Ids => "ids",
            LookupMode::Usernames => "usernames",
        },
        requested: done.requested,
        duplicates,
        batches: Batches {
            size: done.batch_size,
            total: done.batches,
            succeeded: done.succeeded,
            failed: done.failed,
            skipped: done.skipped,
        },
        added: done.outcomes.added,
        already_members: done.outcomes.already_members,
        not_found: done.outcomes.not_found,
        unknown: done.unreported + done.outcomes.other,
        unreported: done.unreported,
        other: done.outcomes.other,
        not_done: done.not_done,
        not_found_users: done.not_found_entries,
        errors,
        stopped,
        ..Report::default()
    };
    report.finish();
    report
}

/// A progress bar of `len` steps drawn with `template` on stderr, or drawn nowhere unless
/// `show`.
pub(crate) fn progress_bar(len: usize, template: &str, show: bool) -> ProgressBar {
    let target = if show {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len as u64), target);
    bar.set_style(ProgressStyle::with_template(template).expect("the progress template is valid"));
    bar
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_rate_limit_says_when_to_try_again() {
        let limited = |retry_after| Error::RateLimited {
            retry_after,
            message: "slow down".to_owned(),
        };
        let error = BatchError::from_error(
            Some((2, [3, 4])),
            &limited(Some(Duration::from_millis(1500))),
        );
        assert_eq!(
            (error.message.as_str(), error.retry_after),
            ("429 rate limited: slow down; try again in 2 s", Some(2))
        );
        let error = BatchError::from_error(None, &limited(None));
        assert_eq!(
            (error.message.as_str(), error.retry_after),
            ("429 rate limited: slow down; try again later", None)
        );
    }
}
