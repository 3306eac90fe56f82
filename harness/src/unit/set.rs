//! The unit suite's checks for one target, generated from its surface: three checks per tool
//! (`unit.tool.<name>.valid-inputs`, `.invalid-inputs`, `.output-schema`) and one per prompt
//! (`unit.prompt.<name>.get`), beside the suite's static checks (`unit.surface`, `unit.resources.read`).
//!
//! The surface is discovered before the run is planned ([`super::discover`]), so the checks are selected,
//! listed and reported like any other; a target that cannot be reached or lists wrongly leaves only the static
//! checks, and `unit.surface` says why.

use std::collections::BTreeMap;

use crate::check::{Applicability, Capability, Check, CheckId, CheckMeta, Level, Suite};
use crate::protocol::Revision;
use crate::surface::{LockedPrompt, LockedTool, SurfaceLock};

/// What a generated check exercises.
#[derive(Debug, Clone)]
pub enum UnitItem {
    /// A tool, and which of its checks.
    Tool {
        /// The tool as listed.
        tool: Box<LockedTool>,
        /// The check.
        kind: ToolCheck,
    },
    /// A prompt (`unit.prompt.<name>.get`).
    Prompt(LockedPrompt),
}

/// The checks of one tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolCheck {
    /// Valid inputs get a result.
    ValidInputs,
    /// Invalid inputs are refused.
    InvalidInputs,
    /// Structured output conforms to the output schema.
    OutputSchema,
}

impl ToolCheck {
    /// Every tool check, in report order.
    pub const ALL: [ToolCheck; 3] = [ToolCheck::ValidInputs, ToolCheck::InvalidInputs, ToolCheck::OutputSchema];

    /// The last segment of the check id.
    pub fn suffix(self) -> &'static str {
        match self {
            ToolCheck::ValidInputs => "valid-inputs",
            ToolCheck::InvalidInputs => "invalid-inputs",
            ToolCheck::OutputSchema => "output-schema",
        }
    }
}

/// Why the surface could not be discovered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryProblem {
    /// The target could not be started or reached, or stayed silent: could not test.
    CouldNotTest(String),
    /// The target answered its handshake or a list request wrongly (judged by the conformance checks).
    Misbehaved(String),
}

/// The unit suite's view of one target.
#[derive(Debug, Default)]
pub struct UnitSet {
    /// The surface the checks were generated from, when discovery worked.
    pub surface: Option<SurfaceLock>,
    /// Why discovery did not work.
    pub problem: Option<DiscoveryProblem>,
    /// Notes of the discovery (items whose name had to be changed to make an id, …).
    pub notes: Vec<String>,
    items: BTreeMap<String, UnitItem>,
    /// Answers already received in this run, by request: a tool's `valid-inputs` and `output-schema` checks draw
    /// the same inputs (the seed is the tool's), so the second reuses the first's answers instead of calling again.
    pub(crate) answers: super::probe::AnswerCache,
}

impl UnitSet {
    /// A set with no discovery (the unit suite is not selected).
    pub fn empty() -> UnitSet {
        UnitSet::default()
    }

    /// Discovery failed: only the static checks run, and `unit.surface` reports `problem`.
    pub fn failed(problem: DiscoveryProblem) -> UnitSet {
        UnitSet { problem: Some(problem), ..UnitSet::default() }
    }

    /// The checks generated from `surface`.
    pub fn from_surface(surface: SurfaceLock) -> UnitSet {
        let mut set = UnitSet::default();
        let mut taken: Vec<String> = Vec::new();
        for tool in &surface.tools {
            let segment = id_segment(&tool.name, &mut taken);
            if segment != tool.name {
                set.notes.push(format!("tool `{}` is checked as `unit.tool.{segment}.*`", tool.name));
            }
            for kind in ToolCheck::ALL {
                set.items.insert(
                    format!("unit.tool.{segment}.{}", kind.suffix()),
                    UnitItem::Tool { tool: Box::new(tool.clone()), kind },
                );
            }
        }
        let mut taken: Vec<String> = Vec::new();
        for prompt in &surface.prompts {
            let segment = id_segment(&prompt.name, &mut taken);
            set.items.insert(format!("unit.prompt.{segment}.get"), UnitItem::Prompt(prompt.clone()));
        }
        set.surface = Some(surface);
        set
    }

    /// The item of check `id`.
    pub fn get(&self, id: &str) -> Option<&UnitItem> {
        self.items.get(id)
    }

    /// How many generated checks there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no check was generated.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The generated checks, in id order (the strings are leaked: a set lives as long as the run's registry).
    pub fn checks(&self) -> Vec<Check> {
        self.items.iter().map(|(id, item)| check_for(id, item)).collect()
    }
}

