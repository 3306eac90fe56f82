//! Placeholder replaced by the plot module.
