//! Following `nextCursor` through every list method ends: no repeated cursor, no endless pages.

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::checks::pagination::walk::{Ended, LIST_METHODS, list_all};

/// Pages followed at most per list method before the walk counts as endless.
const MAX_PAGES: usize = 1000;

/// Pagination terminates.
pub(crate) const TERMINATES: Check = Check {
    meta: CheckMeta {
        id: CheckId("pagination.terminates"),
        title: "following nextCursor through tools, resources, templates and prompts lists reaches a last page",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &[
            "pagination.next-cursor",
            "tools.list.result",
            "pagination.stable-cursors",
            "resources.list.result",
            "prompts.list.result",
        ],
        applies: Applicability::ALWAYS,
        tags: &["pagination", "tools", "resources", "prompts"],
    },
    run: check_fn!(terminates),
};

/// The capability that makes a list method meaningful.
pub(crate) fn capability_of(method: &str) -> Capability {
    match method {
        "tools/list" => Capability::Tools,
        "prompts/list" => Capability::Prompts,
        _ => Capability::Resources,
    }
}

async fn terminates(cx: &mut CheckContext) -> Conclusion {
    let methods: Vec<(&str, &str)> =
        LIST_METHODS.iter().copied().filter(|(m, _)| cx.profile().has(capability_of(m))).collect();
    if methods.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server advertises none of tools, resources, prompts"));
    }
    let session = cx.session()?;
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for (method, key) in methods {
        let expected = format!("`{method}` pages ending with a page without nextCursor");
        match list_all(session, method, key, MAX_PAGES, &expected).await {
            Ok(listing) => match listing.ended {
                Ended::Done => {
                    notes.push(format!("{method}: {} items in {} pages", listing.items.len(), listing.pages.len()))
                }
                Ended::RepeatedCursor(c) => problems.push(format!(
                    "{method}: page {} handed out cursor {c:?} again, so following nextCursor never ends",
                    listing.pages.len()
                )),
                // A long list is not a broken one: past the bound it is not judged.
                Ended::PageLimit(n) => notes.push(format!("{method}: not judged (still going after {n} pages)")),
            },
            // Replies that are not list results are judged by the shape checks, not here.
            Err(o) => notes.push(format!("{method}: not judged ({})", o.observed.or(o.reason).unwrap_or_default())),
        }
    }
    if problems.is_empty() {
        Ok(Outcome::pass_with(notes.join("; ")))
    } else {
        Ok(Outcome::violated(
            "every list reaches a page without nextCursor, with no cursor handed out twice",
            problems.join("\n"),
        ))
    }
}
