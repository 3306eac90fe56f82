//! Requirement catalogs: the normative requirements a black-box test of a server could verify, each with a stable
//! id, its RFC 2119 level, where it is written and the sentence quoted. Checks cite requirements by id; the quote
//! lives here, once.
//!
//! Four kinds of catalog (format in `suites/requirements/README.md`):
//! - one per protocol revision, `requirements/<revision>.json`: what the MCP specification of that revision
//!   requires (requirement coverage is computed against it);
//! - `integration/requirements.json`: the integration suite's data-tools contract (`integration/README.md`);
//! - `requirements/harness.json`: limits the harness itself sets, which a server must meet to be judged at all,
//!   and the contract a surface lock records (`surface.*`: what the author locked, not what MCP requires);
//! - `security/requirements.json`: the sources the security suite's defences rest on;
//! - `e2e/requirements.json`: what the e2e suite's journeys ask of a server (the user's own expectations, written
//!   in journey files).
//!
//! The files are embedded at compile time and parsed once, on first use.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::Level;

/// The protocol revisions that have a catalog, oldest first.
pub const REVISIONS: [&str; 4] = ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"];

/// Where the rendered MCP specification lives; a revision's root is `SPEC_ROOT/<revision>`.
const SPEC_ROOT: &str = "https://modelcontextprotocol.io/specification";

/// The first revision of the stateless era, which moved pages (see [`page_in`]).
const PAGES_MOVED_IN: &str = "2026-07-28";

/// Which catalog a [`Catalog`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CatalogKind {
    /// The requirements of one protocol revision (`requirements/<revision>.json`); anchors are pages under the
    /// revision's specification root.
    Revision,
    /// The integration suite's contract (`integration/requirements.json`); anchors are headings of `source`, a
    /// document of this repository.
    Integration,
    /// The harness's own limits and the surface lock's contract (`requirements/harness.json`); anchors are
    /// headings of `source`, a document of this repository.
    Harness,
    /// The sources of the security suite's defences (`security/requirements.json`); anchors are absolute URLs or
    /// pages of the specification of the revision a run speaks.
    Security,
    /// The e2e suite's requirements (`e2e/requirements.json`): a journey's expectations are the user's rules;
    /// anchors are headings of `source`, a document of this repository.
    E2e,
    /// The performance suite's service-level objectives (`performance/requirements.json`); anchors are headings of
    /// `source`, a document of this repository.
    Performance,
}

/// One catalog file, parsed and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// Which catalog this is.
    pub kind: CatalogKind,
    /// The revision (`2025-11-25`) of a revision catalog, else the catalog's name (`integration`, `harness`,
    /// `security`, `e2e`).
    pub name: String,
    /// Where the requirements are written: the revision's specification root, or the document of this repository
    /// the anchors of a project catalog are relative to.
    pub source: String,
    /// The requirements, in file order (grouped by area).
    pub requirements: Vec<Requirement>,
}

/// One requirement of a catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// Stable dotted lowercase id (`lifecycle.version-negotiation`), shared across revisions where the requirement
    /// is the same.
    pub id: String,
    /// The RFC 2119 strength of the requirement.
    pub level: Level,
    /// Where it is written, relative to the catalog's `source` (see [`CatalogKind`]), or an absolute URL.
    pub anchor: String,
    /// The sentence stating the requirement, quoted.
    pub quote: String,
    /// Set when the quote comes from a document other than the MCP specification (the JSON-RPC 2.0 specification,
    /// which MCP adopts); the URL of that document.
    pub source: Option<String>,
}

/// A requirement as a run cites it: the requirement, the catalog it was found in and its URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    /// The requirement.
    pub requirement: &'static Requirement,
    /// The catalog that holds it (for a revision requirement, the revision whose wording is cited).
    pub catalog: &'static Catalog,
    /// Where to read it.
    pub url: String,
}