/// A check-id segment for `name`: lowercase letters, digits, `-` and `_` (anything else becomes `-`), unique
/// among `taken` (`-2`, `-3`, … appended).
fn id_segment(name: &str, taken: &mut Vec<String>) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    if base.is_empty() {
        base = "unnamed".to_owned();
    }
    let mut segment = base.clone();
    let mut n = 2;
    while taken.contains(&segment) {
        segment = format!("{base}-{n}");
        n += 1;
    }
    taken.push(segment.clone());
    segment
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The record of a generated check.
fn check_for(id: &str, item: &UnitItem) -> Check {
    let (title, level, requirements, capability, since, run): (
        String,
        _,
        &'static [&'static str],
        _,
        _,
        crate::check::CheckFn,
    ) = match item {
        UnitItem::Tool { tool, kind: ToolCheck::ValidInputs } => (
            format!("tool `{}` answers every input its inputSchema accepts with a result, and stays up", tool.name),
            Level::Must,
            &["jsonrpc.reply-required", "tools.call.content", "unit.valid-input-accepted"],
            Capability::Tools,
            Revision::V2025_03_26,
            crate::check_fn!(super::tool_valid::valid_inputs),
        ),
        UnitItem::Tool { tool, kind: ToolCheck::InvalidInputs } => (
            format!("tool `{}` refuses inputs its inputSchema rejects (-32602 or isError), and stays up", tool.name),
            Level::Must,
            &["tools.validate-inputs", "jsonrpc.reply-required", "tools.call.input-validation-error"],
            Capability::Tools,
            Revision::V2025_03_26,
            crate::check_fn!(super::tool_invalid::invalid_inputs),
        ),
        UnitItem::Tool { tool, kind: ToolCheck::OutputSchema } => (
            format!(
                "tool `{}` returns structuredContent valid against its outputSchema for every valid input",
                tool.name
            ),
            Level::Must,
            &["tools.structured-content-conforms"],
            Capability::Tools,
            Revision::V2025_06_18,
            crate::check_fn!(super::tool_valid::output_schema),
        ),
        UnitItem::Prompt(prompt) => (
            format!(
                "prompt `{}` returns well-formed messages for synthesised arguments, and refuses missing ones",
                prompt.name
            ),
            Level::Must,
            &["prompts.get.request", "prompts.missing-arguments"],
            Capability::Prompts,
            Revision::V2025_03_26,
            crate::check_fn!(super::prompt_get::prompt_get),
        ),
    };
    let tags: &'static [&'static str] = match item {
        UnitItem::Tool { .. } => &["unit", "tools", "property"],
        UnitItem::Prompt(_) => &["unit", "prompts"],
    };
    Check {
        meta: CheckMeta {
            id: CheckId(leak(id.to_owned())),
            title: leak(title),
            suite: Suite::Unit,
            level,
            requirements,
            applies: Applicability { capability: Some(capability), since, ..Applicability::ALWAYS },
            tags,
        },
        run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_generated_per_tool_and_prompt_citing_known_requirements() {
        let lock: SurfaceLock = serde_json::from_value(serde_json::json!({
            "formatVersion": 1,
            "protocolVersion": "2025-11-25",
            "server": {},
            "tools": [{"name": "Add.Numbers", "inputSchema": {"type": "object"}}],
            "resources": [],
            "resourceTemplates": [],
            "prompts": [{"name": "greet", "arguments": []}]
        }))
        .unwrap();
        let set = UnitSet::from_surface(lock);
        let checks = set.checks();
        let ids: Vec<&str> = checks.iter().map(|c| c.meta.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "unit.prompt.greet.get",
                "unit.tool.add-numbers.invalid-inputs",
                "unit.tool.add-numbers.output-schema",
                "unit.tool.add-numbers.valid-inputs"
            ]
        );
        assert!(set.notes[0].contains("`Add.Numbers` is checked as `unit.tool.add-numbers.*`"));
        assert!(matches!(set.get("unit.prompt.greet.get"), Some(UnitItem::Prompt(p)) if p.name == "greet"));
        for c in &checks {
            assert_eq!(c.meta.suite, Suite::Unit);
            for id in c.meta.requirements {
                let known = mcp_harness_suites::harness_catalog().contains(id)
                    || Revision::ALL
                        .iter()
                        .filter(|r| c.meta.applies.covers_revision(**r))
                        .any(|r| crate::report::revision_catalog(*r).contains(id));
                assert!(known, "{} cites unknown `{id}`", c.meta.id);
            }
        }
    }

    #[test]
    fn id_segments_are_lowercase_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(id_segment("get-sum", &mut taken), "get-sum");
        assert_eq!(id_segment("Get.Sum", &mut taken), "get-sum-2");
        assert_eq!(id_segment("a b/c", &mut taken), "a-b-c");
        assert_eq!(id_segment("", &mut taken), "unnamed");
    }
}
