//! Placeholder replaced by the k6 module.
