//! Inviting a long list of users in batches: [`Client::bulk_invite`].
//!
//! Rocket.Chat takes any number of users in one `groups.invite` call, but a call with thousands
//! takes long, may meet a proxy's timeout, and fails as a whole. [`BulkInvite`] sends the list
//! in batches ([`DEFAULT_BATCH_SIZE`] users each by default), one call per batch, and hands
//! each batch's result to the caller as it comes, so that a program can draw progress and
//! report failures while the rest go on. At the end, [`BulkInvite::finish`] gives a [`Report`]
//! with the totals.
//!
//! ```no_run
//! # async fn run(client: rocketchat_client::Client) {
//! use rocketchat_client::{
//!     Invitees, RoomSelector,
//!     bulk::{BatchOutcome, Stop},
//! };
//!
//! let names = std::fs::read_to_string("team.txt").unwrap();
//! let mut bulk = client
//!     .bulk_invite(RoomSelector::name("team"), Invitees::usernames(names.lines()))
//!     .batch_size(200)
//!     .max_failures_in_a_row(3);
//! let batches = bulk.report().batches;
//! while let Some(batch) = bulk.next_batch().await {
//!     let users = batch.users.len();
//!     match &batch.outcome {
//!         BatchOutcome::Accepted(_) => println!("batch {}/{batches}: {users} users sent", batch.number),
//!         BatchOutcome::NoneFound => println!("batch {}/{batches}: none of these users exists", batch.number),
//!         BatchOutcome::Failed(error) => eprintln!("batch {}/{batches} failed: {error}", batch.number),
//!     }
//! }
//! let report = bulk.finish();
//! println!(
//!     "{} added, {} already members, {} not found: {:?}",
//!     report.outcomes.added,
//!     report.outcomes.already_members,
//!     report.outcomes.not_found,
//!     report.not_found_entries,
//! );
//! if let Some(Stop::LastingFailure { batch }) = report.stopped {
//!     eprintln!("{} batches were not sent after batch {batch} failed", report.skipped);
//! }
//! # }
//! ```
//!
//! # When a batch fails
//!
//! Each call has the client's retries ([`RetryPolicy`](crate::RetryPolicy)); a batch fails
//! only when those are spent. Then:
//!
//! * A failure every later batch would share stops the run: an error that is not
//!   [transient](Error::is_transient) (401, an unknown group, no permission, any other 4xx, an
//!   [`Error::InvalidRequest`] such as a blank room name), and a 429 the client gave up waiting
//!   out, since the next batch would meet the same rate limiter. The rest of the batches are not
//!   sent ([`Stop::LastingFailure`]).
//! * A failure that may not last (network, timeout, 5xx) or an answer that did not decode
//!   ([`Error::Decode`]) fails only its batch, and the next one is sent. After
//!   [`DEFAULT_MAX_FAILURES_IN_A_ROW`] such failures in a row the rest are not sent either
//!   ([`Stop::FailuresInARow`]): by then the server is most likely down, and each further batch
//!   would only add its own retries and timeouts.
//!
//! Rocket.Chat answers `error-empty-invite-list` when none of a call's users exists. That is
//! not a failure here: the batch is [`BatchOutcome::NoneFound`], and its users count as not
//! found.

use std::ops::Range;

use rocketchat_protocol::{
    ErrorKind, RoomSelector,
    groups::invite::{self, Invitees, LookupMode, Outcome, Summary},
};

use crate::{Client, Error};

/// How many users one call carries unless [`BulkInvite::batch_size`] says otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// How many batches in a row may fail for reasons that may not last before the rest are not
/// sent, unless [`BulkInvite::max_failures_in_a_row`] says otherwise.
pub const DEFAULT_MAX_FAILURES_IN_A_ROW: usize = 3;

/// A long list of users being invited in batches; made by [`Client::bulk_invite`].
///
/// Call [`next_batch`](Self::next_batch) until it answers `None`, then
/// [`finish`](Self::finish) for the totals. The [module documentation](self) has an example and
/// says what happens when a batch fails.
///
/// A batch of one user is sent as `username` or `userId`, several as `usernames` or `userIds`,
/// so that servers older than 3.0, which take one user per call, understand a batch of one.
#[derive(Debug)]
pub struct BulkInvite {
    client: Client,
    room: RoomSelector,
    mode: LookupMode,
    entries: Vec<String>,
    batch_size: usize,
    max_failures_in_a_row: usize,
    /// The position of the first entry not sent yet.
    next: usize,
    failures_in_a_row: usize,
    report: Report,
}

