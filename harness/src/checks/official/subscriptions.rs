//! Scenarios `resources-subscribe` and `resources-unsubscribe`: the fixture resource `test://watched-resource`
//! can be subscribed to and unsubscribed from (2025 revisions; 2026-07-28 replaced them with
//! `subscriptions/listen`).

use serde_json::json;

use super::TAG;
use super::fixture::{result_of, scenario};
use crate::check::{Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::checks::evidence::brief;
use crate::protocol::Revision;
use crate::session::Session;

/// The fixture resource.
const WATCHED: &str = "test://watched-resource";

/// `resources-subscribe`.
pub(crate) const SUBSCRIBE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.resources-subscribe"),
        title: "resources/subscribe to the official fixture resource test://watched-resource is answered with a result",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.subscribe", "resources.capability"],
        applies: scenario(Revision::V2025_06_18, Some(Revision::V2026_07_28), Capability::ResourceSubscribe),
        tags: &[TAG, "resources", "subscriptions"],
    },
    run: check_fn!(subscribe),
};

async fn subscribe(cx: &mut CheckContext) -> Conclusion {
    let expected = format!("resources/subscribe {WATCHED}: a result (the fixture answers {{}}), not an error");
    // A session of its own: a subscription is session state.
    let mut s = cx.fresh_session().await?;
    let outcome =
        subscribe_on(&mut s, &expected).await.map(|r| Outcome::pass_with(format!("subscribe: {}", brief(&r))));
    s.close().await;
    Ok(outcome.unwrap_or_else(|o| o))
}

/// `resources-unsubscribe`.
pub(crate) const UNSUBSCRIBE: Check = Check {
    meta: CheckMeta {
        id: CheckId("official.resources-unsubscribe"),
        title: "after subscribing to test://watched-resource, resources/unsubscribe from it is answered with a result",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["resources.subscribe", "resources.subscribe-optional", "resources.capability"],
        applies: scenario(Revision::V2025_06_18, Some(Revision::V2026_07_28), Capability::ResourceSubscribe),
        tags: &[TAG, "resources", "subscriptions"],
    },
    run: check_fn!(unsubscribe),
};

async fn unsubscribe(cx: &mut CheckContext) -> Conclusion {
    let expected =
        format!("resources/subscribe then resources/unsubscribe {WATCHED}: both answered with a result, not an error");
    let mut s = cx.fresh_session().await?;
    let outcome = async {
        subscribe_on(&mut s, &expected).await?;
        let r = result_of(&mut s, "resources/unsubscribe", json!({"uri": WATCHED}), &expected).await?;
        Ok::<_, Outcome>(Outcome::pass_with(format!("unsubscribe: {}", brief(&r))))
    }
    .await;
    s.close().await;
    Ok(outcome.unwrap_or_else(|o| o))
}

async fn subscribe_on(s: &mut Session, expected: &str) -> Result<serde_json::Value, Outcome> {
    result_of(s, "resources/subscribe", json!({"uri": WATCHED}), expected).await
}