/// A catalog file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file is not valid JSON of the catalog format.
    #[error("failed to parse the requirement catalog `{catalog}`")]
    Parse {
        /// The catalog that failed.
        catalog: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The file names another catalog than the one it is stored as.
    #[error("requirement catalog `{expected}` declares itself as `{found}`")]
    NameMismatch {
        /// The name (or revision) the file is stored as.
        expected: String,
        /// What it declares.
        found: String,
    },
    /// A requirement's level is not `MUST`, `SHOULD` or `MAY`.
    #[error("requirement `{id}` in catalog `{catalog}` has invalid level `{level}`")]
    InvalidLevel {
        /// The catalog.
        catalog: String,
        /// The requirement.
        id: String,
        /// The level found.
        level: String,
    },
    /// An id appears twice.
    #[error("requirement `{id}` appears more than once in catalog `{catalog}`")]
    DuplicateId {
        /// The catalog.
        catalog: String,
        /// The repeated id.
        id: String,
    },
    /// An id is not dotted lowercase (`area.name`), or the anchor, quote or source does not fit the catalog.
    #[error("requirement `{id}` in catalog `{catalog}` is malformed: {problem}")]
    Malformed {
        /// The catalog.
        catalog: String,
        /// The requirement.
        id: String,
        /// What is wrong.
        problem: &'static str,
    },
}

impl Catalog {
    /// Parses and validates a catalog file of `kind` stored as `name` (the revision of a revision catalog).
    pub fn parse(kind: CatalogKind, name: &str, text: &str) -> Result<Catalog, CatalogError> {
        let catalog = || name.to_owned();
        let file: CatalogFile =
            serde_json::from_str(text).map_err(|source| CatalogError::Parse { catalog: catalog(), source })?;
        let declared = match kind {
            CatalogKind::Revision => file.revision,
            CatalogKind::Harness => file.catalog,
            CatalogKind::Integration | CatalogKind::Security | CatalogKind::E2e | CatalogKind::Performance => {
                file.suite
            }
        };
        if declared.as_deref() != Some(name) {
            return Err(CatalogError::NameMismatch { expected: catalog(), found: declared.unwrap_or_default() });
        }
        let mut seen = HashSet::new();
        let mut requirements = Vec::with_capacity(file.requirements.len());
        for r in file.requirements {
            let Ok(level) = r.level.parse::<Level>() else {
                return Err(CatalogError::InvalidLevel { catalog: catalog(), id: r.id, level: r.level });
            };
            if let Some(problem) = malformed(kind, &r) {
                return Err(CatalogError::Malformed { catalog: catalog(), id: r.id, problem });
            }
            if !seen.insert(r.id.clone()) {
                return Err(CatalogError::DuplicateId { catalog: catalog(), id: r.id });
            }
            requirements.push(Requirement { id: r.id, level, anchor: r.anchor, quote: r.quote, source: r.source });
        }
        Ok(Catalog { kind, name: name.to_owned(), source: file.source, requirements })
    }

    /// The revision a revision catalog describes.
    pub fn revision(&self) -> Option<&str> {
        (self.kind == CatalogKind::Revision).then_some(self.name.as_str())
    }

    /// The requirement with this id, if the catalog has it.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// Whether the catalog has a requirement with this id.
    pub fn contains(&self, id: &str) -> bool {
        self.requirement(id).is_some()
    }

    /// The URL of `requirement` (one of this catalog's) for a run that speaks `revision`.
    ///
    /// A requirement quoted from another specification links to it (`source`); an absolute anchor is returned as
    /// it is; a revision requirement is a page of its own revision's specification; a project requirement
    /// (integration, harness) is a heading of a document of this repository (`suites/integration/README.md#durable`);
    /// a security requirement that names a specification page is that page in `revision`'s specification.
    pub fn url(&self, requirement: &Requirement, revision: &str) -> String {
        if let Some(source) = requirement.source.as_deref().filter(|s| is_absolute(s)) {
            return source.to_owned();
        }
        if is_absolute(&requirement.anchor) {
            return requirement.anchor.clone();
        }
        match self.kind {
            CatalogKind::Revision => page_url(&self.source, &requirement.anchor, &self.name),
            CatalogKind::Security => page_url(&spec_root(revision), &requirement.anchor, revision),
            CatalogKind::Integration | CatalogKind::Harness | CatalogKind::E2e | CatalogKind::Performance => {
                format!("{}{}", self.source, requirement.anchor)
            }
        }
    }
}