/// One batch sent: which users, and what came of it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Batch {
    /// The batch's number, from 1.
    pub number: usize,
    /// The positions of the batch's users in the list, from 0:
    /// `&bulk.entries()[batch.users.clone()]` are the entries sent.
    pub users: Range<usize>,
    /// The server's answer.
    pub outcome: BatchOutcome,
}

/// What the server did with one batch.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per HTTP call, and matching on a box would be clumsier"
)]
pub enum BatchOutcome {
    /// The server accepted the batch. Our server says what happened to each user in
    /// [`invitees`](invite::Response::invitees); others do not.
    Accepted(invite::Response),
    /// Rocket.Chat's `error-empty-invite-list`: none of the batch's users exists. They count
    /// as not found, and the batch as accepted.
    NoneFound,
    /// The call failed, after any retries the client's policy allowed.
    Failed(Error),
}

/// Why a bulk invite stopped before sending every batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// Batch `batch` failed in a way every later batch would too: an error that is not
    /// transient (401, unknown group, no permission...), or a 429 that outlasted the retries.
    LastingFailure {
        /// The number of the batch that failed.
        batch: usize,
    },
    /// `failures` batches in a row failed for reasons that may not last (network, timeout,
    /// 5xx), the last of them batch `batch`.
    FailuresInARow {
        /// How many batches failed in a row.
        failures: usize,
        /// The number of the last of them.
        batch: usize,
    },
}

/// What a bulk invite did, so far ([`BulkInvite::report`]) or in all ([`BulkInvite::finish`]).
///
/// Every entry of the list ends up in exactly one count: an outcome in
/// [`outcomes`](Self::outcomes), [`unreported`](Self::unreported) or
/// [`not_done`](Self::not_done) (a server that reports outcomes drops repeated entries of one
/// batch, so then the counts may add up to less).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The entries in the list.
    pub requested: usize,
    /// The most users in one batch.
    pub batch_size: usize,
    /// How many batches the list makes.
    pub batches: usize,
    /// Batches the server accepted, [`NoneFound`](BatchOutcome::NoneFound) included.
    pub succeeded: usize,
    /// Batches that failed.
    pub failed: usize,
    /// Batches not sent: after the run [stopped](Self::stopped), or left when
    /// [`BulkInvite::finish`] was called early.
    pub skipped: usize,
    /// What the server reported for the users of accepted batches. An outcome this version
    /// does not know counts as [`other`](Summary::other): it is neither added nor not found.
    /// The users of a [`NoneFound`](BatchOutcome::NoneFound) batch count as not found.
    pub outcomes: Summary,
    /// Users of accepted batches whose outcome the server did not report: servers other than
    /// `rocketchat-server` send none.
    pub unreported: usize,
    /// Users of batches that failed or were not sent.
    pub not_done: usize,
    /// The entries reported not found, in the order sent.
    pub not_found_entries: Vec<String>,
    /// Why the batches after the last one sent were not sent; `None` when nothing was left
    /// to skip.
    pub stopped: Option<Stop>,
}

impl BulkInvite {
    pub(crate) fn new(client: Client, room: RoomSelector, invitees: Invitees) -> Self {
        let mode = invitees.mode();
        let entries = match invitees {
            Invitees::UserId { user_id: one } | Invitees::Username { username: one } => {
                vec![one]
            }
            Invitees::UserIds { user_ids: many } | Invitees::Usernames { usernames: many } => many,
        };
        let mut bulk = Self {
            client,
            room,
            mode,
            report: Report {
                requested: entries.len(),
                ..Report::default()
            },
            entries,
            batch_size: DEFAULT_BATCH_SIZE,
            max_failures_in_a_row: DEFAULT_MAX_FAILURES_IN_A_ROW,
            next: 0,
            failures_in_a_row: 0,
        };
        bulk.count_batches();
        bulk
    }

