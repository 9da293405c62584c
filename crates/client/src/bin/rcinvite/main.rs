//! `rcinvite`: invite users to a Rocket.Chat private group from the command line.

use std::{io::IsTerminal, path::PathBuf, process::ExitCode, time::Duration};

use clap::{
    ArgGroup, ArgMatches, CommandFactory, FromArgMatches, Parser, error::ErrorKind,
    parser::ValueSource,
};
use rocketchat_client::{Client, Credentials, Error, LookupMode, RetryPolicy, RoomSelector};

mod input;
mod log;
mod output;
mod run;

const LONG_ABOUT: &str = "\
Invite users to a Rocket.Chat private group, in batches, and report what happened.

Users are usernames (or user ids with --ids), given as arguments, read from files (--file, one \
per line; blank lines and lines starting with # are skipped) or from standard input (\"-\" as an \
argument or as the file). A leading @ on a username is dropped and repeated entries are sent \
once. Usernames match case-insensitively, so entries that differ only in case are repeats (the \
first spelling is sent); user ids are compared exactly.

Long lists are sent in several groups.invite calls of --batch-size users each, with a progress \
bar on a terminal. Failed calls are retried when that is safe (network errors, 5xx, rate \
limits). The rest of the batches are not sent after one fails in a way every later one would \
(bad credentials, unknown group, no permission, a rate limit outlasting the retries; rcinvite \
then says when to try again), or after 3 fail in a row. At the end rcinvite prints how many users were added, were members already, or were \
not found. Servers other than rocketchat-rs do not report this per user; rcinvite then says \
the counts are unknown.

Credentials come from --user-id and --auth-token (a personal access token works too), or from \
--username and a password (--password, RC_PASSWORD, or a prompt when standard input is a \
terminal). Every flag can also be set by the environment variable shown; a flag on the command \
line wins over the environment, and a token wins over a password from the same place.";

const AFTER_LONG_HELP: &str = "\
Exit status:
  0  success: every batch was accepted and no user was reported not found (servers that
     report per-user outcomes, like rocketchat-rs, have made every user a member; with
     others the counts are unknown)
  1  failure: nothing was done (bad credentials, unknown group, no permission, server
     unreachable, rate limited, empty list)
  2  usage error: bad or missing flags or environment variables (such as a --url that is not
     an http:// or https:// address, or a blank credential)
  3  partial: some users were not found, or some batches failed or were not sent

Examples:
  export RC_URL=https://chat.example.com RC_USER_ID=aobEdbYhXfu5hkeqG RC_AUTH_TOKEN=...
  rcinvite --room-name project-x alice bob
  rcinvite --room-id ByehQjC44FwMeiLbX --ids nSYqWzZ4GsKTX4dyK
  rcinvite --room-name project-x --file team.txt
  cut -d, -f1 people.csv | rcinvite --room-name project-x -
  RC_USERNAME=admin rcinvite --room-name project-x --file team.txt --json | jq .notFoundUsers";

/// Invite users to a Rocket.Chat private group.
#[derive(Debug, Parser)]
#[command(
    name = "rcinvite",
    version,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP,
    after_help = "Run rcinvite --help for the exit statuses and examples.",
    group(ArgGroup::new("room").required(true).args(["room_name", "room_id"]))
)]
struct Args {
    // Not a doc comment: rustdoc would want the URL in angle brackets, which --help would show.
    #[arg(
        long,
        env = "RC_URL",
        value_name = "URL",
        value_parser = server_url,
        help = "The server's address, such as https://chat.example.com"
    )]
    url: String,

    /// The id of the user to act as, with --auth-token
    #[arg(
        long,
        env = "RC_USER_ID",
        value_name = "ID",
        help_heading = "Credentials"
    )]
    user_id: Option<String>,

    /// An auth token (or personal access token) of that user
    #[arg(
        long,
        env = "RC_AUTH_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        help_heading = "Credentials"
    )]
    auth_token: Option<String>,

    /// A username (or e-mail address) to log in as, with a password
    #[arg(
        long,
        env = "RC_USERNAME",
        value_name = "NAME",
        help_heading = "Credentials"
    )]
    username: Option<String>,

    /// The password; prompted for when missing and standard input is a terminal (prefer
    /// RC_PASSWORD or the prompt: command lines are visible to other users)
    #[arg(
        long,
        env = "RC_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true,
        help_heading = "Credentials"
    )]
    password: Option<String>,

    /// The group's name
    #[arg(long, value_name = "NAME", help_heading = "Group")]
    room_name: Option<String>,

    /// The group's id
    #[arg(long, value_name = "ID", help_heading = "Group")]
    room_id: Option<String>,

    /// Usernames (or ids, with --ids) to invite; "-" reads them from standard input
    #[arg(value_name = "USER")]
    users: Vec<String>,

    /// Read users from a file, one per line ("-" for standard input); may be repeated
    #[arg(short, long, value_name = "PATH")]
    file: Vec<PathBuf>,

    /// Treat every entry as a user id instead of a username
    #[arg(long)]
    ids: bool,

    /// How many users to send in one call
    #[arg(long, value_name = "N", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch_size: u32,

    /// Print the summary as JSON on standard output (and no progress bar)
    #[arg(long)]
    json: bool,

    /// Seconds one call may take before it is abandoned (and maybe retried)
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,

    /// How many times a failed call is retried
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,

    /// Log retries (-v) or every request (-vv) on standard error
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn main() -> ExitCode {
    let matches = Args::command().get_matches();
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(error) => error.exit(),
    };
    log::init(args.verbose);
    let credentials = credentials(&args, &matches);
    let room = match (&args.room_id, &args.room_name) {
        (Some(id), _) => RoomSelector::id(id.trim()),
        (None, Some(name)) => RoomSelector::name(name.trim()),
        (None, None) => unreachable!("clap requires one of --room-id and --room-name"),
    };
    if args.users.is_empty() && args.file.is_empty() {
        usage_error(
            ErrorKind::MissingRequiredArgument,
            "no users given: name them as arguments, with --file, or \"-\" for standard input",
        );
    }

    let fail = |message: String| {
        let mut report = run::Report {
            room: Some(room.clone()),
            errors: vec![run::BatchError::whole_run(&message)],
            ..run::Report::default()
        };
        report.finish();
        if args.json {
            output::print(&report, true);
        } else {
            eprintln!("rcinvite: {message}");
        }
        report.exit_code()
    };

    let mode = if args.ids {
        LookupMode::Ids
    } else {
        LookupMode::Usernames
    };
    let list = match input::collect(&args.users, &args.file, mode, input::read_stdin) {
        Ok(list) => list,
        Err(message) => return fail(message),
    };
    if list.entries.is_empty() {
        return fail("no users to invite: the list is empty".to_owned());
    }
    let client = Client::builder()
        .base_url(&args.url)
        .credentials(credentials)
        .timeout(Duration::from_secs(args.timeout))
        .retry_policy(RetryPolicy::default().max_retries(args.retries))
        .user_agent(concat!("rcinvite/", env!("CARGO_PKG_VERSION")))
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => return fail(run::describe(&error)),
    };
    let plan = run::Plan {
        room: room.clone(),
        entries: list.entries,
        duplicates: list.duplicates,
        mode,
        batch_size: args.batch_size as usize,
        show_progress: !args.json && std::io::stderr().is_terminal(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the async runtime: {error}")),
    };
    let report = runtime.block_on(run::run(&client, plan));
    output::print(&report, args.json);
    report.exit_code()
}

