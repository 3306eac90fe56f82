//! Suite data lives beside this crate; the tests/ directory holds one cargo-test entry point per suite.