    /// How many users to send in one call; [`DEFAULT_BATCH_SIZE`] unless set. A size of 0 is
    /// taken as 1.
    #[must_use]
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = size.max(1);
        self.count_batches();
        self
    }

    /// How many batches in a row may fail for reasons that may not last before the rest are
    /// not sent; [`DEFAULT_MAX_FAILURES_IN_A_ROW`] unless set. 0 is taken as 1: the first such
    /// failure stops the run.
    #[must_use]
    pub fn max_failures_in_a_row(mut self, failures: usize) -> Self {
        self.max_failures_in_a_row = failures.max(1);
        self
    }

    /// The list, as given.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Whether the entries are user ids or usernames.
    pub fn mode(&self) -> LookupMode {
        self.mode
    }

    /// The totals so far. Batches not sent count as [`skipped`](Report::skipped) only once the
    /// run has stopped, or in the report of [`finish`](Self::finish).
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Sends the next batch, with the client's retries, and says what came of it; `None` when
    /// every batch was sent or the run stopped (see the [module documentation](self)).
    ///
    /// Dropping the future before it completes leaves the batch unsent as far as the report is
    /// concerned: the next call sends it again (inviting a member again changes nothing).
    pub async fn next_batch(&mut self) -> Option<Batch> {
        if self.next >= self.entries.len() {
            return None;
        }
        let users = self.next..(self.next + self.batch_size).min(self.entries.len());
        let number = self.report.succeeded + self.report.failed + 1;
        let batch = self.entries[users.clone()].to_vec();
        let result = match invite::Request::new(self.room.clone(), invitees(self.mode, batch)) {
            Ok(request) => self.client.groups_invite(&request).await,
            Err(error) => Err(Error::InvalidRequest(error)),
        };
        self.next = users.end;
        let outcome = self.count(number, users.clone(), result);
        Some(Batch {
            number,
            users,
            outcome,
        })
    }

    /// The totals, counting the batches not sent (if any) as skipped.
    pub fn finish(mut self) -> Report {
        self.skip_the_rest();
        self.report
    }

    /// Adds one batch's result to the report, and stops the run when it must.
    fn count(
        &mut self,
        number: usize,
        users: Range<usize>,
        result: Result<invite::Response, Error>,
    ) -> BatchOutcome {
        let report = &mut self.report;
        match result {
            Ok(response) => {
                self.failures_in_a_row = 0;
                report.succeeded += 1;
                match &response.invitees {
                    Some(invitees) => {
                        for invitee in invitees {
                            report.outcomes.count(&invitee.outcome);
                            if invitee.outcome == Outcome::NotFound {
                                report.not_found_entries.push(invitee.requested.clone());
                            }
                        }
                    }
                    None => report.unreported += users.len(),
                }
                BatchOutcome::Accepted(response)
            }
            Err(Error::Api {
                kind: ErrorKind::EmptyInviteList,
                ..
            }) => {
                self.failures_in_a_row = 0;
                report.succeeded += 1;
                report.outcomes.not_found += users.len();
                report
                    .not_found_entries
                    .extend_from_slice(&self.entries[users]);
                BatchOutcome::NoneFound
            }
            Err(error) => {
                report.failed += 1;
                report.not_done += users.len();
                self.failures_in_a_row += 1;
                let stop = if is_lasting(&error) {
                    Some(Stop::LastingFailure { batch: number })
                } else if self.failures_in_a_row >= self.max_failures_in_a_row {
                    Some(Stop::FailuresInARow {
                        failures: self.failures_in_a_row,
                        batch: number,
                    })
                } else {
                    None
                };
                if let Some(stop) = stop
                    && self.skip_the_rest() > 0
                {
                    self.report.stopped = Some(stop);
                }
                BatchOutcome::Failed(error)
            }
        }
    }

    /// Counts the batches not sent yet as skipped, so that none is sent any more; answers how
    /// many there were.
    fn skip_the_rest(&mut self) -> usize {
        let rest = self.entries.len() - self.next;
        let skipped = rest.div_ceil(self.batch_size);
        self.report.skipped += skipped;
        self.report.not_done += rest;
        self.next = self.entries.len();
        skipped
    }

    /// Sets [`Report::batches`] from the batches sent and those the rest of the list makes.
    fn count_batches(&mut self) {
        self.report.batch_size = self.batch_size;
        self.report.batches = self.report.succeeded
            + self.report.failed
            + self.report.skipped
            + (self.entries.len() - self.next).div_ceil(self.batch_size);
    }
}

/// Whether every later batch would fail the same way: any error that is not transient (but an
/// answer that did not decode, which may be the one batch's), and a 429 that outlasted the
/// retries, since the next batch would meet the same rate limiter.
fn is_lasting(error: &Error) -> bool {
    matches!(error, Error::RateLimited { .. })
        || (!error.is_transient() && !matches!(error, Error::Decode { .. }))
}

