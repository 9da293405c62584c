//! The `users.*` endpoints.

pub mod create;
pub mod info;
