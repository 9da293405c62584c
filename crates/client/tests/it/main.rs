//! Integration tests: the client against a mock HTTP server, and (in `e2e`) against our server.

mod mock_errors;
mod mock_retry;
mod mock_shapes;
mod support;
