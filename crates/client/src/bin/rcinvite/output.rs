//! Printing the report: a short text for people, or JSON for scripts.

use std::fmt::Write as _;

use crate::run::Report;

/// How many not-found users the text summary lists before it says "and N more".
const NOT_FOUND_SHOWN: usize = 20;

/// Prints the report to standard output.
pub(crate) fn print(report: &Report, json: bool) {
    if json {
        let text = serde_json::to_string_pretty(report).expect("the report serialises");
        println!("{text}");
    } else {
        print!("{}", text(report));
    }
}

/// The text summary.
pub(crate) fn text(report: &Report) -> String {
    let mut out = String::new();
    let room = report.room.as_ref().map_or("?", |room| room.as_str());
    let b = &report.batches;
    let _ = writeln!(
        out,
        "{}: {} {} for group {room:?}, {} of {} {} accepted",
        report.outcome,
        report.requested,
        match (report.mode == "ids", report.requested == 1) {
            (true, true) => "user id",
            (true, false) => "user ids",
            (false, true) => "username",
            (false, false) => "usernames",
        },
        b.succeeded,
        b.total,
        if b.total == 1 { "batch" } else { "batches" },
    );
    let rows = [
        ("added", Some(report.added)),
        ("already members", Some(report.already_members)),
        ("not found", Some(report.not_found)),
        ("unknown", (report.unknown > 0).then_some(report.unknown)),
        ("not done", (report.not_done > 0).then_some(report.not_done)),
        (
            "duplicates",
            (report.duplicates > 0).then_some(report.duplicates),
        ),
    ];
    for (label, count) in rows {
        if let Some(count) = count {
            let _ = writeln!(out, "  {label:<16} {count:>7}");
        }
    }
    if report.unreported > 0 {
        let _ = writeln!(
            out,
            "counts are unknown for {} users: the server does not report per-user outcomes",
            report.unreported
        );
    }
    if report.other > 0 {
        let _ = writeln!(
            out,
            "counts are unknown for {} users: the server reported outcomes this version of \
             rcinvite does not know",
            report.other
        );
    }
    if !report.not_found_users.is_empty() {
        let shown = &report.not_found_users[..report.not_found_users.len().min(NOT_FOUND_SHOWN)];
        let _ = write!(out, "not found: {}", shown.join(", "));
        let more = report.not_found_users.len() - shown.len();
        if more > 0 {
            let _ = write!(out, " and {more} more (--json lists all)");
        }
        out.push('\n');
    }
    if let Some(why) = &report.stopped {
        let skipped = report.batches.skipped;
        let batches = if skipped == 1 {
            "batch was"
        } else {
            "batches were"
        };
        let _ = writeln!(out, "{skipped} later {batches} not sent {why}");
    }
    out
}

#[cfg(test)]
mod tests {
    use rocketchat_client::RoomSelector;

    use super::*;
    use crate::run::Batches;

    #[test]
    fn text_summary_lists_counts_and_missing_users() {
        let mut report = Report {
            room: Some(RoomSelector::name("team")),
            mode: "usernames",
            requested: 4,
            batches: Batches {
                size: 500,
                total: 1,
                succeeded: 1,
                ..Batches::default()
            },
            added: 2,
            already_members: 1,
            not_found: 1,
            not_found_users: vec!["ghost".into()],
            ..Report::default()
        };
        report.finish();
        assert_eq!(
            text(&report),
            "partial: 4 usernames for group \"team\", 1 of 1 batch accepted\n  \
             added                  2\n  \
             already members        1\n  \
             not found              1\n\
             not found: ghost\n"
        );
    }
}
