//! Reading the list of users: arguments, files and standard input.

use std::{
    collections::HashSet,
    fs,
    io::{self, Read},
    path::Path,
};

use rocketchat_client::LookupMode;

/// The entries to invite, in order, each once.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct UserList {
    /// Distinct entries, in the order first seen.
    pub(crate) entries: Vec<String>,
    /// How many entries were dropped as repeats of an earlier one: the same id, or a username
    /// that differs only in case ([`LookupMode::key`], Rocket.Chat's own comparison).
    pub(crate) duplicates: usize,
}

impl UserList {
    /// Adds one entry, unless it is blank or was seen before; the first spelling is kept.
    fn push(&mut self, seen: &mut HashSet<String>, entry: &str, mode: LookupMode) {
        let entry = entry.trim();
        // `@alice` is how people write a username in chat; Rocket.Chat usernames never start
        // with `@`.
        let entry = match mode {
            LookupMode::Usernames => entry.trim_start_matches('@'),
            LookupMode::Ids => entry,
        };
        if entry.is_empty() {
            return;
        }
        if seen.insert(mode.key(entry)) {
            self.entries.push(entry.to_owned());
        } else {
            self.duplicates += 1;
        }
    }
}

/// Collects the users from the arguments, then the files in the order given, where `-` (as an argument or a file)
/// stands for standard input, read once.
///
/// A byte order mark at the start of a file or of standard input is dropped. Lines are trimmed;
/// blank lines and lines starting with `#` are skipped. Usernames lose a leading `@`, and
/// entries that differ only in case are one user.
pub(crate) fn collect(
    arguments: &[String],
    files: &[impl AsRef<Path>],
    mode: LookupMode,
    stdin: impl FnOnce() -> io::Result<String>,
) -> Result<UserList, String> {
    let mut list = UserList::default();
    let mut seen = HashSet::new();
    let mut stdin = Some(stdin);
    let mut read_stdin = |list: &mut UserList, seen: &mut HashSet<String>| match stdin.take() {
        Some(read) => {
            let text = read().map_err(|error| format!("cannot read standard input: {error}"))?;
            push_lines(list, seen, &text, mode);
            Ok(())
        }
        None => Err("standard input (-) can be read only once".to_owned()),
    };
    for argument in arguments {
        if argument == "-" {
            read_stdin(&mut list, &mut seen)?;
        } else {
            list.push(&mut seen, argument, mode);
        }
    }
    for file in files {
        let file = file.as_ref();
        if file == Path::new("-") {
            read_stdin(&mut list, &mut seen)?;
            continue;
        }
        let text = fs::read_to_string(file)
            .map_err(|error| format!("cannot read {}: {error}", file.display()))?;
        push_lines(&mut list, &mut seen, &text, mode);
    }
    Ok(list)
}

fn push_lines(list: &mut UserList, seen: &mut HashSet<String>, text: &str, mode: LookupMode) {
    // Editors on Windows start UTF-8 files with a byte order mark; it is not part of the first
    // name (and `trim` keeps it: U+FEFF is not white space).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for line in text.lines() {
        if !line.trim_start().starts_with('#') {
            list.push(seen, line, mode);
        }
    }
}

/// Reads all of standard input.
pub(crate) fn read_stdin() -> io::Result<String> {
    let mut text = String::new();
    io::stdin().read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const USERNAMES: LookupMode = LookupMode::Usernames;
    const IDS: LookupMode = LookupMode::Ids;

    fn no_stdin() -> io::Result<String> {
        panic!("standard input was read")
    }

    #[test]
    fn arguments_are_trimmed_and_deduplicated() {
        let arguments = ["alice", " bob ", "alice", "", "@carol"].map(String::from);
        let list = collect(&arguments, &[] as &[&str], USERNAMES, no_stdin).unwrap();
        assert_eq!(list.entries, ["alice", "bob", "carol"]);
        assert_eq!(list.duplicates, 1);
    }

    #[test]
    fn lines_skip_comments_and_blanks() {
        let stdin = || Ok("# team\nalice\n\n  # not me\r\nbob\r\n  \ncarol\n".to_owned());
        let list = collect(&["-".to_owned()], &[] as &[&str], USERNAMES, stdin).unwrap();
        assert_eq!(list.entries, ["alice", "bob", "carol"]);
    }

    #[test]
    fn usernames_that_differ_only_in_case_are_one_user() {
        let arguments = [
            "Dave",
            "dave",
            "@DAVE",
            "Ärger",
            "äRGER",
            "ΣΊΣΥΦΟΣ",
            "σίσυφος",
        ];
        let list = collect(
            &arguments.map(String::from),
            &[] as &[&str],
            USERNAMES,
            no_stdin,
        )
        .unwrap();
        assert_eq!(list.entries, ["Dave", "Ärger", "ΣΊΣΥΦΟΣ"]);
        assert_eq!(list.duplicates, 4);
    }

    #[test]
    fn ids_differ_by_case() {
        let arguments = [
            "nSYqWzZ4GsKTX4dyK",
            "nsyqwzz4gsktx4dyk",
            "nSYqWzZ4GsKTX4dyK",
        ];
        let list = collect(&arguments.map(String::from), &[] as &[&str], IDS, no_stdin).unwrap();
        assert_eq!(list.entries, ["nSYqWzZ4GsKTX4dyK", "nsyqwzz4gsktx4dyk"]);
        assert_eq!(list.duplicates, 1);
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let stdin = || Ok("\u{feff}alice\nbob\n".to_owned());
        let list = collect(&["-".to_owned()], &[] as &[&str], IDS, stdin).unwrap();
        assert_eq!(list.entries, ["alice", "bob"]);
        let stdin = || Ok("\u{feff}# team\nalice\n".to_owned());
        let list = collect(&["-".to_owned()], &[] as &[&str], USERNAMES, stdin).unwrap();
        assert_eq!(list.entries, ["alice"]);
    }

    #[test]
    fn ids_keep_a_leading_at_sign() {
        let list = collect(&["@x".to_owned()], &[] as &[&str], IDS, no_stdin).unwrap();
        assert_eq!(list.entries, ["@x"]);
    }

    #[test]
    fn stdin_is_read_once() {
        let error =
            collect(&["-".to_owned()], &["-"], USERNAMES, || Ok(String::new())).unwrap_err();
        assert_eq!(error, "standard input (-) can be read only once");
    }

    #[test]
    fn missing_file_is_named() {
        let error = collect(&[], &["/no/such/file"], USERNAMES, no_stdin).unwrap_err();
        assert!(error.starts_with("cannot read /no/such/file: "), "{error}");
    }
}
