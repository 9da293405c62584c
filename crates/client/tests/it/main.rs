//! Integration tests: the client against a mock HTTP server, and (in `e2e`) against our server.

#[cfg(feature = "cli")]
mod cli_mock;
mod mock_errors;
mod mock_retry;
mod mock_shapes;
mod support;
