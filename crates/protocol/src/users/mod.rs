//! The `users.*` endpoints.

pub mod create;
