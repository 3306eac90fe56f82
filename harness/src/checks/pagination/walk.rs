//! Following `nextCursor` through a list method, bounded, remembering every page (other areas list through this).

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::check::Outcome;
use crate::checks::evidence::brief;
use crate::session::Session;

/// The list methods that paginate, with the result key holding their items.
pub(crate) const LIST_METHODS: &[(&str, &str)] = &[
    ("tools/list", "tools"),
    ("resources/list", "resources"),
    ("resources/templates/list", "resourceTemplates"),
    ("prompts/list", "prompts"),
];

/// How a walk through the pages ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ended {
    /// A page came without `nextCursor`.
    Done,
    /// The server handed out a cursor it had handed out before (the walk would loop forever).
    RepeatedCursor(String),
    /// The page bound was reached while the server still sent cursors.
    PageLimit(usize),
}

/// Every page of one list request, walked to the end or to the bound.
#[derive(Debug, Clone)]
pub(crate) struct Listing {
    /// The items of every page, in order.
    pub items: Vec<Value>,
    /// Each page's whole result.
    pub pages: Vec<Value>,
    /// How the walk ended.
    pub ended: Ended,
}

/// Lists `method` on `session`, following `nextCursor` for at most `max_pages` pages.
///
/// A reply that is not a result with an array under `key` is a violation of `expected`; an HTTP status without a
/// JSON-RPC body likewise; anything else the session fails at is an `error` outcome.
pub(crate) async fn list_all(
    session: &mut Session,
    method: &str,
    key: &str,
    max_pages: usize,
    expected: &str,
) -> Result<Listing, Outcome> {
    let mut listing = Listing { items: Vec::new(), pages: Vec::new(), ended: Ended::PageLimit(max_pages) };
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..max_pages {
        let params = cursor.as_ref().map(|c| json!({"cursor": c}));
        let reply = session.request(method, params).await.map_err(|e| Outcome::from_session(e, expected))?;
        let Some(result) = reply.result() else {
            let page = listing.pages.len() + 1;
            return Err(Outcome::violated(expected, format!("`{method}` (page {page}) answered {}", reply.brief())));
        };
        let Some(items) = result.get(key).and_then(Value::as_array) else {
            return Err(Outcome::violated(
                expected,
                format!("`{method}` result has no `{key}` array: {}", brief(result)),
            ));
        };
        listing.items.extend(items.iter().cloned());
        listing.pages.push(result.clone());
        match result.get("nextCursor") {
            None | Some(Value::Null) => {
                listing.ended = Ended::Done;
                return Ok(listing);
            }
            Some(Value::String(next)) => {
                if !seen.insert(next.clone()) {
                    listing.ended = Ended::RepeatedCursor(next.clone());
                    return Ok(listing);
                }
                cursor = Some(next.clone());
            }
            Some(other) => {
                return Err(Outcome::violated(
                    expected,
                    format!("`{method}` nextCursor is not a string: {}", brief(other)),
                ));
            }
        }
    }
    Ok(listing)
}
