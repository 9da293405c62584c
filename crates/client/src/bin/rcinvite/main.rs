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
mod sync;

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
line wins over the environment, and a token wins over a password from the same place.

rcinvite sync keeps a group in step with a list: see rcinvite sync --help.";

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

const SYNC_LONG_ABOUT: &str = "\
Make a Rocket.Chat private group's members match a list of usernames (an LDAP group, an HR \
export, a course roster), safely.

rcinvite sync reads the group's members (every page) and owners, compares them with the list \
ignoring case, invites who is missing in batches and, with --remove-extra, removes members who \
are not on the list, one call each, after the invites. It never removes you, and never an owner \
unless --remove-owners says so. An empty list is refused, and a list that would remove more \
than --max-removals members (10 by default) stops the run before it changes anything: a wrong, \
empty or cut-off file must never empty a group. --dry-run prints the plan (to add, to remove, \
not found, already in step) and changes nothing.

Each run starts from the group as it is, so a rerun after a partial failure finishes the job. \
Removing members takes one call each: run as an admin or a bot, whom Rocket.Chat's rate limit \
spares, for large groups.

The list is read as rcinvite reads one (one username per line, # comments, a leading @ \
dropped). Connection and credential flags are those of rcinvite.";

const SYNC_AFTER_LONG_HELP: &str = "\
Exit status:
  0  success: the group matches the list (members kept by policy aside), or, with --dry-run,
     the plan was made and every listed user exists
  1  failure: nothing was changed (bad credentials, unknown group, empty list, more removals
     than --max-removals, server unreachable)
  2  usage error: bad or missing flags or environment variables
  3  partial: some users were not found, or some changes failed or were not made; rerun

Examples:
  rcinvite sync --room-name course-101 --file roster.txt --dry-run
  rcinvite sync --room-name course-101 --file roster.txt --remove-extra
  ldap-group-members team-x | rcinvite sync --room-name team-x --file - --remove-extra --json";

/// Invite users to a Rocket.Chat private group.
#[derive(Debug, Parser)]
#[command(
    name = "rcinvite",
    version,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP,
    after_help = "Run rcinvite --help for the exit statuses and examples; rcinvite sync --help \
                  for keeping a group in step with a list.",
    group(ArgGroup::new("room").required(true).args(["room_name", "room_id"]))
)]
struct Args {
    #[command(flatten)]
    connection: Connection,

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
}

/// Make a private group's members match a list: invite who is missing and, with
/// --remove-extra, remove who is not on it.
#[derive(Debug, Parser)]
#[command(
    name = "rcinvite sync",
    version,
    long_about = SYNC_LONG_ABOUT,
    after_long_help = SYNC_AFTER_LONG_HELP,
    group(ArgGroup::new("room").required(true).args(["room_name", "room_id"]))
)]
struct SyncArgs {
    #[command(flatten)]
    connection: Connection,

    /// The list of usernames, one per line ("-" for standard input); may be repeated
    #[arg(short, long, value_name = "PATH", required = true)]
    file: Vec<PathBuf>,

    /// Also remove members who are not on the list (never you; owners only with
    /// --remove-owners)
    #[arg(long)]
    remove_extra: bool,

    /// With --remove-extra, remove owners who are not on the list too
    #[arg(long, requires = "remove_extra")]
    remove_owners: bool,

    /// Stop without changing anything when the list would remove more members than this
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_removals: usize,

    /// Print the plan (to add, to remove, not found, already in step) and change nothing
    #[arg(long)]
    dry_run: bool,

    /// How many users to invite in one call
    #[arg(long, value_name = "N", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch_size: u32,
}

