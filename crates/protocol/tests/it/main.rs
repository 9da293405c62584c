//! Integration tests of the protocol crate against the documented examples in `fixtures/`.

mod fixtures;
mod lifecycle;
mod schema;
mod support;
