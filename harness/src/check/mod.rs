//! Checks: a record ([`CheckMeta`]) plus one async function, registered in one list.

pub(crate) mod context;
mod finding;
mod meta;
mod outcome;

pub use context::{CheckContext, ContextError};
pub use finding::{Evidence, Finding, Severity};
pub use meta::{Applicability, Capability, CheckId, CheckMeta, Eras, Level, Needs, OptIn, Suite, Transports};
pub use outcome::{BrokenRule, Outcome, SkipReason, Status};

use futures::future::BoxFuture;

/// The function of a check: drives the target through the context and says what it saw.
pub type CheckFn = for<'a> fn(&'a mut CheckContext) -> BoxFuture<'a, Conclusion>;

/// What a check function returns. `Err` carries an early outcome (an error or a skip), so `?` works on
/// anything that converts into an [`Outcome`] (session and context errors become `error` outcomes).
pub type Conclusion = Result<Outcome, Outcome>;

/// A check: its record and its function.
#[derive(Clone, Copy)]
pub struct Check {
    /// Everything about the check but its code.
    pub meta: CheckMeta,
    /// Runs the check.
    pub run: CheckFn,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.meta.id).finish_non_exhaustive()
    }
}

/// Turns an `async fn(&mut CheckContext) -> Conclusion` into a [`CheckFn`].
#[macro_export]
macro_rules! check_fn {
    ($f:path) => {{
        fn run<'a>(
            cx: &'a mut $crate::check::CheckContext,
        ) -> ::futures::future::BoxFuture<'a, $crate::check::Conclusion> {
            ::std::boxed::Box::pin($f(cx))
        }
        run
    }};
}