/// The root of `revision`'s rendered specification (`https://modelcontextprotocol.io/specification/2025-11-25`).
pub fn spec_root(revision: &str) -> String {
    format!("{SPEC_ROOT}/{revision}")
}

/// The catalog of `revision` (`"2025-11-25"`), or `None` for a revision without one.
///
/// 2025-03-26 has its own catalog: it predates the `MCP-Protocol-Version` header, structured output,
/// elicitation and the Origin → 403 rule, and it still requires receiving JSON-RPC batches.
///
/// # Panics
///
/// Never for the catalogs shipped with the crate: a unit test parses every one of them. An embedded catalog that
/// failed to parse would be a build defect, and the first access panics with the parse error rather than
/// computing coverage against a wrong denominator.
pub fn revision_catalog(revision: &str) -> Option<&'static Catalog> {
    CATALOGS.revisions.iter().find(|c| c.name == revision)
}

/// The integration suite's requirements (`suites/integration/requirements.json`).
///
/// # Panics
///
/// As [`revision_catalog`], only if the embedded file were invalid.
pub fn integration_catalog() -> &'static Catalog {
    &CATALOGS.integration
}

/// The harness's own requirements (`suites/requirements/harness.json`): limits a run sets, which a server must
/// meet to be judged at all (`wire.message-size`), and the contract of a surface lock (`surface.no-breaking-change`,
/// `surface.no-silent-change`), which the server's author sets by recording it.
///
/// # Panics
///
/// As [`revision_catalog`], only if the embedded file were invalid.
pub fn harness_catalog() -> &'static Catalog {
    &CATALOGS.harness
}

/// The security suite's requirements (`suites/security/requirements.json`): the sources its defences rest on.
///
/// # Panics
///
/// As [`revision_catalog`], only if the embedded file were invalid.
pub fn security_catalog() -> &'static Catalog {
    &CATALOGS.security
}

/// The e2e suite's requirements (`suites/e2e/requirements.json`): what a journey's expectations ask of a server.
///
/// # Panics
///
/// As [`revision_catalog`], only if the embedded file were invalid.
pub fn e2e_catalog() -> &'static Catalog {
    &CATALOGS.e2e
}

/// The performance suite's requirements (`suites/performance/requirements.json`): the service-level objectives a
/// load run is judged against.
///
/// # Panics
///
/// As [`revision_catalog`], only if the embedded file were invalid.
pub fn performance_catalog() -> &'static Catalog {
    &CATALOGS.performance
}

/// Every catalog: the revision catalogs oldest first, then the integration, harness, security, e2e and performance
/// catalogs.
///
/// # Panics
///
/// As [`revision_catalog`], only if an embedded file were invalid.
pub fn catalogs() -> impl Iterator<Item = &'static Catalog> {
    let c = &*CATALOGS;
    c.revisions.iter().chain([&c.integration, &c.harness, &c.security, &c.e2e, &c.performance])
}

/// Requirement `id` as a run that speaks `revision` cites it: from `revision`'s catalog, else from the nearest
/// revision whose catalog has it (the later one on a tie; newest first when `revision` has no catalog), else from
/// the integration, harness, security or e2e catalog. `None` when no catalog has the id.
///
/// # Panics
///
/// As [`revision_catalog`], only if an embedded file were invalid.
pub fn cite(id: &str, revision: &str) -> Option<Citation> {
    let mut order: Vec<usize> = (0..REVISIONS.len()).collect();
    match REVISIONS.iter().position(|r| *r == revision) {
        Some(at) => order.sort_by_key(|&i| (i.abs_diff(at), Reverse(i))),
        None => order.reverse(),
    }
    let c = &*CATALOGS;
    let candidates = order.into_iter().map(|i| &c.revisions[i]).chain([
        &c.integration,
        &c.harness,
        &c.security,
        &c.e2e,
        &c.performance,
    ]);
    candidates.into_iter().find_map(|catalog| {
        let requirement = catalog.requirement(id)?;
        Some(Citation { requirement, catalog, url: catalog.url(requirement, revision) })
    })
}

