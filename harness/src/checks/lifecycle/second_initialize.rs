//! A second `initialize` on an initialized session is rejected.

use crate::check::{Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, SpecRef, Suite};
use crate::check_fn;
use crate::checks::evidence::{brief, initialize_params};
use crate::session::SessionError;

/// The handshake happens once.
///
/// The spec has no sentence telling a server what to do with a second `initialize`; it only makes initialization
/// the first interaction. Accepting a second handshake silently renegotiates the version and capabilities of a
/// live session, so the check asks for an error at SHOULD level.
pub(crate) const SECOND_REJECTED: Check = Check {
    meta: CheckMeta {
        id: CheckId("lifecycle.initialize.second-rejected"),
        title: "a second initialize on an initialized session is answered with an error",
        suite: Suite::Conformance,
        level: Level::Should,
        spec: &[SpecRef {
            anchor: "basic/lifecycle#initialization",
            quote: "The initialization phase MUST be the first interaction between client and server.",
        }],
        covers: &["lifecycle.initialize-first"],
        applies: Applicability { eras: Eras::Stateful, ..Applicability::ALWAYS },
        tags: &["lifecycle", "handshake", "negative"],
    },
    run: check_fn!(second_rejected),
};

async fn second_rejected(cx: &mut CheckContext) -> Conclusion {
    let expected = "a JSON-RPC error (or an HTTP 4xx) for the second initialize";
    let params = initialize_params(cx, cx.revision().as_str());
    let mut s = cx.fresh_session().await?;
    let reply = s.request("initialize", Some(params)).await;
    s.close().await;
    match reply {
        Ok(r) => match &r.outcome {
            Err(_) => Ok(Outcome::pass_with(r.brief())),
            Ok(result) => Ok(Outcome::violated(expected, format!("the second initialize succeeded: {}", brief(result)))),
        },
        Err(SessionError::HttpStatus { status, .. }) if (400..500).contains(&status) => Ok(Outcome::pass_with(format!("HTTP {status}"))),
        Err(e) => Err(Outcome::from(e)),
    }
}
