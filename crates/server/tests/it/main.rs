//! End-to-end and in-process tests of the server.

mod support;

mod invite;
