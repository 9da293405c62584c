//! End-to-end tests over real HTTP on loopback, and in-process router tests.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod bad_input;
mod connections;
mod durability;
mod endpoints;
mod instances;
mod invite;
mod lifecycle;
mod postgres_store;
mod rate_limit;
mod router;
mod slow_clients;