/// Every embedded catalog, parsed.
struct Catalogs {
    revisions: Vec<Catalog>,
    integration: Catalog,
    harness: Catalog,
    security: Catalog,
    e2e: Catalog,
    performance: Catalog,
}

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| {
    let load = |kind, name: &str, text: &str| match Catalog::parse(kind, name, text) {
        Ok(catalog) => catalog,
        Err(e) => panic!("embedded requirement catalog is invalid: {e}"),
    };
    Catalogs {
        revisions: REVISION_FILES.iter().map(|(rev, text)| load(CatalogKind::Revision, rev, text)).collect(),
        integration: load(CatalogKind::Integration, "integration", INTEGRATION_FILE),
        harness: load(CatalogKind::Harness, "harness", HARNESS_FILE),
        security: load(CatalogKind::Security, "security", SECURITY_FILE),
        e2e: load(CatalogKind::E2e, "e2e", E2E_FILE),
        performance: load(CatalogKind::Performance, "performance", PERFORMANCE_FILE),
    }
});

const REVISION_FILES: [(&str, &str); 4] = [
    (REVISIONS[0], include_str!("../requirements/2025-03-26.json")),
    (REVISIONS[1], include_str!("../requirements/2025-06-18.json")),
    (REVISIONS[2], include_str!("../requirements/2025-11-25.json")),
    (REVISIONS[3], include_str!("../requirements/2026-07-28.json")),
];
const INTEGRATION_FILE: &str = include_str!("../integration/requirements.json");
const HARNESS_FILE: &str = include_str!("../requirements/harness.json");
const SECURITY_FILE: &str = include_str!("../security/requirements.json");
const E2E_FILE: &str = include_str!("../e2e/requirements.json");
const PERFORMANCE_FILE: &str = include_str!("../performance/requirements.json");

/// The on-disk shape of a catalog: a revision catalog names its `revision`, the integration and security catalogs
/// their `suite`, the harness's its `catalog`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    revision: Option<String>,
    #[serde(default)]
    suite: Option<String>,
    #[serde(default)]
    catalog: Option<String>,
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

fn malformed(kind: CatalogKind, r: &RequirementEntry) -> Option<&'static str> {
    let segments_ok = r.id.split('.').count() >= 2
        && r.id
            .split('.')
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    let relative_page = !r.anchor.is_empty() && !r.anchor.starts_with(['/', '#']) && !r.anchor.contains("://");
    if !segments_ok {
        Some("id must be dotted lowercase segments of [a-z0-9-]")
    } else if kind == CatalogKind::Revision && !relative_page {
        Some("anchor must be a page path relative to the revision's specification root")
    } else if matches!(
        kind,
        CatalogKind::Integration | CatalogKind::Harness | CatalogKind::E2e | CatalogKind::Performance
    ) && !r.anchor.starts_with('#')
    {
        Some("anchor must be a heading (`#…`) of the catalog's source document")
    } else if kind == CatalogKind::Security && !relative_page && !is_absolute(&r.anchor) {
        Some("anchor must be an https URL or a page path relative to a specification root")
    } else if r.source.as_deref().is_some_and(|s| !is_absolute(s)) {
        Some("source must be an https URL")
    } else if r.quote.trim().is_empty() {
        Some("quote is empty")
    } else {
        None
    }
}

fn is_absolute(s: &str) -> bool {
    s.starts_with("https://")
}

/// The URL of page anchor `anchor` under `root`, the specification root of `revision`; `index` names the root
/// page itself.
fn page_url(root: &str, anchor: &str, revision: &str) -> String {
    let anchor = page_in(anchor, revision);
    match anchor.strip_prefix("index") {
        Some(fragment) if fragment.is_empty() || fragment.starts_with('#') => {
            format!("{root}{fragment}")
        }
        _ => format!("{root}/{anchor}"),
    }
}

