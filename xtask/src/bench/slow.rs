//! Slow connections: clients that open a connection and stall, held open beside a wrk run to
//! see whether they slow down everyone else.
//!
//! A third of them send nothing, a third half a request line, and a third the headers of a
//! `POST /api/v1/groups.invite` with `Content-Length: 100` and only half of the body (without
//! credentials: the server reads a body before it looks at who sent it). The server cuts off
//! a client that is slow to send its headers after `HEADER_READ_TIMEOUT` (20 s by default) and
//! one that is slow to send its body after `REQUEST_TIMEOUT` (30 s), both longer than a run,
//! so all of them should still be open when the run ends; [`SlowConnections::close`] reports
//! how many the server closed anyway.

use std::fmt;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// How a slow connection stalls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stall {
    /// It sends nothing.
    Silent,
    /// It sends half a request line.
    HalfRequestLine,
    /// It sends a POST's headers and half of its body.
    HalfBody,
}

/// Every kind of stall, in the order connections are given them.
const STALLS: [Stall; 3] = [Stall::Silent, Stall::HalfRequestLine, Stall::HalfBody];

/// The body length the half-body connections announce.
const BODY_LENGTH: usize = 100;

impl Stall {
    /// What the connection sends before it stalls.
    fn bytes(self, port: u16) -> Vec<u8> {
        match self {
            Self::Silent => Vec::new(),
            Self::HalfRequestLine => {
                let line = "POST /api/v1/groups.invite HTTP/1.1\r\n";
                line.as_bytes()[..line.len() / 2].to_vec()
            }
            Self::HalfBody => {
                let body = format!("{:<BODY_LENGTH$}", r#"{"roomId":"slow","username":"slow"}"#);
                format!(
                    "POST /api/v1/groups.invite HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
                     Content-Type: application/json\r\nContent-Length: {BODY_LENGTH}\r\n\r\n{}",
                    &body[..BODY_LENGTH / 2]
                )
                .into_bytes()
            }
        }
    }

    /// The stall, for the report.
    fn describe(self) -> &'static str {
        match self {
            Self::Silent => "silent",
            Self::HalfRequestLine => "half a request line",
            Self::HalfBody => "half a body",
        }
    }
}

/// Slow connections to the server, each watched by a task of its own until the server closes
/// it or [`SlowConnections::close`] does.
#[derive(Debug)]
pub(super) struct SlowConnections {
    /// One task per connection; a task ends, answering its stall, when the server closes it.
    tasks: JoinSet<Stall>,
    /// How many were opened.
    count: usize,
    /// When the first one was opened.
    opened: Instant,
}

impl SlowConnections {
    /// Opens `count` connections to `127.0.0.1:port`, the stalls in turn, and sends each what
    /// its stall sends.
    pub(super) async fn open(port: u16, count: usize) -> Result<Self, String> {
        let opened = Instant::now();
        let mut tasks = JoinSet::new();
        for stall in STALLS.iter().copied().cycle().take(count) {
            let mut stream = TcpStream::connect(("127.0.0.1", port))
                .await
                .map_err(|e| format!("opening a slow connection: {e}"))?;
            stream
                .write_all(&stall.bytes(port))
                .await
                .map_err(|e| format!("writing on a slow connection: {e}"))?;
            tasks.spawn(async move {
                watch(stream).await;
                stall
            });
        }
        Ok(Self {
            tasks,
            count,
            opened,
        })
    }

    /// Counts the connections the server has closed, then closes the others.
    pub(super) async fn close(mut self) -> Closed {
        // Let the tasks see a close that has just happened.
        tokio::task::yield_now().await;
        let open_for = self.opened.elapsed();
        let mut by_stall = STALLS.map(|stall| (stall, 0));
        while let Some(finished) = self.tasks.try_join_next() {
            if let Ok(stall) = finished
                && let Some((_, closed)) = by_stall.iter_mut().find(|(s, _)| *s == stall)
            {
                *closed += 1;
            }
        }
        self.tasks.shutdown().await;
        Closed {
            count: self.count,
            by_stall,
            open_for,
        }
    }
}

/// Reads from `stream`, discarding whatever the server answers, until the server closes it.
async fn watch(mut stream: TcpStream) {
    let mut buffer = [0; 1024];
    while let Ok(1..) = stream.read(&mut buffer).await {}
}

/// How many slow connections the server closed while they were held open.
#[derive(Debug)]
pub(super) struct Closed {
    /// How many were opened.
    count: usize,
    /// How many of each stall were closed.
    by_stall: [(Stall, usize); 3],
    /// How long they were held open.
    open_for: Duration,
}

impl Closed {
    /// How many the server closed in all.
    pub(super) fn total(&self) -> usize {
        self.by_stall.iter().map(|(_, closed)| closed).sum()
    }

    /// How many were opened.
    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// How long they were held open.
    pub(super) fn open_for(&self) -> Duration {
        self.open_for
    }
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server closed {} of {} slow connections within {:.1} s (",
            self.total(),
            self.count,
            self.open_for.as_secs_f64()
        )?;
        for (i, (stall, closed)) in self.by_stall.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            write!(f, "{separator}{}: {closed}", stall.describe())?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_half_body_announces_its_length_and_sends_half() {
        let bytes = String::from_utf8(Stall::HalfBody.bytes(3000)).unwrap();
        let (head, body) = bytes.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("POST /api/v1/groups.invite HTTP/1.1\r\n"),
            "{head}"
        );
        assert!(head.contains("\r\nContent-Length: 100"), "{head}");
        assert_eq!(body.len(), BODY_LENGTH / 2);
    }

    #[test]
    fn a_half_request_line_has_no_line_end() {
        let bytes = Stall::HalfRequestLine.bytes(3000);
        assert!(!bytes.is_empty() && !bytes.contains(&b'\n'));
        assert!(Stall::Silent.bytes(3000).is_empty());
    }
}
