//! Helpers shared by the server's test binaries (`it` and `python`).

#![allow(dead_code, reason = "each test binary uses a part of it")]

pub(crate) mod stores;
