//! Hearing of logouts on other instances: `LISTEN` on [`SESSIONS_CHANNEL`].
//!
//! A logout on any instance deletes its token and sends `NOTIFY` in the same transaction (see
//! `remove_login_token`). Each instance keeps one connection listening, outside the pool, and
//! passes what it hears to its caches, within milliseconds. The caches keep nothing until the
//! listening starts ([`SessionEvent::Listening`]). When that connection breaks, a logout may go
//! unheard: the instance is told to forget every session it cached and to cache none
//! ([`SessionEvent::Lost`]) until it listens again, waiting a little longer after each
//! failure.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio_postgres::{AsyncMessage, NoTls};

use super::SESSIONS_CHANNEL;
use crate::store::{BoxError, SessionEvent};

/// The longest wait between two attempts to listen again.
const MAX_RETRY: Duration = Duration::from_secs(5);

/// Listens for logouts on the database `config` names, until the receiver is dropped.
pub(super) fn listen(config: Arc<tokio_postgres::Config>) -> UnboundedReceiver<SessionEvent> {
    let (events, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut wait = Duration::from_millis(100);
        loop {
            let outcome = tokio::select! {
                outcome = listen_once(&config, &events) => outcome,
                () = events.closed() => return,
            };
            match outcome {
                Ok(()) => return,
                Err(error) => tracing::warn!(
                    %error,
                    "the PostgreSQL session listener stopped; forgetting cached sessions"
                ),
            }
            if events.send(SessionEvent::Lost).is_err() {
                return;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_RETRY);
        }
    });
    receiver
}

/// Listens on one connection until it breaks (an error) or nobody wants the events (`Ok`).
async fn listen_once(
    config: &tokio_postgres::Config,
    events: &UnboundedSender<SessionEvent>,
) -> Result<(), BoxError> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (heard, mut hearing) = mpsc::unbounded_channel();
    // The connection is driven here, and hands its notifications over.
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(notification))) => {
                    if heard.send(Ok(notification)).is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    let _ = heard.send(Err(error));
                    return;
                }
                None => return,
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {SESSIONS_CHANNEL}"))
        .await?;
    if events.send(SessionEvent::Listening).is_err() {
        driver.abort();
        return Ok(());
    }
    let result = loop {
        let Some(notification) = hearing.recv().await else {
            break Err("the listening connection closed".into());
        };
        let notification = match notification {
            Ok(notification) => notification,
            Err(error) => break Err(error.into()),
        };
        let Some((user_id, hashed_token)) = notification.payload().split_once(' ') else {
            continue;
        };
        let event = SessionEvent::LoggedOut {
            user_id: user_id.to_owned(),
            hashed_token: hashed_token.to_owned(),
        };
        if events.send(event).is_err() {
            break Ok(());
        }
    };
    driver.abort();
    result
}
