//! The log on standard error with `-v`: one line per event, naming the call it belongs to.
//!
//! The client runs each call in an INFO span with the endpoint and method. tracing-subscriber's
//! own format would put that span before the message (`WARN rocketchat{endpoint=..}: retrying`);
//! rcinvite keeps its lines as they were, message first, and appends the span's fields to the
//! event's: `2025-01-01T00:00:00.000000Z  WARN retrying endpoint="groups.invite"
//! method="POST" retry=1 wait_ms=250 error=...`.

use std::{
    fmt::{self, Write as _},
    io::IsTerminal,
};

use tracing::{
    Event, Level, Subscriber,
    field::{Field, Visit},
};
use tracing_subscriber::{
    Layer,
    filter::filter_fn,
    fmt::{
        FmtContext, FormatEvent, FormatFields, FormattedFields, MakeWriter,
        format::Writer,
        time::{FormatTime, SystemTime},
    },
    layer::SubscriberExt,
    registry::LookupSpan,
    util::SubscriberInitExt,
};

/// Logs retries (`verbose` 1), every request (2) or everything (3 and more) on standard error,
/// in colour only on a terminal and without `NO_COLOR`.
pub(crate) fn init(verbose: u8) {
    let Some(level) = level(verbose) else {
        return;
    };
    let ansi = colours(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR"),
    );
    subscriber(level, ansi, std::io::stderr).init();
}

fn level(verbose: u8) -> Option<Level> {
    match verbose {
        0 => None,
        1 => Some(Level::WARN),
        2 => Some(Level::DEBUG),
        _ => Some(Level::TRACE),
    }
}

/// The log: events up to `level`, in the client's spans, written by `writer`.
///
/// The client's spans are INFO, so they pass whatever the level: a WARN event inside one still
/// names its endpoint.
fn subscriber<W>(level: Level, ansi: bool, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let enabled = move |metadata: &tracing::Metadata<'_>| {
        *metadata.level() <= level
            || (metadata.is_span() && metadata.target().starts_with("rocketchat_client"))
    };
    tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .event_format(Line)
            .with_writer(writer)
            .with_ansi(ansi)
            .with_filter(filter_fn(enabled)),
    )
}

/// Whether the log has colour codes: only on a terminal (not in a file or a pipe), and not when
/// `NO_COLOR` is set to something (<https://no-color.org>).
fn colours(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

/// One log line: the time, the level, the message, the fields of the span the event happened
/// in, then the event's own fields.
struct Line;

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    N: for<'writer> FormatFields<'writer> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        SystemTime.format_time(&mut writer)?;
        let level = *event.metadata().level();
        if writer.has_ansi_escapes() {
            write!(writer, " \x1b[{}m{level:>5}\x1b[0m", colour(level))?;
        } else {
            write!(writer, " {level:>5}")?;
        }
        let mut fields = EventFields::default();
        event.record(&mut fields);
        if !fields.message.is_empty() {
            write!(writer, " {}", fields.message)?;
        }
        // The innermost span: a login inside an invite names the login.
        if let Some(span) = ctx.event_scope().and_then(|mut scope| scope.next())
            && let Some(span_fields) = span.extensions().get::<FormattedFields<N>>()
            && !span_fields.is_empty()
        {
            write!(writer, " {span_fields}")?;
        }
        writeln!(writer, "{}", fields.rest)
    }
}

/// The ANSI colour of a level, as tracing-subscriber's own format has it.
fn colour(level: Level) -> u8 {
    match level {
        Level::TRACE => 35,
        Level::DEBUG => 34,
        Level::INFO => 32,
        Level::WARN => 33,
        Level::ERROR => 31,
    }
}

/// An event's message, and its other fields as ` name=value` each.
#[derive(Default)]
struct EventFields {
    message: String,
    rest: String,
}

impl Visit for EventFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        assert!(colours(true, None));
        assert!(colours(true, Some("".into())));
        assert!(!colours(true, Some("1".into())));
        assert!(!colours(false, None));
    }

    /// Collects what the subscriber writes.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The lines written while `log` ran, each without its time.
    fn lines(level: Level, ansi: bool, log: impl FnOnce()) -> Vec<String> {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        tracing::subscriber::with_default(subscriber(level, ansi, move || writer.clone()), log);
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|line| {
                let (time, rest) = line.split_once(' ').unwrap();
                assert!(time.ends_with('Z'), "{line}");
                rest.to_owned()
            })
            .collect()
    }

    #[test]
    fn a_line_has_the_message_then_the_calls_fields_then_the_events() {
        let log = lines(Level::WARN, false, || {
            let call = tracing::info_span!(
                target: "rocketchat_client::client",
                "rocketchat",
                endpoint = "groups.invite",
                method = "POST"
            );
            let _call = call.enter();
            tracing::debug!(target: "rocketchat_client::client", status = 200, "answered");
            tracing::warn!(
                target: "rocketchat_client::client",
                retry = 1,
                error = %"503: Service Unavailable",
                "retrying"
            );
            let login = tracing::info_span!(
                target: "rocketchat_client::client",
                "rocketchat",
                endpoint = "login",
                method = "POST"
            );
            let _login = login.enter();
            tracing::warn!(target: "rocketchat_client::client", retry = 2, "retrying");
        });
        assert_eq!(
            log,
            [
                r#" WARN retrying endpoint="groups.invite" method="POST" retry=1 error=503: Service Unavailable"#,
                r#" WARN retrying endpoint="login" method="POST" retry=2"#,
            ]
        );
    }

    #[test]
    fn other_spans_follow_the_level_and_colour_marks_the_level() {
        let log = lines(Level::WARN, true, || {
            let other = tracing::info_span!(target: "hyper", "connect", host = "example.com");
            let _other = other.enter();
            tracing::error!(target: "hyper", "refused");
        });
        assert_eq!(log, ["\x1b[31mERROR\x1b[0m refused"]);
    }
}
