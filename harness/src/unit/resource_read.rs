//! `unit.resource.read`: every resource the server lists (at most [`MAX_RESOURCES`]; the conformance suite reads
//! the first ten) read alone: each answer must be a result valid against the revision's schema, with base64 blobs,
//! and never a crash. A listed resource refused with an error is noted, not judged (it may have gone since it was
//! listed).

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Outcome, SkipReason,
    Suite,
};

use super::probe::{Prober, discovered};
use super::resource_templates::read_each;

/// Resources read at most per run.
const MAX_RESOURCES: usize = 200;

/// The check record.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("unit.resource.read"),
        title: "every listed resource is read without a crash or a malformed result",
        suite: Suite::Unit,
        level: Level::Must,
        requirements: &["resources.read.contents", "jsonrpc.reply-required"],
        applies: Applicability {
            capability: Some(Capability::Resources),
            needs: Needs::Session,
            ..Applicability::ALWAYS
        },
        tags: &["unit", "resources"],
    },
    run: crate::check_fn!(read_all),
};

async fn read_all(cx: &mut CheckContext) -> Conclusion {
    let surface = match discovered(cx) {
        Ok(surface) => surface,
        Err(outcome) => return Ok(outcome),
    };
    if surface.resources.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no resources"));
    }
    let mut prober = Prober::new(cx);
    let targets = surface
        .resources
        .iter()
        .take(MAX_RESOURCES)
        .map(|r| (r.uri.clone(), format!("resources/read `{}` (listed)", r.uri)))
        .collect();
    let read = read_each(cx, &mut prober, targets).await;
    prober.close().await;
    let (read, refused) = match read? {
        Ok(counts) => counts,
        Err(outcome) => return Ok(outcome),
    };
    let mut note = format!("{read} of {} listed resources read", surface.resources.len().min(MAX_RESOURCES));
    if surface.resources.len() > MAX_RESOURCES {
        note.push_str(&format!(" (the first {MAX_RESOURCES} of {})", surface.resources.len()));
    }
    if !refused.is_empty() {
        note.push_str(&format!("; refused: {}", refused.join("; ")));
    }
    Ok(Outcome::pass_with(note))
}
