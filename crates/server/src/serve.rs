//! Connections: accepting them, bounding them, and closing them on shutdown.
//!
//! axum's own `serve` keeps every connection for as long as the client likes: one that sends
//! half a request line is never closed, and while it is open a graceful shutdown never ends.
//! This loop serves the same router with hyper directly and adds three limits:
//!
//! * **Slow or idle clients.** A connection has [`Limits::header_read_timeout`] to send a
//!   request's headers, counted from when it opens or its previous answer was sent (hyper's
//!   header read timer, which starts whenever the connection waits for a request). A client
//!   that sends too slowly, or leaves a keep-alive connection idle for that long, is
//!   disconnected. A body is bounded by the request timeout instead (see `http::layers`).
//! * **Many clients.** At most [`Limits::max_connections`] are open at once. The loop accepts
//!   another only when one has closed; until then new clients wait in the kernel's listen
//!   queue, as behind Go's `netutil.LimitListener`.
//! * **Shutdown.** When `shutdown` completes, the listener closes, idle connections close, and
//!   calls in flight may finish; after [`Limits::shutdown_timeout`] the connections still open
//!   are closed. A call cut off there never half-writes: its store write is either dropped
//!   before it began or completes atomically.
//!
//! A connection that times out or breaks is the client's doing: it is logged at `DEBUG`, never
//! as a server error.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

/// The connection-level limits, from the [`Config`](crate::Config).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// How long a connection has to send a request's headers, and the longest idle keep-alive.
    pub(crate) header_read_timeout: Duration,
    /// The most connections open at once.
    pub(crate) max_connections: u32,
    /// How long a graceful shutdown waits for calls in flight.
    pub(crate) shutdown_timeout: Duration,
}

impl Limits {
    pub(crate) fn of(config: &crate::Config) -> Self {
        Self {
            header_read_timeout: config.header_read_timeout(),
            max_connections: config.max_connections,
            shutdown_timeout: config.shutdown_timeout(),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then closes the connections as
/// the module documentation says. Each request carries the client's address as
/// [`ConnectInfo<SocketAddr>`].
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let permits = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => {
                permit.expect("the connection semaphore is never closed")
            }
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Tasks of connections that have closed hold nothing but their result.
        while connections.try_join_next().is_some() {}
        let connection = connection(&http, stream, remote, router.clone(), stopping.clone());
        connections.spawn(async move {
            let _permit = permit;
            connection.await;
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    if open > 0 {
        tracing::info!(connections = open, "waiting for calls in flight");
    }
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = connections.len(),
            timeout_secs = limits.shutdown_timeout.as_secs(),
            "closing the connections still open at the shutdown deadline"
        );
        connections.shutdown().await;
    }
}

/// One connection, until the client closes it, a limit closes it, or shutdown does.
fn connection(
    http: &http1::Builder,
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    mut stopping: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    // Answers are small and written whole; waiting for more to send only delays them.
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        router.clone().oneshot(request)
    });
    let connection = http.serve_connection(TokioIo::new(stream), service);
    async move {
        let mut connection = std::pin::pin!(connection);
        // The server is stopping, or gone.
        let stop = async {
            let _ = stopping.wait_for(|stop| *stop).await;
        };
        let result = tokio::select! {
            result = connection.as_mut() => result,
            () = stop => {
                // Lets a call in flight finish, then closes; an idle connection closes at once.
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = result {
            tracing::debug!(%remote, %error, "connection closed with an error");
        }
    }
}

/// Errors of `accept` that concern one connection are skipped; others (such as running out of
/// file descriptors) are logged and waited out briefly, so that the loop does not spin.
async fn accept_failed(error: io::Error) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