/// Picks the credentials: command-line flags win over environment variables, and a token wins
/// over a password given the same way. Exits with a usage error when there are none.
fn credentials(args: &Args, matches: &ArgMatches) -> Credentials {
    let on_command_line = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let token = match (&args.user_id, &args.auth_token) {
        (Some(user_id), Some(token)) => Some(Credentials::token(user_id, token.as_str())),
        (Some(_), None) => usage_error(
            ErrorKind::MissingRequiredArgument,
            "--user-id needs --auth-token (or RC_AUTH_TOKEN)",
        ),
        (None, Some(_)) => usage_error(
            ErrorKind::MissingRequiredArgument,
            "--auth-token needs --user-id (or RC_USER_ID)",
        ),
        (None, None) => None,
    };
    let token_on_command_line = on_command_line("user_id") || on_command_line("auth_token");
    let prefer_password = args.username.is_some()
        && (token.is_none() || (on_command_line("username") && !token_on_command_line));
    if let Some(token) = token.filter(|_| !prefer_password) {
        not_blank(args.user_id.as_deref(), "--user-id (or RC_USER_ID)");
        not_blank(
            args.auth_token.as_deref(),
            "--auth-token (or RC_AUTH_TOKEN)",
        );
        return token;
    }
    let Some(username) = &args.username else {
        usage_error(
            ErrorKind::MissingRequiredArgument,
            "no credentials: give --user-id and --auth-token, or --username (and a password), \
             or set RC_USER_ID and RC_AUTH_TOKEN, or RC_USERNAME",
        );
    };
    let password = match &args.password {
        Some(password) => password.clone(),
        None if std::io::stdin().is_terminal() => {
            match rpassword::prompt_password(format!("Password for {username} at {}: ", args.url)) {
                Ok(password) => password,
                Err(error) => {
                    usage_error(ErrorKind::Io, &format!("cannot read the password: {error}"))
                }
            }
        }
        None => usage_error(
            ErrorKind::MissingRequiredArgument,
            "no password: set RC_PASSWORD or pass --password (standard input is not a terminal, \
             so rcinvite cannot prompt)",
        ),
    };
    not_blank(Some(username), "--username (or RC_USERNAME)");
    if password.is_empty() {
        usage_error(ErrorKind::InvalidValue, "the password is empty");
    }
    Credentials::password(username, password)
}

/// Exits with a usage error when a credential is blank, which the client would refuse.
fn not_blank(value: Option<&str>, flag: &str) {
    if value.is_some_and(|value| value.trim().is_empty()) {
        usage_error(ErrorKind::InvalidValue, &format!("{flag} is blank"));
    }
}

/// Checks `--url` with the client's own rules (an `http` or `https` address with a host and
/// neither a query nor a fragment), so that a bad one is a usage error rather than a failed run.
fn server_url(value: &str) -> Result<String, String> {
    match Client::builder().base_url(value).build() {
        Ok(_) => Ok(value.to_owned()),
        Err(Error::Config(reason)) => Err(format!(
            "{reason}; give an address such as https://chat.example.com"
        )),
        Err(other) => Err(other.to_string()),
    }
}

fn usage_error(kind: ErrorKind, message: &str) -> ! {
    Args::command().error(kind, message).exit()
}
