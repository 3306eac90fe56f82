//! `unit.surface`: what the unit suite found to test. It passes with the counts and the schema features the input
//! generator could not honour; it fails when the server answered a list request of the discovery wrongly, and is
//! an error when the target could not be reached (the per-tool and per-prompt checks then do not exist).

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Needs, Outcome, SkipReason, Suite,
};

use super::inputs::input_space;
use super::set::DiscoveryProblem;

/// The check record.
pub(crate) const CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId("unit.surface"),
        title: "the server lists the tools and prompts the unit suite tests, with input schemas it can generate from",
        suite: Suite::Unit,
        level: Level::Must,
        requirements: &["tools.list.result"],
        applies: Applicability { needs: Needs::Session, ..Applicability::ALWAYS },
        tags: &["unit"],
    },
    run: crate::check_fn!(surface),
};

async fn surface(cx: &mut CheckContext) -> Conclusion {
    let set = cx.unit_set();
    if let Some(problem) = &set.problem {
        return Ok(match problem {
            DiscoveryProblem::CouldNotTest(why) => Outcome::error(format!("could not discover the surface: {why}")),
            DiscoveryProblem::Misbehaved(why) => Outcome::violated(
                "tools/list, resources/list, resources/templates/list and prompts/list answered with their result \
                 arrays, so that the unit suite can generate its checks",
                format!("no unit checks could be generated: {why}"),
            ),
        });
    }
    let Some(surface) = &set.surface else {
        return Ok(Outcome::error("the unit suite's surface was not discovered (harness bug)"));
    };
    if surface.tools.is_empty() && surface.prompts.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server lists no tools and no prompts"));
    }
    let mut unsupported = Vec::new();
    for tool in &surface.tools {
        for feature in input_space(&tool.input_schema).unsupported {
            unsupported.push(format!("`{}`: {feature}", tool.name));
        }
    }
    let mut observed = format!(
        "{} tools ({} checks each) and {} prompts; {} unit checks generated",
        surface.tools.len(),
        super::set::ToolCheck::ALL.len(),
        surface.prompts.len(),
        set.len()
    );
    if !set.notes.is_empty() {
        observed.push_str(&format!("; {}", set.notes.join("; ")));
    }
    if !unsupported.is_empty() {
        observed.push_str(&format!(
            "; schema features the generator cannot honour (inputs are generated without them): {}",
            unsupported.join("; ")
        ));
    }
    Ok(Outcome::pass_with(observed))
}
