//! Requirement catalogs: the normative requirements of each protocol revision that a black-box server test could
//! verify, each with a stable id, its RFC 2119 level, where it is written and the sentence quoted.
//!
//! Requirement coverage is computed against these catalogs, so they list what the specification requires, not what
//! the harness happens to check. The files live in `suites/requirements/<revision>.json` (format described in
//! `suites/requirements/README.md`) and are embedded at compile time.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::check::Level;
use crate::protocol::Revision;

/// The catalog of one protocol revision.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementCatalog {
    /// The revision the catalog describes.
    pub revision: Revision,
    /// The rendered specification the anchors are relative to.
    pub source: String,
    /// The requirements, in catalog order (grouped by area).
    pub requirements: Vec<Requirement>,
}

/// One normative requirement of a revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// Stable dotted lowercase id (`lifecycle.version-negotiation`), shared across revisions where the requirement
    /// is the same.
    pub id: String,
    /// The RFC 2119 strength of the requirement.
    pub level: Level,
    /// Page path under the revision's specification root, with fragment (`basic/lifecycle#version-negotiation`).
    pub anchor: String,
    /// The sentence stating the requirement, quoted.
    pub quote: String,
    /// Set when the quote comes from a document other than the MCP specification (the JSON-RPC 2.0 specification,
    /// which MCP adopts); the URL of that document.
    pub source: Option<String>,
}

/// A catalog file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file is not valid JSON of the catalog format.
    #[error("failed to parse the requirement catalog of {revision}")]
    Parse {
        /// The revision whose catalog failed.
        revision: Revision,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The file declares another revision than the one it is stored for.
    #[error("requirement catalog for {expected} declares revision `{found}`")]
    RevisionMismatch {
        /// The revision the file is stored for.
        expected: Revision,
        /// What it declares.
        found: String,
    },
    /// A requirement's level is not `MUST`, `SHOULD` or `MAY`.
    #[error("requirement `{id}` in the {revision} catalog has invalid level `{level}`")]
    InvalidLevel {
        /// The catalog's revision.
        revision: Revision,
        /// The requirement.
        id: String,
        /// The level found.
        level: String,
    },
    /// An id appears twice.
    #[error("requirement `{id}` appears more than once in the {revision} catalog")]
    DuplicateId {
        /// The catalog's revision.
        revision: Revision,
        /// The repeated id.
        id: String,
    },
    /// An id is not dotted lowercase (`area.name`), or the anchor or quote is empty.
    #[error("requirement `{id}` in the {revision} catalog is malformed: {problem}")]
    Malformed {
        /// The catalog's revision.
        revision: Revision,
        /// The requirement.
        id: String,
        /// What is wrong.
        problem: &'static str,
    },
}

impl RequirementCatalog {
    /// The catalog of `revision`, parsed once on first use.
    ///
    /// 2025-03-26 has its own catalog: it predates the `MCP-Protocol-Version` header, structured output,
    /// elicitation and the Origin → 403 rule, and it still requires receiving JSON-RPC batches.
    ///
    /// # Panics
    ///
    /// Never for the catalogs shipped with the crate: a unit test parses every one of them. An embedded catalog
    /// that failed to parse would be a build defect, and this panics with the parse error rather than computing
    /// coverage against a wrong denominator.
    pub fn for_revision(revision: Revision) -> &'static RequirementCatalog {
        static CATALOGS: [OnceLock<RequirementCatalog>; 4] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let (slot, text) = match revision {
            Revision::V2025_03_26 => (&CATALOGS[0], CATALOG_2025_03_26),
            Revision::V2025_06_18 => (&CATALOGS[1], CATALOG_2025_06_18),
            Revision::V2025_11_25 => (&CATALOGS[2], CATALOG_2025_11_25),
            Revision::V2026_07_28 => (&CATALOGS[3], CATALOG_2026_07_28),
        };
        slot.get_or_init(|| match RequirementCatalog::parse(revision, text) {
            Ok(catalog) => catalog,
            Err(e) => panic!("embedded requirement catalog is invalid: {e}"),
        })
    }

    /// Parses and validates a catalog file stored for `revision`.
    pub fn parse(revision: Revision, text: &str) -> Result<RequirementCatalog, CatalogError> {
        let file: CatalogFile =
            serde_json::from_str(text).map_err(|source| CatalogError::Parse { revision, source })?;
        if file.revision != revision.as_str() {
            return Err(CatalogError::RevisionMismatch { expected: revision, found: file.revision });
        }
        let mut seen = std::collections::HashSet::new();
        let mut requirements = Vec::with_capacity(file.requirements.len());
        for r in file.requirements {
            let level = match r.level.as_str() {
                "MUST" => Level::Must,
                "SHOULD" => Level::Should,
                "MAY" => Level::May,
                _ => return Err(CatalogError::InvalidLevel { revision, id: r.id, level: r.level }),
            };
            if let Some(problem) = malformed(&r) {
                return Err(CatalogError::Malformed { revision, id: r.id, problem });
            }
            if !seen.insert(r.id.clone()) {
                return Err(CatalogError::DuplicateId { revision, id: r.id });
            }
            requirements.push(Requirement { id: r.id, level, anchor: r.anchor, quote: r.quote, source: r.source });
        }
        Ok(RequirementCatalog { revision, source: file.source, requirements })
    }

    /// The requirement with this id, if the catalog has it.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// Whether the catalog has a requirement with this id.
    pub fn contains(&self, id: &str) -> bool {
        self.requirement(id).is_some()
    }
}

