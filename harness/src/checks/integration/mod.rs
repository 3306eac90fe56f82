//! The `integration` suite: the target gets real Postgres and Redis (`--with postgres,redis`, containers through
//! testcontainers or URLs from the environment) and is checked on how it uses them — also while Redis is stopped
//! or paused and while Postgres restarts. What a target must offer, and the requirements quoted, are in
//! `suites/integration/README.md`.
//!
//! Order matters: plain data checks first, then the ones that restart the target, then fault injection (each
//! fault is repaired, and the target given time to settle, before the check ends).

mod cache;
mod crud;
mod data_tools;
mod faults;
mod postgres_restart;
mod redis_outage;
mod restart;
mod store_probe;

use crate::check::{Applicability, Check};

/// When integration checks apply: any transport, any revision, given Postgres and Redis (provided at run time).
pub(crate) const INTEGRATION: Applicability =
    Applicability { services: &crate::services::Service::ALL, ..Applicability::ALWAYS };

/// The suite's checks, in run order.
pub(crate) const CHECKS: &[Check] = &[
    crud::CRUD_VERIFIED,
    cache::REPEATED_READ_HIT,
    cache::UPDATE_THEN_READ_FRESH,
    cache::FRESH_ACROSS_INSTANCES,
    restart::DATA_SURVIVES,
    redis_outage::SERVES_FROM_STORE,
    redis_outage::PAUSED_ANSWERS_IN_TIME,
    redis_outage::BREAKER_OPENS_AND_RECOVERS,
    postgres_restart::ACKNOWLEDGED_WRITES_KEPT,
];
