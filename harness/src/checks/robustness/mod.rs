//! Robustness under valid use: the target keeps answering while it is sent valid requests, and its messages fit
//! the run's message-size cap (both judged over the whole run).

pub(crate) mod message_size;
pub(crate) mod survives;