impl Requirement {
    /// The full URL of the requirement in `revision`'s specification.
    pub fn url(&self, revision: Revision) -> String {
        match &self.source {
            // Requirements quoted from another specification (JSON-RPC 2.0) link to it.
            Some(source) if source.starts_with("https://") => source.clone(),
            _ => format!("{}/{}", revision.spec_url(), self.anchor),
        }
    }
}

/// A requirement of the harness's own catalog (`suites/requirements/harness.json`): limits a run sets, which a
/// server must meet to be judged at all (the message-size cap). Its `anchor` is a path in this repository.
pub fn harness_requirement(id: &str) -> Option<&'static Requirement> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct HarnessFile {
        #[expect(dead_code, reason = "the file names itself; only its requirements are used")]
        catalog: String,
        #[expect(dead_code, reason = "documentation for readers of the file")]
        source: String,
        requirements: Vec<RequirementEntry>,
    }
    static REQUIREMENTS: OnceLock<Vec<Requirement>> = OnceLock::new();
    let all = REQUIREMENTS.get_or_init(|| {
        let file: HarnessFile = match serde_json::from_str(HARNESS_REQUIREMENTS) {
            Ok(f) => f,
            Err(e) => panic!("embedded suites/requirements/harness.json is invalid: {e}"),
        };
        file.requirements
            .into_iter()
            .map(|r| Requirement {
                id: r.id,
                level: match r.level.as_str() {
                    "SHOULD" => Level::Should,
                    "MAY" => Level::May,
                    _ => Level::Must,
                },
                anchor: r.anchor,
                quote: r.quote,
                source: r.source,
            })
            .collect()
    });
    all.iter().find(|r| r.id == id)
}

const HARNESS_REQUIREMENTS: &str = include_str!("../../../suites/requirements/harness.json");

/// The ids of the integration suite's own requirements (`suites/integration/requirements.json`; documented in
/// `suites/integration/README.md`), which integration checks cover instead of protocol requirements.
pub fn integration_requirement_ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let file: serde_json::Value = match serde_json::from_str(INTEGRATION_REQUIREMENTS) {
            Ok(v) => v,
            Err(e) => panic!("embedded suites/integration/requirements.json is invalid: {e}"),
        };
        file["requirements"].as_array().into_iter().flatten().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect()
    })
}

const INTEGRATION_REQUIREMENTS: &str = include_str!("../../../suites/integration/requirements.json");

const CATALOG_2025_03_26: &str = include_str!("../../../suites/requirements/2025-03-26.json");
const CATALOG_2025_06_18: &str = include_str!("../../../suites/requirements/2025-06-18.json");
const CATALOG_2025_11_25: &str = include_str!("../../../suites/requirements/2025-11-25.json");
const CATALOG_2026_07_28: &str = include_str!("../../../suites/requirements/2026-07-28.json");

/// The on-disk shape of a catalog.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    revision: String,
    source: String,
    requirements: Vec<RequirementEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementEntry {
    id: String,
    level: String,
    anchor: String,
    quote: String,
    #[serde(default)]
    source: Option<String>,
}