/// What every rcinvite command takes: the server, the credentials, the group, and how to
/// talk and report.
#[derive(Debug, clap::Args)]
struct Connection {
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
    // `rcinvite sync ...` is its own command; anything else invites. (To invite a user called
    // "sync", write "@sync".)
    if std::env::args_os()
        .nth(1)
        .is_some_and(|first| first == "sync")
    {
        return sync_main();
    }
    let matches = Args::command().get_matches();
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(error) => error.exit(),
    };
    let connection = &args.connection;
    log::init(connection.verbose);
    let credentials = credentials::<Args>(connection, &matches);
    let room = room(connection);
    if args.users.is_empty() && args.file.is_empty() {
        usage_error::<Args>(
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
        if connection.json {
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
    let client = match client(connection, credentials) {
        Ok(client) => client,
        Err(error) => return fail(run::describe(&error)),
    };
    let plan = run::Plan {
        room: room.clone(),
        entries: list.entries,
        duplicates: list.duplicates,
        mode,
        batch_size: args.batch_size as usize,
        show_progress: !connection.json && std::io::stderr().is_terminal(),
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the async runtime: {error}")),
    };
    let report = runtime.block_on(run::run(&client, plan));
    output::print(&report, connection.json);
    report.exit_code()
}

/// `rcinvite sync`.
fn sync_main() -> ExitCode {
    // "sync" stands where clap expects the program's name.
    let matches = SyncArgs::command().get_matches_from(std::env::args_os().skip(1));
    let args = match SyncArgs::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(error) => error.exit(),
    };
    let connection = &args.connection;
    log::init(connection.verbose);
    let credentials = credentials::<SyncArgs>(connection, &matches);
    let room = room(connection);
    let fail = |message: String| {
        let report = sync::SyncReport::failed_before_start(room.clone(), args.dry_run, &message);
        if connection.json {
            sync::print(&report, true);
        } else {
            eprintln!("rcinvite: {message}");
        }
        report.exit_code()
    };
    let list = match input::collect(&[], &args.file, LookupMode::Usernames, input::read_stdin) {
        Ok(list) => list,
        Err(message) => return fail(message),
    };
    let client = match client(connection, credentials) {
        Ok(client) => client,
        Err(error) => return fail(run::describe(&error)),
    };
    let job = sync::SyncJob {
        room: room.clone(),
        list: list.entries,
        duplicates: list.duplicates,
        policy: sync::Policy {
            remove_extra: args.remove_extra,
            remove_owners: args.remove_owners,
        },
        max_removals: args.max_removals,
        dry_run: args.dry_run,
        batch_size: args.batch_size as usize,
        show_progress: !connection.json && std::io::stderr().is_terminal(),
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the async runtime: {error}")),
    };
    let report = runtime.block_on(sync::sync(&client, job));
    sync::print(&report, connection.json);
    report.exit_code()
}

/// The group the flags name.
fn room(connection: &Connection) -> RoomSelector {
    match (&connection.room_id, &connection.room_name) {
        (Some(id), _) => RoomSelector::id(id.trim()),
        (None, Some(name)) => RoomSelector::name(name.trim()),
        (None, None) => unreachable!("clap requires one of --room-id and --room-name"),
    }
}

/// The client the flags describe.
fn client(connection: &Connection, credentials: Credentials) -> Result<Client, Error> {
    Client::builder()
        .base_url(&connection.url)
        .credentials(credentials)
        .timeout(Duration::from_secs(connection.timeout))
        .retry_policy(RetryPolicy::default().max_retries(connection.retries))
        .user_agent(concat!("rcinvite/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A current-thread runtime: rcinvite makes one call at a time.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Picks the credentials: command-line flags win over environment variables, and a token wins
/// over a password given the same way. Exits with a usage error when there are none.
fn credentials<C: CommandFactory>(args: &Connection, matches: &ArgMatches) -> Credentials {
    let on_command_line = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let token = match (&args.user_id, &args.auth_token) {
        (Some(user_id), Some(token)) => Some(Credentials::token(user_id, token.as_str())),
        (Some(_), None) => usage_error::<C>(
            ErrorKind::MissingRequiredArgument,
            "--user-id needs --auth-token (or RC_AUTH_TOKEN)",
        ),
        (None, Some(_)) => usage_error::<C>(
            ErrorKind::MissingRequiredArgument,
            "--auth-token needs --user-id (or RC_USER_ID)",
        ),
        (None, None) => None,
    };
    let token_on_command_line = on_command_line("user_id") || on_command_line("auth_token");
    let prefer_password = args.username.is_some()
        && (token.is_none() || (on_command_line("username") && !token_on_command_line));
    if let Some(token) = token.filter(|_| !prefer_password) {
        not_blank::<C>(args.user_id.as_deref(), "--user-id (or RC_USER_ID)");
        not_blank::<C>(
            args.auth_token.as_deref(),
            "--auth-token (or RC_AUTH_TOKEN)",
        );
        return token;
    }
    let Some(username) = &args.username else {
        usage_error::<C>(
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
                    usage_error::<C>(ErrorKind::Io, &format!("cannot read the password: {error}"))
                }
            }
        }
        None => usage_error::<C>(
            ErrorKind::MissingRequiredArgument,
            "no password: set RC_PASSWORD or pass --password (standard input is not a terminal, \
             so rcinvite cannot prompt)",
        ),
    };
    not_blank::<C>(Some(username), "--username (or RC_USERNAME)");
    if password.is_empty() {
        usage_error::<C>(ErrorKind::InvalidValue, "the password is empty");
    }
    Credentials::password(username, password)
}

/// Exits with a usage error when a credential is blank, which the client would refuse.
fn not_blank<C: CommandFactory>(value: Option<&str>, flag: &str) {
    if value.is_some_and(|value| value.trim().is_empty()) {
        usage_error::<C>(ErrorKind::InvalidValue, &format!("{flag} is blank"));
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

fn usage_error<C: CommandFactory>(kind: ErrorKind, message: &str) -> ! {
    C::command().error(kind, message).exit()
}