/// `anchor` moved to where `revision` has that page: 2026-07-28 split `basic/transports` into
/// `basic/transports/stdio` and `basic/transports/streamable-http` (fragments differ, so a moved anchor keeps its
/// page only; earlier revisions have the single page), and moved `basic/utilities/progress` to
/// `basic/patterns/progress`. Revision catalogs already name their own revision's pages (a unit test holds them
/// to it); security requirements name a page once for every revision.
fn page_in<'a>(anchor: &'a str, revision: &str) -> std::borrow::Cow<'a, str> {
    let stateless = revision >= PAGES_MOVED_IN;
    let (page, fragment) = anchor.split_once('#').unwrap_or((anchor, ""));
    match page {
        "basic/transports" if stateless && fragment == "stdio" => "basic/transports/stdio".into(),
        "basic/transports" if stateless => "basic/transports/streamable-http".into(),
        // 2026-07-28 moved the request utilities under `basic/patterns`, fragments unchanged.
        "basic/utilities/progress" if stateless && fragment.is_empty() => "basic/patterns/progress".into(),
        "basic/utilities/progress" if stateless => format!("basic/patterns/progress#{fragment}").into(),
        "basic/transports/stdio" | "basic/transports/streamable-http" if !stateless => {
            let legacy = if page.ends_with("stdio") { "stdio" } else { "streamable-http" };
            format!("basic/transports#{legacy}").into()
        }
        _ => anchor.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids checks rely on, with the revisions they must exist in.
    const REQUIRED_IDS: &[(&str, &[&str])] = {
        const ALL: &[&str] = &REVISIONS;
        const STATEFUL: &[&str] = &["2025-03-26", "2025-06-18", "2025-11-25"];
        &[
            ("lifecycle.version-negotiation", ALL),
            ("lifecycle.initialize-result", STATEFUL),
            ("discover.result", &["2026-07-28"]),
            ("ping.response", STATEFUL),
            ("tools.list.result", ALL),
            ("jsonrpc.method-not-found", ALL),
            ("jsonrpc.parse-error", ALL),
            ("jsonrpc.invalid-request", ALL),
            ("jsonrpc.response-id", ALL),
            ("jsonrpc.reply-required", ALL),
            ("jsonrpc.result-or-error", ALL),
            ("transport.stdio.stdout-only-mcp", ALL),
            ("tools.call.unknown-tool", ALL),
            ("tools.input-schema", ALL),
            ("transport.http.origin", ALL),
            ("transport.http.session-404", STATEFUL),
            ("transport.http.protocol-version-header", &["2025-06-18", "2025-11-25", "2026-07-28"]),
        ]
    };

    fn revision(r: &str) -> &'static Catalog {
        revision_catalog(r).unwrap_or_else(|| panic!("no catalog for {r}"))
    }

    #[test]
    fn every_embedded_catalog_parses_with_unique_ids_and_valid_levels() {
        for (rev, text) in REVISION_FILES {
            let catalog = Catalog::parse(CatalogKind::Revision, rev, text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(catalog.revision(), Some(rev));
            assert_eq!(catalog.source, spec_root(rev));
            let n = catalog.requirements.len();
            assert!((60..=250).contains(&n), "{rev}: {n} requirements");
            assert!(catalog.requirements.iter().any(|r| r.level == Level::Must));
            assert!(catalog.requirements.iter().any(|r| r.level == Level::Should));
            assert_eq!(revision(rev), &catalog);
        }
        for (kind, name, text) in [
            (CatalogKind::Integration, "integration", INTEGRATION_FILE),
            (CatalogKind::Harness, "harness", HARNESS_FILE),
            (CatalogKind::Security, "security", SECURITY_FILE),
            (CatalogKind::E2e, "e2e", E2E_FILE),
            (CatalogKind::Performance, "performance", PERFORMANCE_FILE),
        ] {
            let catalog = Catalog::parse(kind, name, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(!catalog.requirements.is_empty(), "{name}");
            assert_eq!(catalog.revision(), None);
        }
        assert_eq!(catalogs().count(), REVISIONS.len() + 5);
        assert!(revision_catalog("2024-11-05").is_none());
    }

    #[test]
    fn catalogs_contain_the_ids_checks_rely_on() {
        for (id, revisions) in REQUIRED_IDS {
            for rev in REVISIONS {
                assert_eq!(revision(rev).contains(id), revisions.contains(&rev), "`{id}` in {rev}");
            }
        }
    }

    #[test]
    fn project_and_security_ids_are_unique_across_all_catalogs() {
        // `cite` looks an id up across catalogs: only revision catalogs share ids (one requirement, several
        // revisions).
        let mut seen: HashSet<&str> = HashSet::new();
        for catalog in catalogs().filter(|c| c.kind != CatalogKind::Revision) {
            for r in &catalog.requirements {
                assert!(seen.insert(&r.id), "`{}` is in two project catalogs", r.id);
                for rev in REVISIONS {
                    assert!(
                        !revision(rev).contains(&r.id),
                        "`{}` of `{}` is also in the {rev} catalog",
                        r.id,
                        catalog.name
                    );
                }
            }
        }
    }

    #[test]
    fn quoted_levels_agree_with_the_keywords_in_the_quote() {
        // A quote with only SHOULD is never a MUST requirement; one with MUST may be weakened only for a reason
        // documented in the README.
        for catalog in catalogs() {
            for r in &catalog.requirements {
                let has_must = r.quote.contains("MUST") || r.quote.contains("REQUIRED");
                let has_should = r.quote.contains("SHOULD") || r.quote.contains("RECOMMENDED");
                if has_should && !has_must {
                    assert_ne!(r.level, Level::Must, "{} {}", catalog.name, r.id);
                }
            }
        }
    }

    #[test]
    fn revision_anchors_name_their_own_revisions_pages() {
        for rev in REVISIONS {
            for r in &revision(rev).requirements {
                assert_eq!(page_in(&r.anchor, rev), r.anchor.as_str(), "{rev} {}", r.id);
            }
        }
    }

    #[test]
    fn parse_rejects_bad_catalogs() {
        let rev = "2025-11-25";
        let doc = |reqs: &str| {
            format!(
                r#"{{"revision":"2025-11-25","source":"https://modelcontextprotocol.io/specification/2025-11-25","requirements":[{reqs}]}}"#
            )
        };
        let parse = |text: &str| Catalog::parse(CatalogKind::Revision, rev, text);
        let ok = r#"{"id":"a.b","level":"MUST","anchor":"basic#x","quote":"q"}"#;
        assert!(parse(&doc(ok)).is_ok());
        let bad_level = r#"{"id":"a.b","level":"MUSTN'T","anchor":"basic#x","quote":"q"}"#;
        assert!(matches!(parse(&doc(bad_level)), Err(CatalogError::InvalidLevel { .. })));
        assert!(matches!(parse(&doc(&format!("{ok},{ok}"))), Err(CatalogError::DuplicateId { .. })));
        let bad_id = r#"{"id":"Tools","level":"MUST","anchor":"basic#x","quote":"q"}"#;
        assert!(matches!(parse(&doc(bad_id)), Err(CatalogError::Malformed { .. })));
        let absolute = r#"{"id":"a.b","level":"MUST","anchor":"https://example.com/x","quote":"q"}"#;
        assert!(matches!(parse(&doc(absolute)), Err(CatalogError::Malformed { .. })));
        let bad_source = r#"{"id":"a.b","level":"MUST","anchor":"basic#x","quote":"q","source":"jsonrpc.org"}"#;
        assert!(matches!(parse(&doc(bad_source)), Err(CatalogError::Malformed { .. })));
        assert!(matches!(
            Catalog::parse(CatalogKind::Revision, "2026-07-28", &doc(ok)),
            Err(CatalogError::NameMismatch { .. })
        ));
        assert!(matches!(parse("{"), Err(CatalogError::Parse { .. })));

        let project = |anchor: &str| {
            let text = format!(
                r#"{{"suite":"integration","source":"suites/integration/README.md","requirements":[{{"id":"integration.a","level":"MUST","anchor":"{anchor}","quote":"q"}}]}}"#
            );
            Catalog::parse(CatalogKind::Integration, "integration", &text)
        };
        assert!(project("#durable").is_ok());
        assert!(matches!(project("basic#x"), Err(CatalogError::Malformed { .. })));
        let harness_as_suite = r#"{"suite":"harness","source":"x","requirements":[]}"#;
        assert!(matches!(
            Catalog::parse(CatalogKind::Harness, "harness", harness_as_suite),
            Err(CatalogError::NameMismatch { .. })
        ));
    }

    #[test]
    fn transport_anchors_follow_the_page_split_of_2026() {
        let url = |anchor: &str, rev: &str| page_url(&spec_root(rev), anchor, rev);
        let (old, new) = ("2025-11-25", "2026-07-28");
        let base = spec_root;
        assert_eq!(
            url("basic/transports#session-management", old),
            format!("{}/basic/transports#session-management", base(old))
        );
        assert_eq!(
            url("basic/transports#session-management", new),
            format!("{}/basic/transports/streamable-http", base(new))
        );
        assert_eq!(url("basic/transports#stdio", new), format!("{}/basic/transports/stdio", base(new)));
        assert_eq!(
            url("basic/transports/streamable-http#server-validation", new),
            format!("{}/basic/transports/streamable-http#server-validation", base(new))
        );
        assert_eq!(
            url("basic/transports/streamable-http#server-validation", old),
            format!("{}/basic/transports#streamable-http", base(old))
        );
        assert_eq!(url("server/tools#error-handling", new), format!("{}/server/tools#error-handling", base(new)));
        assert_eq!(
            url("basic/utilities/progress#progress-flow", new),
            format!("{}/basic/patterns/progress#progress-flow", base(new))
        );
        assert_eq!(
            url("basic/utilities/progress#progress-flow", old),
            format!("{}/basic/utilities/progress#progress-flow", base(old))
        );
        assert_eq!(url("index", old), base(old));
        assert_eq!(url("index#overview", old), format!("{}#overview", base(old)));
    }

    #[test]
    fn citations_prefer_the_run_revision_then_the_nearest_then_project_catalogs() {
        let at = |id: &str, rev: &str| cite(id, rev).unwrap_or_else(|| panic!("`{id}` is cited nowhere"));

        let own = at("lifecycle.version-negotiation", "2025-06-18");
        assert_eq!(own.catalog.revision(), Some("2025-06-18"));
        assert_eq!(own.url, format!("{}/basic/lifecycle#version-negotiation", spec_root("2025-06-18")));
        assert_eq!(own.requirement.level, Level::Must);

        // `ping.response` is 2025 only: a 2026 run cites the newest 2025 wording, at its own page.
        let nearest = at("ping.response", "2026-07-28");
        assert_eq!(nearest.catalog.revision(), Some("2025-11-25"));
        assert!(nearest.url.starts_with(&spec_root("2025-11-25")), "{}", nearest.url);
        // `jsonrpc.error-id` starts in 2025-11-25: the nearest to 2025-03-26 is 2025-11-25.
        assert_eq!(at("jsonrpc.error-id", "2025-03-26").catalog.revision(), Some("2025-11-25"));
        // Without a catalog of its own, a revision cites the newest wording.
        assert_eq!(at("lifecycle.version-negotiation", "2099-01-01").catalog.revision(), Some("2026-07-28"));

        // Requirements quoted from JSON-RPC 2.0 link to it.
        assert!(at("jsonrpc.reply-required", "2025-11-25").url.starts_with("https://www.jsonrpc.org/specification#"));

        let integration = at("integration.store.durable", "2025-11-25");
        assert_eq!(integration.catalog.kind, CatalogKind::Integration);
        assert_eq!(integration.url, "suites/integration/README.md#durable");
        let harness = at("wire.message-size", "2025-11-25");
        assert_eq!(harness.url, "suites/requirements/README.md#the-harnesss-own-limits");

        // A security requirement on a specification page links to that page of the run's revision.
        let security = at("security.dns-rebinding", "2026-07-28");
        assert_eq!(security.catalog.kind, CatalogKind::Security);
        assert_eq!(security.url, format!("{}/basic/transports/streamable-http", spec_root("2026-07-28")));
        assert_eq!(
            at("security.dns-rebinding", "2025-06-18").url,
            format!("{}/basic/transports#security-warning", spec_root("2025-06-18"))
        );
        assert!(
            at("security.local-server-compromise", "2025-11-25")
                .url
                .starts_with("https://modelcontextprotocol.io/docs/")
        );

        assert!(cite("no.such-requirement", "2025-11-25").is_none());
    }
}