/// The invitees for `entries` looked up in `mode`: one as `userId` or `username`, several as
/// `userIds` or `usernames`.
pub(crate) fn invitees(mode: LookupMode, mut entries: Vec<String>) -> Invitees {
    match (mode, entries.len()) {
        (LookupMode::Ids, 1) => Invitees::user_id(entries.remove(0)),
        (LookupMode::Ids, _) => Invitees::user_ids(entries),
        (LookupMode::Usernames, 1) => Invitees::username(entries.remove(0)),
        (LookupMode::Usernames, _) => Invitees::usernames(entries),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rocketchat_protocol::{ErrorBody, PlainError};

    use super::*;

    fn bulk(entries: usize, batch_size: usize) -> BulkInvite {
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let names = (1..=entries).map(|n| format!("user{n}"));
        client
            .bulk_invite(RoomSelector::name("team"), Invitees::usernames(names))
            .batch_size(batch_size)
    }

    fn unavailable() -> Error {
        Error::Http {
            status: 503,
            body: ErrorBody::Plain(PlainError::new("Service Unavailable")),
        }
    }

    /// Counts a batch of `bulk` as if it had been sent with `result`.
    fn answer(bulk: &mut BulkInvite, result: Result<invite::Response, Error>) -> BatchOutcome {
        let users = bulk.next..(bulk.next + bulk.batch_size).min(bulk.entries.len());
        let number = bulk.report.succeeded + bulk.report.failed + 1;
        bulk.next = users.end;
        bulk.count(number, users, result)
    }

    #[test]
    fn the_list_is_cut_into_batches() {
        assert_eq!(bulk(1001, 500).report().batches, 3);
        assert_eq!(bulk(1000, 500).report().batches, 2);
        assert_eq!(bulk(0, 500).report().batches, 0);
        let single = bulk(3, 0);
        assert_eq!(
            (single.report().batch_size, single.report().batches),
            (1, 3)
        );
    }

    #[test]
    fn one_entry_travels_alone_and_several_as_a_list() {
        let one = || vec!["a".to_owned()];
        assert_eq!(
            invitees(LookupMode::Usernames, one()),
            Invitees::username("a")
        );
        assert_eq!(invitees(LookupMode::Ids, one()), Invitees::user_id("a"));
        let two = || vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            invitees(LookupMode::Usernames, two()),
            Invitees::usernames(["a", "b"])
        );
        assert_eq!(
            invitees(LookupMode::Ids, two()),
            Invitees::user_ids(["a", "b"])
        );
    }

    #[test]
    fn lasting_failures_are_those_every_batch_would_share() {
        let api = |kind: ErrorKind| Error::Api {
            status: 400,
            kind,
            message: String::new(),
            details: None,
        };
        let lasting = [
            Error::Unauthorized {
                message: "You must be logged in to do this.".into(),
            },
            api(ErrorKind::RoomNotFound),
            api(ErrorKind::from("error-from-a-newer-server")),
            Error::RateLimited {
                retry_after: Some(Duration::from_secs(120)),
                message: String::new(),
            },
            Error::Http {
                status: 403,
                body: ErrorBody::Plain(PlainError::new("Forbidden")),
            },
        ];
        for error in &lasting {
            assert!(is_lasting(error), "{error:?}");
        }
        let decode = Error::Decode {
            status: 200,
            body: "<html>".into(),
            source: serde_json::from_str::<u8>("<html>").unwrap_err(),
        };
        for error in [unavailable(), decode] {
            assert!(!is_lasting(&error), "{error:?}");
        }
    }

    #[test]
    fn a_lasting_failure_in_the_last_batch_skips_nothing() {
        let mut bulk = bulk(3, 2);
        assert!(matches!(
            answer(&mut bulk, Err(unavailable())),
            BatchOutcome::Failed(_)
        ));
        let unauthorized = Error::Unauthorized {
            message: String::new(),
        };
        answer(&mut bulk, Err(unauthorized));
        let report = bulk.finish();
        assert_eq!(
            (
                report.failed,
                report.skipped,
                report.not_done,
                report.stopped
            ),
            (2, 0, 3, None)
        );
    }

    #[test]
    fn a_success_restarts_the_count_of_failures() {
        let mut bulk = bulk(6, 1).max_failures_in_a_row(2);
        let empty = || {
            Err(Error::Api {
                status: 400,
                kind: ErrorKind::EmptyInviteList,
                message: String::new(),
                details: None,
            })
        };
        answer(&mut bulk, Err(unavailable()));
        answer(&mut bulk, empty());
        answer(&mut bulk, Err(unavailable()));
        assert_eq!(bulk.report().stopped, None);
        answer(&mut bulk, Err(unavailable()));
        let report = bulk.report().clone();
        assert_eq!(
            report.stopped,
            Some(Stop::FailuresInARow {
                failures: 2,
                batch: 4
            })
        );
        assert_eq!(
            (
                report.succeeded,
                report.failed,
                report.skipped,
                report.not_done
            ),
            (1, 3, 2, 5)
        );
        assert_eq!(report.not_found_entries, ["user2"]);
        assert_eq!(report.outcomes.not_found, 1);
        assert_eq!(bulk.finish(), report, "finish adds nothing once stopped");
    }

    #[test]
    fn finishing_early_skips_the_rest() {
        let bulk = bulk(5, 2);
        let report = bulk.finish();
        assert_eq!(
            (
                report.batches,
                report.skipped,
                report.not_done,
                report.stopped
            ),
            (3, 3, 5, None)
        );
    }
}