fn malformed(r: &RequirementEntry) -> Option<&'static str> {
    let segments_ok = r.id.split('.').count() >= 2
        && r.id.split('.').all(|s| {
            !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if !segments_ok {
        Some("id must be dotted lowercase segments of [a-z0-9-]")
    } else if r.anchor.is_empty() || r.anchor.starts_with('/') || r.anchor.contains("://") {
        Some("anchor must be a path relative to the revision's specification root")
    } else if r.quote.trim().is_empty() {
        Some("quote is empty")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids the first checks declare in `covers`, with the revisions they must exist in.
    const REQUIRED_IDS: &[(&str, &[Revision])] = {
        use Revision::*;
        const ALL: &[Revision] = &[V2025_03_26, V2025_06_18, V2025_11_25, V2026_07_28];
        const STATEFUL: &[Revision] = &[V2025_03_26, V2025_06_18, V2025_11_25];
        &[
            ("lifecycle.version-negotiation", ALL),
            ("lifecycle.initialize-result", STATEFUL),
            ("discover.result", &[V2026_07_28]),
            ("ping.response", STATEFUL),
            ("tools.list.result", ALL),
            ("jsonrpc.method-not-found", ALL),
            ("jsonrpc.parse-error", ALL),
            ("jsonrpc.invalid-request", ALL),
            ("jsonrpc.response-id", ALL),
            ("transport.stdio.stdout-only-mcp", ALL),
            ("tools.call.unknown-tool", ALL),
            ("tools.input-schema", ALL),
            ("transport.http.origin", ALL),
            ("transport.http.session-404", STATEFUL),
            ("transport.http.protocol-version-header", &[V2025_06_18, V2025_11_25, V2026_07_28]),
        ]
    };

    #[test]
    fn every_embedded_catalog_parses_with_unique_ids_and_valid_levels() {
        for (revision, text) in [
            (Revision::V2025_03_26, CATALOG_2025_03_26),
            (Revision::V2025_06_18, CATALOG_2025_06_18),
            (Revision::V2025_11_25, CATALOG_2025_11_25),
            (Revision::V2026_07_28, CATALOG_2026_07_28),
        ] {
            let catalog = RequirementCatalog::parse(revision, text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(catalog.revision, revision);
            assert_eq!(catalog.source, revision.spec_url());
            assert!(
                (60..=200).contains(&catalog.requirements.len()),
                "{revision}: {} requirements",
                catalog.requirements.len()
            );
            assert!(catalog.requirements.iter().any(|r| r.level == Level::Must));
            assert!(catalog.requirements.iter().any(|r| r.level == Level::Should));
            assert_eq!(RequirementCatalog::for_revision(revision), &catalog);
        }
    }

    #[test]
    fn catalogs_contain_the_ids_checks_declare() {
        for (id, revisions) in REQUIRED_IDS {
            for revision in Revision::ALL {
                let has = RequirementCatalog::for_revision(revision).contains(id);
                assert_eq!(has, revisions.contains(&revision), "`{id}` in {revision}");
            }
        }
    }

    #[test]
    fn quoted_levels_agree_with_the_keywords_in_the_quote() {
        // A quote that contains MUST is at least a MUST requirement, unless the catalog explicitly weakens it
        // for a documented reason; one with only SHOULD is never MUST.
        for revision in Revision::ALL {
            for r in &RequirementCatalog::for_revision(revision).requirements {
                let has_must = r.quote.contains("MUST") || r.quote.contains("REQUIRED");
                let has_should = r.quote.contains("SHOULD");
                if has_should && !has_must {
                    assert_ne!(r.level, Level::Must, "{revision} {}", r.id);
                }
            }
        }
    }

    #[test]
    fn parse_rejects_bad_catalogs() {
        let rev = Revision::V2025_11_25;
        let doc = |reqs: &str| {
            format!(r#"{{"revision":"2025-11-25","source":"https://modelcontextprotocol.io/specification/2025-11-25","requirements":[{reqs}]}}"#)
        };
        let ok = r#"{"id":"a.b","level":"MUST","anchor":"basic#x","quote":"q"}"#;
        assert!(RequirementCatalog::parse(rev, &doc(ok)).is_ok());
        let bad_level = r#"{"id":"a.b","level":"MUSTN'T","anchor":"basic#x","quote":"q"}"#;
        assert!(matches!(RequirementCatalog::parse(rev, &doc(bad_level)), Err(CatalogError::InvalidLevel { .. })));
        assert!(matches!(
            RequirementCatalog::parse(rev, &doc(&format!("{ok},{ok}"))),
            Err(CatalogError::DuplicateId { .. })
        ));
        let bad_id = r#"{"id":"Tools","level":"MUST","anchor":"basic#x","quote":"q"}"#;
        assert!(matches!(RequirementCatalog::parse(rev, &doc(bad_id)), Err(CatalogError::Malformed { .. })));
        assert!(matches!(
            RequirementCatalog::parse(Revision::V2026_07_28, &doc(ok)),
            Err(CatalogError::RevisionMismatch { .. })
        ));
        assert!(matches!(RequirementCatalog::parse(rev, "{"), Err(CatalogError::Parse { .. })));
    }
}
