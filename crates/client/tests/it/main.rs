//! Integration tests: the client against a mock HTTP server (`mock_*`, `cli_*`), and against
//! our server (`e2e*`).

#[cfg(feature = "cli")]
mod cli_mock;
#[cfg(feature = "cli")]
mod cli_sync_mock;
#[cfg(all(feature = "cli", unix))]
mod cli_tty;
mod e2e;
#[cfg(feature = "cli")]
mod e2e_cli;
mod e2e_lifecycle;
#[cfg(feature = "cli")]
mod e2e_sync;
mod mock_bulk;
mod mock_errors;
mod mock_lifecycle;
mod mock_pages;
mod mock_retry;
mod mock_shapes;
mod mock_transport;
mod support;
